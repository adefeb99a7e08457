/* 03-ensemble-paths.c: lesson 03, Steps 2 and 4 (main: 03-ensemble.c).
 *
 *   Step 2  the gradient at the input split exactly by path length at
 *           initialization (gf_pathgrad_measure: g_0..g_B sum to dL/dx_0), and
 *           Veit's sampling of single paths against it;
 *   Step 4  the same split of the trained residual net (measured in Step 3),
 *           side by side with Step 2's, and the figures of both.
 */
#include "03-ensemble.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* Split net's gradient on the first test images into c, sampling paths as
 * Veit did; stream 0 at init and 1 trained, as `gradflow pathgrad` does. */
static int split(lesson *ls, const setup *su, gf_model *net, const char *state,
                 unsigned long stream, gf_pathgrad_curve *c)
{
    char why[512];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    gsl_rng_set(rng, gf_seed_stream((unsigned long)su->seed, stream));
    int ks[GF_PATHGRAD_MAX_LENGTHS];
    const int n_ks = gf_pathgrad_default_lengths(su->blocks, ks);
    const int rc = gf_pathgrad_measure(net, su->test.x, su->test.y, (size_t)su->images, ks, n_ks,
                                       su->samples, rng, state, NULL, NULL, c, why, sizeof why);
    gsl_rng_free(rng);
    return rc == 0 ? 0 : lesson_fail(ls, LESSON_RUNTIME, "%s: %s", state, why);
}

int en_measure_trained(lesson *ls, const setup *su, gf_model *net, gf_pathgrad_curve *c)
{
    return split(ls, su, net, "trained", 1, c);
}

/* g_k for the freshly initialized net, into c; 0, or the exit status after a message. */
static int measure_init(lesson *ls, const setup *su, const gf_stack_config *cfg,
                        gf_pathgrad_curve *c)
{
    char why[512];
    gf_model *s = initial_net(cfg, su->seed);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = !s || !rng ? lesson_fail(ls, LESSON_RUNTIME, "out of memory for the network") : 0;
    /* batch norm's running statistics from 20 training-mode passes of 128 training
     * images, as `gradflow pathgrad` does (with 0 and 1 a deep net's activations grow) */
    if (rc == 0) {
        gsl_rng_set(rng, gf_seed_stream((unsigned long)su->seed, 2));
        if (gf_model_bn_warmup(s, &su->train, rng, 20, 128, why, sizeof why) != 0)
            rc = lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    }
    if (rc == 0)
        rc = split(ls, su, s, "init", 0, c);
    gsl_rng_free(rng);
    gf_model_free(s);
    return rc;
}

/* "grows by 0.12 decades" / "shrinks by ..." for a slope per branch. */
static const char *per_branch(const lesson *ls, char *buf, size_t size, double slope)
{
    snprintf(buf, size,
             slope >= 0 ? LESSON_T(ls, "grows by %.2f decades (about %.1f times)",
                                   "%.2f자리(약 %.1f배)씩 커집니다")
                        : LESSON_T(ls, "shrinks by %.2f decades (to about 1/%.1f)",
                                   "%.2f자리(약 1/%.1f)씩 줄어듭니다"),
             fabs(slope), pow(10.0, fabs(slope)));
    return buf;
}

static void split_table(lesson *ls, const setup *su, const gf_pathgrad_curve *c)
{
    const int B = su->blocks;
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
}

