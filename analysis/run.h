/* run.h: the life of a run folder, and a command's whole run (cli_main):
 * parse the options (usage errors exit 2 and write nothing), create the
 * folder (remembering whether it was there), start manifest.json, run the
 * command, draw its figures with one warning when gnuplot is missing, and
 * on failure remove the folder when the run created it and left it empty.
 * Exit statuses: 0 success, 1 runtime failure, 2 usage error. */
#ifndef CLI_RUN_H
#define CLI_RUN_H

#include "cli.h"
#include "options.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <jansson.h>

typedef struct cli_run {
    const char *cmd;     /* "gradnorm" */
    const cli_common *c; /* the folder (c->out), drawing, --quiet */
    const char *dir;     /* the run folder */
    json_t *manifest;    /* the command adds "settings" and what else it records */
    double t0;           /* gf_now() at the start */
    int existed;         /* the folder was there before the run */
    int made;            /* folders the run made for it: the folder and missing parents */
    int warned;          /* gnuplot is missing: warned once, nothing drawn */
    gf_arch archs[GF_ARCH_COUNT]; /* the options' architectures (c->archs), for the specs
                                     of results that keep a pointer to them */
} cli_run;

/* Parse, check, open the run, run the command, close the run. The exit status. */
int cli_main(const cli_command *cmd, int argc, char **argv);

/* Create the folder and start the manifest. 0, or CLI_EXIT_RUNTIME after a message. */
int cli_run_open(cli_run *r, const char *cmd, const cli_common *c, int argc, char **argv);

/* Free the manifest; after a failure (status != 0) remove the folder when
 * this run created it and it is still empty. */
void cli_run_close(cli_run *r, int status);

/* Write manifest.json with the wall time since the start. 0, or
 * CLI_EXIT_RUNTIME after a message. */
int cli_run_manifest(cli_run *r);

/* dir/NAME.gp and, unless --no-plot, NAME.png and NAME.svg; warn once when
 * gnuplot is missing. Without a drawing, pictures of an earlier run are
 * removed: no stale picture beside new data. 0, or CLI_EXIT_RUNTIME. */
int cli_run_figure(cli_run *r, const char *name, gf_plot_body body, const void *fig);

/* 1 when the figures are drawn (not --no-plot, gnuplot found). */
int cli_run_drawn(const cli_run *r);

/* With --term dumb and a drawing, the figure on the terminal (cols x rows).
 * 0, or CLI_EXIT_RUNTIME after a message. */
int cli_run_terminal(cli_run *r, gf_plot_body body, const void *fig, int cols, int rows);

/* Remove dir/NAME for each name of a NULL-terminated list (absent is fine). */
void cli_run_remove(const cli_run *r, const char *const *names);

/* A figure outside a cli_run (hanin and shatter until they move to it):
 * drawn or only its script, warning once through *warned. 0, or -1. */
int cli_draw(const char *cmd, const cli_common *c, const char *name, gf_plot_body body,
             const void *fig, int *warned);

/* A usage check: need bytes fit in 80% of the machine's memory; otherwise one
 * usage line naming what to reduce ("--depth or --width"). 0, or CLI_EXIT_USAGE. */
int cli_fits_in_memory(const char *cmd, double need, const char *reduce);

/* The "seeds" array of a manifest: seed .. seed + seeds - 1. */
json_t *cli_seed_list(const cli_common *c);

/* A number for a manifest, or null where there is none (NaN, inf). */
json_t *cli_json_number(double x);

/* The machine's memory in bytes (0 when unknown). */
double cli_memory_bytes(void);

/* ---- a measurement: the synthetic set, a progress line ------------------------- *
 *
 * run_steps (below) makes the synthetic set when the command's steps name its
 * size, starts the progress line, calls measure with this, then ends both. */
typedef struct cli_measure {
    const cli_run *run;
    gf_dataset data;  /* the built-in synthetic set, with the stack's input and class
                         counts (none when samples is 0) */
    cli_progress progress;
    char why[512];    /* the measurement's error */
} cli_measure;

/* Make the synthetic set of `samples` samples (none for 0) and start the
 * progress line. 0, or CLI_EXIT_RUNTIME after a message. */
int cli_measure_begin(cli_measure *m, const cli_run *r, long samples, const char *label);

/* End the progress line, free the set; rc is the status of the measurement
 * (0, or failed with m->why). 0, or CLI_EXIT_RUNTIME after a message. */
int cli_measure_end(cli_measure *m, int rc);

/* ---- a command's run as steps over its result ------------------------------------ *
 *
 * A command that gives cli_command.steps (and .result_size) instead of .run
 * is run as: measure, save the data files, describe and write manifest.json,
 * figures, the summary unless --quiet; the first failure stops; then release.
 * The result is zeroed memory of result_size bytes; the steps get it and the
 * options as void pointers to the command's own types. */
struct cli_steps {
    /* fill res with the library's measurement over m->data (when samples_at names
     * its size), reporting to m->progress: 0, or -1 with the reason in m->why */
    int (*measure)(const void *opts, void *res, cli_measure *m);
    const char *label;   /* the progress line's label: "gradnorm: runs" */
    size_t samples_at;   /* offsetof the options' long sample count; 0: no data set */
    /* write res's data files into dir: 0, or -1 with why */
    int (*save)(const void *res, const char *dir, char *why, size_t size);
    /* what manifest.json records of the run */
    void (*describe)(json_t *manifest, const void *opts, const void *res);
    /* the figures (may note in res what was drawn): 0, or CLI_EXIT_RUNTIME */
    int (*figures)(cli_run *r, const void *opts, void *res);
    /* the summary on stdout */
    void (*summary)(const cli_run *r, const void *opts, const void *res);
    /* free what measure allocated (also after its failure) */
    void (*release)(void *res);
};

/* The release and save steps of a result that begins with a T, which the
 * library frees with RELEASE(T *) and writes with WRITE(const T *, dir, why, size). */
#define CLI_RESULT(T, RELEASE, WRITE)                                                        \
    static void release(void *res) { RELEASE((T *)res); }                                    \
    static int save(const void *res, const char *dir, char *why, size_t size)                \
    {                                                                                        \
        return WRITE((const T *)res, dir, why, size);                                        \
    }

/* In a cli_command: the steps of a file that names them measure, save,
 * describe, figures, summary and release, over a result of type T; the
 * progress line's LABEL and where the options keep the synthetic set's size
 * (SAMPLES_AT, an offsetof, or 0 for none). */
#define CLI_STEPS(T, LABEL, SAMPLES_AT)                                                      \
    .steps = &(const cli_steps){.measure = measure, .save = save, .describe = describe,      \
                                .figures = figures, .summary = summary, .release = release,  \
                                .label = LABEL, .samples_at = SAMPLES_AT},                   \
    .result_size = sizeof(T)

#endif
