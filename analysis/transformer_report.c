/* transformer_report.c: what gradflow transformer shows of a result: the
 * manifest's settings, the five figures and the summary on stdout. */
#include "cli.h"
#include "transformer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *kind(int k) { return gf_xfmr_kind_names[k]; }

/* mean and sd of n values (NaN left out); the count. */
static int mean_sd(const double *x, int n, size_t stride, double *mean, double *sd)
{
    double s = 0, q = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        const double v = x[(size_t)i * stride];
        if (isfinite(v))
            s += v, q += v * v, m++;
    }
    *mean = m ? s / m : NAN;
    *sd = m > 1 ? sqrt(fmax(0.0, (q - m * *mean * *mean) / (m - 1))) : NAN;
    return m;
}

static double slope_stats(const gf_xfmr_result *r, int i, double *sd)
{
    double v[64], mean;
    const int n = r->spec.seeds < 64 ? r->spec.seeds : 64;
    for (int k = 0; k < n; k++)
        v[k] = gf_xfmr_slope(r, i, k);
    mean_sd(v, n, 1, &mean, sd);
    return mean;
}

static const char *theory_text(int k)
{
    return k == GF_XFMR_PRELN ? "-1/2" : k == GF_XFMR_POSTLN ? "0" : "none stated";
}

void transformer_describe(json_t *m, const transformer_options *o, const gf_xfmr_result *r)
{
    json_t *kinds = json_array(), *train = json_array(), *layers = json_array(),
           *sweep = json_array(), *slopes = json_object();
    for (int i = 0; i < o->n_kinds; i++) {
        json_array_append_new(kinds, json_string(kind(o->kinds[i])));
        double sd, mean = slope_stats(r, i, &sd);
        json_object_set_new(slopes, kind(o->kinds[i]),
                            json_pack("{s:o, s:o}", "mean", cli_json_number(mean), "sd",
                                      cli_json_number(sd)));
    }
    for (int i = 0; i < o->n_train_kinds; i++)
        json_array_append_new(train, json_string(kind(o->train_kinds[i])));
    for (int i = 0; i < o->n_layers; i++)
        json_array_append_new(layers, json_integer(o->layers[i]));
    for (int i = 0; i < o->n_sweep; i++)
        json_array_append_new(sweep, json_real(o->sweep[i]));
    json_object_set_new(
        m, "settings",
        json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:f, s:o, s:I, "
                  "s:s, s:s, s:s, s:s}",
                  "kinds", kinds, "layers", layers, "width", (json_int_t)o->width, "heads",
                  (json_int_t)o->heads, "context", (json_int_t)o->context, "batch",
                  (json_int_t)o->batch, "train_kinds", train, "train_layers",
                  (json_int_t)o->train_layers, "train_width", (json_int_t)o->train_width,
                  "train_batch", (json_int_t)o->train_batch, "steps", (json_int_t)o->steps,
                  "warmup", (json_int_t)o->warmup, "lr", o->lr, "sweep", sweep, "sweep_steps",
                  (json_int_t)o->sweep_steps, "text", o->text_path ? o->text_path
                                                                   : "/usr/share/common-licenses",
                  "optimizer", "adam (0.9, 0.999, eps 1e-8), no weight decay, no clipping",
                  "init", "Linear: Xavier uniform, bias 0; wte, wpe: N(0, 1); LN: 1, 0",
                  "tokens", "bytes (vocabulary 256)"));
    json_object_set_new(m, "seeds", cli_seed_list(&o->c));
    json_object_set_new(m, "unigram_entropy_nats", cli_json_number(r->unigram));
    json_object_set_new(m, "slopes", slopes);
}

