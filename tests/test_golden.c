/* test_golden.c: the golden-output guard. Every command runs at a small size
 * (a second or less each) and its whole run folder, its summary on stdout and
 * its --help text are compared with the expected files in tests/golden/CASE/.
 *
 * What is compared, after normalization (the same for both sides):
 *   - the run folder's file list (every file must exist on both sides);
 *   - text files (.tsv, .md, .txt, .gp, stdout, help): token by token, numbers
 *     within a relative 1e-7 or one unit of their last printed digit, so that
 *     another BLAS kernel's rounding passes and a changed result does not;
 *   - manifest.json and the metadata of .safetensors: as sorted JSON;
 *   - .safetensors tensors: name, dtype, shape and every value (%.17g);
 *   - figures (.png, .svg): present, nothing more (the .gp script is compared).
 * Excluded: the run folder's own path (written OUT), timings (TSV columns and
 * JSON keys that name seconds or a wall time, lines listed per case),
 * timestamps and host fields (started_utc, blas, mpi).
 *
 * GRADFLOW_GOLDEN_UPDATE=1 rewrites the expected files from this build: a change that
 * alters an output updates them in the same commit and says why. */
#define _GNU_SOURCE
#include "cli_util.h"
#include "test_util.h"

#include <CUnit/CUnit.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct golden_case {
    const char *name;
    const char *args[40];
    const char *volatile_lines[12]; /* a line holding one of these is masked (timings) */
    const char *block_from, *block_to; /* stdout lines from one holding block_from up to
                                          one holding block_to: one volatile block */
} golden_case;

#define SMALL_TRAIN "--data", "synthetic", "--ntrain", "256", "--ntest", "64"

static const golden_case cases[] = {
    {"gradnorm",
     {"gradnorm", "--depth", "6", "--width", "8", "--batch", "16", "--seeds", "2", "--samples",
      "256", "--save", "@OUT/export.safetensors"},
     {NULL}, NULL, NULL},
    {"degrade",
     {"degrade", SMALL_TRAIN, "--width", "8", "--batch", "32", "--depth", "4,6", "--epochs", "2"},
     {NULL}, NULL, NULL},
    {"degrade-cnn",
     {"degrade", "--arch", "cnn-plain,cnn-resnet", SMALL_TRAIN, "--batch", "32", "--depth", "8",
      "--epochs", "1", "--width-mult", "0.125", "--seeds", "2"},
     {NULL}, NULL, NULL},
    {"responses", {"responses", "--from", "@OUT/../golden-degrade-cnn"}, {NULL}, NULL, NULL},
    {"paths", {"paths", "--blocks", "12"}, {NULL}, NULL, NULL},
    {"pathgrad",
     {"pathgrad", "--depth", "6", "--width", "8", SMALL_TRAIN, "--images", "16", "--samples",
      "4", "--epochs", "1", "--batch", "32"},
     {"time: training"}, NULL, NULL},
    {"lesion",
     {"lesion", "--depth", "6", "--width", "8", SMALL_TRAIN, "--epochs", "1", "--draws", "2"},
     {NULL}, NULL, NULL},
    {"stochdepth",
     {"stochdepth", "--depth", "6", "--width", "8", SMALL_TRAIN, "--epochs", "2", "--batch", "32"},
     {"wall", "CPU", "set yrange [0:", "filledcurves", "notitle"},
     "time per epoch of training steps",
     "gradients, "},
    {"jacobian", {"jacobian", "--depth", "6", "--width", "8", "--seeds", "2", "--samples", "256", "--act",
      "tanh"}, /* relu Jacobians are exactly singular: their smallest sigma is rounding */
     {NULL}, NULL, NULL},
    {"hanin", {"hanin", "--depth", "4,6,8", "--width", "8,16", "--seeds", "5"}, {NULL}, NULL, NULL},
    {"shatter",
     {"shatter", "--nets", "plain-2,plain-6-bn,resnet-6,ll-4", "--archs", "plain-bn,resnet-bn,ll",
      "--depth", "2,4,6", "--seeds", "2", "--points", "32", "--max-lag", "8", "--width", "16"},
     {NULL}, NULL, NULL},
    {"theory", {"theory", "--grid", "11,6"}, {NULL}, NULL, NULL},
    {"sweep", {"sweep", "--grid", "act=tanh depth=6 width=8 sw2=0.5:2.5:0.5 sb2=0,0.1 seed=1:2",
               "--batch", "16", "--samples", "256"}, {NULL}, NULL, NULL},
    {"init-compare",
     {"init-compare", SMALL_TRAIN, "--batch", "32", "--depth", "6", "--width", "8", "--epochs",
      "1", "--init-seeds", "2"},
     {NULL}, NULL, NULL},
    {"densenet",
     {"densenet", "--quick", "--data", "synthetic", "--ntrain", "128", "--ntest", "64", "--batch",
      "32", "--seeds", "2", "--memory-depths", "10,16", "--memory-batch", "2",
      "--width-mult", "0.125"},
     {"processor time per epoch", "wall time"}, NULL, NULL},
    /* a fixed text beside the expected files (the machine's licenses may differ) */
    {"transformer", {"transformer", "--quick", "--text", "@GOLDEN/transformer-text.txt"},
     {NULL}, NULL, NULL},
    {"landscape", {"landscape", "--quick", "--data", "synthetic"}, {" s training, "}, NULL, NULL},
    {"identity", {"identity", "--quick"}, {NULL}, NULL, NULL},
};
enum { N_CASES = sizeof cases / sizeof cases[0] };

