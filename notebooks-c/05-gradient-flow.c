/* 05-gradient-flow.c: lesson 05, gradient flow at initialization (syllabus
 * sections 4 and 6; section 3 is `gradflow landscape` and `gradflow identity`).
 *
 *   Step 1  the Jacobian view: block Jacobians and the end-to-end Jacobian of
 *           a plain, a resnet and a preact stack (gf_jacobians_compute), their
 *           singular values (gf_singular_values_fast);
 *   Step 2  theory against measurement: the mean-field gain chi_1 of a relu
 *           layer (gf_init_weight_var, gf_theory_gauss_expect) against the
 *           measured gradient norms of gf_gradnorm_run, torch and He init;
 *   Step 3  pre-activation against post-activation (rank of the end-to-end
 *           Jacobian) and the residual schemes fixup / rezero / scaled.
 *
 * Every number printed is measured or computed by the run.
 */
#include "lesson.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const lesson_info INFO = LESSON_INFO(
    "05-gradient-flow", "Lesson 05: gradient flow at initialization, seen through Jacobians",
    "5강: 야코비안으로 보는 초기화 시점의 그래디언트 흐름",
    "Measures the singular values of block and end-to-end Jacobians of plain,\n"
    "resnet and preact stacks, compares mean-field theory with measured gradient\n"
    "norms, and contrasts pre- and post-activation and residual init schemes.",
    "plain, resnet, preact 스택의 블록 야코비안과 전체 야코비안의 특이값을 재고,\n"
    "평균장 이론을 측정한 그래디언트 노름과 비교하고, 사전/사후 활성화와 잔차\n"
    "초기화 기법을 비교합니다.");

enum { N_ARCHS = 3 };
static const gf_arch ARCHS[N_ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET, GF_ARCH_PREACT};

typedef struct setup {
    int depth, seeds;
    size_t width, jwidth, batch;
    gf_dataset data;
} setup;

typedef struct jac_stats {
    double blk_lo, blk_hi;   /* mean over blocks of the smallest / largest singular value */
    double blk_med;          /* mean over blocks of the rms singular value (||J||_F / sqrt(d)) */
    double e_max, e_min;     /* end-to-end dx_B/dx_0 */
    int rank;                /* singular values above 1e-10 sigma_max */
    size_t d;
    int blocks;
} jac_stats;

static double dec(double x) { return x == 0.0 ? 0.0 : x; } /* no "-0.00" */

/* ---- Step 1: the Jacobian view ---------------------------------------------- */

static int jac_measure(lesson *ls, const setup *su, gf_arch arch, jac_stats *st)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.depth = su->depth;
    c.width = su->jwidth;
    c.in_dim = su->data.dim;
    c.classes = su->data.classes;
    c.init = GF_INIT_TORCH;
    char why[512];
    gf_model *s = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t d = su->jwidth;
    double *sv = malloc(d * sizeof *sv);
    gf_jacobians j;
    memset(&j, 0, sizeof j);
    int rc = 0;
    if (!s || !rng || !sv) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory for the network");
        goto out;
    }
    gsl_rng_set(rng, 1);
    if (gf_model_init(s, rng) != 0) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "cannot initialize the network");
        goto out;
    }
    if (gf_jacobians_compute(s, su->data.x, &j, why, sizeof why) != 0) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        goto out;
    }
    memset(st, 0, sizeof *st);
    st->d = d;
    st->blocks = j.blocks;
    for (int l = 0; l < j.blocks; l++) {
        if (gf_singular_values_fast(j.block + (size_t)l * d * d, d, d, sv) != 0) {
            rc = lesson_fail(ls, LESSON_RUNTIME, "SVD of a block Jacobian failed");
            goto out;
        }
        st->blk_hi += sv[0] / j.blocks;
        st->blk_lo += sv[d - 1] / j.blocks;
        double ss = 0.0;
        for (size_t i = 0; i < d; i++)
            ss += sv[i] * sv[i];
        st->blk_med += sqrt(ss / (double)d) / j.blocks;
    }
    if (gf_singular_values_fast(j.end, d, d, sv) != 0) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "SVD of the end-to-end Jacobian failed");
        goto out;
    }
    st->e_max = sv[0];
    st->e_min = sv[d - 1];
    for (size_t i = 0; i < d; i++)
        st->rank += sv[i] > 1e-10 * sv[0];
