/* lesson.h: what every gradflow lesson shares (the format is in README.md).
 *
 * A lesson is one C program that tells one story. It parses the same options
 * (--lang, --out, --quick, --no-plot, --help), prints its narrative with the
 * numbers it measures, and writes the same narrative into DIR/lesson.md with
 * its figures embedded. Every piece of text is given in both languages and
 * the run picks one:
 *
 *   lesson_say(&ls, "The gradient lost %.1f decades.",
 *                   "그래디언트가 %.1f자리 줄었습니다.", lost);
 *
 * The compiler checks both formats against the same arguments, so the numbers
 * must come in the same order in both sentences. In a paragraph, `code` is
 * kept as code in Markdown and shown without the backticks on the terminal.
 *
 *   lesson ls;
 *   int rc = lesson_parse(argc, argv, &info, &ls.opt);
 *   if (rc != LESSON_GO) return rc;              // --help, or a usage error
 *   if ((rc = lesson_begin(&ls, &info)) != 0) return rc;
 *   lesson_heading(&ls, "Step 1", "1단계");
 *   ...
 *   return lesson_end(&ls);                      // writes lesson.md, manifest.json
 */
#ifndef GF_LESSON_H
#define GF_LESSON_H

#include "gradflow.h"
#include "plots/gf_plot.h"

#include <stdio.h>

enum { LESSON_OK = 0, LESSON_RUNTIME = 1, LESSON_USAGE = 2, LESSON_GO = -1 };

typedef enum { LESSON_EN, LESSON_KO } lesson_lang;

#define LESSON_FMT(a, b) __attribute__((format(printf, a, b)))
#define LESSON_FMT2(a, b, c) __attribute__((format(printf, a, c), format(printf, b, c)))

typedef struct lesson_info {
    const char *prog;              /* "lesson-01-highway": error messages, manifest */
    const char *slug;              /* "01-highway": default --out notebooks-c/out/<slug> */
    const char *title_en, *title_ko;
    const char *about_en, *about_ko; /* what the lesson shows, for --help */
} lesson_info;

typedef struct lesson_opts {
    lesson_lang lang;
    const char *out;
    int quick, no_plot;
    int argc;
    char **argv;
} lesson_opts;

typedef struct lesson {
    const lesson_info *info;
    lesson_opts opt;
    gf_atomic md_file;
    FILE *md;
    int in_pre;        /* a preformatted block is open */
    int figures;       /* figures so far (numbering) */
    int plot_missing;  /* gnuplot is missing (warned once) */
    double t0;
    json_t *settings;  /* the lesson adds what it ran with; goes into manifest.json */
} lesson;

/* Parse the options: LESSON_GO to run, else the exit status (0 after
 * --help, 2 after a one-line usage error on stderr). */
int lesson_parse(int argc, char **argv, const lesson_info *info, lesson_opts *o);

/* Make the output folder and start lesson.md; 0, or 1 after a message. */
int lesson_begin(lesson *ls, const lesson_info *info);

/* Pick the text of the running language. */
#define LESSON_T(ls, en, ko) ((ls)->opt.lang == LESSON_KO ? (ko) : (en))

void lesson_heading(lesson *ls, const char *en, const char *ko, ...) LESSON_FMT2(2, 3, 4);
void lesson_say(lesson *ls, const char *en, const char *ko, ...) LESSON_FMT2(2, 3, 4);
/* A formula: plain text on the terminal, TeX ($$...$$) in Markdown. */
void lesson_math(lesson *ls, const char *text, const char *tex);
/* One line of a preformatted block (tables); the same in both languages. */
void lesson_pre(lesson *ls, const char *fmt, ...) LESSON_FMT(2, 3);

/* Draw dir/NAME.{gp,png,svg} (dir is relative to --out, "" for --out itself)
 * with a gf_plot recipe, show it in the terminal when `terminal` is set, and
 * embed the PNG in lesson.md under a numbered caption. Missing gnuplot is a
 * warning (once); --no-plot draws nothing. 0, or 1 after a message. */
int lesson_figure(lesson *ls, const char *dir, const char *name, gf_plot_body body,
                  const void *ctx, int terminal, const char *caption_en, const char *caption_ko);

/* dir joined to --out, made if missing; 0, or 1 after a message. */
int lesson_dir(lesson *ls, const char *dir, char *path, size_t size);

/* Finish lesson.md and manifest.json (atomically); the exit status. */
int lesson_end(lesson *ls);

/* "PROG: message" on stderr; drops the unfinished lesson.md; returns status. */
int lesson_fail(lesson *ls, int status, const char *fmt, ...) LESSON_FMT(3, 4);
void lesson_warn(const char *fmt, ...) LESSON_FMT(1, 2);

/* Display width of UTF-8 text (Hangul and other wide characters count 2). */
size_t lesson_width(const char *s);

#endif