/* Where the gradient at initialization lies, against where the paths lie. */
static const char *init_reading(const lesson *ls, const gf_pathgrad_reading *rd, int plo)
{
    if (rd->k_peak < plo)
        return LESSON_T(ls, "the gradient peaks below that range: at initialization the short "
                            "paths already carry it.",
                        "그래디언트는 그보다 짧은 곳에서 가장 큽니다. 초기화 시점에 이미 짧은 경로가 "
                        "그래디언트를 나릅니다.");
    if (rd->short_mass > 0.6)
        return LESSON_T(ls, "the gradient peaks inside that range, though the lengths below "
                            "B/2, half of the paths, hold more than half of it: a tilt toward "
                            "the short paths, not yet their rule.",
                        "그래디언트도 그 범위 안에서 가장 큽니다. 다만 경로의 절반인 B/2보다 짧은 "
                        "길이가 그 절반 넘게 차지합니다. 짧은 경로 쪽으로 기울었을 뿐, 아직 짧은 "
                        "경로가 도맡지는 않습니다.");
    return LESSON_T(ls, "the gradient peaks inside that range: at initialization the short paths "
                        "do not dominate.",
                    "그래디언트도 그 범위 안에서 가장 큽니다. 초기화 시점에는 짧은 경로가 "
                    "그래디언트를 도맡지 않습니다.");
}

/* The split by path length at initialization, its table, and where the gradient lies. */
static void tell_init(lesson *ls, const setup *su, const gf_pathgrad_curve *c,
                      const gf_pathgrad_reading *rd)
{
    const int B = su->blocks;
    int plo, phi;
    char sl[64];
    gf_paths_central(B, 0.95, &plo, &phi);
    lesson_pre(ls, "%s", LESSON_T(ls, "(share: <g_k, dL/dx_0> / ||dL/dx_0||^2, sums to 1, "
                                      "negative where g_k points against the total; z: Veit's "
                                      "estimate minus the exact value, in standard errors)",
                                  "(share: <g_k, dL/dx_0> / ||dL/dx_0||^2, 합은 1이고 g_k가 "
                                  "전체와 반대 방향이면 음수; z: Veit식 추정값과 정확한 값의 "
                                  "차이를 표준오차 단위로 잰 값)"));
    split_table(ls, su, c);
    lesson_answer(ls,
                  "The g_k sum to the ordinary gradient up to a relative %.2e. The largest "
                  "||g_k|| is at k = %d, and 90%% of the summed magnitudes Σ_k ||g_k|| lie between "
                  "k = %d and k = %d; lengths below B/2 = %.1f hold %.1f%% of it. Most paths have "
                  "%d to %d branches, and %s",
                  "g_k를 모두 더한 값은 보통의 그래디언트와 상대 오차 %.2e 안에서 같습니다. "
                  "||g_k||가 가장 큰 곳은 k = %d이고, 크기의 합 Σ_k ||g_k||의 90%%가 k = %d에서 "
                  "k = %d 사이에 있으며, B/2 = %.1f보다 짧은 길이가 그 %.1f%%를 차지합니다. 경로 "
                  "대부분은 가지를 %d개에서 %d개 지나고, %s",
                  c->sum_rel_err, rd->k_peak, rd->k_lo, rd->k_hi, B / 2.0, 100.0 * rd->short_mass,
                  plo, phi, init_reading(ls, rd, plo));
    lesson_say(ls,
               "Per path, the gradient of the average path of length k %s per extra branch (the "
               "slope of a straight line fitted over k; panel (b) of Step 4's first figure shows "
               "the curve itself, which is not straight). Step 4 asks whether training changes the picture.",
               "경로 하나로 보면, 길이 k인 평균 경로의 그래디언트는 가지를 하나 더 지날 때마다 "
               "%s(k에 대해 맞춘 회귀 직선의 경사(slope)입니다. 실제 곡선은 직선이 아니며 "
               "4단계 첫 그림의 (b)에 있습니다). 4단계에서 학습이 이 그림을 바꾸는지 봅니다.",
               per_branch(ls, sl, sizeof sl, rd->slope_exact));
}

