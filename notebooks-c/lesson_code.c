/* lesson_code.c: the library's code on the lesson's page.
 *
 * A lesson quotes the lines of src/ that implement its idea. They are read
 * from the source when the lesson runs, between two marker comments
 *
 *     lesson:NAME begin   ...   lesson:NAME end
 *
 * so the page always shows the code as it is; the test `lesson-regions`
 * fails when a region listed below disappears or is empty. */
#include "lesson.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GF_SOURCE_ROOT
#define GF_SOURCE_ROOT ""
#endif

const lesson_region lesson_regions[] = {
    {"residual-add", "src/nn/forward.c"},       /* 01, 02: y = x + F(x), and plain's y = relu(F(x)) */
    {"add-backward", "src/core/ops_pointwise.c"}, /* 01: the sum's backward hands dy to both inputs */
    {"branch", "src/nn/forward.c"},             /* 05: where the ReLU sits, pre vs post activation */
    {"branch-weight", "src/nn/forward.c"},      /* 05: fixup, rezero, scaled */
    {"block-plan", "src/nn/forward.c"},         /* 03, 04: deleted, dropped and scaled blocks */
    {"stochastic-depth", "src/train/trainer.c"}, /* 04: each step draws the blocks it runs */
    {"path-split", "src/ensemble/pathgrad.c"},  /* 03: the gradient split by path length */
    {"filter-normalize", "src/landscape/direction.c"}, /* 06: Li et al.'s directions */
    {"hvp", "src/landscape/curvature.c"},       /* 06: Hessian-vector product by central differences */
    {"preln-step", "src/xfmr/model.c"},         /* 08: x + F(LN(x)) and ReZero's x + a F(x) */
    {"postln-step", "src/xfmr/model.c"},        /* 08: LN(x + F(x)) (DeepNorm: LN(alpha x + F(x))) */
    {"preact-branch", "src/model/cnn_forward.c"}, /* 07: BN-ReLU-conv (preact) vs conv-BN */
    {"unit-add", "src/model/cnn_forward.c"},    /* 07: gf_add (preact) vs gf_add_relu (resnet) */
    {"dense-concat", "src/model/densenet_forward.c"}, /* 07: x_{l+1} = [x_l, H_l(x_l)] */
    {"dense-shared", "src/model/densenet_forward.c"}, /* 07: the concatenation never stored */
    {NULL, NULL},
};

static int holds_source(const char *dir)
{
    char path[PATH_MAX];
    return *dir && (size_t)snprintf(path, sizeof path, "%s/src/gradflow.h", dir) < sizeof path &&
           access(path, R_OK) == 0;
}

const char *lesson_source_root(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("GRADFLOW_SOURCE_DIR");
    if (env && holds_source(env))
        return env;
    if (holds_source(GF_SOURCE_ROOT))
        return GF_SOURCE_ROOT;
    if (holds_source("."))
        return ".";
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) { /* BUILD/notebooks-c/lesson-NN: the tree is two folders up */
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            if (up == 2 && holds_source(exe)) {
                snprintf(found, sizeof found, "%s", exe);
                return found;
            }
        }
    }
    return NULL;
}

static const lesson_region *region_of(const char *name)
{
    for (const lesson_region *r = lesson_regions; r->name; r++)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

/* Does line hold the marker "lesson:NAME WHAT" (begin or end)? */
static int marker(const char *line, const char *name, const char *what)
{
    const char *p = strstr(line, "lesson:");
    if (!p)
        return 0;
    p += 7;
    const size_t n = strlen(name);
    if (strncmp(p, name, n) != 0 || p[n] != ' ')
        return 0;
    return strncmp(p + n + 1, what, strlen(what)) == 0;
}

int lesson_region_read(const char *root, const char *name, const char **file, int *first,
                       int *count, char **text, char *why, size_t size)
{
    const lesson_region *r = region_of(name);
    *text = NULL;
    if (!r) {
        snprintf(why, size, "code region '%s' is not in lesson_regions", name);
        return -1;
    }
    *file = r->file;
    char path[PATH_MAX], line[1024];
    snprintf(path, sizeof path, "%s/%s", root, r->file);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, size, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    size_t len = 0, cap = 4096;
    char *t = malloc(cap);
    int no = 0, state = 0; /* 0 before, 1 inside, 2 after */
    *first = *count = 0;
    while (t && state < 2 && fgets(line, sizeof line, f)) {
        no++;
        if (state == 0 && marker(line, name, "begin")) {
            state = 1;
            *first = no + 1;
        } else if (state == 1 && marker(line, name, "end")) {
            state = 2;
        } else if (state == 1) {
            const size_t n = strlen(line);
            if (len + n + 1 > cap) {
                char *more = realloc(t, cap = 2 * (len + n + 1));
                if (!more) {
                    free(t);
                    t = NULL;
                    break;
                }
                t = more;
            }
            memcpy(t + len, line, n + 1);
            len += n;
            ++*count;
        }
    }
    fclose(f);
    if (!t || state != 2 || *count == 0) {
        snprintf(why, size, "%s: region '%s' %s", path, name,
                 !t ? ": out of memory" : state == 0 ? "has no begin marker"
                 : state == 1 ? "has no end marker" : "is empty");
        free(t);
        return -1;
    }
    *text = t;
    return 0;
}

int lesson_code(lesson *ls, const char *name, const char *en, const char *ko)
{
    const char *root = lesson_source_root(), *file = NULL;
    char why[PATH_MAX + 256], *text = NULL;
    int first = 0, count = 0;
    if (!root) {
        lesson_say(ls, "%s (The source tree was not found, so the code of `%s` is not shown: set "
                       "GRADFLOW_SOURCE_DIR to the top of the gradflow source.)",
                   "%s (소스 트리를 찾지 못해 `%s` 코드를 보여 주지 못합니다. GRADFLOW_SOURCE_DIR를 "
                   "gradflow 소스의 맨 위 폴더로 지정하세요.)",
                   LESSON_T(ls, en, ko), name);
        return 0;
    }
    if (lesson_region_read(root, name, &file, &first, &count, &text, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    lesson_say(ls, "%s (`%s`, lines %d-%d)", "%s (`%s`, %d-%d행)", LESSON_T(ls, en, ko), file,
               first, first + count - 1);
    fputs("```c\n", ls->md);
    fputs(text, ls->md);
    fputs("```\n\n", ls->md);
    int no = first;
    for (char *p = text, *nl; *p; p = nl + 1, no++) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p) - 1;
        printf("  %4d | %.*s\n", no, (int)(nl - p), p);
    }
    fputc('\n', stdout);
    free(text);
    return 0;
}
