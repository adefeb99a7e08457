/* run.c: a run folder's life from the options to the exit status. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run_steps(cli_run *r, const cli_command *cmd, const void *opts);

int cli_main(const cli_command *cmd, int argc, char **argv)
{
    void *opts = calloc(1, cmd->size);
    if (!opts)
        return cli_fail(CLI_EXIT_RUNTIME, cmd->name, "out of memory");
    cmd->init(opts);
    cli_mute(cmd->mpi && cli_launcher_rank() > 0); /* every rank would say the same */
    int status = cli_parse(cmd, argc, argv, opts);
    if (status == CLI_RUN && cmd->check && cmd->check(opts) != 0)
        status = CLI_EXIT_USAGE;
    if (status == CLI_RUN) {
        cli_run r;
        status = cli_run_open(&r, cmd->name, opts, argc, argv);
        if (status == CLI_EXIT_OK)
            status = cmd->steps ? run_steps(&r, cmd, opts) : cmd->run(&r, opts);
        cli_run_close(&r, status);
    }
    if (cmd->done)
        cmd->done(opts);
    free(opts);
    return cli_stdout_done(cmd->name, status);
}

int cli_run_open(cli_run *r, const char *cmd, const cli_common *c, int argc, char **argv)
{
    *r = (cli_run){.cmd = cmd, .c = c, .dir = c->out, .t0 = gf_now()};
    for (int i = 0; i < c->n_archs; i++)
        r->archs[i] = (gf_arch)c->archs[i];
    gf_temp_cleanup_on_signals(); /* an interrupted run leaves no temporary file */
    r->manifest = gf_manifest_new(cmd, argc, argv); /* records the start time */
    r->existed = access(c->out, F_OK) == 0;
    char up[GF_PATH_MAX]; /* the missing ancestors gf_make_dirs will make */
    snprintf(up, sizeof up, "%s", c->out);
    for (char *slash; !r->existed && access(up, F_OK) != 0 && (slash = strrchr(up, '/'));
         *slash = '\0')
        r->made++;
    if (!r->existed && !strchr(up, '/') && access(up, F_OK) != 0)
        r->made++; /* a relative path's first component */
    if (gf_make_dirs(c->out) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, cmd, "cannot use output folder '%s': %s", c->out,
                        strerror(errno));
    char path[GF_PATH_MAX];
    json_t *before = r->existed && gf_path_join(path, sizeof path, c->out, "manifest.json") == 0
                         ? json_load_file(path, 0, NULL) : NULL;
    const char *other = json_string_value(json_object_get(before, "command"));
    if (other && strcmp(other, cmd) != 0) /* its files stay: say so before mixing them */
        cli_warn(cmd, "'%s' holds a run of gradflow %s; its files stay beside this run's",
                 c->out, other);
    json_decref(before);
    /* what a killed run left half-written goes: in the folder and in the
       subfolders the library writes (pathgrad trains in training/) */
    static const char *const sub[] = {".", "checkpoints", "training", "training/checkpoints"};
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++)
        if (gf_path_join(path, sizeof path, c->out, sub[i]) == 0)
            gf_temp_sweep(path);
    return CLI_EXIT_OK;
}

void cli_run_close(cli_run *r, int status)
{
    json_decref(r->manifest);
    r->manifest = NULL;
    if (status != CLI_EXIT_OK && !r->existed) { /* only empty ones: what was written stays */
        char path[GF_PATH_MAX];
        snprintf(path, sizeof path, "%s", r->dir);
        for (int k = 0; k < r->made; k++) { /* a folder that could not be made fails too */
            if (rmdir(path) != 0 && (errno == ENOTEMPTY || errno == EEXIST))
                break; /* it holds something: it and its parents stay */
            char *slash = strrchr(path, '/');
            if (!slash)
                break;
            *slash = '\0';
        }
    }
}

int cli_run_manifest(cli_run *r)
{
    char path[GF_PATH_MAX];
    if (gf_path_join(path, sizeof path, r->dir, "manifest.json") != 0 ||
        gf_manifest_write(r->manifest, path, gf_now() - r->t0) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, r->cmd, "cannot write %s/manifest.json: %s", r->dir,
                        strerror(errno));
    return CLI_EXIT_OK;
}