/* Veit's sampled estimate of ||g_k|| against the exact value. */
static void tell_sampling(lesson *ls, const gf_pathgrad_curve *c, const gf_pathgrad_reading *rd)
{
    if (rd->compared == 0)
        return;
    double over = -INFINITY; /* C(B,k) x mean ||path|| above ||g_k||, in decades */
    for (int k = 0; k <= c->blocks; k++)
        if (c->sampled[k] && isfinite(c->log10_path[k]))
            over = fmax(over, gf_log10_binomial(c->blocks, k) + c->log10_path[k] -
                                  c->log10_norm[k]);
    lesson_say(ls,
               "Veit et al. could not compute g_k exactly; they sampled single paths of length k "
               "and scaled their mean by C(B, k). With %d paths per sampled length, that "
               "estimate lies within two standard errors of the exact ||g_k|| at %d of %d "
               "lengths and within three at %d (the z column). Their figures used another "
               "product, C(B, k) × the mean norm of one path: a mean of norms ignores how the "
               "paths of one length cancel, and here it exceeds ||g_k|| by up to %.1f decades, so "
               "it overstates the gradient a length carries. In Step 4's first figure that is "
               "the \"sampled\" curve of panels (b) and (c).",
               "Veit 연구진은 g_k를 정확히 계산할 수 없어, 길이 k인 경로를 하나씩 뽑아 그 평균에 "
               "C(B, k)를 곱했습니다. 뽑는 길이마다 경로를 %d개 쓰면, 이 추정값이 정확한 ||g_k||에서 "
               "표준오차 두 배 안에 드는 길이가 %d개(비교한 %d개 중), 세 배 안에 드는 길이가 %d개입니다"
               "(z 열). 그들의 그림은 다른 곱, C(B, k) × 경로 하나의 평균 노름을 썼습니다. 노름의 "
               "평균은 같은 길이의 경로들이 서로 상쇄되는 것을 무시하므로, 여기서 ||g_k||보다 최대 "
               "%.1f자리 크고, 한 길이가 나르는 그래디언트를 부풀립니다. 4단계 첫 그림의 (b), (c)에서 "
               "\"sampled\" 곡선이 그것입니다.",
               c->samples, rd->within2, rd->compared, rd->within3, isfinite(over) ? over : 0.0);
    if (rd->zero_pass > 0)
        lesson_say(ls,
                   "The same test passes for the answer 0 as well at %d of the %d lengths: there "
                   "it cannot tell g_k from nothing; the terms of one length largely cancel, "
                   "which only the exact split shows.",
                   "같은 검정이 답 0에 대해서도 %d개 길이(%d개 중)에서 통과합니다. 그 길이들에서는 "
                   "g_k와 0을 구별하지 못합니다. 같은 길이의 항들이 서로 상당히 상쇄되는데, 이것은 "
                   "정확한 분해로만 보입니다.",
                   rd->zero_pass, rd->compared);
}

