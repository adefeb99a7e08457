/* cli.c: shared command-line plumbing: errors, the value parsers, the
 * progress line. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gradflow.h" /* gf_now */
#include <unistd.h>

int cli_fail(int status, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gradflow%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gradflow %s: warning: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (!*s || *end || errno == ERANGE || v < min || v > max) {
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: '%s' is not a whole number in [%ld, %ld]", opt, s,
                    min, max);
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
    char all[256];
    list_names(all, sizeof all, names);
    cli_fail(CLI_EXIT_USAGE, cmd, "%s: unknown '%s' (choose from %s)", opt, s, all);
    return -1;
}

int cli_choices(const char *cmd, const char *opt, const char *s, const char *const *names,
                   int *out, int max)
{
    char buf[512];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf || !*s) {
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: expects a comma-separated list", opt);
        return -1;
    }
    int n = 0;
    for (char *tok = buf, *end; tok; tok = end) {
        if ((end = strchr(tok, ',')))
            *end++ = '\0';
        if (!*tok) {
            cli_fail(CLI_EXIT_USAGE, cmd, "%s: an empty entry in '%s'", opt, s);
            return -1;
        }
        const int v = cli_choice(cmd, opt, tok, names);
        if (v < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (out[i] == v) {
                cli_fail(CLI_EXIT_USAGE, cmd, "%s: '%s' is listed twice", opt, tok);
                return -1;
            }
        if (n == max) {
            cli_fail(CLI_EXIT_USAGE, cmd, "%s: at most %d entries", opt, max);
            return -1;
        }
        out[n++] = v;
    }
    if (n == 0)
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: expects a comma-separated list", opt);
    return n ? n : -1;
}

int cli_depth(const char *cmd, const char *opt, const char *s, int *depth)
{
    long v;
    if (cli_int(cmd, opt, s, 1, 100000, &v) != 0)
        return -1;
    if (v < 4 || v % 2) {
        cli_fail(CLI_EXIT_USAGE, cmd,
                    "%s: %ld is not of the form 2B + 2 with B >= 1 blocks of two layers (e.g. "
                    "20, 56, 110)",
                    opt, v);
        return -1;
    }
    *depth = (int)v;
    return 0;
}

int cli_list(const char *cmd, const char *opt, const char *s, int max,
                int (*parse)(const char *cmd, const char *opt, const char *item, void *out),
                void *out, size_t elem)
{
    char buf[512];
    if (!*s || snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: expects a comma-separated list", opt);
        return -1;
    }
    int n = 0;
    for (char *tok = buf, *end; tok; tok = end) {
        if ((end = strchr(tok, ',')))
            *end++ = '\0';
        if (!*tok) {
            cli_fail(CLI_EXIT_USAGE, cmd, "%s: an empty entry in '%s'", opt, s);
            return -1;
        }
        if (n == max) {
            cli_fail(CLI_EXIT_USAGE, cmd, "%s: at most %d entries", opt, max);
            return -1;
        }
        if (parse(cmd, opt, tok, (char *)out + (size_t)n * elem) != 0)
            return -1;
        n++;
    }
    return n;
}

int cli_real(const char *cmd, const char *opt, const char *s, double min, double max,
                double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || !isfinite(v) || v < min || v > max) {
        cli_fail(CLI_EXIT_USAGE, cmd, "%s: '%s' is not a number in [%g, %g]", opt, s, min, max);
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
