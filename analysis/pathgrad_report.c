/* pathgrad_report.c: what `gradflow pathgrad` shows of its curves: the
 * figures, the manifest's readings and the summary on stdout. */
#include "cli.h"
#include "pathgrad.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *state_label(const pathgrad_run *r, int i, char *buf, size_t size)
{
    if (i == 0)
        snprintf(buf, size, "init");
    else if (r->epochs > 0)
        snprintf(buf, size, "trained %d epoch%s", r->epochs, r->epochs > 1 ? "s" : "");
    else
        snprintf(buf, size, "trained");
    return buf;
}

static void net_name(const gf_stack_config *c, char *buf, size_t size)
{
    if (!gf_arch_is_mlp(c->arch)) {
        snprintf(buf, size, "%s-%d (filters %g x 16/32/64, batch norm)", gf_arch_names[c->arch],
                 c->depth, c->width_mult > 0 ? c->width_mult : 1.0);
        return;
    }
    snprintf(buf, size, "%s-%d (width %zu, norm %s, init %s)", gf_arch_names[c->arch], c->depth,
             c->width, gf_norm_names[c->norm], gf_init_names[c->init]);
}

int pathgrad_figures(cli_run *run, const pathgrad_run *r)
{
    gf_pathgrad_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return cli_fail(CLI_EXIT_RUNTIME, run->cmd, "out of memory");
    char net[128];
    net_name(&r->cfg, net, sizeof net);
    gf_pathgrad_figs_make(r->curve, r->n_states, net, f);
    if (r->n_states == 2) { /* the trained state in the subtitle, so the legend stays short */
        char trained[64];
        const size_t len = strlen(f->subtitle);
        snprintf(f->subtitle + len, sizeof f->subtitle - len, "; %s: test error %.1f%%",
                 state_label(r, 1, trained, sizeof trained), 100.0 * r->test_err[1]);
    }
    int status = CLI_EXIT_OK;
    if (cli_run_figure(run, "pathgrad", gf_fig_pathgrad_body, &f->fig) != 0 ||
        (f->fig.sampled && cli_run_figure(run, "pathgrad_sampling",
                                          gf_fig_pathgrad_sampling_body, &f->fig) != 0))
        status = CLI_EXIT_RUNTIME;
    if (status == CLI_EXIT_OK)
        status = cli_run_terminal(run, gf_fig_pathgrad_body, &f->fig, 140, 60);
    free(f);
    return status;
}

/* ---- manifest ------------------------------------------------------------- */


static json_t *reading_json(const gf_pathgrad_curve *c, double test_err)
{
    gf_pathgrad_reading x;
    gf_pathgrad_read(c, &x);
    json_t *ks = json_array();
    for (int k = 0; k <= c->blocks; k++)
        if (c->sampled[k])
            json_array_append_new(ks, json_integer(k));
    json_t *told = json_array();
    for (int i = 0; i < x.compared - x.zero_pass && i < GF_PATHGRAD_MAX_LENGTHS; i++)
        json_array_append_new(told, json_integer(x.k_told[i]));
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:i, s:[i, i], s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:o, "
        "s:i, s:[o, o], s:o, s:f, s:f}",
        "test_error", cli_json_number(test_err), "batch_loss", cli_json_number(c->loss),
        "log10_grad_x0", cli_json_number(c->log10_grad), "sum_relative_error",
        cli_json_number(c->sum_rel_err), "k_peak", x.k_peak, "central_90_of_mass", x.k_lo, x.k_hi,
        "mass_below_half", cli_json_number(x.short_mass), "share_below_half",
        cli_json_number(x.short_proj), "slope_per_path_exact", cli_json_number(x.slope_exact),
        "slope_path_norm_sampled", cli_json_number(x.slope_paths), "sampled_lengths", ks,
        "sampled_compared", x.compared, "error_within_2_se", x.within2, "error_within_3_se",
        x.within3, "zero_within_2_se", x.zero_pass, "lengths_told_from_zero", told,
        "se_below_half_exact", x.resolved, "error_ratio_range", cli_json_number(x.ratio_min),
        cli_json_number(x.ratio_max), "log10_veit_overstatement_max",
        cli_json_number(x.overstate_max),
        "seconds_exact", c->seconds_exact, "seconds_sampled", c->seconds_sampled);
}

