/* options.h: the command-line options the experiment commands share (the
 * network, the seeds, the run folder, drawing), parsed in one place. */
#ifndef GF_OPTIONS_H
#define GF_OPTIONS_H

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <getopt.h>

typedef struct gf_common_opts {
    gf_stack_config cfg;
    int archs[GF_ARCH_COUNT], n_archs;
    long seeds, seed;
    const char *out;
    int term_dumb, no_plot, quiet;
} gf_common_opts;

/* Option codes of the shared long options without a short letter; a
 * command numbers its own from GF_OPT_OWN on. */
enum {
    GF_OPT_INIT = 256, GF_OPT_NORM, GF_OPT_ACT, GF_OPT_ZERO, GF_OPT_SEED, GF_OPT_TERM,
    GF_OPT_NOPLOT, GF_OPT_OWN = 300
};

/* The shared entries of a getopt_long table (short letters a, w, s, o, q, h, V). */
#define GF_COMMON_LONGOPTS                                                                    \
    {"arch", required_argument, 0, 'a'}, {"width", required_argument, 0, 'w'},              \
        {"init", required_argument, 0, GF_OPT_INIT},                                          \
        {"norm", required_argument, 0, GF_OPT_NORM}, {"act", required_argument, 0, GF_OPT_ACT}, \
        {"zero-init-residual", no_argument, 0, GF_OPT_ZERO},                                  \
        {"seeds", required_argument, 0, 's'}, {"seed", required_argument, 0, GF_OPT_SEED},    \
        {"out", required_argument, 0, 'o'}, {"term", required_argument, 0, GF_OPT_TERM},      \
        {"no-plot", no_argument, 0, GF_OPT_NOPLOT}, {"quiet", no_argument, 0, 'q'},           \
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}
#define GF_COMMON_SHORTOPTS ":a:w:s:o:qhV"

/* Handle getopt_long's result c when it is a shared option or an error.
 * Returns 1 when handled, 0 when c is the command's own, -1 after a usage
 * message, 2 after --help (help() is called) or --version. */
int gf_common_option(const char *cmd, int c, const char *arg, char **argv, gf_common_opts *o,
                     void (*help)(void));

/* Checks once all options are read: no stray argument, a usable run folder,
 * --term and --no-plot not both. 0, or -1 after a usage message. */
int gf_common_finish(const char *cmd, int argc, char **argv, const gf_common_opts *o);

/* --depth for one value: 2B + 2 with B >= 1. 0, or -1 after a usage message. */
int gf_cli_depth(const char *cmd, const char *opt, const char *s, int *depth);

/* A comma-separated list of numbers (each checked by parse); the count, or
 * -1 after a usage message. */
int gf_cli_list(const char *cmd, const char *opt, const char *s, int max,
                int (*parse)(const char *cmd, const char *opt, const char *item, void *out),
                void *out, size_t elem);

/* A real number in [min, max] (finite). 0, or -1 after a usage message. */
int gf_cli_real(const char *cmd, const char *opt, const char *s, double min, double max,
                double *out);

#endif
