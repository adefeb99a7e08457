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

/* The test error a run's manifest recorded for net (name, seed) at its end,
 * or NaN; warns when the net's training stopped early (it diverged). */
static double recorded_error(json_t *m, const char *name, long seed)
{
    json_t *net;
    size_t i;
    json_array_foreach(json_object_get(m, "nets"), i, net)
    {
        if (strcmp(text(net, "net"), name) != 0 ||
            json_integer_value(json_object_get(net, "seed")) != seed)
            continue;
        if (*text(net, "stopped"))
            cli_warn(CMD, "%s seed %ld stopped training early (%s): its lesions are of the "
                     "state it stopped in", name, seed, text(net, "stopped"));
        json_t *e = json_object_get(net, "final_test_error");
        return json_is_number(e) ? json_number_value(e) : NAN;
    }
    return NAN;
}

int lesion_read_run(lesion_options *o, lesion_source *src, int *status)
{
    char path[GF_PATH_MAX];
    *status = CLI_EXIT_RUNTIME;
    if (gf_path_join(path, sizeof path, o->from, "manifest.json") != 0)
        return cli_error(CMD, "--from %s: the path is too long", o->from);
    struct stat st;
    if (stat(o->from, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_error(CMD, "--from %s: %s", o->from,
                           errno == ENOENT ? "no such folder" : "not a folder");
    json_error_t jerr;
    json_t *m = json_load_file(path, 0, &jerr);
    if (!m)
        return cli_error(CMD, "--from %s: %s (a finished gradflow degrade run has its "
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
        cli_error(CMD, "%s: not the manifest of a gradflow degrade run (its settings "
                             "are missing)", path);
    else if (ntest < 1)
        cli_error(CMD, "%s: the run kept no test images (--ntest 0)", path);
    else if (o->ntest_set && o->t.ntest > ntest) {
        cli_error(CMD, "--ntest %ld: the run in %s has %ld test images", o->t.ntest,
                    o->from, (long)ntest);
        *status = CLI_EXIT_USAGE;
    } else {
        o->c.cfg.width = (size_t)width;
        o->c.cfg.init = (gf_init)init;
        o->c.cfg.norm = (gf_norm)norm;
        o->c.cfg.act = (gf_act)act;
        o->c.cfg.zero_branch = json_is_true(json_object_get(s, "zero_init_residual"));
        if (json_is_number(json_object_get(s, "width_mult"))) /* a run of cnn nets */
            o->c.cfg.width_mult = json_number_value(json_object_get(s, "width_mult"));
        o->t.data = strcmp(data, "synthetic") == 0 ? GF_DATA_SYNTHETIC : GF_DATA_FASHION;
        if (!o->data_dir_set && *text(m, "data_dir")) {
            snprintf(src->run_data_dir, sizeof src->run_data_dir, "%s", text(m, "data_dir"));
            o->t.data_dir = src->run_data_dir;
        }
        src->ntrain = (long)ntrain;
        src->run_ntest = (long)ntest;
        o->t.ntest = o->t.ntest < ntest ? o->t.ntest : (long)ntest;
        for (int a = 0; a < o->c.n_archs; a++) {
            char name[GF_NET_NAME_MAX];
            snprintf(name, sizeof name, "%s-%d", gf_arch_names[o->c.archs[a]], o->depth);
            src->trained_err[a] = recorded_error(m, name, o->c.seed);
        }
        rc = 0;
    }
    json_decref(m);
    return rc;
}

int lesion_train(const lesion_options *o, const gf_dataset *train, const gf_dataset *test,
                 lesion_source *src)
{
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < o->c.n_archs; a++)
        archs[a] = (gf_arch)o->c.archs[a];
    const gf_grid_spec spec = {
        .base = o->c.cfg, .archs = archs, .n_archs = o->c.n_archs, .depths = &o->depth,
        .n_depths = 1, .seeds = 1, .seed0 = o->c.seed, .train = o->t.train, .train_set = train,
        .test_set = test, .data_name = src->data_name, .out = o->c.out, .checkpoints = 1,
        .eval_init = 1};
    gf_grid_result res;
    char why[512];
    int rc = cli_train_nets(CMD, &spec, &res, why, sizeof why);
    if (rc != 0)
        cli_error(CMD, "%s", why);
    for (int i = 0; rc == 0 && i < res.n_runs; i++) {
        const gf_grid_net *r = &res.runs[i];
        if (r->failed)
            rc = cli_error(CMD, "%s seed %ld did not train: %s", r->name, r->seed, r->why);
        else
            src->trained_err[i] = r->hist[r->epochs_done - 1].test_err;
    }
    src->train_seconds = res.wall_seconds;
    if (rc == 0 && gf_grid_write(&res, o->c.out, why, sizeof why) != 0)
        rc = cli_error(CMD, "%s", why);
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
        char path[GF_PATH_MAX], why[1024];
        if (snprintf(path, sizeof path, "%s/checkpoints/%s-%d-seed%ld.safetensors", dir,
                     gf_arch_names[cfg.arch], cfg.depth, o->c.seed) >= (int)sizeof path)
            return cli_error(CMD, "%s/checkpoints: the path is too long", dir);
        gf_checkpoint_info info;
        if (!(nets[a] = gf_arch_model_open(path, &cfg, &info, why, sizeof why)))
            return cli_error(CMD, "%s", why);
        src->epochs[a] = (int)info.epochs_done;
    }
    return 0;
}
