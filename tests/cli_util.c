/* cli_util.c: running the real `gradflow` command as a child process, for
 * the command-line suites. */
#define _GNU_SOURCE
#include "cli_util.h"

#include "test_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char work[4096];
static const char *exe;

/* GRADFLOW_EXE, or the gradflow built beside this runner (BUILD/analysis/gradflow). */
int cli_suite_init(void)
{
    static char beside[4096];
    exe = getenv("GRADFLOW_EXE");
    if (!exe || !*exe) {
        char self[4096];
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

/* Run gradflow with args (NULL-terminated) and env changes ("KEY=VALUE" sets,
 * "KEY" removes; NULL-terminated, may be NULL). GRADFLOW_GNUPLOT is removed
 * unless set here. */
int run_env(result *r, const char *const *env_changes, const char *const *args)
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

    char out_path[4200], err_path[4200];
    snprintf(out_path, sizeof out_path, "%s/.stdout", work);
    snprintf(err_path, sizeof err_path, "%s/.stderr", work);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, exe, &fa, NULL, (char *const *)argv, (char *const *)envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    if (rc != 0) {
        fprintf(stderr, "\n  cannot run %s: %s\n", exe, strerror(rc));
        return -1;
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r->out = tu_read_file(out_path, NULL);
    r->err = tu_read_file(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    r->err_lines = count_lines(r->err);
    return 0;
}

int run(result *r, const char *const *args) { return run_env(r, NULL, args); }

void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", work, name);
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
        char out[4200];
        snprintf(out, sizeof out, "%s/bad-%s-%zu", work, cmd, i);
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