out:
    gf_jacobians_release(&j);
    free(sv);
    gsl_rng_free(rng);
    gf_model_free(s);
    return rc;
}

static int step_jacobian(lesson *ls, const setup *su, jac_stats st[N_ARCHS])
{
    for (int a = 0; a < N_ARCHS; a++) {
        int rc = jac_measure(ls, su, ARCHS[a], &st[a]);
        if (rc != 0)
            return rc;
    }
    lesson_say(ls,
               "The backward pass multiplies the gradient by the transposed Jacobian of "
               "every block, so how a signal survives depth is decided by the singular "
               "values of those Jacobians. We take one sample, stacks of depth %d (%d "
               "blocks of width %zu) with PyTorch's default init, and compute every block "
               "Jacobian J_l = dx_{l+1}/dx_l and the end-to-end Jacobian dx_B/dx_0.",
               "역전파는 블록마다 야코비안의 전치를 그래디언트에 곱합니다. 그러니 신호가 깊이를 "
               "버티는지는 그 야코비안들의 특이값이 정합니다. 샘플 하나와 PyTorch 기본 "
               "초기화로 만든 깊이 %d(블록 %d개, 폭 %zu)의 스택에서 모든 블록 야코비안 "
               "J_l = dx_{l+1}/dx_l과 전체 야코비안 dx_B/dx_0을 계산합니다.",
               su->depth, st[0].blocks, su->jwidth);
    lesson_math(ls, "resnet: J_l = D_l (I + dF_l/dx),  preact: J_l = I + dF_l/dx,  plain: J_l = dF_l/dx",
                "\\text{resnet: } J_l = D_l (I + \\partial F_l/\\partial x),\\quad "
                "\\text{preact: } J_l = I + \\partial F_l/\\partial x,\\quad "
                "\\text{plain: } J_l = \\partial F_l/\\partial x");
    lesson_pre(ls, "%-7s %9s %9s %9s   %11s %11s %6s", "arch", "blk min", "blk rms",
               "blk max", "end max", "end min", "rank");
    for (int a = 0; a < N_ARCHS; a++)
        lesson_pre(ls, "%-7s %9.3f %9.3f %9.3f   %11.3e %11.3e %3d/%zu", gf_arch_names[ARCHS[a]],
                   st[a].blk_lo, st[a].blk_med, st[a].blk_hi, st[a].e_max, st[a].e_min,
                   st[a].rank, st[a].d);
    const jac_stats *p = &st[0], *r = &st[1], *q = &st[2];
    const double cond_q = q->e_max / q->e_min;
    lesson_say(ls,
               "The block columns are averages over the %d blocks. A plain block's singular "
               "values have root mean square %.3f, %s 1: each block %s the gradient. The "
               "residual blocks' rms is %.3f for resnet and %.3f for preact, %s 1: "
               "the identity dominates each block.",
               "블록 열은 %d개 블록의 평균입니다. plain 블록 특이값의 제곱평균제곱근(rms)은 %.3f로 "
               "1보다 %s, 블록마다 그래디언트를 %s. 잔차 블록의 rms는 resnet %.3f, "
               "preact %.3f로 1에 %s: 블록마다 항등 변환이 주를 이룹니다.",
               p->blocks, p->blk_med, LESSON_T(ls, p->blk_med < 1 ? "well below" : "above",
                                               p->blk_med < 1 ? "훨씬 작고" : "크고"),
               LESSON_T(ls, p->blk_med < 1 ? "shrinks" : "grows",
                        p->blk_med < 1 ? "줄입니다" : "키웁니다"),
               r->blk_med, q->blk_med,
               LESSON_T(ls, fabs(r->blk_med - 1) < 0.5 && fabs(q->blk_med - 1) < 0.5 ? "both close to"
                                                                                    : "not both near",
                        fabs(r->blk_med - 1) < 0.5 && fabs(q->blk_med - 1) < 0.5 ? "모두 가깝습니다"
                                                                                : "모두 가깝지는 않습니다"));
    lesson_say(ls,
               "End to end, the preact stack has condition number sigma_max/sigma_min = %.3g "
               "(full rank %d of %zu): %s. The plain stack's largest singular value is "
               "%.3g, so its Jacobian has %s. The resnet stack keeps rank %d of %zu: the "
               "ReLU after each sum zeroes every row whose unit is off (D_l), and %s.",
               "끝에서 끝까지 보면 preact 스택의 조건수 sigma_max/sigma_min은 %.3g이고 "
               "(계수 %d/%zu) %s. plain 스택의 가장 큰 특이값은 %.3g이므로 야코비안이 %s. "
               "resnet 스택의 계수는 %d/%zu입니다. 합 뒤의 ReLU가 꺼진 유닛의 행을 0으로 "
               "만들기 때문이며(D_l), %s.",
               cond_q, q->rank, q->d,
               LESSON_T(ls, cond_q < 1e3 ? "well conditioned" : "poorly conditioned",
                        cond_q < 1e3 ? "조건이 좋습니다" : "조건이 나쁩니다"),
               p->e_max,
               LESSON_T(ls, p->e_max < 1e-2 ? "collapsed toward zero" : "not collapsed",
                        p->e_max < 1e-2 ? "0 쪽으로 무너졌습니다" : "무너지지 않았습니다"),
               r->rank, r->d,
               LESSON_T(ls, r->rank < (int)r->d ? "it is singular: some directions never reach the input"
                                                : "here no direction is lost",
                        r->rank < (int)r->d ? "그래서 행렬이 특이합니다. 어떤 방향은 입력까지 가지 못합니다"
                                            : "여기서는 잃는 방향이 없습니다"));
    return 0;
}