int en_step_pathgrad(lesson *ls, const setup *su, const gf_stack_config *cfg,
                     gf_pathgrad_curve *c, en_facts *f)
{
    lesson_say(ls,
               "The backward pass unrolls the same way. At one input, fix the ReLU masks and "
               "batch norm's statistics; then dL/dx_0 is a product of B block Jacobians of the "
               "form D_l (I + J_{F_l}), and it splits into one term per path. Group the terms by "
               "the number of branches k and call the group g_k. gradflow computes all g_k "
               "exactly in one backward sweep, here for the freshly initialized net (He init, "
               "batch norm in evaluation mode) on %d test images:",
               "역전파도 같은 방식으로 펼쳐집니다. 입력 하나에서 ReLU 마스크와 배치 정규화 통계를 "
               "고정하면 dL/dx_0은 D_l (I + J_{F_l}) 꼴인 블록 야코비안 B개의 곱이 되고, 경로 "
               "하나당 항 하나로 나뉩니다. 이 항들을 지나는 가지 수 k로 묶은 것을 g_k라고 합시다. "
               "gradflow는 역전파 한 번으로 모든 g_k를 정확히 계산합니다. 여기서는 막 초기화한 "
               "네트워크(He 초기화, 평가 모드의 배치 정규화)에 테스트 이미지 %d장을 넣었습니다.",
               su->images);
    lesson_math(ls, "dL/dx_0 = Σ_k g_k,   g_k = Σ over paths with k branches",
                "\\frac{\\partial L}{\\partial x_0} = \\sum_{k=0}^{B} g_k");
    int rc = lesson_code(ls, "path-split",
                         "Going down from x_B, block l first applies its ReLU mask D to every "
                         "g_k; the skip keeps each length (S_l^T g_k: g_k itself in an MLP, "
                         "where S_l = I), and all of them go through the branch at once (one "
                         "vector-Jacobian product for all lengths): what comes back has one "
                         "more branch, so it is added to g_{k+1}.",
                         "x_B에서 내려오면서 블록 l은 먼저 모든 g_k에 ReLU 마스크 D를 곱합니다. "
                         "스킵은 길이를 그대로 두고(S_l^T g_k: S_l = I인 MLP에서는 g_k 그대로), "
                         "그 전부를 한꺼번에 가지로 보냅니다(모든 길이에 대해 벡터-야코비안 곱 "
                         "한 번). 돌아온 것은 가지를 하나 더 지났으므로 g_{k+1}에 더합니다.");
    if (rc != 0)
        return rc;
    lesson_ask(ls,
               "Step 1 found most paths near B/2. If every path carried the same gradient, "
               "||g_k|| would peak there. Veit et al. found trained nets' gradient carried by "
               "short paths. Where will the peak be in this net before any training?",
               "1단계에서 경로 대부분은 B/2 근처에 있었습니다. 경로마다 같은 그래디언트를 나른다면 "
               "||g_k||도 거기서 가장 클 것입니다. Veit 연구진은 학습된 네트워크에서 짧은 경로가 "
               "그래디언트를 나른다는 것을 보았습니다. 학습 전의 이 네트워크에서 정점은 어디일까요?");
    if ((rc = measure_init(ls, su, cfg, c)) != 0)
        return rc;
    gf_pathgrad_read(c, &f->rd[INIT]);
    tell_init(ls, su, c, &f->rd[INIT]);
    tell_sampling(ls, c, &f->rd[INIT]);
    return 0;
}

