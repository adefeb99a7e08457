/* init_compare.h: `gradflow init-compare`: its options, and what it shows
 * of a result (the measurement is gf_initcmp_* in the library). */
#ifndef CLI_INIT_COMPARE_H
#define CLI_INIT_COMPARE_H

#include "experiment.h"

#include "gradflow.h"

enum { IC_MAX_SCHEMES = GF_INIT_COUNT + 1 }; /* the schemes, and the batch-norm reference */

typedef struct ic_options {
    cli_common c;                 /* archs, width, norm, act, seeds, out */
    int depth;
    int schemes[GF_INIT_COUNT], n_schemes;
    long init_seeds;
    int metric_err;               /* right panel: 1 training error, 0 training loss */
    int no_reference;             /* --no-bn-reference */
    cli_train_opts t;
} ic_options;

/* init_compare.png/.svg/.gp through run. 0, or CLI_EXIT_RUNTIME. */
int init_compare_figure(cli_run *run, const gf_initcmp_result *r, const ic_options *o);

/* The settings, every net and the readings for manifest.json. */
void init_compare_describe(json_t *m, const gf_initcmp_result *r, const ic_options *o);

/* What the numbers say, on stdout. */
void init_compare_summary(const gf_initcmp_result *r, const char *dir, int drawn);

#endif
