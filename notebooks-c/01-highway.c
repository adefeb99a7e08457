/* 01-highway.c: lesson 01, the "+1 highway" (syllabus section 4, the gradient view).
 *
 *   Step 1  one pre-activation block: dL/dx_0 = s + J_F^T s, and s is dL/dx_1 exactly;
 *   Step 2  plain vs resnet vs preact at several depths (PyTorch's default init):
 *           the plain stack multiplies Jacobians and loses decades, as theory says;
 *   Step 3  zero branches: dL/dx_0 == dL/dx_B bit for bit (and where resnet's ReLU cuts);
 *   Step 4  He init: plain stays level, residual stacks grow toward the input;
 *           the per-block split says why.
 *
 * Every number printed is measured by the run. Figures: the per-block gradient
 * norm at the deepest depth for both inits (the library's recipe) and the
 * ratio ||dL/dx_0|| / ||dL/dx_B|| against depth (this file's recipe).
 */
#include "lesson.h"

#include <float.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const lesson_info INFO = {
    .prog = "lesson-01-highway",
    .slug = "01-highway",
    .title_en = "Lesson 01: the +1 highway",
    .title_ko = "1강: +1 고속도로",
    .about_en = "Measures the \"+1\" of a residual block y = x + F(x): the skip term of the\n"
                "gradient in one block, the decay of plain stacks against residual ones at\n"
                "several depths, zeroed branches, and what He initialization changes.",
    .about_ko = "잔차 블록 y = x + F(x)의 \"+1\"을 잽니다. 블록 하나에서 그래디언트의 스킵 항,\n"
                "여러 깊이에서 plain 스택과 잔차 스택의 그래디언트 감쇠, 가지를 0으로 만든 경우,\n"
                "그리고 He 초기화가 바꾸는 것을 차례로 봅니다.",
};

static const double LOG10_2 = 0.30102999566398119521;
enum { N_ARCHS = 3, MAX_DEPTHS = 4, PLAIN = 0, RESNET = 1, PREACT = 2 };
static const gf_arch ARCHS[N_ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT};

typedef struct setup {
    int depths[MAX_DEPTHS], n_depths;
    size_t width, batch, block_width, block_batch;
    int seeds;
    gf_dataset data;
} setup;

/* One initialization scheme over all depths. */
typedef struct sweep {
    gf_init init;
    gf_gradnorm_result res[MAX_DEPTHS];
    double lost[MAX_DEPTHS][N_ARCHS];  /* log10 ||g_B|| - log10 ||g_0||, mean over seeds */
    double theory[MAX_DEPTHS];         /* the same, predicted for plain */
} sweep;

/* ---- small helpers ------------------------------------------------------ */

/* A number of decades for printing: no "-0.00". */
static double dec(double x) { return fabs(x) < 0.005 ? 0.0 : x; }

/* 2^log2x as "1.23e-45", valid beyond the range of a double. */
static const char *sci(char *buf, size_t size, double log2x)
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

static const char *verdict(const lesson *ls, double gained)
{
    return gained < -1.0 ? LESSON_T(ls, "vanishes toward the input",
                                    "입력 쪽으로 갈수록 사라집니다")
           : gained > 1.0 ? LESSON_T(ls, "grows toward the input", "입력 쪽으로 갈수록 커집니다")
                          : LESSON_T(ls, "stays within one decade", "한 자릿수 안에서 유지됩니다");
}

static gf_tensor *param(gf_stack *s, int slot) { return slot < 0 ? NULL : &s->params.slot[slot].t; }

/* A stack built from a seed and run once, forward and backward, with its
 * probes: the way gf_gradnorm_run does it, but keeping the tensors. */
typedef struct run {
    gf_stack *stack;
    gf_tape *tape;
    gf_recorder rec;
    gsl_rng *rng;
    int *labels;
} run;

static void run_release(run *r)
{
    gf_tape_free(r->tape);
    gf_recorder_release(&r->rec);
    gf_stack_free(r->stack);
    gsl_rng_free(r->rng);
    free(r->labels);
}

static int run_once(run *r, const gf_stack_config *c, const setup *su, size_t batch,
                    unsigned long seed)
{
    *r = (run){.stack = gf_stack_alloc(c), .tape = gf_tape_alloc(0),
               .rng = gsl_rng_alloc(gsl_rng_mt19937), .labels = malloc(batch * sizeof(int))};
    gf_recorder_init(&r->rec);
    if (!r->stack || !r->tape || !r->rng || !r->labels)
        return -1;
    gsl_rng_set(r->rng, seed); /* the seed draws the weights, then the batch */
    gf_tensor *x = gf_tape_input(r->tape, batch, c->in_dim);
    if (!x || gf_stack_init(r->stack, r->rng) != 0 ||
        gf_dataset_sample(&su->data, r->rng, batch, x->v, r->labels) != 0)
        return -1;
    gf_tensor *logits = gf_stack_forward(r->stack, r->tape, x, 1, &r->rec);
    gf_tensor *loss = gf_softmax_xent(r->tape, logits, r->labels);
    return loss && gf_tape_backward(r->tape, loss) == 0 ? 0 : -1;
}

/* ---- Step 1: one block -------------------------------------------------- */

