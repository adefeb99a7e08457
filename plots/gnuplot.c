/* gnuplot.c: running gnuplot through a pipe; .gp files; atomic figure files. */
#include "plots/gf_plot.h"

#include "io/gf_io.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The program to run: $GRADFLOW_GNUPLOT if set (tests point it at nothing). */
static const char *gnuplot_program(void)
{
    const char *p = getenv("GRADFLOW_GNUPLOT");
    return p && *p ? p : "gnuplot";
}

int gf_plot_available(void)
{
    const char *prog = gnuplot_program();
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    char dir[GF_PATH_MAX];
    while (*path) {
        const size_t n = strcspn(path, ":");
        snprintf(dir, sizeof dir, "%.*s/%s", (int)n, n ? path : ".", prog);
        if (access(dir, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

void gf_plot_quote_shell(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", out); /* close, escaped quote, reopen */
        else
            fputc(*s, out);
    fputc('\'', out);
}

void gf_plot_quote(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', out);
        fputc(*s, out);
    }
    fputc('\'', out);
}

static void terminal(FILE *out, gf_term term, int columns, int rows)
{
    switch (term) {
    case GF_TERM_PNG:
        fputs("set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4\n",
              out);
        break;
    case GF_TERM_SVG:
        fputs("set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 "
              "background '#ffffff'\n",
              out);
        break;
    case GF_TERM_DUMB:
        fprintf(out, "set terminal dumb size %d,%d\n", columns, rows);
        break;
    }
}

/* Every figure is drawn twice: PNG and SVG. */
static const gf_term terms[2] = {GF_TERM_PNG, GF_TERM_SVG};
static const char *const ext[2] = {"png", "svg"};

/* One drawing: terminal, output, body. */
static int emit(FILE *out, gf_term term, const char *output, gf_plot_body body, const void *ctx,
                int columns, int rows)
{
    fputs("reset\n", out);
    terminal(out, term, columns, rows);
    fputs("set output", out);
    if (output) {
        fputc(' ', out);
        gf_plot_quote(out, output);
    }
    fputc('\n', out);
    if (body(out, term, ctx) != 0)
        return -1;
    fputs("unset output\n", out);
    return ferror(out) ? -1 : 0;
}

/* The last non-empty line gnuplot wrote to its error file: what went wrong. */
static void last_error_line(const char *path, char *line, size_t size)
{
    char buf[512];
    line[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(buf, sizeof buf, f)) {
        const char *b = buf + strspn(buf, " \t");
        const size_t n = strcspn(b, "\r\n");
        if (n > 0)
            snprintf(line, size, "%.*s", (int)n, b);
    }
    fclose(f);
}

/* Run a script through gnuplot, its messages kept in a temporary file; 0 (with
 * gnuplot's last message, if any, in why), 1 (gnuplot missing) or -1 with
 * gnuplot's last message in why. */
static int run_gnuplot(const char *script, size_t len, char *why, size_t size)
{
    if (!gf_plot_available()) {
        snprintf(why, size, "gnuplot is not installed (apt-get install gnuplot-nox)");
        return 1;
    }
    const char *tmpdir = getenv("TMPDIR");
    char err[4096], cmd[8192];
    snprintf(err, sizeof err, "%s/gradflow-gnuplot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    const int fd = mkstemp(err);
    if (fd < 0) {
        snprintf(why, size, "cannot create a temporary file for gnuplot: %s", strerror(errno));
        return -1;
    }
    close(fd);
    gf_temp_track(err);
    /* exec 'PROGRAM' 2>'ERRFILE', both quoted for the shell */
    FILE *c = fmemopen(cmd, sizeof cmd, "w");
    if (!c) {
        unlink(err);
        gf_temp_untrack(err);
        snprintf(why, size, "out of memory");
        return -1;
    }
    fputs("exec ", c);
    gf_plot_quote_shell(c, gnuplot_program());
    fputs(" 2>", c);
    gf_plot_quote_shell(c, err);
    fputc('\0', c);
    fclose(c);
    fflush(NULL);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* gnuplot may exit early */
    FILE *p = popen(cmd, "w");
    if (!p) {
        signal(SIGPIPE, old);
        unlink(err);
        gf_temp_untrack(err);
        snprintf(why, size, "cannot start gnuplot: %s", strerror(errno));
        return -1;
    }
    const int wrote = fwrite(script, 1, len, p) == len && fputs("exit\n", p) != EOF;
    const int status = pclose(p);
    signal(SIGPIPE, old);
    char message[256];
    last_error_line(err, message, sizeof message);
    unlink(err);
    gf_temp_untrack(err);
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(why, size, "gnuplot could not be run (apt-get install gnuplot-nox)");
        return 1;
    }
    if (!wrote || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, size, "gnuplot failed (exit status %d)%s%s",
                 status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 message[0] ? ": " : "", message);
        return -1;
    }
    snprintf(why, size, "%s", message); /* a warning, or a hint when its output is cut short */
    return 0;
}

typedef struct script_ctx {
    const char *name;
    gf_plot_body body;
    const void *ctx;
} script_ctx;

/* NAME.gp: the PNG, then the SVG, under their final names. */
static int write_script(FILE *f, const void *p)
{
    const script_ctx *c = p;
    char out[512];
    fprintf(f, "# %s.gp: redraws %s.png and %s.svg from this folder's TSV files.\n"
               "# Run it inside the run folder: gnuplot %s.gp\n",
            c->name, c->name, c->name, c->name);
    for (int i = 0; i < 2; i++) {
        snprintf(out, sizeof out, "%s.%s", c->name, ext[i]);
        if (emit(f, terms[i], out, c->body, c->ctx, 0, 0) != 0)
            return -1;
    }
    return 0;
}

int gf_plot_script(const char *dir, const char *name, gf_plot_body body, const void *ctx,
                   char *why, size_t size)
{
    char path[GF_PATH_MAX], file[512];
    snprintf(file, sizeof file, "%s.gp", name);
    if (gf_path_join(path, sizeof path, dir, file) != 0) {
        snprintf(why, size, "path too long");
        return -1;
    }
    const script_ctx c = {name, body, ctx};
    return gf_write_file(path, write_script, &c, why, size);
}

/* A gnuplot script written in memory, then piped to gnuplot. */
typedef struct script {
    char *text;
    size_t len;
    FILE *m;
} script;

/* Start a script in dir. 0, or -1 with why (out of memory). */
static int script_begin(script *s, const char *dir, char *why, size_t size)
{
    *s = (script){0};
    if (!(s->m = open_memstream(&s->text, &s->len))) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    fputs("cd ", s->m);
    gf_plot_quote(s->m, dir);
    fputc('\n', s->m);
    return 0;
}

/* Close the script and, unless bad, run it; free it. run_gnuplot's status, or
 * -1 when bad (why kept when it says something). */
static int script_end(script *s, int bad, char *why, size_t size)
{
    fclose(s->m);
    if (bad && !*why)
        snprintf(why, size, "cannot compose the gnuplot script (out of memory?)");
    const int rc = bad ? -1 : run_gnuplot(s->text, s->len, why, size);
    free(s->text);
    return rc;
}

/* The last bytes of the file at path (up to size, fewer when it is shorter)
 * into tail; its length in *total. The count read, or -1 when unreadable. */
static long file_tail(const char *path, unsigned char *tail, long size, long *total)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (*total = ftell(f)) >= 0) {
        const long from = *total > size ? *total - size : 0;
        if (fseek(f, from, SEEK_SET) == 0)
            n = (long)fread(tail, 1, (size_t)(*total - from), f);
    }
    fclose(f);
    return n;
}