int cli_draw(const char *cmd, const cli_common *c, const char *name, gf_plot_body body,
             const void *fig, int *warned)
{
    char why[512];
    const int rc = !c->no_plot ? gf_plot_figure(c->out, name, body, fig, why, sizeof why)
                               : gf_plot_script(c->out, name, body, fig, why, sizeof why);
    if (rc == 1 && !*warned) {
        cli_warn(cmd, "%s", why);
        *warned = 1;
    }
    return rc < 0 ? cli_error(cmd, "%s", why) : 0;
}

int cli_run_drawn(const cli_run *r)
{
    return !r->c->no_plot && !r->warned;
}

int cli_run_figure(cli_run *r, const char *name, gf_plot_body body, const void *fig)
{
    const int rc = cli_draw(r->cmd, r->c, name, body, fig, &r->warned);
    if (rc != 0 || !cli_run_drawn(r)) { /* no picture of an earlier run stays */
        char png[128], svg[128];
        snprintf(png, sizeof png, "%s.png", name);
        snprintf(svg, sizeof svg, "%s.svg", name);
        cli_run_remove(r, (const char *const[]){png, svg, NULL});
    }
    return rc != 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}

int cli_run_terminal(cli_run *r, gf_plot_body body, const void *fig, int cols, int rows)
{
    char why[512];
    if (!r->c->term_dumb || !cli_run_drawn(r))
        return CLI_EXIT_OK;
    if (gf_plot_terminal(r->dir, body, fig, cols, rows, why, sizeof why) < 0)
        return cli_fail(CLI_EXIT_RUNTIME, r->cmd, "%s", why);
    return CLI_EXIT_OK;
}

void cli_run_remove(const cli_run *r, const char *const *names)
{
    char path[GF_PATH_MAX];
    for (; *names; names++)
        if (gf_path_join(path, sizeof path, r->dir, *names) == 0)
            unlink(path); /* absent is fine */
}

json_t *cli_seed_list(const cli_common *c)
{
    json_t *seeds = json_array();
    for (long k = 0; k < c->seeds; k++)
        json_array_append_new(seeds, json_integer(c->seed + k));
    return seeds;
}

json_t *cli_json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

double cli_memory_bytes(void)
{
    const double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    return have > 0 ? have : 0.0;
}

int cli_fits_in_memory(const char *cmd, double need, const char *reduce)
{
    const double have = cli_memory_bytes();
    if (have > 0 && need > 0.8 * have)
        return cli_fail(CLI_EXIT_USAGE, cmd, "this run needs about %.1f GiB of memory; the "
                        "machine has %.1f GiB (reduce %s)",
                        need / 1073741824.0, have / 1073741824.0, reduce);
    return 0;
}


int cli_measure_begin(cli_measure *m, const cli_run *r, long samples, const char *label)
{
    const gf_stack_config *cfg = &r->c->cfg;
    *m = (cli_measure){.run = r};
    if (samples > 0 && gf_synthetic_make(&m->data, (size_t)samples, cfg->in_dim, cfg->classes,
                                         GF_SYNTH_SEPARATION, GF_SYNTH_SEED) != 0)
        return cli_fail(CLI_EXIT_RUNTIME, r->cmd, "out of memory making the synthetic set");
    cli_progress_begin(&m->progress, label);
    return 0;
}

int cli_measure_end(cli_measure *m, int rc)
{
    cli_progress_end(&m->progress);
    gf_dataset_release(&m->data);
    return rc != 0 ? cli_fail(CLI_EXIT_RUNTIME, m->run->cmd, "%s", m->why) : 0;
}

/* The steps of a command that gives them (run.h), on a zeroed result. */
static int run_steps(cli_run *r, const cli_command *cmd, const void *opts)
{
    const cli_steps *s = cmd->steps;
    void *res = calloc(1, cmd->result_size);
    if (!res)
        return cli_fail(CLI_EXIT_RUNTIME, r->cmd, "out of memory");
    char why[512];
    const long samples = s->samples_at ? *(const long *)((const char *)opts + s->samples_at) : 0;
    cli_measure m;
    int status = cli_measure_begin(&m, r, samples, s->label);
    if (status == 0)
        status = cli_measure_end(&m, s->measure(opts, res, &m));
    if (status == 0 && s->save(res, r->dir, why, sizeof why) != 0)
        status = cli_fail(CLI_EXIT_RUNTIME, r->cmd, "%s", why);
    if (status == 0) {
        s->describe(r->manifest, opts, res);
        status = cli_run_manifest(r);
    }
    if (status == 0)
        status = s->figures(r, opts, res);
    if (status == 0 && !r->c->quiet)
        s->summary(r, opts, res);
    s->release(res);
    free(res);
    return status;
}