int transformer_figures(cli_run *run, const transformer_options *o, const gf_xfmr_result *r)
{
    static char keys[GF_XFMR_COUNT][128];
    const char *key[GF_XFMR_COUNT], *kinds[GF_XFMR_COUNT], *train[GF_XFMR_COUNT];
    for (int i = 0; i < o->n_kinds; i++) {
        double sd, mean = slope_stats(r, i, &sd);
        kinds[i] = kind(o->kinds[i]);
        if (isfinite(mean))
            snprintf(keys[i], sizeof keys[i], "%s: slope %.2f +- %.2f (theory %s)", kinds[i],
                     mean, sd, theory_text(o->kinds[i]));
        else
            snprintf(keys[i], sizeof keys[i], "%s: zero gradient at init (a = 0)", kinds[i]);
        key[i] = keys[i];
    }
    for (int i = 0; i < o->n_train_kinds; i++)
        train[i] = kind(o->train_kinds[i]);
    char sub[256];
    snprintf(sub, sizeof sub, "width %ld, %ld heads, context %ld, %ld seeds; trained: %ld "
             "layers, width %ld; bytes of %s", o->width, o->heads, o->context, o->c.seeds,
             o->train_layers, o->train_width, o->text_path ? o->text_path : "the licenses");
    const gf_fig_xfmr f = {.subtitle = sub, .kinds = kinds, .n_kinds = o->n_kinds,
                           .layers = o->layers, .n_layers = o->n_layers, .slope_keys = key,
                           .train_kinds = train, .n_train = o->n_train_kinds,
                           .train_layers = (int)o->train_layers, .seeds = (int)o->c.seeds,
                           .n_sweep = o->n_sweep, .steps = o->steps, .warmup = o->warmup,
                           .lr = o->lr,
                           .unigram = r->unigram};
    static const struct { const char *name; gf_plot_body body; } figs[] = {
        {"xfmr_grad", gf_fig_xfmr_grad_body},         {"xfmr_slope", gf_fig_xfmr_slope_body},
        {"xfmr_training", gf_fig_xfmr_training_body}, {"xfmr_stream", gf_fig_xfmr_stream_body},
        {"xfmr_lens", gf_fig_xfmr_lens_body}};
    for (size_t i = 0; i < sizeof figs / sizeof *figs; i++)
        if (cli_run_figure(run, figs[i].name, figs[i].body, &f) != 0)
            return CLI_EXIT_RUNTIME;
    return CLI_EXIT_OK;
}

/* ---- summary ------------------------------------------------------------------ */

static int deepest_index(const gf_xfmr_spec *s, int *Lm)
{
    int d = 0;
    *Lm = 1;
    for (int i = 0; i < s->n_layers; i++)
        if (s->layers[i] >= s->layers[d])
            d = i;
    for (int i = 0; i < s->n_layers; i++)
        *Lm = s->layers[i] > *Lm ? s->layers[i] : *Lm;
    return d;
}

static void summary_init(const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    int Lm;
    const int dd = deepest_index(s, &Lm);
    const size_t S = (size_t)s->seeds;
    printf("At initialization: the last layer's MLP gradient against L (%d seeds):\n",
           s->seeds);
    printf("  %-9s", "kind");
    for (int d = 0; d < s->n_layers; d++)
        printf("   L = %-5d", s->layers[d]);
    printf("  slope (sd)        theory  last/first layer at L = %d\n", s->layers[dd]);
    for (int i = 0; i < s->n_kinds; i++) {
        printf("  %-9s", kind(s->kinds[i]));
        for (int d = 0; d < s->n_layers; d++) {
            double g[64], mean, sd;
            for (size_t k = 0; k < S && k < 64; k++)
                g[k] = log10(r->sub_grad[(((size_t)i * (size_t)s->n_layers + (size_t)d) * S +
                                          k) * 2 * (size_t)Lm + 2 * (size_t)s->layers[d] - 1]);
            mean_sd(g, s->seeds < 64 ? s->seeds : 64, 1, &mean, &sd);
            printf("   %-10.3g", pow(10, mean));
        }
        double sd, slope = slope_stats(r, i, &sd);
        const double *last = r->sub_grad + ((size_t)i * (size_t)s->n_layers + (size_t)dd) * S *
                                               2 * (size_t)Lm;
        double ratio = 0; /* the mean over the seeds of log10(last / first) */
        for (size_t k = 0; k < S; k++)
            ratio += log10(last[k * 2 * (size_t)Lm + 2 * (size_t)s->layers[dd] - 1] /
                           last[k * 2 * (size_t)Lm + 1]) / (double)S;
        if (isfinite(slope))
            printf("  %+.3f (%.3f)    %-6s  %.3g\n", slope, sd, theory_text(s->kinds[i]),
                   pow(10, ratio));
        else
            printf("  (gradient 0: a = 0 at init)\n");
    }
    printf("  The theory's exponents are asymptotic (large width and depth); at these sizes\n"
           "  the fitted slopes depart from them by the amounts shown, over the seeds' spread.\n");
}