/* How batch norm's running statistics were set at initialization. */
static const char *bn_text(const pathgrad_run *r, char *buf, size_t size)
{
    if (r->cfg.norm != GF_NORM_BATCH)
        snprintf(buf, size, "no batch norm");
    else if (r->bn_warmup > 0)
        snprintf(buf, size, "running statistics (evaluation mode): at initialization the plain "
                 "average of %d training-mode passes of %zu training images, trained the ones "
                 "training left", r->bn_warmup, r->warmup_batch);
    else
        snprintf(buf, size, "running statistics (evaluation mode): 0 and 1 at initialization "
                 "(batch norm nearly the identity), trained the ones training left");
    return buf;
}

void pathgrad_describe(json_t *m, const pathgrad_run *r, const pathgrad_options *o)
{
    const gf_stack_config *c = &r->cfg;
    char bn[256];
    const gf_train_config *t = &o->t.train;
    json_object_set_new(m, "settings", json_pack(
        "{s:s, s:i, s:i, s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:s, s:I, s:I, s:I, s:s, s:s}",
        "arch", gf_arch_names[c->arch], "depth", c->depth, "blocks", gf_stack_blocks(c), "width",
        (json_int_t)c->width, "input_dim", (json_int_t)c->in_dim, "init", gf_init_names[c->init],
        "norm", gf_norm_names[c->norm], "act", gf_act_names[c->act], "zero_init_residual",
        c->zero_branch, "batchnorm_statistics", bn_text(r, bn, sizeof bn),
        "data", r->data_name, "images", (json_int_t)o->images, "test_images",
        (json_int_t)r->n_test, "samples_per_length", (json_int_t)o->samples, "loss",
        "mean softmax cross-entropy of the batch", "batch", "the first images of the test set"));
    if (!gf_arch_is_mlp(c->arch)) /* the cnn's filters: 16, 32, 64 times this */
        json_object_set_new(json_object_get(m, "settings"), "width_mult",
                            json_real(c->width_mult > 0 ? c->width_mult : 1.0));
    if (o->load)
        json_object_set_new(m, "trained_from", json_string(o->load));
    else if (t->epochs > 0)
        json_object_set_new(m, "training", json_pack(
            "{s:i, s:I, s:I, s:s, s:f, s:f, s:s, s:s, s:f}", "epochs", t->epochs, "batch",
            (json_int_t)t->batch, "ntrain", (json_int_t)o->t.ntrain, "optimizer",
            gf_optim_names[t->optim.kind], "lr", t->sched.lr, "weight_decay",
            t->optim.weight_decay, "schedule", gf_sched_names[t->sched.kind], "checkpoint",
            r->checkpoint, "seconds", r->train_seconds));
    json_object_set_new(m, "seed", json_integer(r->seed));
    json_object_set_new(m, "seed_use", json_string(
        "the seed initializes the weights (mt19937, as gradflow degrade) and orders the training "
        "batches; state i samples its paths from mt19937 seeded 1000003 * --seed + i, and the "
        "batch-norm warm-up draws its images from the stream i = 2"));
    json_t *states = json_object();
    for (int i = 0; i < r->n_states; i++)
        json_object_set_new(states, r->curve[i].state, reading_json(&r->curve[i], r->test_err[i]));
    json_object_set_new(m, "readings", states);
}

/* ---- summary --------------------------------------------------------------- */

static const char *pow10_text(char *buf, size_t size, double log10x)
{
    gf_format_pow10(buf, size, log10x, 2);
    return buf;
}