/* *bitwise: s + J_F^T s, the branch run alone, equals dL/dx_0 (memcmp). */
static int step_block(lesson *ls, const setup *su, int *bitwise)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = GF_ARCH_PREACT;
    c.depth = 4; /* stem, one block of two Linear, head */
    c.width = su->block_width;
    const size_t n = su->block_batch, w = c.width, size = n * w;
    run r;
    gf_tape *alone = gf_tape_alloc(0);
    double *g0 = malloc(size * sizeof *g0), *g1 = malloc(size * sizeof *g1),
           *b = malloc(size * sizeof *b), *sum = malloc(size * sizeof *sum);
    int rc = LESSON_RUNTIME;
    if (run_once(&r, &c, su, n, 1) != 0 || !alone || !g0 || !g1 || !b || !sum) {
        lesson_fail(ls, LESSON_RUNTIME, "step 1: building or running the block failed");
        goto done;
    }
    const gf_probe_record *r0 = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0),
                          *r1 = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 1);
    gf_tensor_grad_export(r0->tensor, g0);
    gf_tensor_grad_export(r1->tensor, g1);

    /* The branch alone, on its own tape, backward from dL/dx_1: J_F^T dL/dx_1. */
    const gf_block_slots *blk = &r.stack->block[0];
    gf_tensor *xa = gf_tape_input(alone, n, w);
    if (!xa) {
        lesson_fail(ls, LESSON_RUNTIME, "step 1: out of memory");
        goto done;
    }
    memcpy(xa->v, r0->tensor->v, size * sizeof(double));
    xa->flags |= GF_REQUIRES_GRAD;
    gf_tensor *u = gf_relu(alone, xa);
    gf_tensor *h = gf_relu(alone, gf_linear(alone, u, param(r.stack, blk->fc1.weight),
                                            param(r.stack, blk->fc1.bias)));
    gf_tensor *f = gf_linear(alone, h, param(r.stack, blk->fc2.weight),
                             param(r.stack, blk->fc2.bias));
    if (!f || gf_tape_backward_from(alone, f, g1) != 0) {
        lesson_fail(ls, LESSON_RUNTIME, "step 1: backward through the branch alone failed");
        goto done;
    }
    gf_tensor_grad_export(xa, b);
    size_t same = 0;
    double worst = 0.0;
    for (size_t i = 0; i < size; i++) {
        sum[i] = g1[i] + b[i];
        same += memcmp(&sum[i], &g0[i], sizeof(double)) == 0;
        if (g0[i] != 0.0)
            worst = fmax(worst, fabs(sum[i] - g0[i]) / fabs(g0[i]));
    }
    *bitwise = memcmp(sum, g0, size * sizeof(double)) == 0;

    const double ratio = exp2(r0->log2_branch - r0->log2_skip);
    const double total = exp2(r0->log2_frob - r0->log2_skip);
    char a[32], s1[32], s2[32], s3[32];
    lesson_say(ls,
               "Take one pre-activation block, x_1 = x_0 + F(x_0) with "
               "`F(x) = W2 relu(W1 relu(x) + b1) + b2` (width %zu, a batch of %zu samples, "
               "PyTorch's default initialization), with a linear head and the mean "
               "cross-entropy on top. Backward through the block splits dL/dx_0 into two "
               "terms: the skip term s, which is the upstream gradient dL/dx_1 passed on by "
               "the identity, and the branch term J_F^T s, which came back through both Linear "
               "layers. The probe on x_0 measured:",
               "사전 활성화(pre-activation) 블록 하나를 봅시다. x_1 = x_0 + F(x_0)이고 "
               "`F(x) = W2 relu(W1 relu(x) + b1) + b2`입니다(폭 %zu, 배치 %zu개, PyTorch 기본 "
               "초기화). 그 위에 선형 출력층과 평균 교차 엔트로피 손실을 얹었습니다. 블록을 "
               "거꾸로 지나면 dL/dx_0은 두 항으로 나뉩니다. 하나는 항등 경로가 그대로 넘겨준 "
               "위쪽 그래디언트 dL/dx_1, 곧 스킵 항 s이고, 다른 하나는 두 Linear 층을 거쳐 "
               "돌아온 가지 항 J_F^T s입니다. x_0에 단 프로브가 잰 값은 다음과 같습니다.",
               w, n);
    lesson_pre(ls, "||dL/dx_1||       %-10s  %s", sci(a, sizeof a, r1->log2_frob),
               LESSON_T(ls, "upstream gradient (probe on x_1)", "위쪽 그래디언트 (x_1의 프로브)"));
    lesson_pre(ls, "||s||             %-10s  %s", sci(s1, sizeof s1, r0->log2_skip),
               LESSON_T(ls, "skip term", "스킵 항"));
    lesson_pre(ls, "||J_F^T s||       %-10s  = %.3f ||s||   %s",
               sci(s2, sizeof s2, r0->log2_branch), ratio, LESSON_T(ls, "branch term", "가지 항"));
    lesson_pre(ls, "cos(s, J_F^T s)   %-+10.3f  %s", r0->cos_skip_branch,
               LESSON_T(ls, "cosine of the angle between them", "두 항 사이 각의 코사인"));
    lesson_pre(ls, "||dL/dx_0||       %-10s  = %.3f ||s||   %s", sci(s3, sizeof s3, r0->log2_frob),
               total, LESSON_T(ls, "= ||s + J_F^T s||", "= ||s + J_F^T s||"));
    if (*bitwise)
        lesson_say(ls,
                   "The probe's ||s|| is ||dL/dx_1|| itself. To check the claim entry by entry, I "
                   "ran the branch F alone on a second tape, started its backward pass from "
                   "dL/dx_1, and added the result to dL/dx_1. The sum equals the engine's dL/dx_0 "
                   "in all %zu entries, bit for bit (memcmp): the skip term is the upstream "
                   "gradient, not scaled, not masked, not even rounded. That identity is the "
                   "\"+1\".",
                   "프로브가 잰 ||s||는 ||dL/dx_1|| 그 자체입니다. 원소 하나하나까지 확인하려고 "
                   "가지 F만 두 번째 테이프에서 따로 돌려 dL/dx_1에서 역전파를 시작하고, 그 결과를 "
                   "dL/dx_1에 더했습니다. 이 합은 엔진이 계산한 dL/dx_0과 %zu개 원소 모두 비트까지 "
                   "같습니다(memcmp). 스킵 항은 위쪽 그래디언트 그대로입니다. 크기가 바뀌지도, "
                   "일부가 잘리지도, 반올림되지도 않습니다. 이 항등 변환이 바로 \"+1\"입니다.",
                   size);
    else
        lesson_say(ls,
                   "To check the split entry by entry, I ran the branch F alone on a second tape, "
                   "started its backward pass from dL/dx_1 and added the result to dL/dx_1: %zu of "
                   "%zu entries equal the engine's dL/dx_0 bit for bit, and the largest relative "
                   "difference is %.1e.",
                   "분해를 원소 단위로 확인하려고 가지 F만 두 번째 테이프에서 따로 돌려 dL/dx_1에서 "
                   "역전파를 시작하고 그 결과를 dL/dx_1에 더했습니다. %zu개 원소(전체 %zu개)가 "
                   "엔진의 dL/dx_0과 비트까지 같고, 가장 큰 상대 오차는 %.1e입니다.",
                   same, size, worst);
    lesson_say(ls,
               "The branch term is %.2f times as long as the skip term and the cosine between "
               "them is %+.3f, so together they are %.3f times as long as s. For the gradient "
               "at x_0 to vanish, the branch would have to cancel s exactly: same length, opposite "
               "direction.",
               "가지 항의 길이는 스킵 항의 %.2f배이고 두 항 사이의 코사인은 %+.3f입니다. 그래서 "
               "둘을 더한 길이는 s의 %.3f배입니다. x_0에서 그래디언트가 사라지려면 가지 항이 s를 "
               "정확히 상쇄해야 합니다. 길이는 같고 방향은 정반대여야 하죠.",
               ratio, r0->cos_skip_branch, total);
    rc = 0;
done:
    gf_tape_free(alone);
    run_release(&r);
    free(g0);
    free(g1);
    free(b);
    free(sum);
    return rc;
}

/* ---- Steps 2 and 4: the sweep over depths --------------------------------- */