/* gnuplot exits 0 even when writing its output failed (a full disk, a
 * file-size limit): the drawn file must end as a whole PNG (its IEND chunk)
 * or SVG (</svg>) does. 0, or -1 with why naming final, the file it becomes. */
static int check_drawn(const char *path, int png, const char *final, const char *said,
                       char *why, size_t size)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    unsigned char tail[64];
    long total = 0, n = file_tail(path, tail, sizeof tail, &total);
    if (png && n >= 12 && memcmp(tail + n - 12, iend, 12) == 0)
        return 0;
    while (!png && n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == ' ' || tail[n - 1] == '\r'))
        n--;
    if (!png && n >= 6 && memcmp(tail + n - 6, "</svg>", 6) == 0)
        return 0;
    char what[96];
    if (n < 0 || total == 0)
        snprintf(what, sizeof what, "%s", n < 0 ? "was not written" : "is empty");
    else
        snprintf(what, sizeof what, "is cut short at %ld bytes (no %s at its end)", total,
                 png ? "IEND chunk" : "</svg>");
    snprintf(why, size, "gnuplot's drawing of %s %s: the disk may be full or a file-size limit "
             "reached%s%s", final, what, *said ? "; gnuplot said: " : "", said);
    return -1;
}

/* Temporary names beside the figures, made as gf_atomic makes its own
 * (.NAME.EXT.tmp-XXXXXX), tracked so that a signal removes them. 0, or -1. */