static void summary_training(const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, N = (size_t)s->steps;
    printf("\nTraining (%d layers, width %zu, lr %g, %ld steps; warm-up %ld steps):\n",
           s->train_layers, s->train_width, s->lr, s->steps, s->warmup);
    printf("  %-9s %-10s %-22s %-22s %s\n", "kind", "warm-up", "loss, last tenth (sd)",
           "held-out (sd)", "diverged");
    for (int i = 0; i < s->n_train_kinds; i++)
        for (int w = 1; w >= 0; w--) {
            double tail[64], held[64];
            int div = 0;
            const size_t n = N / 10 > 0 ? N / 10 : 1;
            for (size_t k = 0; k < S && k < 64; k++) {
                const size_t run = ((size_t)i * 2 + (size_t)w) * S + k;
                tail[k] = 0;
                for (size_t t = N - n; t < N; t++)
                    tail[k] += r->curve[run * N + t] / (double)n;
                held[k] = r->held[run];
                div += r->diverged[run] >= 0;
            }
            double tm, ts, hm, hs;
            mean_sd(tail, (int)(S < 64 ? S : 64), 1, &tm, &ts);
            mean_sd(held, (int)(S < 64 ? S : 64), 1, &hm, &hs);
            printf("  %-9s %-10s %.3f (%.3f)          %.3f (%.3f)          %d of %d\n",
                   kind(s->train_kinds[i]), w ? "yes" : "no", tm, ts, hm, hs, div, s->seeds);
        }
    printf("  (the unigram entropy of the text, a model that learned only byte frequencies:\n"
           "  %.3f nats)\n", r->unigram);
    printf("Learning-rate sweep without warm-up (%ld steps; failed: diverged or final loss\n"
           "not below the unigram entropy):\n", s->sweep_steps);
    for (int i = 0; i < s->n_train_kinds; i++) {
        printf("  %-9s", kind(s->train_kinds[i]));
        double first_fail = NAN;
        for (int j = 0; j < s->n_sweep; j++) {
            const double *x = r->sweep_loss + ((size_t)i * (size_t)s->n_sweep + (size_t)j) * S;
            int failed = 0;
            for (size_t k = 0; k < S; k++)
                failed += !(x[k] < r->unigram);
            double m, sd;
            mean_sd(x, s->seeds, 1, &m, &sd);
            printf("  lr %g: %.3f, %d/%d failed;", s->sweep[j], m, failed, s->seeds);
            if (failed && isnan(first_fail))
                first_fail = s->sweep[j];
        }
        if (isnan(first_fail))
            printf("  no failure up to lr %g\n", s->sweep[s->n_sweep - 1]);
        else
            printf("  fails from lr %g\n", first_fail);
    }
}

static void summary_stream(const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, Lt = (size_t)s->train_layers, L2 = 2 * Lt;
    printf("\nThe residual stream (held-out windows; mean over the seeds):\n");
    printf("  %-9s %-8s %-10s %-10s %-22s %s\n", "kind", "when", "||x_0||", "||x_L||",
           "||F||/||x|| (min..max)", "cos(successive writes)");
    for (int i = 0; i < s->n_train_kinds; i++)
        for (int w = 0; w < 2; w++) {
            const double *x = r->stream + ((size_t)i * 2 + (size_t)w) * S * 6 * Lt;
            double n0, nL, sd, rmin = INFINITY, rmax = -INFINITY, cos = 0, c;
            mean_sd(x, s->seeds, 6 * Lt, &n0, &sd);
            mean_sd(x + L2, s->seeds, 6 * Lt, &nL, &sd);
            for (size_t k = 0; k < L2; k++) {
                double m;
                mean_sd(x + L2 + 1 + k, s->seeds, 6 * Lt, &m, &sd);
                rmin = fmin(rmin, m), rmax = fmax(rmax, m);
                if (k + 1 < L2) {
                    mean_sd(x + 2 * L2 + 1 + k, s->seeds, 6 * Lt, &c, &sd);
                    cos += c / (double)(L2 - 1);
                }
            }
            printf("  %-9s %-8s %-10.3g %-10.3g %.3g..%-16.3g %+.3f\n", kind(s->train_kinds[i]),
                   w ? "trained" : "init", n0, nL, rmin, rmax, L2 > 1 ? cos : NAN);
        }
    printf("\nThe logit lens after training (held-out; loss and agreement with the final top\n"
           "prediction after each layer l = 0..%zu):\n", Lt);
    for (int i = 0; i < s->n_train_kinds; i++) {
        const double *x = r->lens + (size_t)i * S * 2 * (Lt + 1);
        printf("  %-9s loss", kind(s->train_kinds[i]));
        double m, sd;
        for (size_t l = 0; l <= Lt; l++) {
            mean_sd(x + l, s->seeds, 2 * (Lt + 1), &m, &sd);
            printf(" %.2f", m);
        }
        printf("\n  %-9s agree", "");
        for (size_t l = 0; l <= Lt; l++) {
            mean_sd(x + Lt + 1 + l, s->seeds, 2 * (Lt + 1), &m, &sd);
            printf(" %.2f", m);
        }
        printf("\n");
    }
}

void transformer_summary(const gf_xfmr_result *r, const transformer_options *o, const char *dir,
                         int drawn)
{
    (void)o;
    summary_init(r);
    summary_training(r);
    summary_stream(r);
    printf("\nWritten to %s: the TSV files, manifest.json%s.\n", dir,
           drawn ? " and the figures xfmr_grad, xfmr_slope, xfmr_training, xfmr_stream, "
                   "xfmr_lens (.png/.svg/.gp)"
                 : " and the .gp scripts");
}
