/* cli_util.c: running the real `gradflow` command as a child process, for
 * the command-line suites. */
#define _GNU_SOURCE
#include "cli_util.h"

#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char work[GF_PATH_MAX];
static const char *exe;

/* GRADFLOW_EXE, or the gradflow built beside this runner (BUILD/analysis/gradflow). */
int cli_suite_init(void)
{
    static char beside[GF_PATH_MAX];
    exe = getenv("GRADFLOW_EXE");
    if (!exe || !*exe) {
        char self[GF_PATH_MAX];
        const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
        if (slash) {
            *slash = '\0';
            if (snprintf(beside, sizeof beside, "%s/../analysis/gradflow", self) < (int)sizeof beside &&
                access(beside, X_OK) == 0)
                exe = beside;
        }
    }
    if (!exe || !*exe) {
        fprintf(stderr, "GRADFLOW_EXE is not set: run the cli suite through meson test\n");
        return -1;
    }
    return tu_make_temp_dir(work, sizeof work, "cli");
}

const char *cli_exe(void) { return exe; }

int cli_suite_cleanup(void)
{
    if (work[0])
        tu_remove_tree(work);
    return 0;
}

void result_free(result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* The child: stdin /dev/null, stdout and stderr into files (stdout into
 * lim->stdout_path when given), lim's file-size limit; exec argv. */
static void child(const char *const *argv, const char *const *envp, const char *out_path,
                  const char *err_path, const run_limits *lim)
{
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(lim && lim->stdout_path ? lim->stdout_path : out_path,
                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(126);
    if (lim && lim->fsize > 0) {
        const struct rlimit rl = {(rlim_t)lim->fsize, (rlim_t)lim->fsize};
        signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal: as a full disk */
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(126);
    }
    execve(argv[0], (char *const *)argv, (char *const *)envp);
    _exit(127);
}

/* Run argv with envp as child() sets it up; its status and output into r. */
static int spawn(result *r, const char *const *argv, const char *const *envp,
                 const run_limits *lim)
{
    char out_path[GF_PATH_MAX], err_path[GF_PATH_MAX];
    path_in(out_path, sizeof out_path, ".stdout");
    path_in(err_path, sizeof err_path, ".stderr");
    fflush(NULL);
    const pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "\n  cannot run %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    if (pid == 0)
        child(argv, envp, out_path, err_path, lim);
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r->out = tu_read_file(out_path, NULL);
    r->err = tu_read_file(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    r->err_lines = count_lines(r->err);
    if (r->status == 126 || r->status == 127)
        fprintf(stderr, "\n  the child could not start %s (status %d)\n", argv[0], r->status);
    return 0;
}

/* Run gradflow with args (NULL-terminated) and env changes ("KEY=VALUE" sets,
 * "KEY" removes; NULL-terminated, may be NULL) under lim (may be NULL).
 * GRADFLOW_GNUPLOT is removed unless set here. */
static int run_with(result *r, const char *const *env_changes, const run_limits *lim,
                    const char *const *args)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    const char *argv[64];
    int argc = 0;
    argv[argc++] = exe;
    for (; args[argc - 1] && argc < 63; argc++)
        argv[argc] = args[argc - 1];
    argv[argc] = NULL;

    size_t n_env = 0;
    while (environ[n_env])
        n_env++;
    const char **envp = calloc(n_env + 16, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++) {
        int drop = strncmp(environ[i], "GRADFLOW_GNUPLOT=", 17) == 0;
        for (size_t j = 0; env_changes && env_changes[j]; j++) {
            const size_t key = strcspn(env_changes[j], "=");
            drop |= strncmp(environ[i], env_changes[j], key) == 0 && environ[i][key] == '=';
        }
        if (!drop)
            envp[k++] = environ[i];
    }
    for (size_t j = 0; env_changes && env_changes[j] && k < n_env + 15; j++)
        if (strchr(env_changes[j], '='))
            envp[k++] = env_changes[j];
    envp[k] = NULL;

    const int rc = spawn(r, argv, envp, lim);
    free(envp);
    return rc;
}

int run_env(result *r, const char *const *env_changes, const char *const *args)
{
    return run_with(r, env_changes, NULL, args);
}

int run_limited(result *r, const run_limits *lim, const char *const *args)
{
    return run_with(r, NULL, lim, args);
}

int run(result *r, const char *const *args) { return run_env(r, NULL, args); }

void path_at(char *buf, size_t size, const char *dir, const char *name)
{
    const int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        fprintf(stderr, "\n  path too long: %s/%s\n", dir, name);
}

void path_in(char *buf, size_t size, const char *name)
{
    path_at(buf, size, work, name);
}

void expect_train_usage_errors(const char *cmd, const char *const (*bad)[4], size_t n)
{
    expect_usage_errors(cmd, ARGS("--data", "synthetic"), bad, n);
    static const char *const train[][4] = {
        {"--epochs", "0"},           {"--lr", "-1"},                {"--lr", "abc"},
        {"--lr", "nan"},             {"--momentum", "1"},           {"--optimizer", "foo"},
        {"--schedule", "foo"},       {"--milestones", "0.75,0.5"},  {"--milestones", "1.5"},
        {"--gamma", "0"},            {"--data", "foo"},             {"--ntrain", "1"},
        {"--batch", "500", "--ntrain", "100"},                       {"--clip", "-1"},
        {"--probe-every", "0"},      {"--optimizer", "adam", "--momentum", "0.5"},
        {"--nesterov", "--momentum", "0"},                           {"--data-dir", ""},
        {"--weight-decay", "2"},     {"--warmup", "-3"},            {"stray"},
        {"--epochs"},                {"--bogus"},
        /* found late before issue 10: the warm-up past the training's steps, more
           images than Fashion-MNIST has (refused before loading it) */
        {"--warmup", "100000"},      {"--data", "fashion", "--ntrain", "70000"},
        {"--data", "fashion", "--ntest", "20000"},
        /* strtol and strtod skip leading white space: refused here */
        {"--epochs", " 3"},          {"--lr", "\n0.1"},            {"--seed", "\t5"},
    };
    expect_usage_errors(cmd, ARGS("--data", "synthetic"), train, sizeof train / sizeof *train);
}

void show(const char *what, const result *r)
{
    fprintf(stderr, "\n  %s: status %d, stderr:\n%s", what, r->status, r->err ? r->err : "(none)");
}


void expect_usage_errors(const char *cmd, const char *const *base, const char *const (*bad)[4],
                         size_t n)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "gradflow %s: ", cmd);
    for (size_t i = 0; i < n; i++) {
        char out[GF_PATH_MAX], name[96];
        snprintf(name, sizeof name, "bad-%s-%zu", cmd, i);
        path_in(out, sizeof out, name);
        const char *args[24];
        int k = 0;
        args[k++] = cmd;
        for (const char *const *w = base; w && *w && k < 16; w++)
            args[k++] = *w;
        args[k++] = "--out";
        args[k++] = out;
        for (int j = 0; j < 4 && bad[i][j]; j++)
            args[k++] = bad[i][j];
        args[k] = NULL;
        result r;
        CU_ASSERT_FATAL(run(&r, args) == 0);
        const int ok = r.status == 2 && r.err_lines == 1 && !tu_file_exists(out) &&
                       strncmp(r.err, prefix, strlen(prefix)) == 0;
        if (!ok) {
            fprintf(stderr, "\n  %s %s %s: ", cmd, bad[i][0], bad[i][1] ? bad[i][1] : "");
            show("", &r);
        }
        CU_ASSERT(ok);
        result_free(&r);
    }
}