static int run_sweep(lesson *ls, const setup *su, gf_init init, sweep *sw)
{
    memset(sw, 0, sizeof *sw);
    sw->init = init;
    for (int i = 0; i < su->n_depths; i++) {
        gf_gradnorm_spec spec = {.base = gf_stack_config_default(), .archs = ARCHS,
                                 .n_archs = N_ARCHS, .seeds = su->seeds, .seed0 = 1,
                                 .batch = su->batch, .data = &su->data};
        spec.base.depth = su->depths[i];
        spec.base.width = su->width;
        spec.base.init = init;
        char why[512], sub[64], path[4096];
        gf_gradnorm_result *res = &sw->res[i];
        if (gf_gradnorm_run(&spec, res, why, sizeof why) != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        snprintf(sub, sizeof sub, "%s-depth%d", gf_init_names[init], su->depths[i]);
        if (lesson_dir(ls, sub, path, sizeof path) != 0)
            return LESSON_RUNTIME;
        if (gf_gradnorm_write(res, path, why, sizeof why) != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        const int B = res->blocks;
        for (int a = 0; a < N_ARCHS; a++) {
            double first, last, lo, hi;
            gf_gradnorm_block_stats(res, a, 0, &first, &lo, &hi);
            gf_gradnorm_block_stats(res, a, B, &last, &lo, &hi);
            sw->lost[i][a] = last - first;
        }
        double t = 0.0;
        for (int l = 0; l < B; l++)
            t += res->theory[PLAIN * B + l];
        sw->theory[i] = -t;
    }
    return 0;
}

static void sweep_release(sweep *sw, int n)
{
    for (int i = 0; i < n; i++)
        gf_gradnorm_release(&sw->res[i]);
}

static void sweep_table(lesson *ls, const setup *su, const sweep *sw)
{
    lesson_pre(ls, "%5s %6s   %7s %9s   %7s %7s", "depth", "blocks", "plain", "(theory)",
               "resnet", "preact");
    for (int i = 0; i < su->n_depths; i++) {
        char t[24];
        snprintf(t, sizeof t, "(%.2f)", dec(sw->theory[i]));
        lesson_pre(ls, "%5d %6d   %7.2f %9s   %7.2f %7.2f", su->depths[i], sw->res[i].blocks,
                   dec(sw->lost[i][PLAIN]), t, dec(sw->lost[i][RESNET]),
                   dec(sw->lost[i][PREACT]));
    }
}

/* The log10 range of everything the per-block figure draws. */
static void block_range(const gf_gradnorm_result *res, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int a = 0; a < res->spec.n_archs; a++) {
        double t = 0.0, mean, mn, mx;
        for (int l = res->blocks; l >= 0; l--) {
            gf_gradnorm_block_stats(res, a, l, &mean, &mn, &mx);
            if (l == res->blocks)
                t = mean;
            else if (!isnan(res->theory[a * res->blocks + l]))
                t += res->theory[a * res->blocks + l];
            *lo = fmin(*lo, fmin(mn, t));
            *hi = fmax(*hi, fmax(mx, t));
        }
    }
}

static int block_figure(lesson *ls, const setup *su, const sweep *sw, int terminal)
{
    const int i = su->n_depths - 1;
    const gf_gradnorm_result *res = &sw->res[i];
    static const char *const names[N_ARCHS] = {"plain", "resnet", "preact"};
    static const int theory[N_ARCHS] = {1, 0, 0};
    char title[256], subtitle[256], sub[64], cap_en[256], cap_ko[256];
    const char *init = gf_init_names[sw->init];
    snprintf(title, sizeof title,
             "Gradient norm per block at initialization: depth %d (%d blocks), %s init",
             su->depths[i], res->blocks, init);
    snprintf(subtitle, sizeof subtitle, "width %zu, batch %zu, %d seeds, act relu, no norm; "
             "loss = mean cross-entropy", su->width, su->batch, su->seeds);
    gf_fig_gradnorm fig = {.title = title, .subtitle = subtitle, .archs = names,
                           .theory = theory, .n_archs = N_ARCHS, .xmax = res->blocks};
    block_range(res, &fig.ymin, &fig.ymax);
    snprintf(sub, sizeof sub, "%s-depth%d", init, su->depths[i]);
    snprintf(cap_en, sizeof cap_en, "||dL/dx_l|| at every block boundary, depth %d, %s init "
             "(dashed: the product of per-layer gains for plain)", su->depths[i], init);
    snprintf(cap_ko, sizeof cap_ko, "블록 경계마다 잰 ||dL/dx_l||, 깊이 %d, %s 초기화 "
             "(점선: plain의 층별 이득을 곱한 이론값)", su->depths[i], init);
    return lesson_figure(ls, sub, "gradnorm", gf_fig_gradnorm_body, &fig, terminal, cap_en,
                         cap_ko);
}

/* ---- the ratio against depth: this lesson's own figure ------------------ */

typedef struct depth_fig {
    char title[256], subtitle[256];
    const setup *su;
    double ymin, ymax;
} depth_fig;

/* decades.tsv: init arch depth blocks seeds log10_ratio_{mean,min,max} log10_theory,
 * with ratio = ||dL/dx_0|| / ||dL/dx_B||. */
static int write_decades(lesson *ls, const setup *su, const sweep *sw, int n_sweeps,
                         depth_fig *fig)
{
    char path[4096];
    gf_atomic at;
    FILE *f;
    if (gf_path_join(path, sizeof path, ls->opt.out, "decades.tsv") != 0 ||
        !(f = gf_atomic_open(&at, path)))
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s/decades.tsv", ls->opt.out);
    fig->ymin = INFINITY;
    fig->ymax = -INFINITY;
    fputs("init\tarch\tdepth\tblocks\tseeds\tlog10_ratio_mean\tlog10_ratio_min\t"
          "log10_ratio_max\tlog10_theory\n", f);
    for (int k = 0; k < n_sweeps; k++)
        for (int a = 0; a < N_ARCHS; a++)
            for (int i = 0; i < su->n_depths; i++) {
                const gf_gradnorm_result *res = &sw[k].res[i];
                double lo = INFINITY, hi = -INFINITY;
                for (int s = 0; s < su->seeds; s++) {
                    const double v = (gf_gradnorm_block(res, a, s, 0)->log2_frob -
                                      gf_gradnorm_block(res, a, s, res->blocks)->log2_frob) *
                                     LOG10_2;
                    lo = fmin(lo, v);
                    hi = fmax(hi, v);
                }
                const double theory = a == PLAIN ? -sw[k].theory[i] : NAN;
                char t[40];
                gf_format_double(t, sizeof t, theory);
                fprintf(f, "%s\t%s\t%d\t%d\t%d\t%.6f\t%.6f\t%.6f\t%s\n",
                        gf_init_names[sw[k].init], gf_arch_names[ARCHS[a]], su->depths[i],
                        res->blocks, su->seeds, -sw[k].lost[i][a], lo, hi, t);
                fig->ymin = fmin(fig->ymin, isnan(theory) ? lo : fmin(lo, theory));
                fig->ymax = fmax(fig->ymax, isnan(theory) ? hi : fmax(hi, theory));
            }
    if (ferror(f)) {
        gf_atomic_abort(&at);
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s", path);
    }
    if (gf_atomic_commit(&at) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s", path);
    return 0;
}

static int depth_body(FILE *out, gf_term term, const void *ctx)
{
    const depth_fig *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    static const char *const inits[2] = {"torch", "he"};
    static const char *const archs[N_ARCHS] = {"plain", "resnet", "preact"};
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\nset title ", out);
    gf_plot_quote(out, f->title);
    if (rich) {
        fputs(".\"\\n\".", out);
        gf_plot_quote(out, f->subtitle);
    }
    fputs(" noenhanced\n", out);
    fputs("set xlabel 'depth (weight layers, 2B + 2)'\n", out);
    fputs(rich ? "set ylabel '||dL/dx_0|| / ||dL/dx_B||  (log scale)' noenhanced\n"
               : "set ylabel 'dL/dx_0 : dL/dx_B'\n",
          out);
    /* Whole decades; a step of 1, 2, 5, 10, ... keeps about ten tics. */
    const double span = fmax(f->ymax - f->ymin, 1.0);
    static const double steps[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    double step = 1.0;
    for (size_t i = 0; i < sizeof steps / sizeof *steps && span / steps[i] > 10.0; i++)
        step = steps[i + 1 < sizeof steps / sizeof *steps ? i + 1 : i];
    fprintf(out, "set yrange [%g:%g]\nset ytics %g\nset format y \"%s\"\n",
            f->ymin - 0.05 * span, f->ymax + 0.05 * span, step, rich ? "10^{%g}" : "1e%g");
    fputs("set xtics (", out);
    int xmax = 0;
    for (int i = 0; i < f->su->n_depths; i++) {
        fprintf(out, "%s%d", i ? ", " : "", f->su->depths[i]);
        xmax = f->su->depths[i];
    }
    fprintf(out, ")\nset xrange [0:%g]\n", xmax * 1.06);
    fputs("set grid xtics ytics lc '#dddddd'\n", out);
    fputs(rich ? "set key below center vertical Left reverse maxrows 4 samplen 4 width 2\n"
               : "set key below left vertical Left reverse maxrows 3\n",
          out);
    /* One key column per initialization: its three curves, then its theory line. */
    const char *sep = "plot ";
    for (int k = 0; k < 2; k++) {
        const char *init = inits[k], *label = k ? "He" : "PyTorch default";
        for (int a = 0; a < N_ARCHS; a++) {
            fprintf(out, "%s'decades.tsv' skip 1 using 3:(strcol(1) eq '%s' && strcol(2) eq '%s' ? "
                         "column(6) : NaN)",
                    sep, init, archs[a]);
            if (rich)
                fprintf(out, ":(strcol(1) eq '%s' && strcol(2) eq '%s' ? column(7) : NaN)"
                             ":(strcol(1) eq '%s' && strcol(2) eq '%s' ? column(8) : NaN) "
                             "with yerrorlines",
                        init, archs[a], init, archs[a]);
            else
                fputs(" with linespoints", out);
            fprintf(out, " lc '%s' lw 2 dt %d pt %d ps 0.9 title '%s, %s init'",
                    gf_plot_color(archs[a]), k ? 2 : 1, k ? 6 : 7, archs[a], label);
            sep = ", \\\n     ";
        }
        if (rich)
            fprintf(out, "%s'decades.tsv' skip 1 using 3:(strcol(1) eq '%s' && strcol(2) eq "
                         "'plain' ? column(9) : NaN) with lines lc '#000000' lw 1.5 dt (6,4) "
                         "title 'plain, %s init: theory (product of gains)'",
                    sep, init, label);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

/* ---- Step 3: zero branches ---------------------------------------------- */

typedef struct compare {
    size_t entries, same, cut; /* cut: differ where x_0 = 0 and dL/dx_0 = 0 */
    double worst;              /* largest relative difference */
    int bitwise;
} compare;

static compare compare_ends(const run *r, const setup *su, double *g0, double *gB)
{
    const int B = r->stack->blocks;
    const gf_probe_record *r0 = gf_recorder_find(&r->rec, GF_PROBE_BLOCK, 0),
                          *rB = gf_recorder_find(&r->rec, GF_PROBE_BLOCK, B);
    compare c = {.entries = su->batch * su->width};
    gf_tensor_grad_export(r0->tensor, g0);
    gf_tensor_grad_export(rB->tensor, gB);
    c.bitwise = memcmp(g0, gB, c.entries * sizeof *g0) == 0;
    for (size_t i = 0; i < c.entries; i++) {
        if (memcmp(&g0[i], &gB[i], sizeof *g0) == 0) {
            c.same++;
            continue;
        }
        c.cut += r0->tensor->v[i] == 0.0 && g0[i] == 0.0;
        if (gB[i] != 0.0)
            c.worst = fmax(c.worst, fabs(g0[i] - gB[i]) / fabs(gB[i]));
    }
    return c;
}

static int step_zero(lesson *ls, const setup *su, int *bitwise)
{
    const int depth = su->depths[su->n_depths - 1];
    gf_stack_config c = gf_stack_config_default();
    c.depth = depth;
    c.width = su->width;
    c.zero_branch = 1;
    const size_t size = su->batch * su->width;
    run r[2] = {{0}, {0}};
    double *g0 = malloc(size * sizeof *g0), *gB = malloc(size * sizeof *gB);
    int rc = LESSON_RUNTIME;
    c.arch = GF_ARCH_PREACT;
    const int ok_pre = g0 && gB && run_once(&r[0], &c, su, su->batch, 1) == 0;
    c.arch = GF_ARCH_RESNET;
    if (!ok_pre || run_once(&r[1], &c, su, su->batch, 1) != 0) {
        lesson_fail(ls, LESSON_RUNTIME, "step 3: building or running the stacks failed");
        goto done;
    }
    const compare pre = compare_ends(&r[0], su, g0, gB);
    const double w_grad = gf_params_grad_log2(&r[0].stack->params,
                                              r[0].stack->block[0].fc2.weight);
    const compare res = compare_ends(&r[1], su, g0, gB);
    *bitwise = pre.bitwise;
    const int B = r[0].stack->blocks;
    char a[32];
    lesson_say(ls,
               "Zero the last Linear of every branch (gradflow's `zero_branch` option, the "
               "\"zero-init residual\" trick) and F_l = 0 in every block. A pre-activation stack "
               "is then the identity from x_0 to x_B, and the formula above reduces to "
               "dL/dx_0 = dL/dx_B. I built one at depth %d (%d blocks, width %zu, batch %zu) "
               "and exported both gradients, %zu doubles each.",
               "모든 가지의 마지막 Linear를 0으로 만들면(gradflow의 `zero_branch` 옵션, 이른바 "
               "\"zero-init residual\") 모든 블록에서 F_l = 0이 됩니다. 그러면 사전 활성화 스택은 "
               "x_0에서 x_B까지 항등 함수이고, 위 식은 dL/dx_0 = dL/dx_B로 줄어듭니다. 깊이 %d인 "
               "스택을 하나 만들어(블록 %d개, 폭 %zu, 배치 %zu) 두 그래디언트를 내보냈습니다. "
               "각각 double %zu개입니다.",
               depth, B, su->width, su->batch, size);
    if (pre.bitwise)
        lesson_say(ls,
                   "`memcmp` finds them identical, bit for bit: %d blocks, and not one rounding on "
                   "the way. Zeroed does not mean frozen, though: the zeroed weight "
                   "`blocks.0.fc2.weight` still receives a gradient of norm %s, so the first "
                   "training step moves it off zero.",
                   "`memcmp`로 비교하면 비트까지 똑같습니다. 블록 %d개를 지나는 동안 반올림 한 번 "
                   "없었다는 뜻입니다. 그렇다고 멈춰 있는 것은 아닙니다. 0으로 만든 가중치 "
                   "`blocks.0.fc2.weight`도 노름 %s의 그래디언트를 받으므로, 첫 학습 단계에서 곧바로 "
                   "0을 벗어납니다.",
                   B, sci(a, sizeof a, w_grad));
    else
        lesson_say(ls,
                   "`memcmp` finds %zu of %zu entries identical; the largest relative difference "
                   "is %.1e. The zeroed weight `blocks.0.fc2.weight` receives a gradient of norm "
                   "%s.",
                   "`memcmp`로 비교하면 %zu개 원소(전체 %zu개)가 같고, 가장 큰 상대 오차는 %.1e입니다. "
                   "0으로 만든 가중치 `blocks.0.fc2.weight`가 받는 그래디언트의 노름은 %s입니다.",
                   pre.same, pre.entries, pre.worst, sci(a, sizeof a, w_grad));
    lesson_say(ls,
               "The original ResNet adds before its last ReLU, x_{l+1} = relu(x_l + F(x_l)), so "
               "even with zero branches that ReLU sits on the highway. The same comparison at "
               "depth %d: %zu of the %zu entries of dL/dx_0 equal dL/dx_B bit for bit.",
               "원래 ResNet은 마지막 ReLU 앞에서 더합니다. x_{l+1} = relu(x_l + F(x_l))이므로 "
               "가지가 0이어도 그 ReLU는 고속도로 위에 남습니다. 깊이 %d에서 같은 비교를 하면 "
               "dL/dx_0의 원소 중 %zu개(전체 %zu개)가 dL/dx_B와 비트까지 같습니다.",
               depth, res.same, res.entries);
    if (res.same < res.entries && res.cut == res.entries - res.same)
        lesson_say(ls,
                   "The other %zu are all entries where x_0 = 0, and there dL/dx_0 is "
                   "0: a ReLU passes gradient only where its input is positive. The "
                   "pre-activation layout takes that ReLU off the highway; a later lesson "
                   "measures what this changes.",
                   "나머지 %zu개는 모두 x_0 = 0인 원소이고, 거기서 dL/dx_0은 0입니다. ReLU는 "
                   "입력이 양수인 곳으로만 그래디언트를 흘려보내기 때문입니다. 사전 활성화 구조는 "
                   "이 ReLU를 고속도로 밖으로 옮깁니다. 그것이 무엇을 바꾸는지는 뒤의 강의에서 "
                   "잽니다.",
                   res.entries - res.same);
    else if (res.same < res.entries)
        lesson_say(ls,
                   "Of the other %zu, %zu are entries where x_0 = 0 and dL/dx_0 = 0 (the ReLU "
                   "passes gradient only where its input is positive).",
                   "나머지 %zu개 가운데 %zu개는 x_0 = 0이고 dL/dx_0 = 0인 원소입니다(ReLU는 입력이 "
                   "양수인 곳으로만 그래디언트를 흘려보냅니다).",
                   res.entries - res.same, res.cut);
    rc = 0;
done:
    run_release(&r[0]);
    run_release(&r[1]);
    free(g0);
    free(gB);
    return rc;
}

/* ---- Step 4: where the growth comes from --------------------------------- */

/* Over the blocks of one architecture (mean over seeds):
 *   log10 ||g_0|| - log10 ||g_B|| = sum_l log10 ||s_l + b_l|| / ||s_l||     (branch)
 *                                 + sum_l log10 ||s_l|| / ||g_{l+1}||      (ReLU cut)
 * exactly (the sum telescopes); for preact s_l = g_{l+1}, so the cut is 0. */
typedef struct split_sum {
    double r, cos, branch, cut;
} split_sum;

static split_sum split_of(const gf_gradnorm_result *res, int a)
{
    split_sum s = {0};
    int n = 0, nc = 0;
    for (int k = 0; k < res->spec.seeds; k++)
        for (int l = 0; l < res->blocks; l++) {
            const gf_probe_record *rl = gf_gradnorm_block(res, a, k, l),
                                  *rn = gf_gradnorm_block(res, a, k, l + 1);
            s.branch += (rl->log2_frob - rl->log2_skip) * LOG10_2;
            s.cut += (rl->log2_skip - rn->log2_frob) * LOG10_2;
            s.r += exp2(rl->log2_branch - rl->log2_skip);
            n++;
            if (!isnan(rl->cos_skip_branch)) {
                s.cos += rl->cos_skip_branch;
                nc++;
            }
        }
    s.branch /= res->spec.seeds;
    s.cut /= res->spec.seeds;
    s.r /= n;
    s.cos = nc ? s.cos / nc : NAN;
    return s;
}

static int step_he(lesson *ls, const setup *su, const sweep *torch, const sweep *he)
{
    const int i = su->n_depths - 1, depth = su->depths[i], B = he->res[i].blocks;
    const double fan_var = gf_init_weight_var(GF_INIT_HE, su->width, su->width) * (double)su->width;
    const double relu2 = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    lesson_say(ls,
               "PyTorch's default is not the only choice. He et al. picked Var(w) = 2/fan_in to "
               "make up for what the ReLU removes: fan_in · Var(w) = %.2f times "
               "E[relu'(h)^2] = %.2f gives %.2f per layer, so theory predicts no decay at all. "
               "The same experiment with He initialization, decades lost from x_B to x_0:",
               "PyTorch 기본값만 있는 것은 아닙니다. He 연구진은 ReLU가 깎아 내는 몫을 메우려고 "
               "Var(w) = 2/fan_in을 골랐습니다. fan_in · Var(w) = %.2f, E[relu'(h)^2] = %.2f이고 "
               "둘을 곱하면 층당 %.2f이니, 이론상 그래디언트는 전혀 줄지 않습니다. He 초기화로 같은 "
               "실험을 하면, x_B에서 x_0까지 잃은 자릿수는 다음과 같습니다.",
               fan_var, relu2, fan_var * relu2);
    sweep_table(ls, su, he);
    const double plain = he->lost[i][PLAIN];
    lesson_say(ls,
               "Now the plain stack's gradient %s: at depth %d it loses %.2f decades (theory "
               "%.2f). The residual stacks change by %+.2f decades (resnet) and %+.2f decades "
               "(preact) from x_B to x_0: resnet's gradient %s, preact's gradient %s.",
               "이제 plain 스택의 그래디언트는 %s. 깊이 %d에서 잃는 자릿수는 %.2f(이론값 %.2f)입니다. "
               "잔차 스택은 x_B에서 x_0까지 resnet이 %+.2f자리, preact가 %+.2f자리 변합니다. "
               "resnet의 그래디언트는 %s. preact의 그래디언트도 보면 %s.",
               verdict(ls, -plain), depth, dec(plain), dec(he->theory[i]),
               dec(-he->lost[i][RESNET]), dec(-he->lost[i][PREACT]),
               verdict(ls, -he->lost[i][RESNET]), verdict(ls, -he->lost[i][PREACT]));
    if (fabs(plain) <= 1.0)
        lesson_say(ls,
                   "So with He initialization the gradient of a plain ReLU stack does not vanish "
                   "at initialization: whatever makes deep plain networks hard to train, it is "
                   "not only a gradient that vanishes at the start.",
                   "즉 He 초기화를 하면 plain ReLU 스택의 그래디언트는 초기화 시점에 사라지지 "
                   "않습니다. 깊은 plain 네트워크를 학습하기 어려운 이유가 시작 시점의 그래디언트 "
                   "소실만은 아니라는 뜻입니다.");
    lesson_say(ls,
               "Where does the residual growth come from? Write ||dL/dx_0|| / ||dL/dx_B|| as a "
               "product over blocks. Each block contributes ||s + J_F^T s|| / ||s||, what its "
               "branch adds, and for resnet also ||s_l|| / ||dL/dx_{l+1}||, what the ReLU on the "
               "highway removes (for preact this factor is exactly 1). Summed over the %d blocks "
               "at depth %d, in decades, mean over seeds:",
               "잔차 스택의 그래디언트가 커지는 까닭은 무엇일까요? ||dL/dx_0|| / ||dL/dx_B||를 블록별 인수의 "
               "곱으로 써 봅시다. 블록마다 가지가 더하는 몫 ||s + J_F^T s|| / ||s||가 있고, "
               "resnet에는 고속도로 위의 ReLU가 깎는 몫 ||s_l|| / ||dL/dx_{l+1}||가 하나 더 "
               "있습니다(preact에서는 이 인수가 정확히 1입니다). 블록 %d개(깊이 %d)에 걸쳐 모두 "
               "더하면 다음과 같습니다(단위는 자릿수, 시드 평균).",
               B, depth);
    lesson_pre(ls, "%-6s %-7s %13s %8s %8s %9s %8s", "init", "arch", "||J_F^Ts||/||s||", "cos",
               "branch", "ReLU cut", "total");
    split_sum sp[2][2];
    const sweep *sw[2] = {torch, he};
    for (int k = 0; k < 2; k++)
        for (int a = RESNET; a <= PREACT; a++) {
            const split_sum s = sp[k][a - RESNET] = split_of(&sw[k]->res[i], a);
            lesson_pre(ls, "%-6s %-7s %16.3f %+8.3f %+8.2f %+9.2f %+8.2f",
                       gf_init_names[sw[k]->init], gf_arch_names[ARCHS[a]], s.r, s.cos,
                       dec(s.branch), dec(s.cut), dec(s.branch + s.cut));
        }
    const split_sum pt = sp[0][1], ph = sp[1][1];
    lesson_say(ls,
               "With PyTorch's default init the branch term is on average %.2f times the skip "
               "term and a pre-activation block multiplies the gradient by %.3f; with He init it "
               "is %.2f times, the factor is %.3f, and over %d blocks that compounds to %+.2f "
               "decades. The highway guarantees that dL/dx_B reaches x_0 as one term of "
               "dL/dx_0, whatever the weights. It does not keep the size of the sum in check: "
               "the branches add on top, block after block. Shrinking the branches (Step 3 "
               "showed the extreme, zero), normalization layers and the pre-activation layout "
               "are the tools for that, and later lessons measure each of them.",
               "PyTorch 기본 초기화에서는 가지 항이 평균적으로 스킵 항의 %.2f배이고, 사전 활성화 "
               "블록 하나가 그래디언트를 %.3f배로 만듭니다. He 초기화에서는 %.2f배, 블록당 "
               "%.3f배이고, 블록 %d개를 지나며 쌓이면 %+.2f자리가 됩니다. 고속도로가 보장하는 "
               "것은, 가중치가 어떻든 dL/dx_B가 dL/dx_0의 한 항으로 x_0까지 도착한다는 "
               "사실입니다. 합 전체의 크기까지 붙잡아 주지는 않습니다. 블록마다 가지 항이 그 "
               "위에 계속 더해지기 때문입니다. 가지를 작게 줄이는 방법(3단계가 그 극단인 0을 "
               "보여 주었습니다), 정규화 층, 사전 활성화 구조가 이 일을 맡는 도구이고, 뒤의 "
               "강의에서 하나씩 잽니다.",
               pt.r, pow(10.0, pt.branch / B), ph.r, pow(10.0, ph.branch / B), B,
               dec(ph.branch + ph.cut));
    return 0;
}

/* ---- the lesson ----------------------------------------------------------- */

static void depth_list(char *buf, size_t size, const setup *su)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < su->n_depths && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%d", i ? ", " : "", su->depths[i]);
}

static int intro(lesson *ls, const setup *su)
{
    lesson_say(ls,
               "A residual block computes y = x + F(x). The backward pass turns that sum into a "
               "sum of gradients: whatever gradient reaches y is handed to x unchanged, and what "
               "comes back through the branch F is added on top. Chain L blocks and the "
               "unchanged part travels all the way from the loss to the first layer. Chain L "
               "plain layers instead and the gradient is multiplied by one Jacobian per layer, "
               "so its size is a product of L factors:",
               "잔차 블록은 y = x + F(x)를 계산합니다. 역전파에서는 이 덧셈이 그래디언트의 "
               "덧셈이 됩니다. y에 도착한 그래디언트는 그대로 x에 전달되고, 가지 F를 거쳐 돌아온 "
               "그래디언트가 그 위에 더해집니다. 블록을 L개 이어 붙여도 그대로 전달되는 부분은 "
               "손실에서 첫 층까지 끊기지 않고 내려갑니다. 반면 일반(plain) 층을 L개 이어 붙이면 "
               "층마다 야코비안이 하나씩 곱해지므로, 그래디언트의 크기는 L개 인수의 곱이 "
               "됩니다.");
    lesson_math(ls, "residual:  dL/dx_0 = dL/dx_L · (I + ∂/∂x_0 Σ_l F_l(x_l))",
                "\\text{residual:}\\quad \\frac{\\partial L}{\\partial x_0} = "
                "\\frac{\\partial L}{\\partial x_L}\\Big(I + \\frac{\\partial}{\\partial x_0}"
                "\\sum_{l=0}^{L-1} F_l(x_l)\\Big)");
    lesson_math(ls, "plain:     dL/dx_0 = dL/dx_L · Π_l ∂f_l/∂x_l",
                "\\text{plain:}\\quad \\frac{\\partial L}{\\partial x_0} = "
                "\\frac{\\partial L}{\\partial x_L}\\prod_{l=0}^{L-1}"
                "\\frac{\\partial f_l}{\\partial x_l}");
    lesson_say(ls,
               "The identity matrix I is the \"+1\": a path for the gradient that no weight can "
               "close. This program measures it with gradflow's engine, at initialization, on a "
               "synthetic 10-class problem with %zu input features. Every number below is "
               "measured by this run.",
               "항등 행렬 I가 바로 \"+1\"입니다. 어떤 가중치도 막을 수 없는 그래디언트의 "
               "통로입니다. 이 프로그램은 gradflow 엔진으로 그 통로를 직접 잽니다. 모두 초기화 "
               "직후의 네트워크이고, 데이터는 입력이 %zu차원인 합성 10-클래스 문제입니다. 아래의 "
               "숫자는 전부 이번 실행에서 잰 값입니다.",
               su->data.dim);
    return 0;
}

static int step_plain(lesson *ls, const setup *su, const sweep *torch)
{
    const int i = su->n_depths - 1, depth = su->depths[i], B = torch->res[i].blocks;
    const double fan_var =
        gf_init_weight_var(GF_INIT_TORCH, su->width, su->width) * (double)su->width;
    const double relu2 = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    char depths[64], ratio[32], g0s[32];
    depth_list(depths, sizeof depths, su);
    lesson_say(ls,
               "Remove the skip and block l is just x_{l+1} = f_l(x_l): backward multiplies "
               "dL/dx_{l+1} by the block's Jacobian and adds nothing. One Linear-ReLU layer "
               "multiplies the expected squared norm of the gradient by "
               "fan_in · Var(w) · E[relu'(h)^2]. PyTorch's default init draws w uniformly in "
               "±1/sqrt(fan_in), so fan_in · Var(w) = %.4f; with E[relu'(h)^2] = %.2f each layer "
               "multiplies the squared norm by %.4f, and the norm loses %.3f decades per layer "
               "(a decade is a factor of 10).",
               "스킵을 없애면 블록 l은 그냥 x_{l+1} = f_l(x_l)입니다. 역전파는 dL/dx_{l+1}에 "
               "블록의 야코비안을 곱할 뿐, 더해 주는 것이 없습니다. Linear-ReLU 층 하나는 "
               "그래디언트 제곱 노름의 기댓값을 fan_in · Var(w) · E[relu'(h)^2]배로 만듭니다. "
               "PyTorch 기본 초기화는 w를 ±1/sqrt(fan_in) 범위에서 균등하게 뽑으므로 "
               "fan_in · Var(w) = %.4f이고, E[relu'(h)^2] = %.2f이므로 층마다 제곱 노름이 "
               "%.4f배가 됩니다. 노름으로 치면 층당 %.3f자리씩 줄어듭니다(한 자리는 10배).",
               fan_var, relu2, fan_var * relu2, -0.5 * log10(fan_var * relu2));
    lesson_say(ls,
               "I built the three stacks at depths %s with %d seeds each (a seed draws the "
               "weights and the batch), width %zu and batch %zu, ran one forward and one "
               "backward pass, and recorded ||dL/dx_l|| at every block boundary, from x_B (the "
               "head's input) down "
               "to x_0 (the stem's output). Decades lost from x_B to x_0, geometric mean over "
               "seeds; a negative number means the gradient grew:",
               "세 가지 스택을 깊이 %s에서 각각 시드 %d개로 만들었습니다(시드 하나가 가중치와 "
               "배치를 정합니다). 폭은 %zu, 배치는 %zu입니다. 순전파와 역전파를 한 번씩 돌리고 "
               "블록 경계마다 ||dL/dx_l||를 기록했습니다. x_B(출력층의 입력)에서 x_0(stem의 "
               "출력)까지 잃은 자릿수는 다음과 같습니다. 시드에 대한 기하 평균이고, 음수는 "
               "그래디언트가 오히려 커졌다는 뜻입니다.",
               depths, su->seeds, su->width, su->batch);
    sweep_table(ls, su, torch);
    double level = 0.0;
    for (int d = 0; d < su->n_depths; d++)
        level = fmax(level, fmax(fabs(torch->lost[d][RESNET]), fabs(torch->lost[d][PREACT])));
    lesson_say(ls,
               "The plain stack loses %.2f decades per block; the product of per-layer gains "
               "predicts %.2f. At depth %d its gradient at x_0 is %s times the one at x_B. The "
               "two residual stacks stay within %.2f decades at every depth.",
               "plain 스택은 블록당 %.2f자리를 잃습니다. 층별 이득을 곱한 이론값은 %.2f자리입니다. "
               "깊이 %d에서 x_0의 그래디언트는 x_B의 %s배입니다. 두 잔차 스택은 모든 깊이에서 "
               "변화가 %.2f자리 이내입니다.",
               torch->lost[i][PLAIN] / B, torch->theory[i] / B, depth,
               sci(ratio, sizeof ratio, -torch->lost[i][PLAIN] / LOG10_2), level);
    double g0, lo, hi;
    gf_gradnorm_block_stats(&torch->res[i], PLAIN, 0, &g0, &lo, &hi);
    if (g0 < log10(FLT_MIN))
        lesson_say(ls,
                   "In absolute terms ||dL/dx_0|| = %s, below the smallest normal float32 "
                   "(%.2e): a network training in float32 would keep a few bits of this "
                   "gradient, or none. gradflow carries an exponent through the backward pass, "
                   "so it can still report the number.",
                   "절댓값으로는 ||dL/dx_0|| = %s로, float32의 가장 작은 정규 수(%.2e)보다 "
                   "작습니다. float32로 학습하는 네트워크라면 이 그래디언트는 몇 비트만 남거나 아예 "
                   "0이 됩니다. gradflow는 역전파 내내 지수를 따로 들고 다니므로 이 값도 잴 수 "
                   "있습니다.",
                   sci(g0s, sizeof g0s, g0 / LOG10_2), (double)FLT_MIN);
    return block_figure(ls, su, torch, 1);
}

int main(int argc, char **argv)
{
    const char *why = NULL;
    if (gf_blas_setup(argv, &why) != 0) {
        fprintf(stderr, "%s: %s\n", INFO.prog, why);
        return LESSON_RUNTIME;
    }
    gsl_set_error_handler_off();
    lesson ls;
    int rc = lesson_parse(argc, argv, &INFO, &ls.opt);
    if (rc != LESSON_GO)
        return rc;
    setup su = ls.opt.quick
                   ? (setup){.depths = {8, 20, 56}, .n_depths = 3, .width = 64, .batch = 32,
                             .seeds = 2, .block_width = 16, .block_batch = 8}
                   : (setup){.depths = {8, 20, 56, 110}, .n_depths = 4, .width = 128,
                             .batch = 64, .seeds = 5, .block_width = 32, .block_batch = 16};
    if (gf_synthetic_make(&su.data, 4096, 32, 10, 1.5, 0) != 0)
        return lesson_fail(NULL, LESSON_RUNTIME, "out of memory making the synthetic set");
    sweep *sw = calloc(2, sizeof *sw);
    int bitwise_block = 0, bitwise_zero = 0;
    if (!sw) {
        rc = lesson_fail(NULL, LESSON_RUNTIME, "out of memory");
        goto out;
    }
    if ((rc = lesson_begin(&ls, &INFO)) != 0)
        goto out;
    json_t *depths = json_array();
    for (int i = 0; i < su.n_depths; i++)
        json_array_append_new(depths, json_integer(su.depths[i]));
    json_object_set_new(ls.settings, "experiment",
        json_pack("{s:o, s:s, s:I, s:I, s:i, s:i, s:s, s:s, s:s, s:[s,s]}", "depths", depths,
                  "arch", "plain,resnet,preact", "width", (json_int_t)su.width, "batch",
                  (json_int_t)su.batch, "seeds", su.seeds, "seed0", 1, "norm", "none", "act",
                  "relu", "data", "synthetic Gaussian mixture: 4096 x 32, 10 classes, "
                  "separation 1.5, data seed 0", "inits", "torch", "he"));
    json_object_set_new(ls.settings, "block",
                        json_pack("{s:s, s:I, s:I, s:i}", "arch", "preact", "width",
                                  (json_int_t)su.block_width, "batch", (json_int_t)su.block_batch,
                                  "seed", 1));

    intro(&ls, &su);
    lesson_heading(&ls, "Step 1. One block: the Jacobian is I + J_F",
                   "1단계. 블록 하나: 야코비안은 I + J_F");
    if ((rc = step_block(&ls, &su, &bitwise_block)) != 0)
        goto out;

    lesson_heading(&ls, "Step 2. A plain stack multiplies Jacobians",
                   "2단계. plain 스택은 야코비안을 곱한다");
    if ((rc = run_sweep(&ls, &su, GF_INIT_TORCH, &sw[0])) != 0)
        goto out;
    if ((rc = step_plain(&ls, &su, &sw[0])) != 0)
        goto out;

    lesson_heading(&ls, "Step 3. Switch the branches off", "3단계. 가지를 모두 끄면");
    if ((rc = step_zero(&ls, &su, &bitwise_zero)) != 0)
        goto out;

    lesson_heading(&ls, "Step 4. A highway, not a regulator",
                   "4단계. 고속도로는 조절기가 아니다");
    if ((rc = run_sweep(&ls, &su, GF_INIT_HE, &sw[1])) != 0)
        goto out;
    if ((rc = step_he(&ls, &su, &sw[0], &sw[1])) != 0 ||
        (rc = block_figure(&ls, &su, &sw[1], 0)) != 0)
        goto out;
    depth_fig fig = {.su = &su};
    snprintf(fig.title, sizeof fig.title,
             "Gradient at the stem's output relative to the head's input, at initialization");
    snprintf(fig.subtitle, sizeof fig.subtitle,
             "width %zu, batch %zu, %d seeds (bars: min-max), relu, no norm; solid: PyTorch "
             "default init, dashed: He init",
             su.width, su.batch, su.seeds);
    if ((rc = write_decades(&ls, &su, sw, 2, &fig)) != 0 ||
        (rc = lesson_figure(&ls, "", "decades", depth_body, &fig, 1,
                            "||dL/dx_0|| / ||dL/dx_B|| against depth, both initializations",
                            "깊이에 따른 ||dL/dx_0|| / ||dL/dx_B||, 두 초기화 비교")) != 0)
        goto out;

    const int last = su.n_depths - 1;
    double level = 0.0, grow = 0.0;
    for (int d = 0; d < su.n_depths; d++)
        for (int a = RESNET; a <= PREACT; a++) {
            level = fmax(level, fabs(sw[0].lost[d][a]));
            grow = fmax(grow, -sw[1].lost[d][a]);
        }
    lesson_heading(&ls, "What to take away", "정리");
    lesson_say(&ls,
               "- One block: dL/dx_0 = s + J_F^T s, and the skip term s is dL/dx_1 (%s).\n"
               "- Plain stack, PyTorch's default init: %.2f decades lost at depth %d; the "
               "product of per-layer gains predicts %.2f.\n"
               "- Zero branches: dL/dx_0 and dL/dx_B of a pre-activation stack are %s.\n"
               "- Residual stacks stay within %.2f decades with the default init; with He init "
               "they grow by up to %.2f decades toward the input. The +1 keeps the gradient "
               "from vanishing; it does not normalize it.",
               "- 블록 하나: dL/dx_0 = s + J_F^T s이고, 스킵 항 s는 dL/dx_1 그대로입니다(%s).\n"
               "- PyTorch 기본 초기화의 plain 스택은 %.2f자리를 잃습니다(깊이 %d). 층별 이득을 "
               "곱한 예측값은 %.2f입니다.\n"
               "- 가지를 0으로 만든 사전 활성화 스택에서 dL/dx_0과 dL/dx_B는 %s.\n"
               "- 잔차 스택은 기본 초기화에서 %.2f자리 안에 머물고, He 초기화에서는 입력 쪽으로 "
               "최대 %.2f자리까지 커집니다. +1은 그래디언트가 사라지지 않게 지켜 줄 뿐, 크기를 "
               "맞춰 주지는 않습니다.",
               LESSON_T(&ls, bitwise_block ? "bit for bit" : "up to rounding",
                        bitwise_block ? "비트까지 같음" : "반올림 오차 이내"),
               dec(sw[0].lost[last][PLAIN]), su.depths[last], dec(sw[0].theory[last]),
               LESSON_T(&ls, bitwise_zero ? "identical, bit for bit" : "equal up to rounding",
                        bitwise_zero ? "비트까지 똑같습니다" : "반올림 오차 안에서 같습니다"),
               level, grow);
    rc = lesson_end(&ls);
out:
    for (int k = 0; sw && k < 2; k++) /* released results are zeroed: safe to repeat */
        sweep_release(&sw[k], su.n_depths);
    free(sw);
    gf_dataset_release(&su.data);
    return rc;
}
