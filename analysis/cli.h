/* cli.h: what every gradflow subcommand shares: errors with documented exit
 * statuses, option parsing, the progress line. */
#ifndef GF_CLI_H
#define GF_CLI_H

#include <stddef.h>

enum { GF_EXIT_OK = 0, GF_EXIT_RUNTIME = 1, GF_EXIT_USAGE = 2 };

typedef int (*gf_command_fn)(int argc, char **argv);

typedef struct gf_command {
    const char *name;
    const char *summary;
    gf_command_fn run;
} gf_command;

/* Print "gradflow CMD: message" on stderr (one line); return status. */
int gf_cli_fail(int status, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gf_cli_warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A whole decimal number in [min, max]; 0, or -1 after a usage message. */
int gf_cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out);

/* One name of a NULL-terminated list; its index, or -1 after a usage message. */
int gf_cli_choice(const char *cmd, const char *opt, const char *s, const char *const *names);

/* A comma-separated list of names; the count, or -1 after a usage message. */
int gf_cli_choices(const char *cmd, const char *opt, const char *s, const char *const *names,
                   int *out, int max);

/* The progress line: shown on a terminal (stderr), silent otherwise. */
typedef struct gf_progress {
    int enabled;
    double start;
    const char *label;
} gf_progress;
void gf_progress_begin(gf_progress *p, const char *label);
void gf_progress_update(void *p, int done, int total);
void gf_progress_end(gf_progress *p);

double gf_cli_now(void); /* monotonic seconds */

#endif