/* ---- the gradnorm runs --------------------------------------------------------- */

static int run(lesson *ls, const setup *su, const gf_arch *archs, int n, gf_init init,
               const char *sub, gf_gradnorm_result *res)
{
    gf_gradnorm_spec spec = {.base = gf_stack_config_default(), .archs = archs, .n_archs = n,
                             .seeds = su->seeds, .seed0 = 1, .batch = su->batch,
                             .data = &su->data};
    spec.base.depth = su->depth;
    spec.base.width = su->width;
    spec.base.init = init;
    char why[512], path[GF_PATH_MAX];
    if (gf_gradnorm_run(&spec, res, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    if (lesson_dir(ls, sub, path, sizeof path) != 0)
        return LESSON_RUNTIME;
    if (gf_gradnorm_write(res, path, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    return 0;
}

/* log10 ||dL/dx_0|| - log10 ||dL/dx_B||, mean over seeds */
static double ratio(const gf_gradnorm_result *res, int a)
{
    double g0, gb, lo, hi;
    gf_gradnorm_block_stats(res, a, 0, &g0, &lo, &hi);
    gf_gradnorm_block_stats(res, a, res->blocks, &gb, &lo, &hi);
    return g0 - gb;
}

static double theory_sum(const gf_gradnorm_result *res, int a)
{
    double t = 0.0;
    for (int l = 0; l < res->blocks; l++)
        t += res->theory[a * res->blocks + l];
    return t;
}

static int figure(lesson *ls, const setup *su, const gf_gradnorm_result *res, const char *sub,
                  const char *const *names, const int *theory, int n, const char *init,
                  int terminal)
{
    char title[256], subtitle[256], cap_en[256], cap_ko[256];
    snprintf(title, sizeof title, "Gradient norm per block at initialization: depth %d, %s init",
             su->depth, init);
    snprintf(subtitle, sizeof subtitle, "width %zu, batch %zu, %d seeds, act relu, no norm",
             su->width, su->batch, su->seeds);
    gf_fig_gradnorm fig = {.title = title, .subtitle = subtitle, .archs = names,
                           .theory = theory, .n_archs = n, .xmax = res->blocks};
    fig.ymin = INFINITY;
    fig.ymax = -INFINITY;
    for (int a = 0; a < n; a++) {
        double t = 0.0, m, lo, hi;
        for (int l = res->blocks; l >= 0; l--) {
            gf_gradnorm_block_stats(res, a, l, &m, &lo, &hi);
            t = lesson_theory_next(res, a, l, t, m);
            if (isfinite(lo))
                fig.ymin = fmin(fig.ymin, fmin(lo, t));
            if (isfinite(hi))
                fig.ymax = fmax(fig.ymax, fmax(hi, t));
        }
    }
    if (!isfinite(fig.ymin) || !isfinite(fig.ymax)) {
        fig.ymin = -1.0;
        fig.ymax = 1.0;
    }
    snprintf(cap_en, sizeof cap_en, "||dL/dx_l|| at every block boundary, depth %d, %s init "
             "(dashed: mean-field theory where it applies)", su->depth, init);
    snprintf(cap_ko, sizeof cap_ko, "블록 경계마다 잰 ||dL/dx_l||, 깊이 %d, %s 초기화 "
             "(점선: 평균장 이론값)", su->depth, init);
    return lesson_figure(ls, sub, "gradnorm", gf_fig_gradnorm_body, &fig, terminal, cap_en,
                         cap_ko);
}

/* ---- Step 2: theory against measurement ---------------------------------------- */

static const gf_arch PP[2] = {GF_ARCH_PLAIN, GF_ARCH_PREACT};
static const char *const PP_NAMES[2] = {"plain", "preact"};
static const int PP_THEORY[2] = {1, 1};

static int step_theory(lesson *ls, const setup *su, gf_gradnorm_result res[2],
                       double measured[2][2], double predicted[2][2])
{
    const gf_init inits[2] = {GF_INIT_TORCH, GF_INIT_HE};
    const double e = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    double chi[2];
    for (int i = 0; i < 2; i++) {
        const size_t n = su->width;
        chi[i] = (double)n * gf_init_weight_var(inits[i], n, n) * e;
    }
    lesson_say(ls,
               "Mean-field theory follows one layer x' = relu(W x + b) backward: the squared "
               "gradient norm is multiplied by chi_1 = fan_in sigma_w^2 E[relu'(h)^2] = "
               "sigma_w^2 / 2 (with sigma_w^2 = fan_in Var W). E[relu'^2] = %.3f, so "
               "PyTorch's default init gives chi_1 = %.4f (about 1/%.0f) and He init gives "
               "chi_1 = %.4f. Below 1 the gradient vanishes geometrically with depth; at 1 "
               "it is preserved.",
               "평균장 이론은 층 하나 x' = relu(W x + b)를 거꾸로 따라갑니다. 그래디언트 노름의 "
               "제곱은 chi_1 = fan_in sigma_w^2 E[relu'(h)^2] = sigma_w^2 / 2 배가 됩니다"
               "(sigma_w^2 = fan_in Var W). E[relu'^2] = %.3f이므로 PyTorch 기본 초기화는 "
               "chi_1 = %.4f(약 1/%.0f), He 초기화는 chi_1 = %.4f입니다. 1보다 작으면 "
               "기울기 소실이 깊이에 따라 기하급수적으로 일어나고, 1이면 보존됩니다.",
               e, chi[0], 1.0 / chi[0], chi[1]);
    lesson_math(ls, "chi_1 = sigma_w^2 E[phi'(h)^2] = sigma_w^2 / 2  (relu)",
                "\\chi_1 = \\sigma_w^2\\, \\mathbb{E}[\\phi'(h)^2] = \\sigma_w^2/2 \\quad (\\mathrm{relu})");
    lesson_pre(ls, "%-6s %-7s %12s %12s", "init", "arch", "measured", "theory");
    for (int i = 0; i < 2; i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s-depth%d", gf_init_names[inits[i]], su->depth);
        int rc = run(ls, su, PP, 2, inits[i], sub, &res[i]);
        if (rc != 0)
            return rc;
        for (int a = 0; a < 2; a++) {
            measured[i][a] = ratio(&res[i], a);
            predicted[i][a] = theory_sum(&res[i], a);
            char t[32];
            if (isnan(predicted[i][a]))
                snprintf(t, sizeof t, "-");
            else
                snprintf(t, sizeof t, "%.2f", dec(predicted[i][a]));
            lesson_pre(ls, "%-6s %-7s %12.2f %12s", gf_init_names[inits[i]], PP_NAMES[a],
                       dec(measured[i][a]), t);
        }
    }
    lesson_say(ls,
               "The columns are log10(||dL/dx_0|| / ||dL/dx_B||) over %d blocks: negative "
               "means the gradient shrank on its way to the input. Plain with the default "
               "init loses %.2f decades, theory says %.2f (%s). With He init plain %s "
               "(%.2f, theory %.2f). Preact %s (%.2f and %.2f decades): the "
               "identity path carries the gradient whatever chi_1 is, and with He init the "
               "branches add to it.",
               "열의 값은 %d개 블록에 걸친 log10(||dL/dx_0|| / ||dL/dx_B||)입니다. 음수면 "
               "입력으로 가는 동안 그래디언트가 작아졌다는 뜻입니다. 기본 초기화의 plain은 "
               "%.2f자리를 잃고, 이론값은 %.2f입니다(%s). He 초기화의 plain은 %s"
               "(%.2f, 이론 %.2f). preact는 %s(%.2f, %.2f자리): chi_1이 "
               "얼마든 1이라는 항, 곧 고속도로가 그래디언트를 나르고, He 초기화에서는 가지가 더해집니다.",
               res[0].blocks, dec(-measured[0][0]), dec(-predicted[0][0]),
               LESSON_T(ls, fabs(measured[0][0] - predicted[0][0]) < 0.15 * fabs(predicted[0][0]) + 0.3
                                ? "they agree" : "they differ",
                        fabs(measured[0][0] - predicted[0][0]) < 0.15 * fabs(predicted[0][0]) + 0.3
                            ? "잘 맞습니다" : "차이가 납니다"),
               LESSON_T(ls, fabs(measured[1][0]) < 1.0 ? "keeps its level" : "does not keep its level",
                        fabs(measured[1][0]) < 1.0 ? "수준을 유지합니다" : "수준을 유지하지 못합니다"),
               dec(measured[1][0]), dec(predicted[1][0]),
               LESSON_T(ls, measured[0][1] > -1.0 && measured[1][1] > -1.0 ? "does not vanish at either init"
                                                                          : "loses gradient at one of them",
                        measured[0][1] > -1.0 && measured[1][1] > -1.0 ? "두 초기화 모두에서 소실되지 않습니다"
                                                                      : "한 초기화에서 그래디언트를 잃습니다"),
               dec(measured[0][1]), dec(measured[1][1]));
    char sub[64];
    snprintf(sub, sizeof sub, "torch-depth%d", su->depth);
    return figure(ls, su, &res[0], sub, PP_NAMES, PP_THEORY, 2, "torch", 1);
}

/* ---- Step 3: pre- against post-activation; residual schemes --------------------- */

static const gf_arch RP[2] = {GF_ARCH_RESNET, GF_ARCH_PREACT};

static int step_schemes(lesson *ls, const setup *su, const jac_stats st[N_ARCHS],
                        double he_preact, double scheme[4][2])
{
    const jac_stats *r = &st[1], *q = &st[2];
    lesson_say(ls,
               "Pre-activation moves the ReLU into the branch, so a block is exactly "
               "x + F(x) and its Jacobian I + dF/dx: the product over blocks always contains "
               "the identity term. In the original resnet the ReLU sits after the sum, and "
               "D_l multiplies the identity too. Measured above: the end-to-end Jacobian "
               "has rank %d of %zu for preact and %d of %zu for resnet; %s.",
               "사전 활성화는 ReLU를 가지 안으로 옮깁니다. 그래서 블록은 정확히 x + F(x)이고 "
               "야코비안은 I + dF/dx입니다. 블록들을 곱해도 항등 항이 늘 남습니다. 원래의 "
               "resnet은 합 뒤에 ReLU가 있어서 D_l이 항등 경로에도 곱해집니다. 위에서 잰 "
               "전체 야코비안의 계수는 preact %d/%zu, resnet %d/%zu입니다. %s.",
               q->rank, q->d, r->rank, r->d,
               LESSON_T(ls, q->rank > r->rank ? "only the pre-activation stack keeps a clean identity path"
                                              : "in this sample both keep every direction",
                        q->rank > r->rank ? "잔차 경로를 비선형 변환 없이 깨끗하게 지키는 것은 사전 활성화 스택뿐입니다"
                                          : "이 샘플에서는 둘 다 모든 방향을 지킵니다"));
    const gf_init inits[4] = {GF_INIT_TORCH, GF_INIT_FIXUP, GF_INIT_REZERO, GF_INIT_SCALED};
    gf_gradnorm_result res[4];
    memset(res, 0, sizeof res);
    int rc = 0;
    lesson_pre(ls, "%-8s %12s %12s", "init", "resnet", "preact");
    for (int i = 0; i < 4 && rc == 0; i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "scheme-%s-depth%d", gf_init_names[inits[i]], su->depth);
        if ((rc = run(ls, su, RP, 2, inits[i], sub, &res[i])) != 0)
            break;
        for (int a = 0; a < 2; a++)
            scheme[i][a] = ratio(&res[i], a);
        char c[2][32];
        for (int a = 0; a < 2; a++)
            if (isfinite(scheme[i][a]))
                snprintf(c[a], sizeof c[a], "%.2f", dec(scheme[i][a]));
            else
                snprintf(c[a], sizeof c[a], "%s", LESSON_T(ls, "(zero)", "(0)"));
        lesson_pre(ls, "%-8s %12s %12s", gf_init_names[inits[i]], c[0], c[1]);
    }
    for (int i = 0; i < 4; i++)
        gf_gradnorm_release(&res[i]);
    if (rc != 0)
        return rc;
    int nfin = 0;
    double worst = 0.0;
    for (int i = 1; i < 4; i++)
        for (int a = 0; a < 2; a++)
            if (isfinite(scheme[i][a])) {
                nfin++;
                worst = fmax(worst, fabs(scheme[i][a]));
            }
    lesson_say(ls,
               "Same table as before, log10(||dL/dx_0|| / ||dL/dx_B||), now for residual "
               "stacks with the schemes that tame the branches at init. Fixup zeroes each "
               "branch's last layer (and the head), ReZero multiplies each branch by an alpha "
               "that starts at 0, and scaled multiplies it by 1/sqrt(B); under them every layer is He-initialized, "
               "and a He-initialized preact stack grew by %.2f decades in Step 2. With the "
               "schemes the %d finite entries stay within %.2f decades of 0: %s%s",
               "앞과 같은 log10(||dL/dx_0|| / ||dL/dx_B||)를, 이번에는 초기화 시점에 가지를 "
               "길들이는 기법을 쓴 잔차 스택에서 잽니다. Fixup은 가지의 마지막 층(과 출력층)을 "
               "0으로 두고, ReZero는 0에서 시작하는 alpha를 가지에 곱하고, scaled는 1/sqrt(B)를 "
               "곱합니다. 그 밑의 층들은 모두 He 초기화이고, 2단계에서 He 초기화만 쓴 preact는 "
               "%.2f자리 커졌습니다. 이 기법들에서는 유한한 값 %d개가 모두 0에서 %.2f자리 안에 "
               "있습니다. %s%s",
               dec(he_preact), nfin, worst,
               LESSON_T(ls, worst < 0.5 * fabs(he_preact)
                                ? "with the branches silenced or shrunk, the block Jacobian is "
                                  "close to the identity and the gradient reaches the input at "
                                  "about the level it left the output."
                                : "the schemes do not hold the level much better than He init here.",
                        worst < 0.5 * fabs(he_preact)
                            ? "가지가 꺼지거나 작아지면 블록 야코비안이 항등 행렬에 가까워져, "
                              "그래디언트가 출력에서 떠난 크기와 거의 같은 크기로 입력에 닿습니다."
                            : "여기서는 이 기법들이 He 초기화보다 수준을 크게 더 잘 지키지는 못합니다."),
               LESSON_T(ls, nfin < 6 ? " A \"(zero)\" entry means nothing flowed back at all: "
                                       "the head starts at zero, so dL/dx_B is exactly 0 until "
                                       "the first step moves it."
                                     : "",
                        nfin < 6 ? " \"(0)\"은 그래디언트가 전혀 돌아오지 않았다는 뜻입니다. "
                                   "출력층이 0에서 시작하므로 첫 스텝이 그것을 움직이기 전까지 "
                                   "dL/dx_B는 정확히 0입니다."
                                 : ""));
    return 0;
}

/* The lesson itself, between lesson_start and lesson_end (lesson_main):
 * 0, or the exit status after a message. */
static int teach(lesson *ls)
{
    int rc = 0;
    setup su = ls->opt.quick ? (setup){.depth = 20, .seeds = 2, .width = 32, .jwidth = 32, .batch = 32}
                            : (setup){.depth = 32, .seeds = 4, .width = 64, .jwidth = 64, .batch = 64};
    gf_gradnorm_result res[2];
    memset(res, 0, sizeof res);
    if (gf_synthetic_default(&su.data, 1024) != 0) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory making the synthetic set");
        goto out;
    }
    json_object_set_new(ls->settings, "experiment",
        json_pack("{s:i, s:I, s:I, s:I, s:i, s:i, s:s, s:s, s:s}", "depth", su.depth,
                  "width", (json_int_t)su.width, "jacobian_width", (json_int_t)su.jwidth,
                  "batch", (json_int_t)su.batch, "seeds", su.seeds, "seed0", 1, "act", "relu",
                  "norm", "none", "data", "synthetic Gaussian mixture: 1024 x 32, 10 classes, "
                  "separation 1.5, data seed 0"));
    lesson_say(ls,
               "Why does a residual network train at a depth where a plain one does not even "
               "start? At initialization the answer is in the gradient flow: whether the "
               "gradient of the loss survives the way from the output back to the input, and "
               "whether the landscape near the start is well conditioned.",
               "잔차 네트워크는 왜 plain 네트워크가 출발조차 못 하는 깊이에서도 학습될까요? "
               "초기화 시점에서 답은 그래디언트 흐름에 있습니다. 손실의 그래디언트가 출력에서 "
               "입력까지 돌아오는 길을 버티는가, 그리고 출발점 근처의 최적화 지형이 고르게 "
               "조건 잡혀 있는가의 문제입니다.");
    jac_stats st[N_ARCHS];
    double measured[2][2], predicted[2][2], scheme[4][2];
    lesson_heading(ls, "Step 1. The Jacobian view", "1단계. 야코비안 관점");
    if ((rc = step_jacobian(ls, &su, st)) != 0)
        goto out;
    lesson_heading(ls, "Step 2. Theory against measurement", "2단계. 이론과 측정");
    if ((rc = step_theory(ls, &su, res, measured, predicted)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. Pre-activation, post-activation and init schemes",
                   "3단계. 사전 활성화, 사후 활성화, 초기화 기법");
    if ((rc = step_schemes(ls, &su, st, measured[1][1], scheme)) != 0)
        goto out;
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- Block Jacobians: plain rms singular value %.3f, resnet %.3f, preact %.3f.\n"
               "- End to end: preact condition number %.3g; resnet rank %d of %zu; plain "
               "largest singular value %.3g.\n"
               "- Default init: chi_1 predicts %.2f decades for plain, measured %.2f; preact "
               "changes by %.2f.",
               "- 블록 야코비안: 특이값 rms는 plain %.3f, resnet %.3f, preact %.3f.\n"
               "- 전체 야코비안: preact 조건수 %.3g, resnet 계수 %d/%zu, plain 최대 특이값 %.3g.\n"
               "- 기본 초기화: chi_1은 plain에서 %.2f자리를 예측하고, 측정값은 %.2f입니다. "
               "preact의 변화는 %.2f자리입니다.",
               st[0].blk_med, st[1].blk_med, st[2].blk_med, st[2].e_max / st[2].e_min,
               st[1].rank, st[1].d, st[0].e_max, dec(predicted[0][0]), dec(measured[0][0]),
               dec(measured[0][1]));
out:
    for (int i = 0; i < 2; i++)
        gf_gradnorm_release(&res[i]);
    gf_dataset_release(&su.data);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
