/* lesion_nets.c: where `gradflow lesion` gets its nets: a finished run's
 * checkpoints (its manifest says how they were built and on what data), or
 * training them first with degrade's machinery. */
#include "cli.h"
#include "lesion.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char CMD[] = "lesion";

static const char *text(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* The test error a run's manifest recorded for net (name, seed) at its end, or NaN. */
static double recorded_error(json_t *m, const char *name, long seed)
{
    json_t *net;
    size_t i;
    json_array_foreach(json_object_get(m, "nets"), i, net)
    {
        json_t *e = json_object_get(net, "final_test_error");
        if (strcmp(text(net, "net"), name) == 0 &&
            json_integer_value(json_object_get(net, "seed")) == seed && json_is_number(e))
            return json_number_value(e);
    }
    return NAN;
}

int lesion_read_run(lesion_options *o, lesion_source *src, int *status)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", o->from);
    *status = CLI_EXIT_RUNTIME;
    struct stat st;
    if (stat(o->from, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_fail(-1, CMD, "--from %s: %s", o->from,
                           errno == ENOENT ? "no such folder" : "not a folder");
    json_error_t jerr;
    json_t *m = json_load_file(path, 0, &jerr);
    if (!m)
        return cli_fail(-1, CMD, "--from %s: %s (a finished gradflow degrade run has its "
                                    "manifest.json)",
                           o->from, jerr.text);
    json_t *s = json_object_get(m, "settings");
    const char *cmd = text(m, "command"), *data = text(s, "data");
    const int init = gf_name_lookup(gf_init_names, text(s, "init")),
              norm = gf_name_lookup(gf_norm_names, text(s, "norm")),
              act = gf_name_lookup(gf_act_names, text(s, "act"));
    const json_int_t width = json_integer_value(json_object_get(s, "width")),
                     ntrain = json_integer_value(json_object_get(s, "ntrain")),
                     ntest = json_integer_value(json_object_get(s, "ntest"));
    int rc = -1;
    if ((strcmp(cmd, "degrade") != 0 && strcmp(cmd, "lesion") != 0) || !*data || init < 0 ||
        norm < 0 || act < 0 || width < 1 || ntrain < 1)
        cli_fail(-1, CMD, "%s: not the manifest of a gradflow degrade run (its settings "
                             "are missing)", path);
    else if (ntest < 1)
        cli_fail(-1, CMD, "%s: the run kept no test images (--ntest 0)", path);
    else if (o->ntest_set && o->ntest > ntest) {
        cli_fail(-1, CMD, "--ntest %ld: the run in %s has %ld test images", o->ntest,
                    o->from, (long)ntest);
        *status = CLI_EXIT_USAGE;
    } else {
        o->c.cfg.width = (size_t)width;
        o->c.cfg.init = (gf_init)init;
        o->c.cfg.norm = (gf_norm)norm;
        o->c.cfg.act = (gf_act)act;
        o->c.cfg.zero_branch = json_is_true(json_object_get(s, "zero_init_residual"));
        o->data = strcmp(data, "synthetic") == 0 ? GF_DATA_SYNTHETIC : GF_DATA_FASHION;
        if (!o->data_dir_set && *text(m, "data_dir")) {
            snprintf(src->run_data_dir, sizeof src->run_data_dir, "%s", text(m, "data_dir"));
            o->data_dir = src->run_data_dir;
        }
        src->ntrain = (long)ntrain;
        src->run_ntest = (long)ntest;
        o->ntest = o->ntest < ntest ? o->ntest : (long)ntest;
        for (int a = 0; a < o->c.n_archs; a++) {
            char name[32];
            snprintf(name, sizeof name, "%s-%d", gf_arch_names[o->c.archs[a]], o->depth);
            src->trained_err[a] = recorded_error(m, name, o->c.seed);
        }
        rc = 0;
    }
    json_decref(m);
    return rc;
}

/* The training progress line. */
typedef struct progress_ctx {
    cli_progress bar;
    const gf_grid_net *run;
    int epochs;
} progress_ctx;

static void on_run(void *ctx, const gf_grid_net *r, int index, int total)
{
    (void)index;
    (void)total;
    ((progress_ctx *)ctx)->run = r;
}

static void on_step(void *ctx, int epoch, long step, long steps, double loss)
{
    const progress_ctx *p = ctx;
    if (p->bar.enabled && (step % 5 == 0 || step == steps)) {
        fprintf(stderr, "\r\033[Klesion: training %s  epoch %d/%d  step %ld/%ld  loss %.4f",
                p->run->name, epoch, p->epochs, step, steps, loss);
        fflush(stderr);
    }
}

int lesion_train(const lesion_options *o, const gf_dataset *train, const gf_dataset *test,
                 lesion_source *src)
{
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < o->c.n_archs; a++)
        archs[a] = (gf_arch)o->c.archs[a];
    progress_ctx prog = {.epochs = o->train.epochs};
    cli_progress_begin(&prog.bar, CMD);
    const gf_grid_spec spec = {
        .base = o->c.cfg, .archs = archs, .n_archs = o->c.n_archs, .depths = &o->depth,
        .n_depths = 1, .seeds = 1, .seed0 = o->c.seed, .train = o->train, .train_set = train,
        .test_set = test, .data_name = src->data_name, .out = o->c.out, .checkpoints = 1,
        .on_run = on_run, .on_step = on_step, .ctx = &prog};
    gf_grid_result res;
    char why[512];
    int rc = gf_grid_train(&spec, &res, why, sizeof why);
    cli_progress_end(&prog.bar);
    if (rc != 0)
        cli_fail(-1, CMD, "%s", why);
    for (int i = 0; rc == 0 && i < res.n_runs; i++) {
        const gf_grid_net *r = &res.runs[i];
        if (r->failed)
            rc = cli_fail(-1, CMD, "%s seed %ld did not train: %s", r->name, r->seed, r->why);
        else
            src->trained_err[i] = r->hist[r->epochs_done - 1].test_err;
    }
    src->train_seconds = res.wall_seconds;
    if (rc == 0 && gf_grid_write(&res, o->c.out, why, sizeof why) != 0)
        rc = cli_fail(-1, CMD, "%s", why);
    gf_grid_release(&res);
    return rc;
}

int lesion_load(const lesion_options *o, const char *dir, size_t in_dim, gf_model **nets,
                lesion_source *src)
{
    for (int a = 0; a < o->c.n_archs; a++) {
        gf_stack_config cfg = o->c.cfg;
        cfg.arch = (gf_arch)o->c.archs[a];
        cfg.in_dim = in_dim;
        char path[4300], why[1024];
        snprintf(path, sizeof path, "%s/checkpoints/%s-%d-seed%ld.safetensors", dir,
                 gf_arch_names[cfg.arch], cfg.depth, o->c.seed);
        gf_checkpoint_info info;
        if (!(nets[a] = gf_model_open(path, &gf_model_mlp, &cfg, &info, why, sizeof why)))
            return cli_fail(-1, CMD, "%s", why);
        src->epochs[a] = (int)info.epochs_done;
    }
    return 0;
}
