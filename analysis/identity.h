/* identity.h: `gradflow identity`: its options and runs (cmd_identity.c)
 * and what it writes and shows (identity_report.c). */
#ifndef CLI_IDENTITY_H
#define CLI_IDENTITY_H

#include "options.h"
#include "run.h"

#include "gradflow.h"

enum { MAX_BLOCKS = 8, MAX_NETS = 2 * GF_ARCH_COUNT };

typedef struct identity_options {
    cli_common c;               /* archs, width, init, act, seeds, out, drawing */
    int blocks[MAX_BLOCKS], n_blocks;
    int targets[GF_TARGET_COUNT], n_targets;
    gf_identity_spec spec;
    int quick;
} identity_options;

typedef struct id_net {
    char name[GF_NET_NAME_MAX];
    gf_arch arch;
    int zero;                   /* residual branches' last layer zero */
} id_net;

typedef struct id_run {
    int net, b, target;         /* indices into the nets, blocks, targets */
    long seed;
    gf_identity_result r;
} id_run;

typedef struct id_result {
    id_net nets[MAX_NETS];
    int n_nets;
    id_run *runs;
    int n_runs;
    double seconds;
} id_result;

/* The data files, the manifest's entries, the figure, the summary (into
 * summary.txt and, unless quiet, stdout). 0 / CLI_EXIT_OK, or failure after a message. */
int identity_write(const identity_options *o, const id_result *res, const char *dir, char *why,
                   size_t size);
void identity_describe(json_t *m, const identity_options *o, const id_result *res);
int identity_figure(cli_run *r, const identity_options *o, const id_result *res);
int identity_summary(const cli_run *r, const identity_options *o, const id_result *res);

#endif
