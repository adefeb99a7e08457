/* 03-ensemble.c: lesson 03, the ensemble view (syllabus section 5).
 *
 *   Step 1  paths: B residual blocks unroll into 2^B paths; how many of
 *           each length (gf_path_lengths), and where most of them lie;
 *   Step 2  the gradient by path length at initialization (gf_pathgrad_measure:
 *           the exact split g_0..g_B, which sums to dL/dx_0, and Veit's
 *           sampling of single paths);
 *   Step 3  lesions: a trained residual net and a trained plain net, with one
 *           block deleted and then k random blocks deleted.
 *
 * Every number printed is measured by the run, and every reading branches on it.
 */
#include "lesson.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const lesson_info INFO = LESSON_INFO(
    "03-ensemble", "Lesson 03: a residual network as an ensemble of paths",
    "3강: 경로들의 앙상블로 보는 잔차 네트워크",
    "Counts the paths of a residual stack by length, splits the gradient at the\n"
    "input exactly by path length at initialization, and deletes blocks of a\n"
    "trained residual net and a trained plain net (Veit et al. 2016).",
    "잔차 스택의 경로를 길이별로 세고, 초기화 시점의 입력 그래디언트를 경로 길이별로\n"
    "정확히 나누고, 학습된 잔차 네트워크와 plain 네트워크에서 블록을 지워 봅니다\n"
    "(Veit 연구진 2016).");

typedef struct setup {
    int depth, blocks, epochs, samples, images, draws;
    size_t ntrain, ntest, width;
    long seed;
    gf_dataset train, test;
    const char *data_name;
} setup;

/* ---- Step 1: paths ----------------------------------------------------------- */