/* A share as a percentage that does not round to 0 or 100 when it is not. */
static const char *percent(char *buf, size_t size, double share)
{
    if (share > 0.999 && share < 1.0)
        snprintf(buf, size, "1 - %.1e", 1.0 - share);
    else if (share > 0.0 && share < 0.001)
        snprintf(buf, size, "%.1e", share);
    else
        snprintf(buf, size, "%.1f%%", 100.0 * share);
    return buf;
}

/* One row of the comparison table: a label and a value per state. */
static void row(const char *label, char (*v)[64], int n)
{
    printf("  %-44s", label);
    for (int i = 0; i < n; i++)
        printf("%-18s", v[i]);
    putchar('\n');
}

/* A row whose value for state i is printf(...) (the arguments may use i). */
#define ROW(label, ...)                                                                        \
    do {                                                                                       \
        char v_[2][64];                                                                        \
        for (int i = 0; i < n; i++)                                                            \
            snprintf(v_[i], sizeof v_[i], __VA_ARGS__);                                        \
        row(label, v_, n);                                                                     \
    } while (0)

static void sampling_table(const pathgrad_run *r)
{
    const gf_pathgrad_curve *c = r->curve;
    const int B = c[0].blocks;
    printf("\nVeit's sampling (%d paths per length) against the exact ||g_k||; err = ||C(B,k) x "
           "mean - g_k|| / se\n(the test, about 1 when they agree), |est| = ||C(B,k) x mean|| / se "
           "(the same against 0):\n  %3s  %-9s", c[0].samples, "k", "paths");
    for (int i = 0; i < r->n_states; i++) {
        char head[32];
        snprintf(head, sizeof head, "%s: exact", c[i].state);
        printf("  %14s  %-20s %5s %6s", head, "sampled +- se", "err", "|est|");
    }
    putchar('\n');
    for (int k = 0; k <= B; k++) {
        if (!c[0].sampled[k])
            continue;
        char a[32], b[32], d[32], e[80];
        printf("  %3d  %-9s", k, pow10_text(a, sizeof a, gf_log10_binomial(B, k)));
        for (int i = 0; i < r->n_states; i++) {
            snprintf(e, sizeof e, "%s +- %s", pow10_text(b, sizeof b, c[i].log10_est[k]),
                     pow10_text(d, sizeof d, c[i].log10_est_se[k]));
            printf("  %14s  %-20s %5.2f %6.2f", pow10_text(a, sizeof a, c[i].log10_norm[k]), e,
                   c[i].err_ratio[k], pow(10.0, c[i].log10_est[k] - c[i].log10_est_se[k]));
        }
        putchar('\n');
    }
}

/* "a..b" in fmt, or one value when both print alike (buf: room for 80). */
static const char *range(char *buf, const char *fmt, double a, double b)
{
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, fmt, a);
    snprintf(hi, sizeof hi, fmt, b);
    snprintf(buf, 80, strcmp(lo, hi) == 0 ? "%s" : "%s..%s", lo, hi);
    return buf;
}

/* "k = 1, 3 and 5" (at most 64 lengths) into buf of room 512. */
static const char *k_list(char *buf, const int *ks, int n)
{
    int len = snprintf(buf, 512, "k = ");
    for (int i = 0; i < n && len < 480; i++)
        len += snprintf(buf + len, 512 - (size_t)len, "%s%d",
                        i == 0 ? "" : i == n - 1 ? " and " : ", ", ks[i]);
    return buf;
}

