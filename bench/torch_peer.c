/* torch_peer.c: PyTorch's side of a bench's paired rounds, in a process of its
 * own (bench/torch_peer.py has the protocol: one request line, one answer). */
#include "bench.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int bench_torch_available(void)
{
    return system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
}

int bench_torch_open(bench_torch *t, const char *prog, char *const argv[])
{
    int to[2], from[2];
    *t = (bench_torch){.pid = -1};
    if (pipe(to) != 0)
        return -1;
    if (pipe(from) != 0) {
        close(to[0]), close(to[1]);
        return -1;
    }
    signal(SIGPIPE, SIG_IGN); /* a script that died is an error status, not a signal */
    fflush(NULL);
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(to[0], STDIN_FILENO);
        dup2(from[1], STDOUT_FILENO);
        close(to[0]), close(to[1]), close(from[0]), close(from[1]);
        execv("/usr/bin/python3", argv);
        _exit(127);
    }
    close(to[0]), close(from[1]);
    t->pid = pid;
    t->in = pid > 0 ? fdopen(to[1], "w") : NULL;
    t->out = pid > 0 ? fdopen(from[0], "r") : NULL;
    char line[256];
    if (!t->in || !t->out || !fgets(line, sizeof line, t->out) ||
        sscanf(line, "ready %63s %d", t->version, &t->threads) != 2) {
        fprintf(stderr, "%s: the PyTorch script did not start (%s)\n", prog, argv[1]);
        bench_torch_close(t);
        return -1;
    }
    return 0;
}

int bench_torch_steps(bench_torch *t, const char *dtype, int n, double *ms)
{
    char line[4096];
    if (!t->in || fprintf(t->in, "%s %d\n", dtype, n) < 0 || fflush(t->in) != 0 ||
        !fgets(line, sizeof line, t->out))
        return -1;
    char *p = line;
    for (int i = 0; i < n; i++) {
        char *end;
        ms[i] = strtod(p, &end);
        if (end == p)
            return -1;
        p = end;
    }
    return 0;
}

void bench_torch_close(bench_torch *t)
{
    if (t->in) {
        fputs("quit\n", t->in);
        fclose(t->in);
    }
    if (t->out)
        fclose(t->out);
    if (t->pid > 0)
        waitpid(t->pid, NULL, 0);
    *t = (bench_torch){.pid = -1};
}

void bench_settle(void)
{
    const struct timespec pause = {0, BENCH_SETTLE_MS * 1000000L};
    nanosleep(&pause, NULL);
}
