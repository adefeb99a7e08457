/* options.h: the command-line options the commands share (the network, the
 * seeds, the run folder, drawing): the struct they fill, cli_common, and
 * their option-table fragments (CLI_ARCH ... CLI_QUIET), each with the
 * command's own help text. (The getopt_long helpers below them serve the
 * commands not yet on the option tables.) */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include "cli.h"

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <string.h> /* CLI_QUICK_LIST */

typedef struct cli_common {
    gf_stack_config cfg;
    int archs[GF_ARCH_COUNT], n_archs;
    long seeds, seed;
    const char *out;
    int term_dumb, no_plot, quiet;
} cli_common;

/* ---- option-table fragments; T is the command's options struct, whose
 * first member is `cli_common c` ---------------------------------------------- */

/* Once every option is read: a usable run folder, --term and --no-plot not
 * both; BLAS's threads for the width. 0, or CLI_EXIT_USAGE after a message. */
int cli_common_check(const char *cmd, const cli_common *o);

/* Every architecture in o->archs with o's network options, at depth (0: the
 * options' depth), through the arch registry (gf_arch_config): 0, or -1 with
 * the reason, which names the net ("cnn-resnet-22: depth must be 6n+2 ..."). */
int cli_archs_config(const cli_common *o, int depth, char *why, size_t size);
/* The same as a usage check: 0, or CLI_EXIT_USAGE after the message. */
int cli_archs_check(const char *cmd, const cli_common *o, int depth);
/* The blocks every net of o->archs has at o's depth (gf_arch_blocks: a
 * DenseNet's are not (depth - 2) / 2), or -1 after a usage message when two
 * differ (a command's tables line its nets up block by block). */
int cli_archs_blocks(const char *cmd, const cli_common *o);

/* --quick's value for a field the command line left at its default (d: the
 * options as the command's init sets them): options given still count. */
#define CLI_QUICK(o, d, field, value)                                                        \
    do {                                                                                     \
        if ((o)->field == (d).field)                                                         \
            (o)->field = (value);                                                            \
    } while (0)
/* The same for a list of ints (the array, its count): the values after count. */
#define CLI_QUICK_LIST(o, d, list, count, ...)                                               \
    do {                                                                                     \
        static const int quick_[] = {__VA_ARGS__};                                           \
        if ((o)->count == (d).count && memcmp((o)->list, (d).list, sizeof (d).list) == 0) {  \
            memcpy((o)->list, quick_, sizeof quick_);                                        \
            (o)->count = (int)(sizeof quick_ / sizeof *quick_);                              \
        }                                                                                    \
    } while (0)

/* --term: "dumb" (also draw in the terminal) or "none". */
int cli_set_term(const cli_arg *a, void *opts);

/* The .set of a CLI_STRING path: refuses an empty one. */
int cli_set_path(const cli_arg *a, void *opts);

/* --arch: any architecture of the registry (gf_arch_types), or the MLP stacks only. */
#define CLI_ARCH_OF(T, help, NAMES)                                                          \
    {CLI_CHOICES, "arch", 'a', "LIST", help, CLI_AT(T, c.archs), .names = NAMES,             \
     .count_at = offsetof(T, c.n_archs)}
#define CLI_ARCH(T, help) CLI_ARCH_OF(T, help, gf_arch_names)
#define CLI_ARCH_MLP(T, help) CLI_ARCH_OF(T, help, gf_mlp_arch_names)
/* The --arch help's lines where the convolutional nets are taken. */
#define CLI_ARCH_CNN_HELP                                                                    \
    "\n(cnn-plain, cnn-resnet, cnn-preact: He et al.'s CIFAR nets, depth 6n+2;\n"            \
    "densenet, densenet-bc: Huang et al.'s, depth 3n+4 / 6n+4, growth 12X)"
/* --width-mult of the convolutional nets. */
#define CLI_WIDTH_MULT_HELP(T, help)                                                         \
    {CLI_REAL, "width-mult", 0, "X", help, CLI_AT(T, c.cfg.width_mult), .min = 0.125, .max = 64}