static void sampling_reading(const gf_pathgrad_curve *c)
{
    gf_pathgrad_reading x;
    gf_pathgrad_read(c, &x);
    if (x.compared == 0)
        return;
    char buf[80], ks[512];
    const int told = x.compared - x.zero_pass;
    if (x.resolved == 0)
        printf("  %s: the sample resolves g_k (standard error below ||g_k|| / 2) at none of the "
               "%d sampled lengths:\n    the estimate is mostly noise.\n", c->state, x.compared);
    else
        printf("  %s: the sample resolves g_k (standard error below ||g_k|| / 2) at %d of the %d "
               "sampled lengths%s\n", c->state, x.resolved, x.compared,
               x.resolved < x.compared ? ";\n    elsewhere the estimate is mostly noise." : ".");
    printf("    Test (it can fail): ||C(B,k) x mean - g_k|| is within 2 standard errors at %d of "
           "%d (%s se),\n    within 3 at %d.\n",
           x.within2, x.compared, range(buf, "%.2f", x.ratio_min, x.ratio_max), x.within3);
    if (told == 0)
        printf("    The same test against the wrong answer 0 passes at all %d: it tells g_k from 0 "
               "at none\n    of them, so its agreement shows nothing.\n", x.compared);
    else
        printf("    The same test against the wrong answer 0 passes at %d of %d: it tells g_k "
               "from 0\n    %sat %s.\n",
               x.zero_pass, x.compared, x.zero_pass > 0 ? "only " : "",
               k_list(ks, x.k_told, told));
    if (isfinite(x.need_min))
        printf("    The unresolved lengths would need %s samples for a standard error of "
               "||g_k|| / 2.\n",
               range(buf, "10^%.1f", x.need_min, x.need_max));
    if (isfinite(x.overstate_max) && x.overstate_max > 0.5)
        printf("    Paths of one length cancel: C(B,k) x mean ||path|| exceeds ||g_k|| by up to "
               "10^%.1f (k = %d),\n    so Veit's product (a) x (b) overstates the gradient a "
               "length carries.\n",
               x.overstate_max, x.overstate_k);
}

/* The most common path length(s) of B blocks, as whole numbers. */
static const char *mode_text(int B, char *buf, size_t size)
{
    if (B % 2 == 0)
        snprintf(buf, size, "k = %d", B / 2);
    else
        snprintf(buf, size, "k = %d and %d", B / 2, B / 2 + 1);
    return buf;
}

/* Where the gradient lies in one state, in words, from its numbers. */
static void verdict(const gf_pathgrad_curve *c, const char *label, int plo, int phi)
{
    gf_pathgrad_reading x;
    gf_pathgrad_read(c, &x);
    const int B = c->blocks;
    char mode[32];
    printf("  => %s: 90%% of sum_k ||g_k|| comes from paths of %d..%d branches (most at k = %d);\n"
           "     95%% of the paths have %d..%d (most at %s): ",
           label, x.k_lo, x.k_hi, x.k_peak, plo, phi, mode_text(B, mode, sizeof mode));
    if (x.k_hi < plo)
        printf("the gradient lies in short paths\n     (Veit et al. 2016: 5-17 of 54 blocks).\n");
    else if (x.k_lo > phi)
        printf("the gradient lies in paths longer than most.\n");
    else
        printf("the gradient %s.\n", 2 * x.k_peak < B - 1   ? "leans to shorter paths than most"
                                     : 2 * x.k_peak > B + 1 ? "leans to longer paths than most"
                                                            : "sits where the paths are");
    if (isfinite(x.slope_paths))
        printf("     One more branch multiplies a sampled path's gradient norm by 10^%+.2f = %.3g "
               "on average.\n",
               x.slope_paths, pow(10.0, x.slope_paths));
}

