/* lesson.h: what every gradflow lesson shares (the format is in README.md).
 *
 * A lesson is one C program that tells one story. It parses the same options
 * (--lang, --out, --quick, --no-plot, --help), prints its narrative with the
 * numbers it measures, and writes the same narrative into DIR/lesson.md with
 * its figures embedded. Every piece of text is given in both languages and
 * the run picks one:
 *
 *   lesson_say(&ls, "The gradient shrank by %.1f decades.",
 *                   "그래디언트가 %.1f자리 줄었습니다.", lost);
 *
 * The compiler checks both formats against the same arguments, so the numbers
 * must come in the same order in both sentences. In a paragraph, `code` is
 * kept as code in Markdown and shown without the backticks on the terminal.
 *
 *   static int teach(lesson *ls)                 // 0, or the status after a message
 *   {
 *       lesson_heading(ls, "Step 1", "1단계");
 *       ...
 *   }
 *   int main(int argc, char **argv) { return lesson_main(argc, argv, &info, teach); }
 *
 * lesson_main parses the options, starts the page, runs teach and writes
 * lesson.md and manifest.json at the end.
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

/* A lesson's lesson_info: its program is "lesson-" SLUG. */
#define LESSON_INFO(SLUG, TITLE_EN, TITLE_KO, ABOUT_EN, ABOUT_KO)                            \
    {.prog = "lesson-" SLUG, .slug = SLUG, .title_en = TITLE_EN, .title_ko = TITLE_KO,       \
     .about_en = ABOUT_EN, .about_ko = ABOUT_KO}

typedef struct lesson_opts {
    lesson_lang lang;
    const char *out;
    int quick, no_plot;
    int pause;         /* --pause: wait for Enter after each question (on a terminal) */
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
    int questions;     /* predict-first questions so far (numbering) */
    int exercises;     /* "try it" exercises so far (numbering) */
    int plot_missing;  /* gnuplot is missing (warned once) */
    double t0;
    json_t *settings;  /* the lesson adds what it ran with; goes into manifest.json */
} lesson;

/* What every lesson's main does first: the BLAS threads (gf_blas_setup), the
 * GSL error handler off (statuses are checked), temporary files removed on a
 * signal, the options (lesson_parse), then lesson_begin. LESSON_GO to run the
 * lesson, else the exit status (after --help, or after a message). */
int lesson_start(int argc, char **argv, const lesson_info *info, lesson *ls);

/* A lesson's whole main: lesson_start, then teach (the lesson: 0, or the exit
 * status after a message), then lesson_end; the exit status. */
int lesson_main(int argc, char **argv, const lesson_info *info, int (*teach)(lesson *ls));

/* Parse the options: LESSON_GO to run, else the exit status (0 after
 * --help, 2 after a one-line usage error on stderr). */
int lesson_parse(int argc, char **argv, const lesson_info *info, lesson_opts *o);

/* Make the output folder and start lesson.md; 0, or 1 after a message. */
int lesson_begin(lesson *ls, const lesson_info *info);

/* The trained lessons' data: Fashion-MNIST from GF_FASHION_DIR when it is
 * installed, else the built-in synthetic set (gf_data_load). *name is
 * "Fashion-MNIST" or "synthetic". 0, or 1 after a message. */
int lesson_data(lesson *ls, size_t ntrain, size_t ntest, gf_dataset *train, gf_dataset *test,
                const char **name);
/* The trained lessons' net: the library's defaults with batch norm, He init,
 * `width` units and the data's input and class counts (arch and depth are
 * the lesson's). */
gf_stack_config lesson_trained_config(size_t width, const gf_dataset *train);
/* The trained lessons' schedule: SGD from lr 0.1, times 0.1 at half and at
 * three quarters of the epochs; gradients probed once an epoch. */
gf_train_config lesson_train_config(size_t batch, int epochs, size_t ntrain);
/* Say so when the run uses the synthetic set instead of Fashion-MNIST. */
void lesson_data_note(lesson *ls, const char *name, const gf_dataset *train);

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

/* A number of decades for printing: no "-0.00". */
double lesson_decades(double x);
/* The course's one convention for how a gradient changes on its way from x_B
 * to x_0: r = log10(||dL/dx_0|| / ||dL/dx_B||), negative when it shrinks,
 * said as "shrinks by 42.35 decades" / "grows by 9.80 decades" (Korean
 * "42.35자리 줄어듭니다" / "9.80자리 커집니다"); within 0.005 decades "keeps
 * its size". A decade is a factor of 10. Returns buf. */
const char *lesson_change(const lesson *ls, char *buf, size_t size, double r);
/* 2^log2x as "1.23e-45" (the mantissa cut to 3 digits), valid beyond the
 * range of a double. */
