/* cli.c: shared command-line plumbing: errors, the value parsers, the
 * progress line. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gradflow.h" /* gf_now */
#include <unistd.h>

static int muted; /* a rank other than the first, before its command spreads the work */

int cli_launcher_rank(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
                                       "SLURM_PROCID", NULL};
    for (const char *const *v = vars; *v; v++) {
        const char *s = getenv(*v);
        if (s && *s)
            return atoi(s);
    }
    return 0;
}

void cli_mute(int on) { muted = on; }

/* "gradflow CMD: " + what + the message, one line on stderr. */
static void say(const char *cmd, const char *what, const char *fmt, va_list ap)
{
    if (muted)
        return;
    fprintf(stderr, "gradflow%s%s: %s", cmd ? " " : "", cmd ? cmd : "", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_fail(int status, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, "", fmt, ap);
    va_end(ap);
    return status;
}

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, "", fmt, ap);
    va_end(ap);
    return -1;
}

int cli_stdout_done(const char *cmd, int status)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    const int e = errno ? errno : EIO;
    cli_fail(CLI_EXIT_RUNTIME, cmd, "cannot write to standard output: %s", strerror(e));
    return status != CLI_EXIT_OK ? status : CLI_EXIT_RUNTIME;
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, "warning: ", fmt, ap);
    va_end(ap);
}

/* strtol and strtod skip leading white space; a number here starts at once. */
static int starts_blank(const char *s)
{
    return isspace((unsigned char)*s);
}

/* s for a one-line message: a control character as \n, \t or \xHH; cut to fit. */
static const char *printable(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; *s && n + 5 < size; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != 0x7f)
            buf[n++] = (char)c;
        else
            n += (size_t)snprintf(buf + n, size - n, c == '\n' ? "\\n" : c == '\t' ? "\\t"
                                                                     : "\\x%02x", c);
    }
    buf[n] = '\0';
    return buf;
}

int cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (!*s || starts_blank(s) || *end || errno == ERANGE || v < min || v > max) {
        char shown[128];
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: '%s' is not a whole number in [%ld, %ld]", opt,
                 printable(s, shown, sizeof shown), min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static void list_names(char *buf, size_t size, const char *const *names)
{
    buf[0] = '\0';
    for (int i = 0; names[i]; i++) {
        strncat(buf, names[i], size - strlen(buf) - 1);
        if (names[i + 1])
            strncat(buf, ", ", size - strlen(buf) - 1);
    }
}

int cli_choice(const char *cmd, const char *opt, const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    char all[256], shown[128];
    list_names(all, sizeof all, names);
    cli_fail(CLI_EXIT_USAGE, cmd, "%s: unknown '%s' (choose from %s)", opt,
             printable(s, shown, sizeof shown), all);
    return -1;
}

/* A comma-separated list split in place, entry by entry. */
typedef struct list_split {
    const char *cmd, *opt, *s; /* the command, the option, the list */
    char buf[512];
    char *rest; /* the entries not yet taken; NULL after the last */
    int started;
} list_split;

/* The next entry in *tok: 1, 0 after the last, -1 after a usage message
 * (an empty or too long list, an empty entry). */
static int split_next(list_split *l, char **tok)
{
    if (!l->started) {
        l->started = 1;
        l->rest = l->buf;
        if (!*l->s)
            return cli_error(l->cmd, "%s: expects a comma-separated list", l->opt);
        if (snprintf(l->buf, sizeof l->buf, "%s", l->s) >= (int)sizeof l->buf)
            return cli_error(l->cmd, "%s: the list is %zu characters long; at most %zu", l->opt,
                             strlen(l->s), sizeof l->buf - 1);
    }
    if (!l->rest)
        return 0;
    *tok = l->rest;
    if ((l->rest = strchr(*tok, ',')))
        *l->rest++ = '\0';
    return **tok ? 1 : cli_error(l->cmd, "%s: an empty entry in '%s'", l->opt, l->s);
}

int cli_choices(const char *cmd, const char *opt, const char *s, const char *const *names,
                int *out, int max)
{
    list_split l = {.cmd = cmd, .opt = opt, .s = s};
    char *tok = NULL;
    int n = 0, got;
    while ((got = split_next(&l, &tok)) > 0) {
        const int v = cli_choice(cmd, opt, tok, names);
        if (v < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (out[i] == v)
                return cli_error(cmd, "%s: '%s' is listed twice", opt, tok);
        if (n == max)
            return cli_error(cmd, "%s: at most %d entries", opt, max);
        out[n++] = v;
    }
    return got < 0 ? -1 : n;
}

int cli_depth_check(const char *cmd, const char *opt, long depth)
{
    if (depth >= 4 && depth % 2 == 0)
        return 0;
    cli_fail(CLI_EXIT_USAGE, cmd,
             "%s: %ld is not of the form 2B + 2 with B >= 1 blocks of two layers (e.g. 20, 56, "
             "110)", opt, depth);
    return -1;
}

int cli_depth(const char *cmd, const char *opt, const char *s, int *depth)
{
    long v;
    if (cli_int(cmd, opt, s, 1, 100000, &v) != 0 || cli_depth_check(cmd, opt, v) != 0)
        return -1;
    *depth = (int)v;
    return 0;
}

/* An entry's parser with what it needs beside the entry: cli_list's the
 * caller's parser, cli_ints's the bounds. */
typedef int (*entry_parser)(const char *cmd, const char *opt, const char *item, void *out,
                            const void *ctx);

static int parse_list(const char *cmd, const char *opt, const char *s, int max,
                      entry_parser parse, const void *ctx, void *out, size_t elem)
{
    list_split l = {.cmd = cmd, .opt = opt, .s = s};
    char *tok = NULL;
    int n = 0, got;
    while ((got = split_next(&l, &tok)) > 0) {
        if (n == max)
            return cli_error(cmd, "%s: at most %d entries", opt, max);
        if (parse(cmd, opt, tok, (char *)out + (size_t)n * elem, ctx) != 0)
            return -1;
        n++;
    }
    return got < 0 ? -1 : n;
}

typedef struct plain_parser {
    int (*parse)(const char *cmd, const char *opt, const char *item, void *out);
} plain_parser;

static int parse_plain(const char *cmd, const char *opt, const char *item, void *out,
                       const void *ctx)
{
    return ((const plain_parser *)ctx)->parse(cmd, opt, item, out);
}

int cli_list(const char *cmd, const char *opt, const char *s, int max,
             int (*parse)(const char *cmd, const char *opt, const char *item, void *out),
             void *out, size_t elem)
{
    const plain_parser p = {parse};
    return parse_list(cmd, opt, s, max, parse_plain, &p, out, elem);
}

/* One whole number in [ctx[0], ctx[1]] into an int. */
static int parse_bounded(const char *cmd, const char *opt, const char *item, void *out,
                         const void *ctx)
{
    const long *bounds = ctx;
    long v;
    if (cli_int(cmd, opt, item, bounds[0], bounds[1], &v) != 0)
        return -1;
    *(int *)out = (int)v;
    return 0;
}

int cli_ints(const char *cmd, const char *opt, const char *s, long min, long max, int *out,
             int max_n)
{
    const long bounds[2] = {min, max};
    return parse_list(cmd, opt, s, max_n, parse_bounded, bounds, out, sizeof *out);
}

int cli_real(const char *cmd, const char *opt, const char *s, double min, double max,
                double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (!*s || starts_blank(s) || *end || errno == ERANGE || !isfinite(v) || v < min || v > max) {
        char shown[128];
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: '%s' is not a number in [%g, %g]", opt,
                 printable(s, shown, sizeof shown), min, max);
        return -1;
    }
    *out = v;
    return 0;
}

void cli_progress_begin(cli_progress *p, const char *label)
{
    p->enabled = isatty(STDERR_FILENO);
    p->start = gf_now();
    p->label = label;
}

void cli_progress_update(void *ctx, int done, int total)
{
    cli_progress *p = ctx;
    if (!p->enabled)
        return;
    const double el = gf_now() - p->start;
    const double eta = done > 0 ? el * (total - done) / done : 0.0;
    fprintf(stderr, "\r%s %d/%d  %5.1f%%  %.1fs elapsed, ~%.1fs left   ", p->label, done, total,
            100.0 * done / total, el, eta);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->enabled)
        fputs("\r\033[K", stderr);
}