/* ---- text helpers -------------------------------------------------------- */

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void text_add(text *t, const char *s, size_t n)
{
    if (n == 0 && t->s)
        return;
    if (t->n + n + 1 > t->cap) {
        t->cap = 2 * (t->n + n + 1) + 256;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void text_printf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(text *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        text_add(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Every occurrence of `from` in s replaced by `to` (a new string). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    text t = {0};
    const size_t nf = strlen(from);
    for (const char *p; nf && (p = strstr(s, from));) {
        text_add(&t, s, (size_t)(p - s));
        text_add(&t, to, strlen(to));
        s = p + nf;
    }
    text_add(&t, s, strlen(s));
    return t.s;
}

/* Lines that report a timing, in any command's summary. */
static const char *const timing_lines[] = {"wall time", " s Jacobians", "lesions took",
                                           "trained here (", NULL};

static int is_volatile_name(const char *name)
{
    return strstr(name, "seconds") || strstr(name, "wall_time") ||
           strcmp(name, "started_utc") == 0 || strcmp(name, "blas") == 0 ||
           strcmp(name, "mpi") == 0;
}

/* s rewritten line by line: each line (a copy, without its '\n') goes through
 * mask into t, the newlines stay. A new string. */
typedef void (*line_mask)(text *t, char *line, size_t n, void *ctx);
static char *mask_each_line(const char *s, line_mask mask, void *ctx)
{
    text t = {0};
    text_add(&t, "", 0);
    while (*s) {
        const size_t n = strcspn(s, "\n");
        char *line = strndup(s, n);
        mask(&t, line, n, ctx);
        free(line);
        s += n;
        if (*s == '\n') {
            text_add(&t, "\n", 1);
            s++;
        }
    }
    return t.s;
}

static void mask_marked(text *t, char *line, size_t n, void *ctx)
{
    const char *const *marks = ctx;
    int hit = 0;
    for (int i = 0; i < 12 && marks && marks[i]; i++)
        hit |= strstr(line, marks[i]) != NULL;
    for (int i = 0; timing_lines[i]; i++)
        hit |= strstr(line, timing_lines[i]) != NULL;
    if (hit)
        text_add(t, "<volatile>", 10);
    else
        text_add(t, line, n);
}

/* Lines holding one of `marks` become "<volatile>". */
static char *mask_lines(const char *s, const char *const *marks)
{
    return mask_each_line(s, mask_marked, (void *)marks);
}

/* The lines from one holding `from` up to the next holding `to` become one
 * "<volatile block>" (a timing paragraph whose length depends on the timings). */
static char *mask_block(const char *s, const char *from, const char *to)
{
    const char *a = from ? strstr(s, from) : NULL;
    const char *b = a ? strstr(a, to) : NULL;
    if (!a || !b)
        return strdup(s);
    while (a > s && a[-1] != '\n')
        a--;
    while (b > a && b[-1] != '\n')
        b--;
    char *out = NULL;
    return asprintf(&out, "%.*s<volatile block>\n%s", (int)(a - s), s, b) < 0 ? NULL : out;
}

/* A TSV with the columns whose header names seconds blanked to "<volatile>". */
static char *mask_tsv(const char *s)
{
    text t = {0};
    text_add(&t, "", 0);
    int vol[256] = {0};
    for (int row = 0; *s; row++) {
        const size_t n = strcspn(s, "\n");
        const char *end = s + n;
        for (int col = 0; s < end; col++) {
            const size_t c = strcspn(s, "\t\n");
            char *cell = strndup(s, c);
            if (row == 0 && col < 256)
                vol[col] = is_volatile_name(cell);
            if (col)
                text_add(&t, "\t", 1);
            if (row > 0 && col < 256 && vol[col])
                text_add(&t, "<volatile>", 10);
            else
                text_add(&t, cell, c);
            free(cell);
            s += c + (s[c] == '\t');
        }
        s = end;
        if (*s == '\n') {
            text_add(&t, "\n", 1);
            s++;
        }
    }
    return t.s;
}

/* Where mask_md is: the columns of the table it is in that are timings. */
typedef struct md_state {
    int vol[64], in_table;
} md_state;

static void mask_md_line(text *t, char *line, size_t n, void *ctx)
{
    md_state *m = ctx;
    if (line[0] != '|') {
        m->in_table = 0;
        text_add(t, line, n);
        return;
    }
    int col = 0;
    for (char *save = NULL, *cell = strtok_r(line + 1, "|", &save); cell;
         cell = strtok_r(NULL, "|", &save), col++) {
        if (!m->in_table && col < 64)
            m->vol[col] = strstr(cell, " s ") || strstr(cell, "s / ") ||
                          strstr(cell, "fastest") || strstr(cell, "seconds");
        text_add(t, "|", 1);
        if (m->in_table && col < 64 && m->vol[col] && !strstr(cell, "--"))
            text_add(t, " <volatile> ", 12);
        else
            text_add(t, cell, strlen(cell));
    }
    text_add(t, "|", 1);
    m->in_table = 1;
}

/* A Markdown table: cells under a header naming seconds ("s / epoch", "CPU s",
 * "evaluation s", "fastest") are timings. */
static char *mask_md(const char *s)
{
    md_state m = {{0}, 0};
    return mask_each_line(s, mask_md_line, &m);
}

static void json_drop_volatile(json_t *j)
{
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(j, tmp, key, v)
        {
            if (is_volatile_name(key))
                json_object_del(j, key);
            else
                json_drop_volatile(v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) json_drop_volatile(v);
    }
}

/* Sorted, indented JSON without the volatile keys; strings that hold JSON
 * (safetensors metadata) are opened too. NULL when s is not JSON. */
static char *normal_json(const char *s)
{
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    if (!j)
        return NULL;
    json_drop_volatile(j);
    char *out = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(j);
    return out;
}

static char *normal_safetensors(const char *path)
{
    gf_st_file st;
    gf_st_init(&st);
    char why[512];
    if (gf_st_read(&st, path, why, sizeof why) != 0) {
        gf_st_release(&st);
        return strdup(why);
    }
    text t = {0};
    text_add(&t, "", 0);
    const char *key;
    json_t *v;
    json_object_foreach(st.metadata, key, v)
    {
        const char *raw = json_string_value(v);
        char *norm = raw ? normal_json(raw) : NULL;
        text_printf(&t, "meta %s: ", key);
        if (is_volatile_name(key))
            text_add(&t, "<volatile>", 10);
        else
            text_add(&t, norm ? norm : raw ? raw : "?", strlen(norm ? norm : raw ? raw : "?"));
        text_add(&t, "\n", 1);
        free(norm);
    }
    for (size_t e = 0; e < st.n; e++) {
        const gf_st_entry *en = &st.entry[e];
        size_t count = 1;
        text_printf(&t, "tensor %s %s [", en->name, en->dtype == GF_ST_F64 ? "F64" : "I64");
        for (int k = 0; k < en->rank; k++) {
            text_printf(&t, "%s%lld", k ? "," : "", (long long)en->shape[k]);
            count *= (size_t)en->shape[k];
        }
        text_add(&t, "]\n", 2);
        if (strstr(en->name, "history")) { /* the curves with their epoch times */
            text_add(&t, "<volatile>\n", 11);
            continue;
        }
        for (size_t i = 0; i < count; i++) {
            if (en->dtype == GF_ST_F64) {
                double x;
                memcpy(&x, (const char *)en->data + 8 * i, 8);
                text_printf(&t, "%.17g\n", x);
            } else {
                long long x;
                memcpy(&x, (const char *)en->data + 8 * i, 8);
                text_printf(&t, "%lld\n", x);
            }
        }
    }
    gf_st_release(&st);
    return t.s;
}

static int ends_with(const char *s, const char *suffix)
{
    const size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *golden_root(void)
{
    const char *g = getenv("GRADFLOW_GOLDEN_DIR");
    return g && *g ? g : NULL;
}

/* The normalized form of one output file (path on disk, rel its name). */
static char *normalize(const char *path, const char *rel, const char *out_dir,
                       const char *const *marks)
{
    if (ends_with(rel, ".png") || ends_with(rel, ".svg"))
        return strdup("<figure>\n");
    if (ends_with(rel, ".safetensors"))
        return normal_safetensors(path);
    char *raw = tu_read_file(path, NULL);
    if (!raw)
        return strdup("<unreadable>\n");
    char *s0 = replace_all(raw, out_dir, "OUT");
    char *s = golden_root() ? replace_all(s0, golden_root(), "GOLDEN") : strdup(s0);
    free(raw);
    free(s0);
    char *norm = NULL;
    if (ends_with(rel, ".json"))
        norm = normal_json(s);
    else if (ends_with(rel, ".tsv"))
        norm = mask_tsv(s);
    else if (ends_with(rel, ".md"))
        norm = mask_md(s);
    if (norm) {
        free(s);
        s = norm;
    }
    norm = mask_lines(s, marks);
    free(s);
    return norm;
}

/* ---- tolerant comparison -------------------------------------------------- */

/* One unit of the last digit printed in the number token [p, p + n), for a
 * rounded number of three or more significant digits; 0 otherwise (integers and
 * short numbers must agree exactly). */
static double last_digit_unit(const char *p, size_t n)
{
    const char *dot = memchr(p, '.', n), *e = NULL;
    int digits = 0, leading = 1;
    for (size_t i = 0; i < n && !e; i++) {
        if (p[i] == 'e' || p[i] == 'E')
            e = p + i;
        else if (isdigit((unsigned char)p[i])) {
            leading &= p[i] == '0';
            digits += !leading;
        }
    }
    if (!dot || digits < 3)
        return 0;
    const char *mant_end = e ? e : p + n;
    const int decimals = (int)(mant_end - dot - 1);
    const int exp10 = e ? atoi(e + 1) : 0;
    return pow(10.0, exp10 - decimals);
}

static int number_at(const char *s, double *x, size_t *len)
{
    if (!(isdigit((unsigned char)s[0]) ||
          ((s[0] == '-' || s[0] == '+' || s[0] == '.') && isdigit((unsigned char)s[1]))))
        return 0;
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    *len = (size_t)(end - s);
    return *len > 0;
}

/* 1 when a and b agree: the same text apart from numbers, numbers within tolerance.
 * On a mismatch, line holds the 1-based line number of the first difference. */
static int same_text(const char *a, const char *b, int *line)
{
    *line = 1;
    while (*a && *b) {
        double x, y;
        size_t la, lb;
        if (number_at(a, &x, &la) && number_at(b, &y, &lb)) {
            const double tol = fmax(1e-7 * fmax(fabs(x), fabs(y)),
                                    fmax(last_digit_unit(a, la), last_digit_unit(b, lb)));
            /* below 1e-12 both are rounding residues (a sum's relative error) */
            if (!(fabs(x - y) <= tol) && !(fabs(x) < 1e-12 && fabs(y) < 1e-12))
                return 0;
            a += la;
            b += lb;
            continue;
        }
        if (*a == ' ' && *b == ' ') { /* column padding depends on the numbers' widths */
            while (*a == ' ')
                a++;
            while (*b == ' ')
                b++;
            continue;
        }
        if (*a != *b)
            return 0;
        *line += *a == '\n';
        a++;
        b++;
        /* a digit glued to a word (plain-6, x0.847) starts a number only after a
         * non-alphanumeric character: skip the rest of the word */
        if (isalpha((unsigned char)a[-1]))
            while (isalnum((unsigned char)*a) && *a == *b)
                a++, b++;
    }
    return *a == *b;
}

/* ---- the run folder ---------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file under dir, as paths relative to it, sorted. */
static void list_files(const char *dir, const char *prefix, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4400], rel[4400];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(rel, sizeof rel - 1, "%s%s", prefix, e->d_name) >= (int)sizeof rel - 1)
            continue;
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            char sub[4410];
            snprintf(sub, sizeof sub, "%s/", rel); /* fits: rel is shorter by one */
            list_files(path, sub, names, n);
        } else {
            *names = realloc(*names, (*n + 1) * sizeof **names);
            (*names)[(*n)++] = strdup(rel);
        }
    }
    closedir(d);
    qsort(*names, *n, sizeof **names, cmp_str);
}


