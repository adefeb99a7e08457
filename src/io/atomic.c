/* atomic.c: temporary-name-then-rename files, folders, path joining. */
#include "io/gf_io.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- temporary files removed on a signal -------------------------------- */

enum { MAX_TEMPS = 16 };
static char temps[MAX_TEMPS][GF_PATH_MAX];
static volatile sig_atomic_t temp_used[MAX_TEMPS];

void gf_temp_track(const char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (!temp_used[i]) {
            snprintf(temps[i], sizeof temps[i], "%s", path);
            temp_used[i] = 1;
            return;
        }
}

void gf_temp_untrack(const char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temp_used[i] && strcmp(temps[i], path) == 0)
            temp_used[i] = 0;
}

/* Only async-signal-safe calls: unlink, then the default action. */
static void remove_temps(int sig)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temp_used[i])
            unlink(temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void gf_temp_cleanup_on_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_temps;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

/* 1 when name is one this library gives a file in progress: .NAME.tmp-XXXXXX
 * (mkstemp's six letters or digits), NAME not empty. */
static int is_temp_name(const char *name)
{
    const size_t n = strlen(name), tail = sizeof ".tmp-XXXXXX" - 1;
    if (name[0] != '.' || n < 1 + 1 + tail || strncmp(name + n - tail, ".tmp-", 5) != 0)
        return 0;
    for (size_t i = n - 6; i < n; i++)
        if (!isalnum((unsigned char)name[i]))
            return 0;
    return 1;
}

int gf_temp_sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    char path[GF_PATH_MAX];
    struct stat st;
    for (struct dirent *e; (e = readdir(d));)
        if (is_temp_name(e->d_name) && gf_path_join(path, sizeof path, dir, e->d_name) == 0 &&
            lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
            removed++;
    closedir(d);
    return removed;
}

/* ---- atomic files ------------------------------------------------------- */

FILE *gf_atomic_open(gf_atomic *a, const char *path)
{
    memset(a, 0, sizeof *a);
    const char *slash = strrchr(path, '/');
    const int dirlen = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path ||
        snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.tmp-XXXXXX", dirlen, path,
                 slash ? slash + 1 : path) >= (int)sizeof a->tmp) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    /* mkstemp's job, with the name tracked before the file exists: a signal
     * between mkstemp's return and the tracking left the file behind */
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned long counter;
    char *x = a->tmp + strlen(a->tmp) - 6;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long v = (++counter * 2654435761ul) ^ ((unsigned long)getpid() << 16) ^
                          (unsigned long)ts.tv_nsec;
        for (int i = 0; i < 6; i++, v /= 62)
            x[i] = letters[v % 62];
        gf_temp_track(a->tmp);
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); /* 0666 & ~umask */
        if (fd < 0) {
            const int e = errno;
            gf_temp_untrack(a->tmp);
            errno = e;
            if (e != EEXIST)
                return NULL;
        }
    }
    if (fd < 0)
        return NULL;
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        const int e = errno;
        close(fd);
        unlink(a->tmp);
        gf_temp_untrack(a->tmp);
        errno = e;
    }
    return a->f;
}

int gf_stream_errno(FILE *f)
{
    const int before = errno;
    if (ferror(f)) { /* the buffered bytes are written again: the same failure, its errno */
        errno = 0;
        if (fflush(f) != 0 && errno != 0)
            return errno;
    }
    return before ? before : EIO;
}

int gf_atomic_commit(gf_atomic *a)
{
    int ok = a->f && !ferror(a->f) && fflush(a->f) == 0;
    int e = errno;
    if (a->f && fclose(a->f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    a->f = NULL;
    if (ok && rename(a->tmp, a->path) == 0) {
        gf_temp_untrack(a->tmp);
        return 0;
    }
    if (ok)
        e = errno;
    unlink(a->tmp);
    gf_temp_untrack(a->tmp);
    errno = e ? e : EIO;
    return -1;
}

void gf_atomic_abort(gf_atomic *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp[0]) {
        unlink(a->tmp);
        gf_temp_untrack(a->tmp);
    }
}

int gf_write_file(const char *path, gf_write_fn write, const void *ctx, char *why, size_t size)
{
    gf_atomic a;
    FILE *f = gf_atomic_open(&a, path);
    if (!f) {
        snprintf(why, size, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    errno = 0;
    if (write(f, ctx) != 0 || ferror(f)) {
        const int e = gf_stream_errno(f);
        gf_atomic_abort(&a);
        snprintf(why, size, "cannot write %s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    if (gf_atomic_commit(&a) != 0) {
        snprintf(why, size, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int gf_make_dirs(const char *dir)
{
    char buf[GF_PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return access(buf, W_OK | X_OK);
}

int gf_path_join(char *buf, size_t size, const char *dir, const char *name)
{
    const size_t n = strlen(dir);
    const int w = snprintf(buf, size, "%s%s%s", dir, n && dir[n - 1] != '/' ? "/" : "", name);
    return w < 0 || (size_t)w >= size ? -1 : 0;
}

int gf_write_in(const char *dir, const char *name, gf_write_fn write, const void *ctx, char *why,
                size_t size)
{
    char path[GF_PATH_MAX];
    if (gf_path_join(path, sizeof path, dir, name) != 0) {
        snprintf(why, size, "path too long: %s/%s", dir, name);
        return -1;
    }
    return gf_write_file(path, write, ctx, why, size);
}

/* A named file's writer with its ctx, for gf_write_file. */
typedef struct named_write {
    const gf_named_file *file;
    const void *ctx;
} named_write;

static int write_named(FILE *f, const void *ctx)
{
    const named_write *w = ctx;
    if (w->file->columns)
        fprintf(f, "%s\n", w->file->columns);
    w->file->rows(f, w->ctx);
    return 0; /* gf_write_file checks the stream's error flag */
}

int gf_write_all_in(const char *dir, const gf_named_file *files, size_t n, const void *ctx,
                    char *why, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        const named_write w = {&files[i], ctx};
        if (gf_write_in(dir, files[i].name, write_named, &w, why, size) != 0)
            return -1;
    }
    return 0;
}
