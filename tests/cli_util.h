/* cli_util.h: what the command-line suites share: the binary under test
 * (GRADFLOW_EXE, set by meson's test()), a temporary work folder removed when
 * the suite ends, and running the command with its output captured. */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include "io/gf_io.h"

#include <stddef.h>

extern char work[GF_PATH_MAX];   /* the suite's temporary folder */

typedef struct result {
    int status; /* exit status, or 128 + signal */
    char *out, *err;
    int err_lines;
} result;

int cli_suite_init(void);
const char *cli_exe(void);      /* the gradflow under test (after cli_suite_init) */
int cli_suite_cleanup(void);
void result_free(result *r);

/* Run gradflow with args (NULL-terminated) and env changes ("KEY=VALUE" sets,
 * "KEY" removes; NULL-terminated, may be NULL). GRADFLOW_GNUPLOT is removed
 * unless set here. 0, or -1 when it could not run. */
int run_env(result *r, const char *const *env_changes, const char *const *args);
int run(result *r, const char *const *args);
/* What run_limited changes in the child: its stdout (NULL: captured into
 * r->out as usual; else that file, e.g. /dev/full) and, for fsize > 0, a
 * file-size limit (RLIMIT_FSIZE) of fsize bytes with SIGXFSZ ignored, so that
 * a write beyond it fails with EFBIG as on a full disk (gnuplot inherits it). */
typedef struct run_limits {
    const char *stdout_path;
    long fsize;
} run_limits;
int run_limited(result *r, const run_limits *lim, const char *const *args);

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

void path_in(char *buf, size_t size, const char *name); /* work/name */
void path_at(char *buf, size_t size, const char *dir, const char *name); /* dir/name */

/* For every row of bad (up to 4 words), run `gradflow CMD BASE... --out WORK/badN ROW...`
 * (base: NULL-terminated, may be NULL) and check a usage error: status 2, one line on
 * stderr starting "gradflow CMD: ", nothing written. */
void expect_usage_errors(const char *cmd, const char *const *base, const char *const (*bad)[4],
                         size_t n);
/* expect_usage_errors with --data synthetic for a training command (degrade,
 * init-compare, stochdepth): its own n rows of bad, then the errors every one
 * of them makes alike, of the training options (CLI_TRAIN) and of any command
 * (a stray argument, an unknown option). */
void expect_train_usage_errors(const char *cmd, const char *const (*bad)[4], size_t n);
void show(const char *what, const result *r);           /* status and stderr, for a failure */

/* Run and require status 0 (both fatal); on another status, show what and stderr. */
void run_ok(result *r, const char *what, const char *const *args);
void run_env_ok(result *r, const char *what, const char *const *env_changes,
                const char *const *args);
/* run_ok, its output freed: for a run whose folder alone is checked. */
void run_ok_only(const char *what, const char *const *args);

/* `gradflow CMD --help` (CMD NULL: `gradflow --help`): status 0 and every needle
 * (NULL-terminated) on stdout; one assert. */
void expect_help_in(const char *cmd, const char *const *needles);
#define expect_help(cmd, ...) expect_help_in(cmd, ARGS(__VA_ARGS__))
/* `gradflow CMD FLAG` (--version or -V): status 0, stdout starting "gradflow "; one assert. */
void expect_version(const char *cmd, const char *flag);

/* ---- a run's folder ---- */
/* The field col (0-based) of the data row of the TSV file path whose first
 * field is net and whose field key_col is key, as text (malloc'd); NULL if
 * there is none. */
char *tsv_field(const char *path, const char *net, int key_col, const char *key, int col);
char *read_in(const char *dir, const char *name);       /* dir/name as text, or NULL */
int exists_in(const char *dir, const char *name);       /* dir/name exists */
/* One assert per name: dir/name exists (a missing one is named on stderr). */
void expect_files(const char *dir, const char *const *names, size_t n);
/* One assert per name: dir/name does not exist. */
void expect_no_files(const char *dir, const char *const *names, size_t n);
/* dir/name is a whole PNG (over 1000 bytes, the PNG signature). */
int is_png_in(const char *dir, const char *name);
/* dir_a/name and dir_b/name both readable and the same text. */
int same_text_in(const char *dir_a, const char *dir_b, const char *name);
/* dir/name readable and holding every needle (NULL-terminated). */
int text_in_has(const char *dir, const char *name, const char *const *needles);
#define file_has(dir, name, ...) text_in_has(dir, name, ARGS(__VA_ARGS__))
/* The lines of a TSV file without the timing columns (the last two): every
 * line when net is NULL, else net's rows without their first field; NULL if
 * unreadable. */
char *rows_without_times(const char *path, const char *net);
int tsv_rows(const char *text);                          /* lines after the header */
int gnuplot_in_path(void);                               /* an executable gnuplot on PATH */
/* No gnuplot on PATH: says on stderr that the PNG test is skipped; 1. Else 0. */
int skip_without_gnuplot(void);

#endif