static int updating(void)
{
    const char *u = getenv("GRADFLOW_GOLDEN_UPDATE");
    return u && *u && strcmp(u, "0") != 0;
}

static void make_parents(const char *path)
{
    char buf[4400];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
}

/* Compare (or, when updating, write) one normalized output with its expected file.
 * Returns 1 when they agree. */
static int check_one(const char *case_name, const char *rel, const char *got)
{
    char expected_path[4400];
    snprintf(expected_path, sizeof expected_path, "%s/%s/%s", golden_root(), case_name, rel);
    if (updating()) {
        make_parents(expected_path);
        FILE *f = fopen(expected_path, "w");
        if (!f || fputs(got, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "\n  cannot write %s\n", expected_path);
            return 0;
        }
        return 1;
    }
    char *want = tu_read_file(expected_path, NULL);
    if (!want) {
        fprintf(stderr, "\n  golden %s: %s is new (no expected file %s)\n", case_name, rel,
                expected_path);
        return 0;
    }
    int line;
    const int ok = same_text(got, want, &line);
    if (!ok) {
        const char *g = got, *w = want;
        for (int i = 1; i < line; i++) {
            g += strcspn(g, "\n") + (g[strcspn(g, "\n")] != '\0');
            w += strcspn(w, "\n") + (w[strcspn(w, "\n")] != '\0');
        }
        fprintf(stderr, "\n  golden %s: %s differs from the expected file at line %d:\n"
                        "    got:      %.*s\n    expected: %.*s\n",
                case_name, rel, line, (int)strcspn(g, "\n"), g, (int)strcspn(w, "\n"), w);
    }
    free(want);
    return ok;
}

