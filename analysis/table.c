/* table.c: a command's option table turned into getopt_long parsing, the
 * --help text and one-line usage errors. */
#include "cli.h"
#include "options.h"

#include "gradflow.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_OPTIONS = 96, NO_LETTER = 256 }; /* long-only options: NO_LETTER + index */

/* Store v into the field at e->at, an int, a long or a size_t. */
static void store_int(const cli_option *e, void *opts, long v)
{
    char *p = (char *)opts + e->at;
    if (e->size == sizeof(int))
        *(int *)p = (int)v;
    else if (e->size == sizeof(long))
        *(long *)p = v;
}

/* Weight layers; whether the net can have that many is its family's rule. */
static int parse_depth(const char *cmd, const char *opt, const char *item, void *out)
{
    long v;
    if (cli_int(cmd, opt, item, 4, 100000, &v) != 0)
        return -1;
    *(int *)out = (int)v;
    return 0;
}

/* Read one option's value into opts. 0, or CLI_EXIT_USAGE after a message. */
static int take(const char *cmd, const cli_option *e, const char *value, void *opts)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", e->name);
    const cli_arg a = {.cmd = cmd, .opt = opt, .value = value, .entry = e};
    char *field = (char *)opts + e->at;
    long v;
    int k;
    switch (e->kind) {
    case CLI_FLAG:
        *(int *)field = 1;
        break;
    case CLI_INT:
        if (cli_int(cmd, opt, value, (long)e->min, (long)e->max, &v) != 0)
            return CLI_EXIT_USAGE;
        store_int(e, opts, v);
        break;
    case CLI_REAL:
        if (cli_real(cmd, opt, value, e->min, e->max, (double *)field) != 0)
            return CLI_EXIT_USAGE;
        break;
    case CLI_DEPTH:
        if (parse_depth(cmd, opt, value, field) != 0)
            return CLI_EXIT_USAGE;
        break;
    case CLI_CHOICE:
        if ((k = cli_choice(cmd, opt, value, e->names)) < 0)
            return CLI_EXIT_USAGE;
        *(int *)field = k;
        break;
    case CLI_CHOICES:
        if ((k = cli_choices(cmd, opt, value, e->names, (int *)field,
                             (int)(e->size / sizeof(int)))) < 0)
            return CLI_EXIT_USAGE;
        *(int *)((char *)opts + e->count_at) = k;
        break;
    case CLI_DEPTHS:
        if ((k = cli_list(cmd, opt, value, (int)(e->size / sizeof(int)), parse_depth, field,
                          sizeof(int))) < 0)
            return CLI_EXIT_USAGE;
        *(int *)((char *)opts + e->count_at) = k;
        break;
    case CLI_STRING:
        *(const char **)field = value;
        break;
    case CLI_CALL:
        return e->set(&a, opts);
    case CLI_REFUSED:
        return cli_fail(CLI_EXIT_USAGE, cmd, "%s: %s", opt, e->why);
    default: /* CLI_HELP, CLI_VERSION: handled by the caller */
        break;
    }
    return e->set ? e->set(&a, opts) : 0;
}

/* The getopt_long tables of a command's options. */
static void getopt_tables(const cli_option *t, struct option *longopts, char *shortopts)
{
    int n = 0;
    char *s = shortopts;
    *s++ = ':'; /* a missing value comes back as ':' */
    for (int i = 0; t[i].kind != CLI_END; i++) {
        if (t[i].kind == CLI_TEXT)
            continue;
        const int has_arg = t[i].meta ? required_argument : no_argument;
        longopts[n++] = (struct option){t[i].name, has_arg, 0,
                                        t[i].letter ? t[i].letter : NO_LETTER + i};
        if (t[i].letter) {
            *s++ = t[i].letter;
            if (has_arg)
                *s++ = ':';
        }
    }
    longopts[n] = (struct option){0, 0, 0, 0};
    *s = '\0';
}

static const cli_option *entry_of(const cli_option *t, int c)
{
    if (c >= NO_LETTER)
        return &t[c - NO_LETTER];
    for (; t->kind != CLI_END; t++)
        if (t->letter == c && t->kind != CLI_TEXT)
            return t;
    return NULL;
}

/* The usage line of getopt_long's ':' (a missing value) or '?' (unknown). */
static int getopt_error(const char *cmd, int c, char **argv)
{
    if (c == ':')
        return cli_fail(CLI_EXIT_USAGE, cmd, "%s needs a value", argv[optind - 1]);
    const char *arg = argv[optind - 1];
    if (optopt > 0 && strncmp(arg, "--", 2) == 0) /* a known long flag given "=value" */
        return cli_fail(CLI_EXIT_USAGE, cmd, "%.*s takes no value", (int)strcspn(arg, "="),
                        arg);
    if (optopt > 0 && optopt < NO_LETTER)
        return cli_fail(CLI_EXIT_USAGE, cmd, "unknown option '-%c' (see gradflow %s --help)",
                        optopt, cmd);
    return cli_fail(CLI_EXIT_USAGE, cmd, "unknown option '%s' (see gradflow %s --help)", arg,
                    cmd);
}

int cli_parse(const cli_command *cmd, int argc, char **argv, void *opts)
{
    struct option longopts[MAX_OPTIONS + 1];
    char shortopts[2 * MAX_OPTIONS + 2];
    getopt_tables(cmd->table, longopts, shortopts);
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const cli_option *e = c == ':' || c == '?' ? NULL : entry_of(cmd->table, c);
        if (!e)
            return getopt_error(cmd->name, c, argv);
        if (e->kind == CLI_HELP)
            return cli_help(cmd), CLI_EXIT_OK;
        if (e->kind == CLI_VERSION)
            return printf("gradflow %s\n", GF_VERSION), CLI_EXIT_OK;
        if (take(cmd->name, e, optarg, opts) != 0)
            return CLI_EXIT_USAGE;
        if (cmd->given)
            cmd->given(e, opts);
    }
    if (optind < argc)
        return cli_fail(CLI_EXIT_USAGE, cmd->name, "unexpected argument '%s'", argv[optind]);
    return cli_common_check(cmd->name, opts) != 0 ? CLI_EXIT_USAGE : CLI_RUN;
}

/* "  -b, --batch N" padded to 24 columns (two spaces after a longer one),
 * then the help, its continuation lines indented by 24 columns. */
static void help_line(const cli_option *e)
{
    char left[96];
    if (!e->help) /* not listed, or described by a CLI_TEXT line */
        return;
    if (e->kind == CLI_TEXT) {
        fputs(e->help, stdout);
        return;
    }
    char flag[8] = "      ";
    if (e->letter)
        snprintf(flag, sizeof flag, "  -%c, ", e->letter);
    snprintf(left, sizeof left, "%s--%s%s%s", flag, e->name, e->meta ? " " : "",
             e->meta ? e->meta : "");
    printf(strlen(left) <= 23 ? "%-23s " : "%s  ", left);
    for (const char *h = e->help; *h; h++) {
        putchar(*h);
        if (*h == '\n' && h[1])
            printf("%24s", "");
    }
    putchar('\n');
}

void cli_help(const cli_command *cmd)
{
    printf("Usage: gradflow %s [OPTIONS]\n\n%s%s", cmd->name, cmd->about,
           cmd->table[0].kind == CLI_TEXT ? "" : "Options:\n");
    for (const cli_option *e = cmd->table; e->kind != CLI_END; e++)
        help_line(e);
    printf("\n%s", cmd->epilog);
}