static int temp_names(const char *dir, const char *name, char tmp[2][GF_PATH_MAX],
                      int *made, char *why, size_t size)
{
    char file[512];
    for (*made = 0; *made < 2; (*made)++) {
        const int i = *made;
        snprintf(file, sizeof file, ".%s.%s.tmp-XXXXXX", name, ext[i]);
        int fd = -1;
        if (gf_path_join(tmp[i], GF_PATH_MAX, dir, file) != 0 || (fd = mkstemp(tmp[i])) < 0) {
            snprintf(why, size, "cannot create a temporary file in %s: %s", dir,
                     fd < 0 && errno ? strerror(errno) : "path too long");
            return -1;
        }
        const mode_t mask = umask(0); /* mkstemp makes 0600: give what gnuplot's own
                                         file would have, 0666 & ~umask */
        umask(mask);
        fchmod(fd, 0666 & ~mask);
        close(fd);
        gf_temp_track(tmp[i]);
    }
    return 0;
}

int gf_plot_figure(const char *dir, const char *name, gf_plot_body body, const void *ctx,
                   char *why, size_t size)
{
    char file[512], tmp[2][GF_PATH_MAX], final[2][GF_PATH_MAX];
    int made = 0;

    /* 1. The .gp script, for redrawing by hand from the run folder. */
    if (gf_plot_script(dir, name, body, ctx, why, size) != 0)
        return -1;

    /* 2. The same drawing through a pipe, into temporary names. */
    script sc;
    if (script_begin(&sc, dir, why, size) != 0)
        return -1;
    *why = '\0';
    int bad = temp_names(dir, name, tmp, &made, why, size) != 0;
    for (int i = 0; i < 2 && !bad; i++) {
        snprintf(file, sizeof file, "%s.%s", name, ext[i]);
        bad = gf_path_join(final[i], sizeof final[i], dir, file) != 0 ||
              emit(sc.m, terms[i], strrchr(tmp[i], '/') ? strrchr(tmp[i], '/') + 1 : tmp[i],
                   body, ctx, 0, 0) != 0;
    }
    int rc = script_end(&sc, bad, why, size);
    char said[256];
    snprintf(said, sizeof said, "%s", rc == 0 ? why : "");
    for (int i = 0; i < made && rc == 0; i++) /* both whole before either is renamed */
        rc = check_drawn(tmp[i], i == 0, final[i], said, why, size);
    for (int i = 0; i < made; i++) {
        if (rc == 0 && rename(tmp[i], final[i]) != 0) {
            snprintf(why, size, "cannot rename %s: %s", tmp[i], strerror(errno));
            rc = -1;
        }
        unlink(tmp[i]); /* nothing half-drawn stays behind */
        gf_temp_untrack(tmp[i]);
    }
    if (rc == 1) {
        char more[256];
        snprintf(more, sizeof more, "; draw later with: cd %s && gnuplot %s.gp", dir, name);
        strncat(why, more, size - strlen(why) - 1);
    }
    return rc;
}

int gf_plot_terminal(const char *dir, gf_plot_body body, const void *ctx, int columns, int rows,
                     char *why, size_t size)
{
    script sc;
    if (script_begin(&sc, dir, why, size) != 0)
        return -1;
    *why = '\0';
    const int bad = emit(sc.m, GF_TERM_DUMB, NULL, body, ctx, columns, rows) != 0;
    return script_end(&sc, bad, why, size);
}
