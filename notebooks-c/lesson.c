/* lesson.c: options, bilingual text to the terminal and lesson.md, figures. */
#define _GNU_SOURCE /* nftw */
#include "lesson.h"
#include "lesson_priv.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { WRAP = 78 };

static const char *prog = "lesson";

/* Drop the unfinished lesson.md and the settings. */
static void discard(lesson *ls)
{
    if (ls->md) {
        gf_atomic_abort(&ls->md_file);
        ls->md = NULL;
    }
    if (ls->settings) {
        json_decref(ls->settings);
        ls->settings = NULL;
    }
}

void lesson_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int lesson_fail(lesson *ls, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (ls)
        discard(ls);
    return status;
}

/* ---- options ----------------------------------------------------------- */

static void help(const lesson_info *in, lesson_lang lang)
{
    if (lang == LESSON_KO)
        printf("사용법: %s [옵션]\n\n%s\n\n"
               "옵션:\n"
               "  --lang en|ko   설명에 쓸 언어                         [en]\n"
               "  --out DIR      결과 폴더 (lesson.md, TSV, 그림)\n"
               "                 [notebooks-c/out/%s/ko, 현재 폴더 기준; 이전 실행의 파일은 지움]\n"
               "  --quick        더 작고 빠른 실험\n"
               "  --pause        질문마다 Enter를 기다린 뒤 측정 (터미널에서만)\n"
               "  --no-plot      그림을 그리지 않음 (데이터와 lesson.md만)\n"
               "  --help         이 도움말 (--lang ko와 함께 쓰면 한국어)\n\n"
               "종료 상태: 0 성공 (gnuplot이 없어도 경고만 하고 0), 1 실행 오류, 2 사용법 오류.\n",
               in->prog, in->about_ko, in->slug);
    else
        printf("Usage: %s [OPTIONS]\n\n%s\n\n"
               "Options:\n"
               "  --lang en|ko   language of the narrative               [en]\n"
               "  --out DIR      output folder (lesson.md, TSV files, figures)\n"
               "                 [notebooks-c/out/%s/en, relative to the current folder;\n"
               "                 the files of an earlier run of this lesson are removed]\n"
               "  --quick        a smaller, faster experiment\n"
               "  --pause        wait for Enter after each question, then measure\n"
               "                 (on a terminal only)\n"
               "  --no-plot      draw nothing (data and lesson.md only)\n"
               "  --help         this help (in Korean with --lang ko)\n\n"
               "Exit status: 0 success (also without gnuplot: a warning), 1 runtime failure,\n"
               "2 usage error.\n",
               in->prog, in->about_en, in->slug);
}

int lesson_parse(int argc, char **argv, const lesson_info *info, lesson_opts *o)
{
    enum { O_LANG = 256, O_OUT, O_QUICK, O_NOPLOT, O_PAUSE, O_HELP };
    static const struct option longopts[] = {
        {"lang", required_argument, 0, O_LANG}, {"out", required_argument, 0, O_OUT},
        {"quick", no_argument, 0, O_QUICK},     {"no-plot", no_argument, 0, O_NOPLOT},
        {"pause", no_argument, 0, O_PAUSE},     {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    static char default_out[512];
    prog = info->prog;
    *o = (lesson_opts){.lang = LESSON_EN, .out = NULL, .argc = argc, .argv = argv};
    int c, want_help = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case O_LANG:
            if (strcmp(optarg, "en") == 0)
                o->lang = LESSON_EN;
            else if (strcmp(optarg, "ko") == 0)
                o->lang = LESSON_KO;
            else
                return lesson_fail(NULL, LESSON_USAGE, "--lang: unknown '%s' (choose en or ko)",
                                   optarg);
            break;
        case O_OUT:
            if (!*optarg)
                return lesson_fail(NULL, LESSON_USAGE, "--out needs a non-empty path");
            o->out = optarg;
            break;
        case O_QUICK:
            o->quick = 1;
            break;
        case O_NOPLOT:
            o->no_plot = 1;
            break;
        case O_PAUSE:
            o->pause = 1;
            break;
        case 'h':
        case O_HELP:
            want_help = 1;
            break;
        case ':':
            return lesson_fail(NULL, LESSON_USAGE, "%s needs a value", argv[optind - 1]);
        default:
            return lesson_fail(NULL, LESSON_USAGE, "unknown option '%s' (see %s --help)",
                               argv[optind - 1], prog);
        }
    }
    if (optind < argc)
        return lesson_fail(NULL, LESSON_USAGE, "unexpected argument '%s'", argv[optind]);
    if (!o->out) { /* one folder per language: a Korean run never overwrites the English page */
        snprintf(default_out, sizeof default_out, "notebooks-c/out/%s/%s", info->slug,
                 o->lang == LESSON_KO ? "ko" : "en");
        o->out = default_out;
    }
    if (want_help) {
        help(info, o->lang);
        return LESSON_OK;
    }
    return LESSON_GO;
}

