/* cli_util.h: what the command-line suites share: the binary under test
 * (GRADFLOW_EXE, set by meson's test()), a temporary work folder removed when
 * the suite ends, and running the command with its output captured. */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include <stddef.h>

extern char work[4096];   /* the suite's temporary folder */

typedef struct result {
    int status; /* exit status, or 128 + signal */
    char *out, *err;
    int err_lines;
} result;

int cli_suite_init(void);
int cli_suite_cleanup(void);
void result_free(result *r);

/* Run gradflow with args (NULL-terminated) and env changes ("KEY=VALUE" sets,
 * "KEY" removes; NULL-terminated, may be NULL). GRADFLOW_GNUPLOT is removed
 * unless set here. 0, or -1 when it could not run. */
int run_env(result *r, const char *const *env_changes, const char *const *args);
int run(result *r, const char *const *args);

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

void path_in(char *buf, size_t size, const char *name); /* work/name */

/* For every row of bad (up to 4 words), run `gradflow CMD BASE... --out WORK/badN ROW...`
 * (base: NULL-terminated, may be NULL) and check a usage error: status 2, one line on
 * stderr starting "gradflow CMD: ", nothing written. */
void expect_usage_errors(const char *cmd, const char *const *base, const char *const (*bad)[4],
                         size_t n);
void show(const char *what, const result *r);           /* status and stderr, for a failure */

#endif
