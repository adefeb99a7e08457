/* options.c: the options the commands share. */
#include "options.h"

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_common_check(const char *cmd, const cli_common *o)
{
    if (!*o->out)
        return cli_fail(CLI_EXIT_USAGE, cmd, "--out needs a non-empty path");
    for (const char *c = o->out; *c; c++)
        if ((unsigned char)*c < 0x20)
            return cli_fail(CLI_EXIT_USAGE, cmd, "--out: the path contains a control character");
    if (o->term_dumb && o->no_plot)
        return cli_fail(CLI_EXIT_USAGE, cmd, "--term dumb draws, --no-plot draws nothing: "
                        "choose one");
    /* An MLP's small GEMMs: one BLAS thread up to width 128 (gf_blas.h). A conv
     * net's GEMMs are its convolutions', which share the BLAS's threads among
     * their groups of images (one BLAS thread inside each, gf_conv_threads):
     * conv nets keep them all. Without OpenMP the convolution's chunked GEMMs
     * are too small for BLAS threads (they cost CPU time and save none:
     * bench/bench_cnn_step --threads-compare), so one thread. */
    if (!cli_any_cnn(o))
        gf_blas_threads_for_width(o->cfg.width);
    else if (gf_conv_threads() == 1)
        gf_blas_threads_for_width(0);
    return 0;
}

double cli_layer_outputs(const cli_common *o)
{
    double most = 0.0;
    gf_family_config fc;
    for (int a = 0; a < o->n_archs; a++) {
        gf_stack_config c = o->cfg;
        c.arch = (gf_arch)o->archs[a];
        double v = (double)c.width * (double)(c.depth - 1);
        if (!gf_arch_is_mlp(c.arch))
            v = gf_arch_config(&c, &fc, NULL, 0) != 0 ? 0.0
                : gf_arch_types[c.arch].family == &gf_model_densenet
                    ? gf_densenet_outputs(&fc.densenet)
                    : gf_cnn_conv_outputs(&fc.cnn);
        most = v > most ? v : most;
    }
    return most;
}

int cli_any_cnn(const cli_common *o)
{
    int any = 0;
    for (int a = 0; a < o->n_archs; a++)
        any |= !gf_arch_is_mlp((gf_arch)o->archs[a]);
    return any;
}

int cli_archs_config(const cli_common *o, int depth, char *why, size_t size)
{
    char reason[512];
    gf_family_config fc;
    for (int a = 0; a < o->n_archs; a++) {
        gf_stack_config c = o->cfg;
        c.arch = (gf_arch)o->archs[a];
        if (depth > 0)
            c.depth = depth;
        if (gf_arch_config(&c, &fc, reason, sizeof reason) != 0) {
            snprintf(why, size, "%s-%d: %s", gf_arch_names[c.arch], c.depth, reason);
            return -1;
        }
    }
    return 0;
}

int cli_archs_check(const char *cmd, const cli_common *o, int depth)
{
    char why[640];
    return cli_archs_config(o, depth, why, sizeof why) != 0
               ? cli_fail(CLI_EXIT_USAGE, cmd, "%s", why) : 0;
}

int cli_archs_blocks(const char *cmd, const cli_common *o)
{
    gf_arch archs[GF_ARCH_COUNT];
    for (int a = 0; a < o->n_archs; a++)
        archs[a] = (gf_arch)o->archs[a];
    char why[512];
    const int blocks = gf_arch_blocks(&o->cfg, archs, o->n_archs, why, sizeof why);
    return blocks < 0 ? (cli_fail(CLI_EXIT_USAGE, cmd, "%s", why), -1) : blocks;
}

cli_common cli_stacks_at_init(const char *out)
{
    return (cli_common){.cfg = gf_stack_config_default(),
                        .archs = {GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT}, .n_archs = 3,
                        .seeds = 5, .seed = 1, .out = out};
}

int cli_set_term(const cli_arg *a, void *opts)
{
    cli_common *o = opts;
    if (strcmp(a->value, "dumb") != 0 && strcmp(a->value, "none") != 0)
        return cli_fail(CLI_EXIT_USAGE, a->cmd, "--term: unknown '%s' (choose from dumb, none)",
                        a->value);
    o->term_dumb = strcmp(a->value, "dumb") == 0;
    return 0;
}

int cli_set_path(const cli_arg *a, void *opts)
{
    (void)opts;
    return *a->value ? 0 : cli_fail(CLI_EXIT_USAGE, a->cmd, "%s needs a non-empty path", a->opt);
}
