/* cli.h: what every gradflow subcommand shares: errors with documented exit
 * statuses, option parsing, the progress line. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stddef.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_RUNTIME = 1, CLI_EXIT_USAGE = 2 };

typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct cli_subcommand {
    const char *name;
    const char *summary;
    cli_command_fn run;
} cli_subcommand;

/* Print "gradflow CMD: message" on stderr (one line); return status. */
int cli_fail(int status, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cli_warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A whole decimal number in [min, max]; 0, or -1 after a usage message. */
int cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out);

/* One name of a NULL-terminated list; its index, or -1 after a usage message. */
int cli_choice(const char *cmd, const char *opt, const char *s, const char *const *names);

/* A comma-separated list of names; the count, or -1 after a usage message. */
int cli_choices(const char *cmd, const char *opt, const char *s, const char *const *names,
                   int *out, int max);

/* The progress line: shown on a terminal (stderr), silent otherwise. */
typedef struct cli_progress {
    int enabled;
    double start;
    const char *label;
} cli_progress;
void cli_progress_begin(cli_progress *p, const char *label);
void cli_progress_update(void *p, int done, int total);
void cli_progress_end(cli_progress *p);


#endif