/* The expected files of a case (minus stdout.txt and help.txt) must all be produced. */
static int check_nothing_missing(const char *case_name, char **got, size_t n_got)
{
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/%s/run", golden_root(), case_name);
    char **want = NULL;
    size_t n_want = 0;
    list_files(dir, "run/", &want, &n_want);
    int ok = 1;
    for (size_t i = 0; i < n_want; i++) {
        int found = 0;
        for (size_t j = 0; j < n_got && !found; j++)
            found = strcmp(want[i], got[j]) == 0;
        if (!found) {
            fprintf(stderr, "\n  golden %s: %s was not written\n", case_name, want[i]);
            ok = 0;
        }
        free(want[i]);
    }
    free(want);
    return ok;
}

static void run_case(const golden_case *c)
{
    char out_dir[4400];
    snprintf(out_dir, sizeof out_dir, "%s/golden-%s", work, c->name);
    const char *args[48];
    char save[4400], input[4400];
    int k = 0;
    for (int i = 0; c->args[i]; i++) {
        if (strncmp(c->args[i], "@OUT", 4) == 0) {
            snprintf(save, sizeof save, "%s%s", out_dir, c->args[i] + 4);
            args[k++] = save;
        } else if (strncmp(c->args[i], "@GOLDEN", 7) == 0 && golden_root()) {
            snprintf(input, sizeof input, "%s%s", golden_root(), c->args[i] + 7);
            args[k++] = input; /* an input file kept beside the expected outputs */
        } else
            args[k++] = c->args[i];
    }
    args[k++] = "--no-plot";
    args[k++] = "--out";
    args[k++] = out_dir;
    args[k] = NULL;
    result r;
    CU_ASSERT_FATAL(run(&r, args) == 0);
    if (r.status != 0)
        show(c->name, &r);
    CU_ASSERT_FATAL(r.status == 0);

    int ok = 1;
    char *s = replace_all(r.out ? r.out : "", out_dir, "OUT");
    char *table = mask_md(s);
    char *block = mask_block(table, c->block_from, c->block_to);
    char *got = mask_lines(block, c->volatile_lines);
    free(table);
    free(block);
    ok &= check_one(c->name, "stdout.txt", got);
    free(s);
    free(got);
    result_free(&r);

    char **names = NULL;
    size_t n = 0;
    list_files(out_dir, "run/", &names, &n);
    for (size_t i = 0; i < n; i++) {
        char path[8800];
        snprintf(path, sizeof path, "%s/%s", out_dir, names[i] + 4);
        char *norm = normalize(path, names[i], out_dir, c->volatile_lines);
        ok &= check_one(c->name, names[i], norm);
        free(norm);
    }
    if (!updating())
        ok &= check_nothing_missing(c->name, names, n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);

    CU_ASSERT_FATAL(run(&r, ARGS(c->args[0], "--help")) == 0);
    CU_ASSERT(r.status == 0);
    ok &= check_one(c->name, "help.txt", r.out ? r.out : "");
    result_free(&r);
    CU_ASSERT(ok);
}