/* pathgrad/: both curves' files and both figures; 0, or the exit status. */
static int draw_pathgrad(lesson *ls, const setup *su, const gf_pathgrad_curve c[2])
{
    char why[512], dir[GF_PATH_MAX];
    if (lesson_dir(ls, "pathgrad", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    if (gf_pathgrad_write(c, 2, dir, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    gf_pathgrad_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    char net[32];
    snprintf(net, sizeof net, "resnet-%d", su->depth);
    gf_pathgrad_figs_make(c, 2, net, f);
    int rc = 0;
    if (lesson_figure(ls, "pathgrad", "pathgrad", gf_fig_pathgrad_body, &f->fig, 0,
                      "The gradient by path length at initialization and after training, "
                      "after Veit et al. Fig. 6: (a) paths per length, (b) gradient per path, "
                      "(c) the total each length carries, (d) cumulative shares.",
                      "초기화 시점과 학습 후의 경로 길이별 그래디언트(Veit 연구진 그림 6을 따름): "
                      "(a) 길이별 경로 비율, (b) 경로 하나당 그래디언트, (c) 길이별 그래디언트 "
                      "총량, (d) 누적 비율.") != 0)
        rc = LESSON_RUNTIME;
    else if (f->fig.sampled &&
             lesson_figure(ls, "pathgrad", "pathgrad_sampling", gf_fig_pathgrad_sampling_body,
                           &f->fig, 0,
                           "Veit's sampled estimate of ||g_k|| with its standard error, "
                           "against the exact value, at initialization and after training.",
                           "표본으로 추정한 ||g_k||와 표준오차, 그리고 정확한 값(초기화 시점과 "
                           "학습 후).") != 0)
        rc = LESSON_RUNTIME;
    free(f);
    return rc;
}

int en_step_trained(lesson *ls, const setup *su, const gf_pathgrad_curve c[2], en_facts *f)
{
    const int B = su->blocks;
    gf_pathgrad_read(&c[TRAINED], &f->rd[TRAINED]);
    const gf_pathgrad_reading *a = &f->rd[INIT], *t = &f->rd[TRAINED];
    char s0[64], s1[64];
    lesson_ask(ls,
               "Step 3 trained this residual net. Its weights now fit the data; the branches "
               "have learned something and the paths are no longer random products. Where will "
               "||g_k|| peak now, and how much of the gradient will the lengths below B/2 = %.1f "
               "carry?",
               "3단계에서 이 잔차 네트워크를 학습시켰습니다. 이제 가중치가 데이터에 맞춰졌고, 가지는 "
               "무언가를 배웠으며 경로는 더 이상 무작위 곱이 아닙니다. ||g_k||의 정점은 어디일까요? "
               "B/2 = %.1f보다 짧은 길이가 그래디언트를 얼마나 나를까요?",
               B / 2.0);
    lesson_pre(ls, "%4s %10s   %14s %14s   %9s %9s", "k", "log10 C", "init ||g_k||",
               "trained ||g_k||", "init sh.", "trained sh.");
    for (int k = 0; k <= B; k++)
        lesson_pre(ls, "%4d %10.2f   %14.3f %14.3f   %9.4f %9.4f", k, gf_log10_binomial(B, k),
                   c[INIT].log10_norm[k], c[TRAINED].log10_norm[k], c[INIT].share[k],
                   c[TRAINED].share[k]);
    lesson_pre(ls, "%s", LESSON_T(ls, "(||g_k|| as log10; sh.: share of dL/dx_0)",
                                  "(||g_k||는 log10; sh.: dL/dx_0에서 차지하는 몫)"));
    lesson_answer(ls,
                  "After training the peak is at k = %d (at initialization k = %d); 90%% of the "
                  "magnitude lies in k = %d..%d (before: %d..%d), and the lengths below B/2 hold "
                  "%.1f%% of it (before: %.1f%%). Per extra branch a path's gradient now %s "
                  "(before: %s).",
                  "학습 후 정점은 k = %d입니다(초기화 시점에는 k = %d). 크기의 90%%가 k = %d..%d에 "
                  "있고(전에는 %d..%d), B/2보다 짧은 길이가 그 %.1f%%를 차지합니다(전에는 %.1f%%). "
                  "가지를 하나 더 지날 때마다 경로의 그래디언트는 이제 %s(전에는 %s).",
                  t->k_peak, a->k_peak, t->k_lo, t->k_hi, a->k_lo, a->k_hi,
                  100.0 * t->short_mass, 100.0 * a->short_mass,
                  per_branch(ls, s1, sizeof s1, t->slope_exact),
                  per_branch(ls, s0, sizeof s0, a->slope_exact));
    lesson_say(ls, "%s", "%s",
               t->k_peak < a->k_peak && t->short_mass > 0.5
                   ? LESSON_T(ls, "Training moved the gradient onto the short paths: this is "
                                  "the claim of the ensemble view, measured on the same net. "
                                  "The long paths exist, but they carry little.",
                              "학습이 그래디언트를 짧은 경로로 옮겼습니다. 같은 네트워크에서 잰 앙상블 "
                              "관점의 주장입니다. 긴 경로도 있지만, 나르는 것은 적습니다.")
                   : LESSON_T(ls, "In this run training did not move the gradient onto the short "
                                  "paths the way Veit et al. saw.",
                              "이번 실행에서는 Veit 연구진이 본 것처럼 학습이 그래디언트를 짧은 "
                              "경로로 옮기지 않았습니다."));
    return draw_pathgrad(ls, su, c);
}