void run_env_ok(result *r, const char *what, const char *const *env_changes,
                const char *const *args)
{
    CU_ASSERT_FATAL(run_env(r, env_changes, args) == 0);
    if (r->status != 0)
        show(what, r);
    CU_ASSERT_FATAL(r->status == 0);
}

void run_ok(result *r, const char *what, const char *const *args)
{
    run_env_ok(r, what, NULL, args);
}

void run_ok_only(const char *what, const char *const *args)
{
    result r;
    run_ok(&r, what, args);
    result_free(&r);
}

void expect_help_in(const char *cmd, const char *const *needles)
{
    result r;
    CU_ASSERT_FATAL(run(&r, cmd ? ARGS(cmd, "--help") : ARGS("--help")) == 0);
    int ok = r.status == 0 && r.out != NULL;
    for (const char *const *n = needles; ok && *n; n++)
        if (!strstr(r.out, *n)) {
            fprintf(stderr, "\n  %s --help does not say %s", cmd ? cmd : "", *n);
            ok = 0;
        }
    CU_ASSERT(ok);
    result_free(&r);
}

void expect_version(const char *cmd, const char *flag)
{
    result r;
    CU_ASSERT_FATAL(run(&r, ARGS(cmd, flag)) == 0);
    CU_ASSERT(r.status == 0 && r.out && strncmp(r.out, "gradflow ", 9) == 0);
    result_free(&r);
}