static void test_golden_outputs(void)
{
    if (!golden_root()) {
        fprintf(stderr, "\n  GRADFLOW_GOLDEN_DIR is not set: run through meson test\n");
        CU_FAIL("GRADFLOW_GOLDEN_DIR is not set");
        return;
    }
    for (int i = 0; i < N_CASES; i++)
        run_case(&cases[i]);
}

/* The comparison itself must be able to fail. */
static void test_golden_compare(void)
{
    int line;
    CU_ASSERT(same_text("loss 2.4610144019529518\n", "loss 2.4610144019529520\n", &line));
    CU_ASSERT(!same_text("loss 2.4610144019529518\n", "loss 2.4610155\n", &line));
    CU_ASSERT(same_text("x0.847 wall\n", "x0.847 wall\n", &line));
    CU_ASSERT(same_text("err 57.03 %\n", "err 57.04 %\n", &line));
    CU_ASSERT(!same_text("err 57.03 %\n", "err 57.05 %\n", &line));
    CU_ASSERT(!same_text("a\nb 1\n", "a\nc 1\n", &line) && line == 2);
    CU_ASSERT(!same_text("resnet-56\n", "resnet-20\n", &line));
    CU_ASSERT(!same_text("10^+4.7\n", "10^-4.7\n", &line));
    CU_ASSERT(same_text("1.7e-16\n", "1.9e-16\n", &line));
    CU_ASSERT(!same_text("1e-11\n", "0\n", &line));
    CU_ASSERT(same_text("a    1.128e-16  1\n", "a            0  1\n", &line));
    CU_ASSERT(!same_text("seed1\n", "seed2\n", &line));
    CU_ASSERT(!same_text("1e-3\n", "2e-3\n", &line));
    CU_ASSERT(!same_text("nan\n", "inf\n", &line));
    CU_ASSERT(!same_text("a b\n", "a b c\n", &line));
    char *m = mask_tsv("net\tseconds\tloss\nplain\t0.1\t2.5\n");
    CU_ASSERT_STRING_EQUAL(m, "net\tseconds\tloss\nplain\t<volatile>\t2.5\n");
    free(m);
}

CU_TestInfo golden_tests[] = {
    {"the comparison can fail", test_golden_compare},
    {"every command's run folder, summary and help", test_golden_outputs},
    CU_TEST_INFO_NULL,
};