#define CLI_WIDTH_MULT(T) CLI_WIDTH_MULT_HELP(T, "cnn-*: filters 16X, 32X, 64X; 16X even   [1]")
/* Numbers per sample that the weighted layers of the widest net in o's
 * archs output (MLP: width per Linear; cnn: gf_cnn_conv_outputs), for the
 * commands' memory estimates. */
double cli_layer_outputs(const cli_common *o);
/* 1 when o's archs include a net that is not an MLP stack. */
int cli_any_cnn(const cli_common *o);
#define CLI_DEPTH_N(T, help) {CLI_DEPTH, "depth", 'd', "N", help, CLI_AT(T, c.cfg.depth)}
#define CLI_WIDTH(T, help)                                                                   \
    {CLI_INT, "width", 'w', "N", help, CLI_AT(T, c.cfg.width), .min = 1, .max = 65536}
#define CLI_INIT(T, help)                                                                    \
    {CLI_CHOICE, "init", 0, "NAME", help, CLI_AT(T, c.cfg.init), .names = gf_init_names}
#define CLI_NORM(T, help)                                                                    \
    {CLI_CHOICE, "norm", 0, "NAME", help, CLI_AT(T, c.cfg.norm), .names = gf_norm_names}
#define CLI_ACT(T, help)                                                                     \
    {CLI_CHOICE, "act", 0, "NAME", help, CLI_AT(T, c.cfg.act), .names = gf_act_names}
#define CLI_ZERO_INIT(T)                                                                     \
    {CLI_FLAG, "zero-init-residual", 0, NULL, "zero the last layer of each residual branch",  \
     CLI_AT(T, c.cfg.zero_branch)}
#define CLI_SEEDS(T, help)                                                                   \
    {CLI_INT, "seeds", 's', "N", help, CLI_AT(T, c.seeds), .min = 1, .max = 10000}
/* from 1: GSL's mt19937 takes seed 0 as its default seed 4357 */
#define CLI_SEED(T, help)                                                                    \
    {CLI_INT, "seed", 0, "N", help, CLI_AT(T, c.seed), .min = 1, .max = 2147483647.0}
#define CLI_INPUT_DIM(T, help)                                                               \
    {CLI_INT, "input-dim", 0, "N", help, CLI_AT(T, c.cfg.in_dim), .min = 1, .max = 1 << 20}
#define CLI_OUT(T, help) {CLI_STRING, "out", 'o', "DIR", help, CLI_AT(T, c.out)}
#define CLI_TERM(T, help)                                                                    \
    {CLI_CALL, "term", 0, "TERM", help, CLI_AT(T, c.term_dumb), .set = cli_set_term}
#define CLI_NO_PLOT(T, help) {CLI_FLAG, "no-plot", 0, NULL, help, CLI_AT(T, c.no_plot)}
#define CLI_QUIET(T, help) {CLI_FLAG, "quiet", 'q', NULL, help, CLI_AT(T, c.quiet)}

/* --init, --norm, --act and --zero-init-residual with their usual help. */
#define CLI_STACK_KIND(T)                                                                    \
    CLI_INIT(T, "torch, he, xavier, lecun, orthogonal     [torch]"),                         \
        CLI_NORM(T, "none, batch, layer                       [none]"),                      \
        CLI_ACT(T, "relu, tanh, linear                       [relu]"), CLI_ZERO_INIT(T)

/* --input-dim and --samples (into T's long `samples`) of the built-in synthetic set. */
#define CLI_SYNTHETIC_SET(T)                                                                 \
    CLI_INPUT_DIM(T, "features of the synthetic inputs         [32]"),                       \
        {CLI_INT, "samples", 0, "N", "size of the synthetic set                [4096]",      \
         CLI_AT(T, samples), .min = 2, .max = 1 << 24}

/* The last entries of a table: --quiet, --help, --version, the end. */
#define CLI_TABLE_TAIL(T) CLI_QUIET(T, "no summary on stdout"), CLI_HELP_VERSION, {CLI_END}

/* The same after --no-plot (its help). */
#define CLI_TABLE_END(T, no_plot_help) CLI_NO_PLOT(T, no_plot_help), CLI_TABLE_TAIL(T)

/* The shared options of a measurement over the stacks at initialization: the
 * default stack, every architecture, seeds 1..5, the run folder out. */
cli_common cli_stacks_at_init(const char *out);

#endif