char *read_in(const char *dir, const char *name)
{
    char path[GF_PATH_MAX];
    path_at(path, sizeof path, dir, name);
    return tu_read_file(path, NULL);
}

int exists_in(const char *dir, const char *name)
{
    char path[GF_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_file_exists(path);
}

void expect_files(const char *dir, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const int there = exists_in(dir, names[i]);
        if (!there)
            fprintf(stderr, "\n  missing %s", names[i]);
        CU_ASSERT(there);
    }
}

void expect_no_files(const char *dir, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const int there = exists_in(dir, names[i]);
        if (there)
            fprintf(stderr, "\n  %s should not be there", names[i]);
        CU_ASSERT(!there);
    }
}

int is_png_in(const char *dir, const char *name)
{
    char path[GF_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    char *png = tu_read_file(path, &len);
    const int ok = png && len > 1000 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0;
    free(png);
    return ok;
}

int same_text_in(const char *dir_a, const char *dir_b, const char *name)
{
    char *a = read_in(dir_a, name), *b = read_in(dir_b, name);
    const int same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

int text_in_has(const char *dir, const char *name, const char *const *needles)
{
    char *text = read_in(dir, name);
    int has = text != NULL;
    for (const char *const *n = needles; has && *n; n++)
        has = strstr(text, *n) != NULL;
    free(text);
    return has;
}

char *rows_without_times(const char *path, const char *net)
{
    char *text = tu_read_file(path, NULL);
    char *rows = text ? calloc(strlen(text) + 2, 1) : NULL;
    if (!rows) {
        free(text);
        return NULL;
    }
    const size_t len = net ? strlen(net) : 0;
    char *dst = rows;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        const size_t n = end ? (size_t)(end - line) : strlen(line);
        if (!net || (n > len && strncmp(line, net, len) == 0 && line[len] == '\t')) {
            size_t keep = n;
            for (int tabs = 0; keep > len && tabs < 2; keep--) /* cut at the 2nd tab from the end */
                tabs += line[keep - 1] == '\t';
            memcpy(dst, line + len, keep - len);
            dst += keep - len;
            *dst++ = '\n';
        }
        line += n + (end != NULL);
    }
    free(text);
    return rows;
}

int tsv_rows(const char *text)
{
    return count_lines(text) - 1; /* the header */
}

int gnuplot_in_path(void)
{
    const char *path = getenv("PATH");
    char buf[GF_PATH_MAX];
    while (path && *path) {
        const size_t n = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
        if (n && access(buf, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

int skip_without_gnuplot(void)
{
    if (gnuplot_in_path())
        return 0;
    fprintf(stderr, "\n  note: gnuplot is not in PATH; the PNG test is skipped\n");
    return 1;
}

/* The field `col` (0-based) of the data row of path whose first fields
 * match net and key (column `key_col`), as text; NULL if there is none. */
char *tsv_field(const char *path, const char *net, int key_col, const char *key, int col)
{
    char *text = tu_read_file(path, NULL), *found = NULL;
    for (char *line = text ? strchr(text, '\n') : NULL; line && !found;) {
        char *row = line + 1, *end = strchr(row, '\n');
        if (!end)
            break;
        *end = '\0';
        char *f[16] = {0};
        int n = 0;
        for (char *p = row; p && n < 16; n++) {
            f[n] = p;
            if ((p = strchr(p, '\t')))
                *p++ = '\0';
        }
        if (n > col && n > key_col && strcmp(f[0], net) == 0 && strcmp(f[key_col], key) == 0)
            found = strdup(f[col]);
        line = end;
    }
    free(text);
    return found;
}