static int step_paths(lesson *ls, const setup *su)
{
    const int B = su->blocks;
    double *lc = malloc((size_t)(B + 1) * sizeof *lc), *fr = malloc((size_t)(B + 1) * sizeof *fr);
    if (!lc || !fr) {
        free(lc);
        free(fr);
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    }
    gf_path_lengths(B, lc, fr);
    int lo, hi;
    gf_paths_central(B, 0.95, &lo, &hi);
    double total = 0.0, central = 0.0;
    for (int k = 0; k <= B; k++) {
        total += fr[k];
        if (k >= lo && k <= hi)
            central += fr[k];
    }
    lesson_say(ls,
               "Write one residual block as x_{l+1} = x_l + F_l(x_l). Substitute the block "
               "below into the block above and the output becomes a sum of terms: at every "
               "block a term either goes along the skip or through the branch F_l. With B "
               "blocks that makes 2^B paths from input to output, and C(B, k) of them pass "
               "through exactly k branches. The residual stack below has %d weight layers, so "
               "B = %d blocks and 2^%d ≈ 10^%.1f paths.",
               "잔차 블록 하나를 x_{l+1} = x_l + F_l(x_l)로 씁니다. 아래 블록을 위 블록에 "
               "차례로 대입하면 출력은 여러 항의 합이 됩니다. 각 블록에서 항은 스킵을 타거나 "
               "가지 F_l을 지나갑니다. 블록이 B개면 입력에서 출력까지 경로가 2^B개 생기고, 그중 "
               "가지를 정확히 k번 지나는 경로는 C(B, k)개입니다. 아래의 잔차 스택은 가중치 층이 "
               "%d개이므로 블록은 B = %d개, 경로는 2^%d ≈ 10^%.1f개입니다.",
               su->depth, B, B, B * log10(2.0));
    lesson_math(ls, "x_B = (1 + F_{B-1}) ∘ … ∘ (1 + F_0) x_0,   #paths of length k = C(B, k)",
                "x_B = (1 + F_{B-1}) \\circ \\cdots \\circ (1 + F_0)\\, x_0, \\qquad "
                "\\#\\{\\text{paths of length } k\\} = \\binom{B}{k}");
    lesson_pre(ls, "%4s %14s %10s", "k", "log10 C(B,k)", LESSON_T(ls, "fraction", "비율"));
    for (int k = 0; k <= B; k++)
        lesson_pre(ls, "%4d %14.2f %10.4f", k, lc[k], fr[k]);
    lesson_say(ls,
               "The fractions add up to %.6f. %.1f%% of all paths have between %d and %d "
               "branches, around B/2 = %.1f; the shortest path (no branch at all) and the "
               "longest (all %d branches) are one path each.",
               "비율을 모두 더하면 %.6f입니다. 전체 경로의 %.1f%%가 가지를 %d개에서 %d개 "
               "지나며, B/2 = %.1f 근처에 몰려 있습니다. 가지를 하나도 지나지 않는 가장 짧은 "
               "경로와, %d개 가지를 모두 지나는 가장 긴 경로는 각각 하나뿐입니다.",
               total, 100.0 * central, lo, hi, B / 2.0, B);
    free(lc);
    free(fr);
    char dir[GF_PATH_MAX], why[512], title[160];
    if (lesson_dir(ls, "paths", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    if (gf_paths_write(B, dir, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    snprintf(title, sizeof title, "Paths of %d residual blocks by length", B);
    gf_fig_paths f = {.title = title, .blocks = B, .log10_max = gf_log10_binomial(B, B / 2),
                      .k_lo = lo, .k_hi = hi};
    return lesson_figure(ls, "paths", "paths", gf_fig_paths_body, &f, 1,
                         "The fraction of paths with k branches (the central 95% shaded), and "
                         "their number on a log scale.",
                         "가지를 k개 지나는 경로의 비율(가운데 95%는 음영)과, 로그 눈금으로 본 "
                         "경로 수.");
}

/* ---- Step 2: the gradient by path length --------------------------------------- */

static gf_model *initial_net(const gf_stack_config *c, long seed)
{
    char why[256];
    gf_model *s = gf_model_alloc(&gf_model_mlp, c, why, sizeof why);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int ok = s && rng;
    if (ok) {
        gsl_rng_set(rng, (unsigned long)seed);
        ok = gf_model_init(s, rng) == 0;
    }
    gsl_rng_free(rng);
    if (!ok) {
        gf_model_free(s);
        return NULL;
    }
    return s;
}

/* What Step 2 read from the exact split (numbers only). */
typedef struct pathgrad_facts {
    gf_pathgrad_reading rd;
    int plo, phi; /* the central 95% of path lengths */
} pathgrad_facts;

/* g_k for the freshly initialized net, into c; 0, or the exit status after a message. */
static int measure_pathgrad(lesson *ls, const setup *su, const gf_stack_config *cfg,
                            gf_pathgrad_curve *c, pathgrad_facts *f)
{
    char why[512];
    gf_model *s = initial_net(cfg, su->seed);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s || !rng) {
        gf_model_free(s);
        gsl_rng_free(rng);
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory for the network");
    }
    /* batch norm's running statistics from 20 training-mode passes of 128 training
     * images, as `gradflow pathgrad` does (with 0 and 1 a deep net's activations grow) */
    gsl_rng_set(rng, gf_seed_stream((unsigned long)su->seed, 2));
    if (gf_model_bn_warmup(s, &su->train, rng, 20, 128, why, sizeof why) != 0) {
        gf_model_free(s);
        gsl_rng_free(rng);
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    }
    gsl_rng_set(rng, gf_seed_stream((unsigned long)su->seed, 0));
    int ks[GF_PATHGRAD_MAX_LENGTHS];
    const int n_ks = gf_pathgrad_default_lengths(su->blocks, ks);
    const int rc = gf_pathgrad_measure(s, su->test.x, su->test.y, (size_t)su->images, ks, n_ks,
                                       su->samples, rng, "init", NULL, NULL, c, why, sizeof why);
    gsl_rng_free(rng);
    gf_model_free(s);
    if (rc != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    gf_pathgrad_read(c, &f->rd);
    gf_paths_central(su->blocks, 0.95, &f->plo, &f->phi);
    return 0;
}

/* The split by path length, its table, and whether the short paths carry it. */
static void tell_pathgrad(lesson *ls, const setup *su, const gf_pathgrad_curve *c,
                          const pathgrad_facts *f)
{
    const int B = su->blocks;
    lesson_say(ls,
               "The backward pass unrolls the same way. At one input, fix the ReLU masks and "
               "batch norm's statistics; then dL/dx_0 is a product of B block Jacobians, "
               "each of the form D_l (I + J_{F_l}), and it splits into one term per path. "
               "Group the terms by the number of branches k and call the group g_k. gradflow "
               "computes all g_k exactly in one backward sweep, here for the freshly "
               "initialized net (He init, batch norm in evaluation mode) on %d test images.",
               "역전파도 같은 방식으로 펼쳐집니다. 입력 하나에서 ReLU 마스크와 배치 정규화 통계를 "
               "고정하면 dL/dx_0는 블록 야코비안 B개, 각각 D_l (I + J_{F_l}) 꼴의 곱이 되고, "
               "경로 하나당 항 하나로 나뉩니다. 이 항들을 지나는 가지 수 k로 묶은 것을 g_k라고 "
               "합시다. gradflow는 역전파 한 번으로 모든 g_k를 정확히 계산합니다. 여기서는 막 "
               "초기화한 네트워크(He 초기화, 평가 모드의 배치 정규화)에 테스트 이미지 %d장을 "
               "넣었습니다.",
               su->images);
    lesson_math(ls, "dL/dx_0 = Σ_k g_k,   g_k = Σ over paths with k branches",
                "\\frac{\\partial L}{\\partial x_0} = \\sum_{k=0}^{B} g_k");
    lesson_pre(ls, "%4s %10s %14s %10s %14s %7s", "k", "log10 C", "log10 ||g_k||", "share",
               "log10 sampled", "z");
    for (int k = 0; k <= B; k++) {
        char smp[32] = "", z[16] = "";
        if (c->sampled[k]) {
            snprintf(smp, sizeof smp, "%.3f", c->log10_est[k]);
            snprintf(z, sizeof z, "%+.2f", gf_pathgrad_z(c, k));
        }
        lesson_pre(ls, "%4d %10.2f %14.3f %10.4f %14s %7s", k, gf_log10_binomial(B, k),
                   c->log10_norm[k], c->share[k], smp, z);
    }
    const char *sum_ok = c->sum_rel_err < 1e-10
                             ? LESSON_T(ls, "the split is exact to rounding",
                                        "반올림 오차 수준에서 정확히 나뉩니다")
                             : LESSON_T(ls, "larger than rounding alone explains: check the "
                                            "decomposition",
                                        "반올림만으로는 설명되지 않는 크기이니 분해를 점검해야 합니다");
    lesson_say(ls,
               "The sum of the g_k differs from the ordinary gradient by a relative %.2e: %s. "
               "The largest ||g_k|| is at k = %d, and 90%% of the summed magnitudes "
               "Σ_k ||g_k|| lie between k = %d and k = %d; lengths below B/2 = %.1f hold "
               "%.1f%% of that magnitude.",
               "g_k를 모두 더한 값은 보통의 그래디언트와 상대 오차 %.2e만큼 다릅니다. 즉 %s. "
               "||g_k||가 가장 큰 곳은 k = %d이고, 크기의 합 Σ_k ||g_k||의 90%%가 k = %d에서 "
               "k = %d 사이에 있습니다. B/2 = %.1f보다 짧은 길이가 그 크기의 %.1f%%를 "
               "차지합니다.",
               c->sum_rel_err, sum_ok, f->rd.k_peak, f->rd.k_lo, f->rd.k_hi, B / 2.0,
               100.0 * f->rd.short_mass);
    if (f->rd.k_peak < f->plo)
        lesson_say(ls,
                   "Most paths have %d to %d branches, yet the gradient peaks at k = %d, below "
                   "that range: each extra branch shrinks a path's gradient (by %.2f decades per "
                   "branch on average, fitted over k), faster than the number of paths grows "
                   "near the middle. The gradient is carried by the short paths, as Veit et al. "
                   "found: the deep network trains like an ensemble of relatively shallow ones.",
                   "경로 대부분은 가지를 %d개에서 %d개 지나지만, 그래디언트는 그보다 짧은 "
                   "k = %d에서 가장 큽니다. 가지를 하나 더 지날 때마다 경로의 그래디언트가 줄어들고"
                   "(k에 대해 맞춘 기울기로 가지 하나당 평균 %.2f자리), 가운데로 갈수록 경로 수가 "
                   "늘어나는 것보다 빨리 줄어들기 때문입니다. Veit 연구진의 관찰처럼 그래디언트는 "
                   "짧은 경로가 나릅니다. 깊은 네트워크가 비교적 얕은 네트워크들의 앙상블처럼 "
                   "학습되는 셈입니다.",
                   f->plo, f->phi, f->rd.k_peak, f->rd.slope_exact);
    else
        lesson_say(ls,
                   "Most paths have %d to %d branches, and the gradient peaks at k = %d, inside "
                   "that range (the average path of length k changes by %.2f decades per "
                   "branch): in this run the short paths do not dominate the gradient the way "
                   "Veit et al. saw in their trained networks.",
                   "경로 대부분은 가지를 %d개에서 %d개 지나고, 그래디언트도 그 범위 안인 k = %d에서 "
                   "가장 큽니다(길이 k인 평균 경로는 가지 하나당 %.2f자리씩 변합니다). 이번 "
                   "실행에서는 Veit 연구진이 학습된 네트워크에서 본 것처럼 짧은 경로가 그래디언트를 "
                   "도맡지는 않았습니다.",
                   f->plo, f->phi, f->rd.k_peak, f->rd.slope_exact);
}

/* Veit's sampled estimate of ||g_k|| against the exact value. */
static void tell_sampling(lesson *ls, const gf_pathgrad_curve *c, const pathgrad_facts *f)
{
    if (f->rd.compared > 0)
        lesson_say(ls,
                   "Veit et al. could not compute g_k exactly; they sampled single paths of "
                   "length k and scaled their mean by C(B, k). With %d paths per sampled length, "
                   "the estimate lies within two standard errors of the exact ||g_k|| at %d of "
                   "%d lengths and within three at %d%s",
                   "Veit 연구진은 g_k를 정확히 계산할 수 없어, 길이 k인 경로를 하나씩 뽑아 그 "
                   "평균에 C(B, k)를 곱했습니다. 뽑는 길이마다 경로를 %d개 쓰면, 추정값이 정확한 "
                   "||g_k||에서 표준오차 두 배 안에 드는 길이가 %d개(비교한 %d개 중), 세 배 안에 "
                   "드는 길이가 %d개입니다%s",
                   c->samples, f->rd.within2, f->rd.compared, f->rd.within3,
                   f->rd.within3 == f->rd.compared
                       ? LESSON_T(ls, ": sampling agrees within its error.",
                                  ". 샘플링은 그 오차 범위 안에서 정확한 값과 맞습니다.")
                       : LESSON_T(ls, "; at the others the sample is too small for the spread "
                                      "of single paths.",
                                  ". 나머지 길이에서는 경로 하나하나의 흩어짐에 비해 표본이 "
                                  "작습니다."));
    if (f->rd.zero_pass > 0)
        lesson_say(ls,
                   "The same test passes for the answer 0 as well at %d of the %d lengths: "
                   "there it cannot tell g_k from nothing.",
                   "같은 검정이 답 0에 대해서도 %d개 길이(%d개 중)에서 통과합니다. 그 길이들에서는 "
                   "g_k와 0을 구별하지 못합니다.",
                   f->rd.zero_pass, f->rd.compared);
    if (f->rd.compared > 0)
        lesson_say(ls,
                   "Agreement is only as good as the error, though: the standard error is below "
                   "half the exact ||g_k|| at %d of the %d lengths. %s",
                   "다만 일치는 오차만큼만 의미가 있습니다. 표준오차가 정확한 ||g_k||의 절반보다 "
                   "작은 길이는 %d개입니다(비교한 길이 %d개 중). %s",
                   f->rd.resolved, f->rd.compared,
                   f->rd.resolved == f->rd.compared
                       ? LESSON_T(ls, "Every sampled length is resolved.",
                                  "뽑은 길이는 모두 충분히 정밀합니다.")
                       : LESSON_T(ls, "Where it is not, single paths point in such different "
                                      "directions that their mean is noisy: the terms of one "
                                      "length largely cancel, which only the exact split "
                                      "shows.",
                                  "정밀하지 않은 길이에서는 경로 하나하나의 그래디언트 방향이 크게 "
                                  "달라 평균이 흔들립니다. 같은 길이의 항들이 서로 상당히 "
                                  "상쇄되는데, 이것은 정확한 분해로만 보입니다."));
}

/* pathgrad/: the curve's files and both figures; 0, or the exit status. */
static int draw_pathgrad(lesson *ls, const setup *su, const gf_pathgrad_curve *c)
{
    char why[512], dir[GF_PATH_MAX];
    if (lesson_dir(ls, "pathgrad", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    if (gf_pathgrad_write(c, 1, dir, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    gf_pathgrad_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    char net[32];
    snprintf(net, sizeof net, "resnet-%d", su->depth);
    gf_pathgrad_figs_make(c, 1, net, f);
    int rc = 0;
    if (lesson_figure(ls, "pathgrad", "pathgrad", gf_fig_pathgrad_body, &f->fig, 0,
                      "The gradient by path length at initialization, after Veit et al. "
                      "Fig. 6: (a) paths per length, (b) gradient per path, (c) the total "
                      "each length carries, (d) cumulative shares.",
                      "초기화 시점의 경로 길이별 그래디언트(Veit 연구진 그림 6을 따름): (a) 길이별 "
                      "경로 비율, (b) 경로 하나당 그래디언트, (c) 길이별 그래디언트 총량, (d) 누적 "
                      "비율.") != 0)
        rc = LESSON_RUNTIME;
    else if (f->fig.sampled &&
             lesson_figure(ls, "pathgrad", "pathgrad_sampling", gf_fig_pathgrad_sampling_body,
                           &f->fig, 0,
                           "Veit's sampled estimate of ||g_k|| with its standard error, "
                           "against the exact value.",
                           "표본으로 추정한 ||g_k||와 표준오차, 그리고 정확한 값.") != 0)
        rc = LESSON_RUNTIME;
    free(f);
    return rc;
}

static int step_pathgrad(lesson *ls, const setup *su, const gf_stack_config *cfg,
                         gf_pathgrad_curve *c)
{
    pathgrad_facts f;
    const int rc = measure_pathgrad(ls, su, cfg, c, &f);
    if (rc != 0)
        return rc;
    tell_pathgrad(ls, su, c, &f);
    tell_sampling(ls, c, &f);
    return draw_pathgrad(ls, su, c);
}

/* ---- Step 3: lesions --------------------------------------------------------- */

enum { N_NETS = 2, PLAIN = 0, RESNET = 1 };

/* Mean and largest increase of the error (points) over single deletions. */
static void single_stats(const gf_lesion_result *r, double *mean, double *worst, int *at)
{
    *mean = 0.0;
    *worst = -INFINITY;
    *at = 0;
    for (int b = 0; b < r->blocks; b++) {
        const double d = 100.0 * (r->single_err[b] - r->base_err);
        *mean += d / r->blocks;
        if (d > *worst) {
            *worst = d;
            *at = b;
        }
    }
}

static const gf_arch LESION_ARCHS[N_NETS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET};

/* What Step 3 measured (numbers only): errors in points, `half` as a fraction. */
typedef struct lesion_facts {
    double train_s, chance;           /* training seconds; the error of guessing (%) */
    double mean[N_NETS], worst[N_NETS]; /* one block deleted: mean and worst rise */
    double half[N_NETS];              /* error with kh random blocks deleted */
    int at[N_NETS], kh;               /* the worst block; half the blocks */
} lesion_facts;

/* What Step 3 does and why it tests the ensemble view. */
static void tell_lesion_plan(lesson *ls, const setup *su)
{
    lesson_say(ls,
               "If a residual network behaves like an ensemble of paths, removing one block "
               "should hurt it little: it removes only the paths through that branch, half of "
               "them, and leaves the other half intact. In a plain network every path goes "
               "through every block, so deleting one breaks the only path there is. Veit et "
               "al. tested this on trained networks. Here a plain and a residual stack of %d "
               "layers (width %zu, batch norm) are trained for %d epochs on %zu %s images, "
               "then evaluated on %zu test images with blocks deleted (a deleted block "
               "passes x_l on unchanged).",
               "잔차 네트워크가 경로들의 앙상블처럼 동작한다면, 블록 하나를 지워도 피해가 작아야 "
               "합니다. 지워지는 것은 그 가지를 지나는 경로, 즉 절반뿐이고 나머지 절반은 그대로 "
               "남기 때문입니다. plain 네트워크에서는 모든 경로가 모든 블록을 지나므로, 블록 "
               "하나를 지우면 하나뿐인 경로가 끊깁니다. Veit 연구진은 이것을 학습된 네트워크로 "
               "확인했습니다. 여기서는 %d층짜리 plain 스택과 잔차 스택(폭 %zu, 배치 정규화)을 "
               "%d 에폭 동안 %zu장의 %s 이미지로 학습시킨 뒤, 블록을 지운 채로 테스트 이미지 "
               "%zu장에서 평가합니다(지운 블록은 x_l을 그대로 넘깁니다).",
               su->depth, su->width, su->epochs, su->train.n, su->data_name, su->test.n);
}

/* Train the plain and the residual net into dir (checkpoints kept for the
 * lesions); 0, or the exit status after a message. */
static int train_for_lesions(lesson *ls, const setup *su, const gf_stack_config *base,
                             const char *dir, double *train_s)
{
    char why[512];
    const gf_train_config tc = lesson_train_config(128, su->epochs, su->ntrain);
    const gf_grid_spec spec = {
        .base = *base, .archs = LESION_ARCHS, .n_archs = N_NETS, .depths = &su->depth,
        .n_depths = 1,
        .seeds = 1, .seed0 = su->seed, .train = tc, .train_set = &su->train,
        .test_set = &su->test, .data_name = su->data_name, .out = dir, .checkpoints = 1};
    gf_grid_result dres = {0};
    fflush(stdout);
    if (gf_grid_train(&spec, &dres, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    int rc = 0;
    for (int i = 0; i < dres.n_runs && rc == 0; i++)
        if (dres.runs[i].failed)
            rc = lesson_fail(ls, LESSON_RUNTIME, "%s did not train: %s", dres.runs[i].name,
                             dres.runs[i].why);
    if (rc == 0 && gf_grid_write(&dres, dir, why, sizeof why) != 0)
        rc = lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    *train_s = dres.wall_seconds;
    gf_grid_release(&dres);
    return rc;
}

/* Delete blocks of both trained nets; their checkpoints are removed after. */
static int measure_lesions(lesson *ls, const setup *su, const char *dir, gf_lesion_result *res,
                           lesion_facts *f)
{
    char why[512], path[GF_PATH_MAX + 256];
    const gf_lesion_spec lspec = {.test = &su->test, .draws = su->draws,
                                  .max_delete = su->blocks, .max_swaps = 0, .seed = 1,
                                  .eval_batch = 256};
    for (int a = 0; a < N_NETS; a++) {
        snprintf(path, sizeof path, "%s/checkpoints/%s-%d-seed%ld.safetensors", dir,
                 gf_arch_names[LESION_ARCHS[a]], su->depth, su->seed);
        gf_model *net = gf_model_load(path, why, sizeof why);
        if (!net)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        const int rc = gf_lesion_run(net, &lspec, &res[a], why, sizeof why);
        gf_model_free(net);
        remove(path); /* the page keeps the data, not the weights */
        if (rc != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    }
    snprintf(path, sizeof path, "%s/checkpoints", dir);
    rmdir(path);
    if (gf_lesion_write(res, N_NETS, dir, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    double sd, mn, mx, tau;
    f->kh = (su->blocks + 1) / 2;
    for (int a = 0; a < N_NETS; a++) {
        single_stats(&res[a], &f->mean[a], &f->worst[a], &f->at[a]);
        gf_lesion_row_stats(&res[a].del, f->kh, &f->half[a], &sd, &mn, &mx, &tau);
    }
    f->chance = 100.0 * (1.0 - 1.0 / (double)su->test.classes);
    return 0;
}

/* The table of lesioned errors and what it says. */
static void tell_lesions(lesson *ls, const setup *su, const gf_lesion_result *res,
                         const lesion_facts *f)
{
    lesson_say(ls, "Training took %.1f s. Test errors in percent (chance is %.1f%%):",
               "학습에 %.1f초가 걸렸습니다. 테스트 오차(%%)는 다음과 같습니다(찍기 수준은 "
               "%.1f%%):",
               f->train_s, f->chance);
    lesson_pre(ls, "%-12s %8s %14s %15s %15s", "net", "whole", "1 del. (mean)",
               "1 del. (worst)", "k del. (mean)");
    for (int a = 0; a < N_NETS; a++)
        lesson_pre(ls, "%-12s %8.2f %14.2f %9.2f (#%2d) %9.2f (k=%d)", res[a].name,
                   100.0 * res[a].base_err, 100.0 * res[a].base_err + f->mean[a],
                   100.0 * res[a].base_err + f->worst[a], f->at[a], 100.0 * f->half[a], f->kh);
    lesson_pre(ls, "%s", LESSON_T(ls, "(last column: mean over random deletions of k blocks)",
                                  "(마지막 열: 블록 k개를 무작위로 지웠을 때의 평균)"));
    if (100.0 * res[PLAIN].base_err > f->chance - 5.0)
        lesson_say(ls,
                   "The plain net ended at %.2f%%, close to chance (%.1f%%): it hardly learned, "
                   "so its lesions (%+.2f points on average for one block) say little. The "
                   "residual net loses %.2f points on average when one block is deleted, "
                   "%.2f at worst (block %d).",
                   "plain 네트워크는 %.2f%%로 끝나 찍기 수준(%.1f%%)에 가깝습니다. 거의 배우지 "
                   "못했으니 블록을 지운 결과(블록 하나에 평균 %+.2f%%p)는 별 의미가 없습니다. "
                   "잔차 네트워크는 블록 하나를 지우면 평균 %.2f%%p, 최악의 경우 %.2f%%p"
                   "(%d번 블록) 나빠집니다.",
                   100.0 * res[PLAIN].base_err, f->chance, f->mean[PLAIN], f->mean[RESNET], f->worst[RESNET],
                   f->at[RESNET]);
    else if (f->mean[RESNET] < f->mean[PLAIN])
        lesson_say(ls,
                   "Deleting a single block costs the residual net %.2f points on average "
                   "(%.2f at worst, block %d), the plain net %.2f points (%.2f at worst): the "
                   "residual net shrugs off a missing block far better, as the ensemble view "
                   "predicts.",
                   "블록 하나를 지웠을 때 잔차 네트워크의 오차는 평균 %.2f%%p(최악 %.2f%%p, "
                   "%d번 블록), plain 네트워크는 평균 %.2f%%p(최악 %.2f%%p) 늘었습니다. 앙상블 "
                   "관점의 예측대로 잔차 네트워크가 블록 하나가 빠져도 훨씬 잘 버팁니다.",
                   f->mean[RESNET], f->worst[RESNET], f->at[RESNET], f->mean[PLAIN], f->worst[PLAIN]);
    else
        lesson_say(ls,
                   "Deleting a single block costs the residual net %.2f points on average "
                   "(%.2f at worst, block %d), the plain net %.2f points (%.2f at worst): in "
                   "this run the residual net is not the more robust one, contrary to what "
                   "the ensemble view predicts.",
                   "블록 하나를 지웠을 때 잔차 네트워크의 오차는 평균 %.2f%%p(최악 %.2f%%p, "
                   "%d번 블록), plain 네트워크는 평균 %.2f%%p(최악 %.2f%%p) 늘었습니다. 이번 "
                   "실행에서는 앙상블 관점의 예측과 달리 잔차 네트워크가 더 튼튼하지 않았습니다.",
                   f->mean[RESNET], f->worst[RESNET], f->at[RESNET], f->mean[PLAIN], f->worst[PLAIN]);
    const double rise = 100.0 * f->half[RESNET] - 100.0 * res[RESNET].base_err;
    lesson_say(ls,
               "With %d of the %d blocks deleted at random, the residual net's error is "
               "%.2f%% (%+.2f points) and the plain net's %.2f%%. %s",
               "블록 %d개(전체 %d개 중)를 무작위로 지우면 잔차 네트워크의 오차는 %.2f%%"
               "(%+.2f%%p), plain 네트워크는 %.2f%%입니다. %s",
               f->kh, su->blocks, 100.0 * f->half[RESNET], rise, 100.0 * f->half[PLAIN],
               f->half[RESNET] < f->half[PLAIN] && 100.0 * f->half[RESNET] < f->chance - 5.0
                   ? LESSON_T(ls, "The residual net degrades gradually, like an ensemble "
                                  "losing members, instead of collapsing.",
                              "잔차 네트워크는 무너지지 않고, 구성원을 잃어 가는 앙상블처럼 "
                              "서서히 나빠집니다.")
                   : LESSON_T(ls, "Here the residual net does not degrade gracefully.",
                              "여기서는 잔차 네트워크도 완만하게 나빠지지 않았습니다."));
}

/* Both lesion figures; 0, or the exit status. */
static int draw_lesions(lesson *ls, const setup *su, const gf_lesion_result *res)
{
    gf_lesion_figs *lf = malloc(sizeof *lf); /* large: off the stack */
    if (!lf)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    gf_lesion_figs_make(res, N_NETS, su->data_name, lf);
    int rc = LESSON_RUNTIME;
    if (lesson_figure(ls, "lesion", "lesion_single", gf_fig_lesion_single_body, &lf->single, 0,
                      "Test error with one block deleted, per block (dashed: the whole net).",
                      "블록 하나를 지웠을 때의 테스트 오차, 블록별(점선: 지우지 않은 네트워크).") ==
        0)
        rc = lesson_figure(ls, "lesion", "lesion_delete", gf_fig_lesion_delete_body, &lf->del,
                           1, "Test error against the number of blocks deleted at random.",
                           "무작위로 지운 블록 수에 따른 테스트 오차.");
    free(lf);
    return rc;
}

static int step_lesions(lesson *ls, const setup *su, const gf_stack_config *base,
                        gf_lesion_result *res)
{
    char dir[GF_PATH_MAX];
    lesion_facts f = {0};
    int rc;
    if (lesson_dir(ls, "lesion", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    tell_lesion_plan(ls, su);
    if ((rc = train_for_lesions(ls, su, base, dir, &f.train_s)) != 0 ||
        (rc = measure_lesions(ls, su, dir, res, &f)) != 0)
        return rc;
    tell_lesions(ls, su, res, &f);
    return draw_lesions(ls, su, res);
}

/* ---- main ---------------------------------------------------------------------- */

/* The lesson itself, between lesson_start and lesson_end (lesson_main):
 * 0, or the exit status after a message. */
static int teach(lesson *ls)
{
    int rc = 0;
    setup su = ls->opt.quick ? (setup){.depth = 20, .epochs = 5, .samples = 20, .images = 32,
                                      .draws = 3, .ntrain = 1000, .ntest = 500, .width = 32,
                                      .seed = 1}
                            : (setup){.depth = 32, .epochs = 10, .samples = 100, .images = 64,
                                      .draws = 10, .ntrain = 5000, .ntest = 2000, .width = 64,
                                      .seed = 1};
    su.blocks = (su.depth - 2) / 2;
    if (lesson_data(ls, su.ntrain, su.ntest, &su.train, &su.test, &su.data_name) != 0)
        return LESSON_RUNTIME;
    gf_stack_config cfg = lesson_trained_config(su.width, &su.train);
    cfg.depth = su.depth;
    cfg.arch = GF_ARCH_RESNET;
    gf_pathgrad_curve curve = {0};
    gf_lesion_result les[N_NETS];
    memset(les, 0, sizeof les);
    json_object_set_new(
        ls->settings, "experiment",
        json_pack("{s:i, s:i, s:I, s:s, s:s, s:s, s:I, s:I, s:i, s:i, s:i, s:i, s:I}", "depth",
                  su.depth, "blocks", su.blocks, "width", (json_int_t)su.width, "norm", "batch",
                  "init", "he", "data", su.data_name, "ntrain", (json_int_t)su.train.n, "ntest",
                  (json_int_t)su.test.n, "epochs", su.epochs, "pathgrad_images", su.images,
                  "samples_per_length", su.samples, "lesion_draws", su.draws, "seed",
                  (json_int_t)su.seed));
    lesson_say(ls,
               "Lesson 01 looked at one block's \"+1\". This lesson steps back and looks at "
               "the whole stack: unrolled, a residual network is a sum over many paths of "
               "different lengths, and Veit, Wilber and Belongie (2016) argued that it "
               "behaves like an ensemble of them, trained mostly through the short ones.",
               "1강에서는 블록 하나의 \"+1\"을 보았습니다. 이번에는 한 걸음 물러나 스택 전체를 "
               "봅니다. 펼쳐 놓으면 잔차 네트워크는 길이가 서로 다른 수많은 경로의 합이고, Veit, "
               "Wilber, Belongie(2016)는 이것이 그 경로들의 앙상블처럼 동작하며 주로 짧은 경로를 "
               "통해 학습된다고 주장했습니다. 지수적으로 많은 얕은 네트워크의 암묵적 앙상블이라는 "
               "해석입니다.");
    lesson_data_note(ls, su.data_name, &su.train);
    lesson_heading(ls, "Step 1. Paths", "1단계. 경로");
    if ((rc = step_paths(ls, &su)) != 0)
        goto out;
    lesson_heading(ls, "Step 2. Which path lengths carry the gradient",
                   "2단계. 어떤 길이의 경로가 그래디언트를 나르는가");
    if ((rc = step_pathgrad(ls, &su, &cfg, &curve)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. Lesions", "3단계. 블록 지우기(lesion)");
    if ((rc = step_lesions(ls, &su, &cfg, les)) != 0)
        goto out;
    lesson_heading(ls, "Try it yourself", "직접 해 보기");
    lesson_say(ls,
               "`build/analysis/gradflow paths`, `gradflow pathgrad` and `gradflow lesion` run "
               "each step with every setting exposed (`--help`); try deeper stacks, a trained "
               "net in `pathgrad`, or block swaps in `lesion`.",
               "`build/analysis/gradflow paths`, `gradflow pathgrad`, `gradflow lesion` 명령이 "
               "각 단계를 모든 설정을 열어 둔 채로 돌립니다(`--help`). 더 깊은 스택, "
               "`pathgrad`에서 학습된 네트워크, `lesion`에서 블록 순서 바꾸기를 시도해 보세요.");
out:
    gf_pathgrad_curve_release(&curve);
    for (int a = 0; a < N_NETS; a++)
        gf_lesion_release(&les[a]);
    gf_dataset_release(&su.train);
    gf_dataset_release(&su.test);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