void pathgrad_summary(const pathgrad_run *r, const pathgrad_options *o, int drawn)
{
    const gf_stack_config *c = &r->cfg;
    const gf_pathgrad_curve *cv = r->curve;
    const int B = gf_stack_blocks(c), n = r->n_states;
    const gf_train_config *t = &o->t.train;
    char net[128], a[48], b[48];
    net_name(c, net, sizeof net);
    printf("gradflow pathgrad: %s, %d blocks; %ld %s test images\n", net, B, o->images,
           r->data_name);
    if (c->norm == GF_NORM_BATCH && r->bn_warmup > 0)
        printf("  batch norm with running statistics; at initialization their plain average over "
               "%d\n  training-mode passes of %zu training images (--bn-warmup)\n",
               r->bn_warmup, r->warmup_batch);
    else if (c->norm == GF_NORM_BATCH)
        printf("  batch norm with running statistics, 0 and 1 at initialization (--bn-warmup 0):"
               "\n  batch norm is then nearly the identity\n");
    if (o->load)
        printf("  trained net from %s\n", o->load);
    else if (t->epochs > 0)
        printf("  trained %d epoch%s on %ld images: %s, lr %g, %s schedule, batch %zu\n",
               t->epochs, t->epochs > 1 ? "s" : "", o->t.ntrain, gf_optim_names[t->optim.kind],
               t->sched.lr, gf_sched_names[t->sched.kind], t->batch);
    int plo, phi;
    gf_paths_central(B, 0.95, &plo, &phi);
    printf("  paths: 2^%d = %s; 95%% of them have %d..%d branches (Binomial(%d, 1/2))\n\n", B,
           pow10_text(a, sizeof a, B * log10(2.0)), plo, phi, B);
    gf_pathgrad_reading x[2];
    for (int i = 0; i < n; i++)
        gf_pathgrad_read(&cv[i], &x[i]);
    char label[3][64];
    ROW("", "%s", state_label(r, i, a, sizeof a));
    snprintf(label[0], sizeof label[0], "test error (%zu images)", r->n_test);
    ROW(label[0], "%.2f%%", 100.0 * r->test_err[i]);
    ROW("loss of the batch", "%s", pow10_text(a, sizeof a, log10(cv[i].loss)));
    ROW("||dL/dx_0||", "%s", pow10_text(b, sizeof b, cv[i].log10_grad));
    ROW("||sum_k g_k - dL/dx_0|| / ||dL/dx_0||", "%.1e", cv[i].sum_rel_err);
    ROW("length k with the largest ||g_k||", "%d", x[i].k_peak);
    ROW("central 90% of sum_k ||g_k||", "%d..%d", x[i].k_lo, x[i].k_hi);
    snprintf(label[1], sizeof label[1], "share of sum_k ||g_k|| from k < %d", (B + 1) / 2);
    ROW(label[1], "%s", percent(a, sizeof a, x[i].short_mass));
    snprintf(label[2], sizeof label[2], "share of dL/dx_0 from k < %d (projected)", (B + 1) / 2);
    ROW(label[2], "%s", percent(a, sizeof a, x[i].short_proj));
    ROW("log10(||g_k|| / C(B,k)) per branch (fit)", "%+.3f", x[i].slope_exact);
    putchar('\n');
    for (int i = 0; i < n; i++) {
        char lab[64];
        state_label(r, i, lab, sizeof lab);
        verdict(&cv[i], lab, plo, phi);
    }
    if (n == 2 && x[0].k_peak != x[1].k_peak)
        printf("  => training moved the length carrying the most gradient from k = %d to k = %d "
               "(of %d).\n",
               x[0].k_peak, x[1].k_peak, B);
    else if (n == 2)
        printf("  => the length carrying the most gradient stayed at k = %d (of %d) in training.\n",
               x[0].k_peak, B);
    if (cv[0].samples > 0) {
        sampling_table(r);
        for (int i = 0; i < n; i++)
            sampling_reading(&cv[i]);
    }
    printf("\n  time: ");
    if (!o->load && t->epochs > 0)
        printf("training %.1f s, ", r->train_seconds);
    for (int i = 0; i < n; i++)
        printf("%s: exact split %.2f s and sampling %.1f s, ", cv[i].state, cv[i].seconds_exact,
               cv[i].seconds_sampled);
    printf("wall %.1f s\n", r->wall_seconds);
    printf("  wrote %s/pathgrad.tsv, manifest.json, %s%s\n", o->c.out,
           drawn ? "pathgrad.png/.svg/.gp" : "pathgrad.gp",
           cv[0].samples ? (drawn ? ", pathgrad_sampling.png/.svg/.gp" : ", pathgrad_sampling.gp")
                         : "");
    if (!o->load && t->epochs > 0)
        printf("        %s/training/ (curves.tsv, table.md, checkpoints/)%s\n", o->c.out,
               drawn ? "" : "  (nothing drawn)");
}