const char *lesson_pow2_text(char *buf, size_t size, double log2x);

/* One step down the mean-field curve of a gradnorm figure, walked from
 * l = blocks to 0: at the top the measured mean, below it t plus block l's
 * predicted log10 gain (where the theory has none, t stays). */
double lesson_theory_next(const gf_gradnorm_result *res, int a, int l, double t, double mean);

/* Display width of UTF-8 text (Hangul and other wide characters count 2). */
size_t lesson_width(const char *s);
/* s padded with spaces to `width` display columns (a Hangul syllable counts 2,
 * so columns of a table stay aligned in Korean); wider text is kept whole.
 * Returns buf. */
const char *lesson_pad(char *buf, size_t size, const char *s, size_t width);

/* ---- predict, then measure; exercises (lesson_teach.c) ---- */

/* A question the student can answer from what came before, printed before
 * the measurement ("Predict N."); with --pause, on a terminal, the lesson
 * waits for Enter before it measures. */
void lesson_ask(lesson *ls, const char *en, const char *ko, ...) LESSON_FMT2(2, 3, 4);
/* The measured answer next to what theory or the earlier steps predicted. */
void lesson_answer(lesson *ls, const char *en, const char *ko, ...) LESSON_FMT2(2, 3, 4);
/* Opens the "Try it" section: a heading and how the exercises work. */
void lesson_exercises(lesson *ls);
/* One exercise: the exact command (keeping the lesson's settings, changing
 * one thing) and a hint of what to look for. */
void lesson_try(lesson *ls, const char *command, const char *hint_en, const char *hint_ko);
/* The command that runs `gradflow` from the top of the source tree. */
#define LESSON_GRADFLOW "build/analysis/gradflow"

/* ---- Korean particles (lesson_ko.c) ---- */

/* How `word` ends when read aloud in Korean: 0 a vowel, 1 a final consonant
 * (받침), 2 the final consonant ㄹ. A number ends in its last spoken digit
 * (0.170: 영; 10: 십; 1000: 천), a symbol in its last letter or digit
 * (x_B: 비; dL/dx_0: 영; L: 엘), a Hangul syllable in its own 받침. */
int lesson_ko_final(const char *word);
/* word followed by the particle of `pair` ("은/는", "이/가", "을/를", "과/와",
 * "으로/로", "이다/다") that fits its last sound: "0.170" + "으로/로" is
 * "0.170으로", "0.171" + "으로/로" is "0.171로". In English, word alone.
 * Returns buf. */
const char *lesson_josa(const lesson *ls, char *buf, size_t size, const char *word,
                        const char *pair);
/* The same for a language given directly (tests). */
const char *lesson_josa_lang(lesson_lang lang, char *buf, size_t size, const char *word,
                             const char *pair);

/* ---- the code on the page (lesson_code.c) ---- */

/* A region of the library's source that a lesson quotes: the lines between
 * the comments lesson:NAME begin and lesson:NAME end in `file`. */
typedef struct lesson_region {
    const char *name, *file;
} lesson_region;
/* Every region any lesson quotes (the test checks each one resolves);
 * ends with {NULL, NULL}. */
extern const lesson_region lesson_regions[];

/* The source tree: $GRADFLOW_SOURCE_DIR, else the tree the lessons were built
 * from (GF_SOURCE_ROOT), else the current folder, else two folders above the
 * program; the first that holds src/gradflow.h. NULL if none. */
const char *lesson_source_root(void);
/* Read region `name` from root: its file, first line number and line count,
 * and the text (malloc'd, free it). 0, or -1 with the reason in why. */
int lesson_region_read(const char *root, const char *name, const char **file, int *first,
                       int *count, char **text, char *why, size_t size);
/* Quote region `name` after a sentence saying what to look at: file and
 * lines, then the code. A missing region is an error (1 after a message);
 * a missing source tree only a note on the page. */
int lesson_code(lesson *ls, const char *name, const char *en, const char *ko);

/* ---- the index of lessons in syllabus order (lesson_catalog.c) ---- */

typedef struct lesson_entry {
    int section;                     /* syllabus section (1-9) */
    const char *slug;                /* its lesson, or NULL: no lesson yet */
    const char *needs;               /* lessons to read first ("" for none) */
    const char *teaches_en, *teaches_ko;
} lesson_entry;
/* One row per lesson, in syllabus order, sections without a lesson as rows
 * with slug NULL; ends with section 0. */
extern const lesson_entry lesson_catalog[];
/* The title of syllabus section n (1-9) in the language. */
const char *lesson_section_title(int n, lesson_lang lang);

#endif