int lesson_start(int argc, char **argv, const lesson_info *info, lesson *ls)
{
    const char *why = NULL;
    if (gf_blas_setup(argv, &why) != 0) {
        fprintf(stderr, "%s: %s\n", info->prog, why);
        return LESSON_RUNTIME;
    }
    gsl_set_error_handler_off();
    gf_temp_cleanup_on_signals(); /* an interrupted lesson leaves no temporary file */
    const int rc = lesson_parse(argc, argv, info, &ls->opt);
    if (rc != LESSON_GO)
        return rc;
    return lesson_begin(ls, info) == 0 ? LESSON_GO : LESSON_RUNTIME;
}

int lesson_main(int argc, char **argv, const lesson_info *info, int (*teach)(lesson *ls))
{
    lesson ls;
    int rc = lesson_start(argc, argv, info, &ls);
    if (rc != LESSON_GO)
        return rc;
    if ((rc = teach(&ls)) != 0) {
        discard(&ls);
        return rc;
    }
    return lesson_end(&ls);
}

int lesson_data(lesson *ls, size_t ntrain, size_t ntest, gf_dataset *train, gf_dataset *test,
                const char **name)
{
    char why[512];
    if (gf_data_load(GF_DATA_AUTO, GF_FASHION_DIR, ntrain, ntest, train, test, name, why,
                        sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    return 0;
}

gf_stack_config lesson_trained_config(size_t width, const gf_dataset *train)
{
    gf_stack_config c = gf_stack_config_default();
    c.width = width;
    c.norm = GF_NORM_BATCH;
    c.init = GF_INIT_HE;
    c.in_dim = train->dim;
    c.classes = train->classes;
    return c;
}

gf_train_config lesson_train_config(size_t batch, int epochs, size_t ntrain)
{
    return (gf_train_config){
        .batch = batch, .epochs = epochs, .optim = gf_optim_config_default(GF_OPTIM_SGD),
        .sched = {.kind = GF_SCHED_STEP, .lr = 0.1, .gamma = 0.1, .milestones = {0.5, 0.75},
                  .n_milestones = 2},
        .probe_every = (long)(ntrain / batch)};
}

void lesson_data_note(lesson *ls, const char *name, const gf_dataset *train)
{
    if (strcmp(name, "synthetic") == 0)
        lesson_say(ls,
                   "**Note: Fashion-MNIST is not installed** in `%s`, so this run uses "
                   "gradflow's built-in synthetic set (%zu features, %zu classes).",
                   "**참고: Fashion-MNIST가 설치되어 있지 않아** (`%s`) gradflow의 내장 합성 "
                   "데이터(특성 %zu개, 클래스 %zu개)를 씁니다.",
                   GF_FASHION_DIR, train->dim, train->classes);
}

/* ---- text -------------------------------------------------------------- */

/* Columns of one UTF-8 character starting at s; *len gets its bytes. */
static int char_width(const unsigned char *s, int *len)
{
    unsigned cp = s[0];
    *len = 1;
    if (cp >= 0xf0 && s[1] && s[2] && s[3]) {
        cp = (cp & 7u) << 18 | (s[1] & 63u) << 12 | (s[2] & 63u) << 6 | (s[3] & 63u);
        *len = 4;
    } else if (cp >= 0xe0 && s[1] && s[2]) {
        cp = (cp & 15u) << 12 | (s[1] & 63u) << 6 | (s[2] & 63u);
        *len = 3;
    } else if (cp >= 0xc0 && s[1]) {
        cp = (cp & 31u) << 6 | (s[1] & 63u);
        *len = 2;
    }
    const int wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                     (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                     (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                     (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff);
    return wide ? 2 : 1;
}

size_t lesson_width(const char *s)
{
    size_t w = 0;
    int len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
        w += (size_t)char_width(p, &len);
    return w;
}

const char *lesson_pad(char *buf, size_t size, const char *s, size_t width)
{
    const size_t w = lesson_width(s);
    snprintf(buf, size, "%s%*s", s, w < width ? (int)(width - w) : 0, "");
    return buf;
}

char *lesson_vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

static void close_pre(lesson *ls)
{
    if (!ls->in_pre)
        return;
    fputs("```\n\n", ls->md);
    fputc('\n', stdout);
    ls->in_pre = 0;
}

/* The terminal form of a paragraph: backticks dropped, words wrapped at
 * WRAP columns, '\n' kept as a line break; a line starting "- " (a list
 * item) wraps with a hanging indent. */
static void print_wrapped(const char *text)
{
    size_t col = 0, hang = 0;
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            fputc('\n', stdout);
            col = 0;
            p++;
            continue;
        }
        if (col == 0)
            hang = strncmp(p, "- ", 2) == 0 ? 2 : 0;
        const size_t n = strcspn(p, " \n");
        char word[1024];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof word; i++)
            if (p[i] != '`')
                word[k++] = p[i];
        word[k] = '\0';
        const size_t w = lesson_width(word);
        if (col > 0 && col + 1 + w > WRAP) {
            printf("\n%*s", (int)hang, "");
            col = hang;
        } else if (col > 0) {
            fputc(' ', stdout);
            col++;
        }
        fputs(word, stdout);
        col += w;
        p += n;
        while (*p == ' ')
            p++;
    }
    fputs("\n\n", stdout);
}

/* A title: underlined with `rule` on the terminal, after `mark` in Markdown. */
static void underlined(lesson *ls, const char *title, char rule, const char *mark)
{
    const size_t w = lesson_width(title);
    printf("%s\n", title);
    for (size_t i = 0; i < w; i++)
        fputc(rule, stdout);
    fputs("\n\n", stdout);
    fprintf(ls->md, "%s %s\n\n", mark, title);
}

/* A heading or a paragraph in the running language; a heading is underlined
 * on the terminal, a paragraph wrapped. */
static void vtext(lesson *ls, int heading, const char *en, const char *ko, va_list ap)
{
    char *s = lesson_vformat(LESSON_T(ls, en, ko), ap);
    if (!s)
        return;
    close_pre(ls);
    if (heading) {
        underlined(ls, s, '-', "##");
    } else {
        print_wrapped(s);
        for (const char *p = s; *p; p++) /* a Markdown paragraph: '\n' is a hard break */
            if (*p == '\n')
                fputs("  \n", ls->md);
            else
                fputc(*p, ls->md);
        fputs("\n\n", ls->md);
    }
    free(s);
}

void lesson_labeled(lesson *ls, int quote, const char *label, const char *text)
{
    close_pre(ls);
    char *t = malloc(strlen(label) + strlen(text) + 2);
    if (!t)
        return;
    sprintf(t, "%s %s", label, text);
    print_wrapped(t);
    free(t);
    fprintf(ls->md, "%s**%s** ", quote ? "> " : "", label);
    for (const char *p = text; *p; p++)
        if (*p == '\n')
            fputs(quote ? "  \n> " : "  \n", ls->md);
        else
            fputc(*p, ls->md);
    fputs("\n\n", ls->md);
}

void lesson_heading(lesson *ls, const char *en, const char *ko, ...)
{
    va_list ap;
    va_start(ap, ko);
    vtext(ls, 1, en, ko, ap);
    va_end(ap);
}

void lesson_say(lesson *ls, const char *en, const char *ko, ...)
{
    va_list ap;
    va_start(ap, ko);
    vtext(ls, 0, en, ko, ap);
    va_end(ap);
}

void lesson_math(lesson *ls, const char *text, const char *tex)
{
    close_pre(ls);
    printf("    %s\n\n", text);
    fprintf(ls->md, "$$%s$$\n\n", tex);
}

void lesson_pre(lesson *ls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = lesson_vformat(fmt, ap);
    va_end(ap);
    if (!s)
        return;
    if (!ls->in_pre) {
        fputs("```text\n", ls->md);
        ls->in_pre = 1;
    }
    printf("  %s\n", s);
    fprintf(ls->md, "%s\n", s);
    free(s);
}

double lesson_decades(double x) { return fabs(x) < 0.005 ? 0.0 : x; }

const char *lesson_change(const lesson *ls, char *buf, size_t size, double r)
{
    if (fabs(r) < 0.005)
        snprintf(buf, size, "%s", LESSON_T(ls, "keeps its size", "크기를 그대로 유지합니다"));
    else if (r < 0)
        snprintf(buf, size, LESSON_T(ls, "shrinks by %.2f decades", "%.2f자리 줄어듭니다"), -r);
    else
        snprintf(buf, size, LESSON_T(ls, "grows by %.2f decades", "%.2f자리 커집니다"), r);
    return buf;
}

const char *lesson_pow2_text(char *buf, size_t size, double log2x)
{
    char full[64];
    gf_format_pow2(full, sizeof full, log2x);
    const char *e = strchr(full, 'e');
    if (e)
        snprintf(buf, size, "%.4s%.8s", full, e);
    else
        snprintf(buf, size, "%.24s", full);
    return buf;
}

double lesson_theory_next(const gf_gradnorm_result *res, int a, int l, double t, double mean)
{
    if (l == res->blocks)
        return mean;
    const double gain = res->theory[a * res->blocks + l];
    return isnan(gain) ? t : t + gain;
}

/* ---- files and figures ------------------------------------------------- */

int lesson_dir(lesson *ls, const char *dir, char *path, size_t size)
{
    const int bad = *dir ? gf_path_join(path, size, ls->opt.out, dir) != 0
                         : (size_t)snprintf(path, size, "%s", ls->opt.out) >= size;
    if (bad)
        return lesson_fail(ls, LESSON_RUNTIME, "path too long: %s/%s", ls->opt.out, dir);
    if (gf_make_dirs(path) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "cannot use output folder '%s': %s", path,
                           strerror(errno));
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    return ftw->level > 0 ? remove(path) : 0; /* the folder itself stays */
}

/* A folder that holds an earlier run of this lesson (its manifest.json names
 * the program) is emptied first, so no file of a run with other settings
 * (a full run's depth-110 data beside a --quick page) is left behind. A
 * folder of anything else is left alone. 0, or 1 after a message. */
static int clear_previous(lesson *ls)
{
    char path[GF_PATH_MAX];
    if (gf_path_join(path, sizeof path, ls->opt.out, "manifest.json") != 0)
        return 0;
    json_t *m = json_load_file(path, 0, NULL);
    const char *cmd = m ? json_string_value(json_object_get(m, "command")) : NULL;
    const int ours = cmd && strcmp(cmd, ls->info->prog) == 0;
    json_decref(m);
    if (ours && nftw(ls->opt.out, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "cannot clear the earlier run in '%s': %s",
                           ls->opt.out, strerror(errno));
    return 0;
}

int lesson_begin(lesson *ls, const lesson_info *info)
{
    const lesson_opts o = ls->opt;
    *ls = (lesson){.info = info, .opt = o, .t0 = gf_now(), .settings = json_object()};
    char path[GF_PATH_MAX];
    if (clear_previous(ls) != 0 || lesson_dir(ls, "", path, sizeof path) != 0)
        return LESSON_RUNTIME;
    if (gf_path_join(path, sizeof path, o.out, "lesson.md") != 0 ||
        !(ls->md = gf_atomic_open(&ls->md_file, path)))
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s/lesson.md: %s", o.out,
                           strerror(errno));
    underlined(ls, LESSON_T(ls, info->title_en, info->title_ko), '=', "#");
    json_object_set_new(ls->settings, "lang", json_string(o.lang == LESSON_KO ? "ko" : "en"));
    json_object_set_new(ls->settings, "quick", json_boolean(o.quick));
    return 0;
}

int lesson_figure(lesson *ls, const char *dir, const char *name, gf_plot_body body,
                  const void *ctx, int terminal, const char *caption_en, const char *caption_ko)
{
    char path[GF_PATH_MAX], why[512], where[1024];
    const char *caption = LESSON_T(ls, caption_en, caption_ko);
    const int n = ++ls->figures;
    snprintf(where, sizeof where, "%s%s%s.png", dir, *dir ? "/" : "", name);
    close_pre(ls);
    if (ls->opt.no_plot) {
        printf(LESSON_T(ls, "[Figure %d: %s — not drawn (--no-plot)]\n\n",
                        "[그림 %d: %s — 그리지 않음 (--no-plot)]\n\n"),
               n, caption);
        fprintf(ls->md, LESSON_T(ls, "*Figure %d: %s (not drawn: run without `--no-plot`).*\n\n",
                                 "*그림 %d: %s (그리지 않음: `--no-plot` 없이 실행하세요).*\n\n"),
                n, caption);
        return 0;
    }
    if (lesson_dir(ls, dir, path, sizeof path) != 0)
        return LESSON_RUNTIME;
    int rc = gf_plot_figure(path, name, body, ctx, why, sizeof why);
    if (rc < 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    if (rc == 0 && terminal) {
        fflush(stdout);
        if (gf_plot_terminal(path, body, ctx, 100, 30, why, sizeof why) < 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    }
    if (rc == 1) {
        if (!ls->plot_missing)
            lesson_warn("%s", why);
        ls->plot_missing = 1;
        printf(LESSON_T(ls, "[Figure %d: %s — gnuplot is missing; draw it later with: "
                            "cd %s && gnuplot %s.gp]\n\n",
                        "[그림 %d: %s — gnuplot이 없습니다. 나중에 그리려면: "
                        "cd %s && gnuplot %s.gp]\n\n"),
               n, caption, path, name);
        fprintf(ls->md, LESSON_T(ls, "*Figure %d: %s (not drawn: gnuplot was missing; "
                                     "`%s%s%sgnuplot %s.gp` in this folder draws it).*\n\n",
                                 "*그림 %d: %s (gnuplot이 없어 그리지 못함; 이 폴더에서 "
                                 "`%s%s%sgnuplot %s.gp`로 그릴 수 있습니다).*\n\n"),
                n, caption, *dir ? "cd " : "", dir, *dir ? " && " : "", name);
        return 0;
    }
    printf(LESSON_T(ls, "[Figure %d: %s — %s/%s]\n\n", "[그림 %d: %s — %s/%s]\n\n"), n, caption,
           ls->opt.out, where);
    fprintf(ls->md, "![%s](%s)\n\n*%s %d. %s*\n\n", caption, where,
            LESSON_T(ls, "Figure", "그림"), n, caption);
    return 0;
}

int lesson_end(lesson *ls)
{
    close_pre(ls);
    const double seconds = gf_now() - ls->t0;
    const gf_blas_info *b = gf_blas_info_get();
    char cmd[1024] = "";
    for (int i = 0; i < ls->opt.argc; i++) {
        const char *a = i == 0 ? ls->info->prog : ls->opt.argv[i];
        strncat(cmd, a, sizeof cmd - strlen(cmd) - 2);
        if (i + 1 < ls->opt.argc)
            strcat(cmd, " ");
    }
    fputs("---\n\n", ls->md);
    fprintf(ls->md,
            LESSON_T(ls, "Written by `%s` (gradflow %s; %s, kernel %s, %d threads) in %.1f s. "
                         "Every number on this page was measured by that run.",
                     "`%s`가 만든 페이지입니다 (gradflow %s; %s, 커널 %s, 스레드 %d개, %.1f초). "
                     "이 페이지의 숫자는 모두 그 실행에서 잰 값입니다."),
            cmd, GF_VERSION, b->library, b->kernel, b->threads, seconds);
    fputs("\n", ls->md);
    printf(LESSON_T(ls, "(%.1f s; the same text, with the figures, is in %s/lesson.md)\n",
                    "(%.1f초; 같은 내용이 그림과 함께 %s/lesson.md에 있습니다)\n"),
           seconds, ls->opt.out);
    char path[GF_PATH_MAX];
    snprintf(path, sizeof path, "%s/lesson.md", ls->opt.out);
    ls->md = NULL;
    if (gf_atomic_commit(&ls->md_file) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s: %s", path, strerror(errno));
    json_t *m = gf_manifest_new(ls->info->prog, ls->opt.argc, ls->opt.argv);
    json_object_set_new(m, "settings", ls->settings);
    ls->settings = NULL;
    const int bad = gf_path_join(path, sizeof path, ls->opt.out, "manifest.json") != 0 ||
                    gf_manifest_write(m, path, seconds) != 0;
    json_decref(m);
    if (bad)
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s/manifest.json: %s", ls->opt.out,
                           strerror(errno));
    return fflush(stdout) == 0 ? LESSON_OK
                               : lesson_fail(ls, LESSON_RUNTIME, "cannot write to stdout");
}
