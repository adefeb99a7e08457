/* options.c: the options the commands share. */
#include "options.h"

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_common_option(const char *cmd, int c, const char *arg, char **argv, cli_common *o,
                     void (*help)(void))
{
    long v;
    int k;
    switch (c) {
    case 'a':
        o->n_archs = cli_choices(cmd, "--arch", arg, gf_arch_names, o->archs, GF_ARCH_COUNT);
        return o->n_archs < 0 ? -1 : 1;
    case 'w':
        if (cli_int(cmd, "--width", arg, 1, 65536, &v) != 0)
            return -1;
        o->cfg.width = (size_t)v;
        return 1;
    case CLI_OPT_INIT:
        if ((k = cli_choice(cmd, "--init", arg, gf_init_names)) < 0)
            return -1;
        o->cfg.init = (gf_init)k;
        return 1;
    case CLI_OPT_NORM:
        if ((k = cli_choice(cmd, "--norm", arg, gf_norm_names)) < 0)
            return -1;
        o->cfg.norm = (gf_norm)k;
        return 1;
    case CLI_OPT_ACT:
        if ((k = cli_choice(cmd, "--act", arg, gf_act_names)) < 0)
            return -1;
        o->cfg.act = (gf_act)k;
        return 1;
    case CLI_OPT_ZERO:
        o->cfg.zero_branch = 1;
        return 1;
    case 's':
        return cli_int(cmd, "--seeds", arg, 1, 10000, &o->seeds) != 0 ? -1 : 1;
    case CLI_OPT_SEED: /* from 1: GSL's mt19937 takes seed 0 as its default seed 4357 */
        return cli_int(cmd, "--seed", arg, 1, 2147483647L, &o->seed) != 0 ? -1 : 1;
    case 'o':
        o->out = arg;
        return 1;
    case CLI_OPT_TERM:
        if (strcmp(arg, "dumb") != 0 && strcmp(arg, "none") != 0) {
            cli_fail(CLI_EXIT_USAGE, cmd, "--term: unknown '%s' (choose from dumb, none)", arg);
            return -1;
        }
        o->term_dumb = strcmp(arg, "dumb") == 0;
        return 1;
    case CLI_OPT_NOPLOT:
        o->no_plot = 1;
        return 1;
    case 'q':
        o->quiet = 1;
        return 1;
    case 'h':
        help();
        return 2;
    case 'V':
        printf("gradflow %s\n", GF_VERSION);
        return 2;
    case ':':
        cli_fail(CLI_EXIT_USAGE, cmd, "%s needs a value", argv[optind - 1]);
        return -1;
    case '?':
        if (optopt)
            cli_fail(CLI_EXIT_USAGE, cmd, "unknown option '-%c' (see gradflow %s --help)",
                        optopt, cmd);
        else
            cli_fail(CLI_EXIT_USAGE, cmd, "unknown option '%s' (see gradflow %s --help)",
                        argv[optind - 1], cmd);
        return -1;
    default:
        return 0;
    }
}

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
    gf_blas_threads_for_width(o->cfg.width); /* small GEMMs: one thread (see gf_blas.h) */
    return 0;
}

int cli_common_finish(const char *cmd, int argc, char **argv, const cli_common *o)
{
    if (optind < argc) {
        cli_fail(CLI_EXIT_USAGE, cmd, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return cli_common_check(cmd, o) != 0 ? -1 : 0;
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
