/* cli.h: what every gradflow subcommand shares: errors with the documented
 * exit statuses, the value parsers, the progress line, and the declarative
 * option table from which a command's parsing, --help text and usage errors
 * are generated (table.c). The run folder's life is in run.h. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stddef.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_RUNTIME = 1, CLI_EXIT_USAGE = 2 };

/* Print "gradflow CMD: message" on stderr (one line); return status, an exit
 * status (CLI_EXIT_*). */
int cli_fail(int status, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same line, for a helper whose caller chooses the exit status: returns -1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* At the end of a command (also --help, --version): flush stdout; when what
 * went there was not written (a full disk, /dev/full), one line on stderr and
 * CLI_EXIT_RUNTIME unless status already says a failure. Else status. */
int cli_stdout_done(const char *cmd, int status);

/* ---- values ------------------------------------------------------------------ *
 * Each prints one usage line "gradflow CMD: OPT: ..." when the text is bad. */

/* A whole decimal number in [min, max]; 0, or -1 after a usage message. */
int cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out);

/* A real number in [min, max] (finite). 0, or -1 after a usage message. */
int cli_real(const char *cmd, const char *opt, const char *s, double min, double max,
             double *out);

/* One name of a NULL-terminated list; its index, or -1 after a usage message. */
int cli_choice(const char *cmd, const char *opt, const char *s, const char *const *names);

/* A comma-separated list of names; the count, or -1 after a usage message. */
int cli_choices(const char *cmd, const char *opt, const char *s, const char *const *names,
                int *out, int max);

/* Under an MPI launcher (mpirun, srun) every rank parses the same command
 * line: this process's rank from the launcher's environment (0 without one).
 * cli_mute(1) silences the messages of cli_fail, cli_error and cli_warn
 * (cli_main does it on ranks other than 0 for a command with .mpi, until the
 * command calls cli_mute(0) where its ranks start to differ). */
int cli_launcher_rank(void);
void cli_mute(int on);

/* --depth of an MLP stack: 2B + 2 with B >= 1. 0, or -1 after a usage message. */
int cli_depth(const char *cmd, const char *opt, const char *s, int *depth);
/* The same rule for a depth already read. */
int cli_depth_check(const char *cmd, const char *opt, long depth);

/* A comma-separated list of items (each checked by parse, stored elem bytes
 * apart); the count, or -1 after a usage message. */
int cli_list(const char *cmd, const char *opt, const char *s, int max,
             int (*parse)(const char *cmd, const char *opt, const char *item, void *out),
             void *out, size_t elem);

/* A comma-separated list of whole numbers in [min, max] into out[max_n]; the
 * count, or -1 after a usage message. */
int cli_ints(const char *cmd, const char *opt, const char *s, long min, long max, int *out,
             int max_n);

/* ---- the progress line: shown on a terminal (stderr), silent otherwise ---------- */

typedef struct cli_progress {
    int enabled;
    double start;
    const char *label;
} cli_progress;
void cli_progress_begin(cli_progress *p, const char *label);
void cli_progress_update(void *p, int done, int total);
void cli_progress_end(cli_progress *p);

/* ---- option tables (table.c) ---------------------------------------------------- *
 *
 * A command lists its options in order, as they appear in its --help:
 *
 *   static const cli_option table[] = {
 *       CLI_ARCH(options, "architectures: ...    [plain,resnet,preact]"),
 *       {CLI_INT, "batch", 'b', "N", "samples in the batch    [64]", CLI_AT(options, batch),
 *        .min = 2, .max = 1 << 20},
 *       CLI_HELP_VERSION,
 *       {CLI_END},
 *   };
 *
 * The help line is "  -b, --batch N" padded to 24 columns (two spaces after a
 * longer one), then the entry's help; a '\n' in it starts a line indented by
 * 24 columns. The default shown in brackets is part of the help text; the
 * value itself is set by the command's init function. An entry without help
 * is not listed (a CLI_TEXT line may describe it). A table that opens with a
 * CLI_TEXT heading has no "Options:" line. */

typedef enum cli_kind {
    CLI_END = 0, /* ends a table */
    CLI_FLAG,    /* no value: sets an int to 1 */
    CLI_INT,     /* a whole number in [min, max] into an int, long or size_t */
    CLI_REAL,    /* a finite number in [min, max] into a double */
    CLI_DEPTH,   /* weight layers, 4 to 100000, into an int (the form, 2B + 2 or
                    6n + 2, is the family's: cli_archs_check) */
    CLI_CHOICE,  /* one of names: its index into an int or an enum */
    CLI_CHOICES, /* a comma list of names: indices into int[], the count at count_at */
    CLI_STRING,  /* the text itself into a const char * */
    CLI_CALL,    /* the entry's setter reads the value */
    CLI_HELP,    /* print the generated help, exit 0 */
    CLI_VERSION, /* print the version, exit 0 */
    CLI_TEXT,    /* no option: a line of the help as it is (a heading) */
    CLI_DEPTHS,  /* a comma list of CLI_DEPTH's into int[], the count at count_at */
    CLI_REFUSED, /* known but refused by this command: "--name: why", a usage error */
} cli_kind;

typedef struct cli_option cli_option;

/* What a setter gets: the command, "--name", the value (NULL for a flag). */
typedef struct cli_arg {
    const char *cmd, *opt, *value;
    const cli_option *entry;
} cli_arg;

/* 0, or CLI_EXIT_USAGE after a usage message. */
typedef int (*cli_setter)(const cli_arg *a, void *opts);

struct cli_option {
    cli_kind kind;
    const char *name;         /* the long name, without "--" */
    char letter;              /* the short flag, 0 for none */
    const char *meta;         /* the value's name in the help ("N", "LIST"); NULL: no value */
    const char *help;         /* the help after the name column; NULL: left out (a CLI_TEXT
                                 line shows the option) */
    size_t at, size;          /* where the value goes in the options: CLI_AT(type, field) */
    double min, max;          /* CLI_INT, CLI_REAL */
    const char *const *names; /* CLI_CHOICE, CLI_CHOICES (NULL-terminated) */
    size_t count_at;          /* CLI_CHOICES, CLI_DEPTHS: the int that gets the count */
    cli_setter set;           /* CLI_CALL: reads the value; other kinds: called after the store */
    const char *why;          /* CLI_REFUSED: why the command refuses the option */
};

#define CLI_AT(T, field) .at = offsetof(T, field), .size = sizeof(((T *)0)->field)

/* The last entries of every table. */
#define CLI_HELP_VERSION                                                                     \
    {.kind = CLI_HELP, .name = "help", .letter = 'h', .help = "this help"},                  \
        {.kind = CLI_VERSION, .name = "version", .letter = 'V', .help = "the version"}

/* The end of the --help of a long measurement. */
#define CLI_EPILOG_PROGRESS                                                                  \
    "A progress line is shown on a terminal.\n"                                              \
    "Exit status: 0 success (also when gnuplot is missing), 1 runtime failure, 2 usage\n"    \
    "error.\n"

/* The end of the --help of a command that draws: its exit statuses, FAILURES
 * saying what fails at run time. */
#define CLI_EPILOG_EXIT(FAILURES)                                                            \
    "Exit status: 0 success (also when gnuplot is missing: a warning says how to draw\n"     \
    "later), 1 runtime failure (" FAILURES "), 2 usage error.\n"

/* A command: its option table, its defaults, its cross-option checks and its
 * run, or the steps of its run (run.h). The options struct begins with a
 * cli_common (options.h). */
struct cli_run;
typedef struct cli_steps cli_steps;
typedef struct cli_command {
    const char *name;            /* "gradnorm" */
    const char *summary;         /* its line in `gradflow --help` */
    const char *about;           /* --help: the paragraphs between "Usage:" and "Options:" */
    const char *epilog;          /* --help: after the options */
    const cli_option *table;
    size_t size;                 /* of the options struct */
    void (*init)(void *opts);    /* the defaults */
    int (*check)(void *opts);    /* after parsing: 0, or CLI_EXIT_USAGE after a message */
    int (*run)(struct cli_run *r, void *opts); /* the exit status */
    /* optional: told of every option as it is read (after its value is stored) */
    void (*given)(const cli_option *e, void *opts);
    const cli_steps *steps;      /* instead of run: the steps over a result (run.h) */
    /* optional: frees what check loaded into the options, whatever happened after */
    void (*done)(void *opts);
    int mpi; /* 1: runs on MPI ranks; only rank 0 reports errors until cli_mute(0) */
    size_t result_size;          /* with steps: the result's size */
} cli_command;

enum { CLI_RUN = -1 }; /* cli_parse: go on and run */

/* Parse argv into opts with the command's table, then the checks every
 * command shares (no stray argument, a usable --out, not --term dumb with
 * --no-plot). CLI_RUN, or the exit status: 0 after --help or --version, 2
 * after one usage line on stderr. */
int cli_parse(const cli_command *cmd, int argc, char **argv, void *opts);

/* The command's --help, generated from its table. */
void cli_help(const cli_command *cmd);

#endif
