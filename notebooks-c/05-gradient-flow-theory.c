/* 05-gradient-flow-theory.c: lesson 05, Steps 2 and 3 (main: 05-gradient-flow.c).
 *
 *   Step 2  the mean-field gain chi_1 of a relu layer (gf_init_weight_var,
 *           gf_theory_gauss_expect) against the measured gradient norms of
 *           gf_gradnorm_run, PyTorch's and He's init;
 *   Step 3  pre- against post-activation (rank of the end-to-end Jacobian,
 *           Step 1) and the residual schemes fixup / rezero / scaled.
 */
#include "05-gradient-flow.h"

#include <math.h>
#include <string.h>

/* gf_gradnorm_run for archs at the lesson's depth with one init; data into DIR/sub. */
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

/* ---- Step 2: theory against measurement ---------------------------------------- */

static const gf_arch PP[2] = {GF_ARCH_PLAIN, GF_ARCH_PREACT};
static const char *const PP_NAMES[2] = {"plain", "preact"};
static const gf_init INITS[2] = {GF_INIT_TORCH, GF_INIT_HE};

/* Both inits, plain and preact: the table of measured and predicted changes. */
static int measure_theory(lesson *ls, const setup *su, gf_facts *f)
{
    lesson_pre(ls, "log10(||dL/dx_0|| / ||dL/dx_B||): negative = shrinks toward the input");
    lesson_pre(ls, "%-6s %-7s %12s %12s", "init", "arch", "measured", "theory");
    for (int i = 0; i < 2; i++) {
        char sub[64];
        gf_gradnorm_result res = {0};
        snprintf(sub, sizeof sub, "%s-depth%d", gf_init_names[INITS[i]], su->depth);
        const int rc = run(ls, su, PP, 2, INITS[i], sub, &res);
        for (int a = 0; rc == 0 && a < 2; a++) {
            f->measured[i][a] = ratio(&res, a);
            f->predicted[i][a] = theory_sum(&res, a);
            char t[32] = "-";
            if (!isnan(f->predicted[i][a]))
                snprintf(t, sizeof t, "%.2f", lesson_decades(f->predicted[i][a]));
            lesson_pre(ls, "%-6s %-7s %12.2f %12s", gf_init_names[INITS[i]], PP_NAMES[a],
                       lesson_decades(f->measured[i][a]), t);
        }
        gf_gradnorm_release(&res);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static const char *agreement(const lesson *ls, double measured, double predicted)
{
    return fabs(measured - predicted) < 0.15 * fabs(predicted) + 0.3
               ? LESSON_T(ls, "they agree", "잘 맞습니다")
               : LESSON_T(ls, "they differ", "차이가 납니다");
}

int gfl_step_theory(lesson *ls, const setup *su, gf_facts *f)
{
    const double e = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    lesson_say(ls,
               "Mean-field theory follows one layer x' = relu(W x + b) backward: the squared "
               "gradient norm is multiplied by chi_1 = fan_in · Var(W) · E[relu'(h)^2] = "
               "sigma_w^2 / 2, with sigma_w^2 = fan_in · Var(W). E[relu'^2] = %.3f, so PyTorch's "
               "default init gives chi_1 = %.4f (about 1/%.0f) and He init gives chi_1 = %.4f. "
               "Below 1 the gradient vanishes geometrically with depth; at 1 it is preserved.",
               "평균장 이론은 층 하나 x' = relu(W x + b)를 거꾸로 따라갑니다. 그래디언트 노름의 "
               "제곱은 chi_1 = fan_in · Var(W) · E[relu'(h)^2] = sigma_w^2 / 2배가 됩니다"
               "(sigma_w^2 = fan_in · Var(W)). E[relu'^2] = %.3f이므로 PyTorch 기본 초기화는 "
               "chi_1 = %.4f(약 1/%.0f), He 초기화는 chi_1 = %.4f입니다. 1보다 작으면 깊이에 따라 "
               "그래디언트가 기하급수적으로 사라지는 그래디언트 소실(기울기 소실)이 일어나고, "
               "1이면 보존됩니다.",
               e, f->chi[0], 1.0 / f->chi[0], f->chi[1]);
    lesson_math(ls, "chi_1 = sigma_w^2 E[phi'(h)^2] = sigma_w^2 / 2  (relu)",
                "\\chi_1 = \\sigma_w^2\\, \\mathbb{E}[\\phi'(h)^2] = \\sigma_w^2/2 \\quad "
                "(\\mathrm{relu})");
    lesson_ask(ls,
               "A plain stack of depth %d has %d weight layers between x_0 and x_B. With "
               "chi_1 = 1/%.0f, by how many decades will its gradient shrink? With He init? And "
               "preact, whose identity path skips every layer?",
               "깊이 %d인 plain 스택은 x_0과 x_B 사이에 가중치 층이 %d개 있습니다. chi_1 = "
               "1/%.0f이면 그래디언트는 몇 자리 줄어들까요? He 초기화에서는요? 모든 층을 건너뛰는 "
               "항등 경로가 있는 preact는요?",
               su->depth, su->depth - 2, 1.0 / f->chi[0]);
    const int rc = measure_theory(ls, su, f);
    if (rc != 0)
        return rc;
    char c[5][64];
    lesson_answer(ls,
                  "Over %d layers, plain's gradient with the default init %s; by chi_1 it %s (%s). "
                  "With He init plain %s (theory %.2f). Preact %s with the default init and %s "
                  "with He init: the identity path carries the gradient whatever chi_1 is, and "
                  "with He init the branches add to it.",
                  "층 %d개에 걸쳐 기본 초기화의 plain은 그래디언트가 %s. chi_1로 예측하면 %s(%s). He "
                  "초기화의 plain은 %s(이론 %.2f). preact는 기본 초기화에서 %s. He 초기화에서는 %s. "
                  "chi_1이 얼마든 항등 경로가 그래디언트를 나르고, He 초기화에서는 가지가 그 위에 "
                  "더해집니다.",
                  su->depth - 2, lesson_change(ls, c[0], sizeof c[0], f->measured[0][0]),
                  lesson_change(ls, c[4], sizeof c[4], f->predicted[0][0]),
                  agreement(ls, f->measured[0][0], f->predicted[0][0]),
                  lesson_change(ls, c[1], sizeof c[1], f->measured[1][0]),
                  lesson_decades(f->predicted[1][0]),
                  lesson_change(ls, c[2], sizeof c[2], f->measured[0][1]),
                  lesson_change(ls, c[3], sizeof c[3], f->measured[1][1]));
    return 0;
}

/* ---- Step 3: pre- against post-activation; residual schemes --------------------- */

static const gf_arch RP[2] = {GF_ARCH_RESNET, GF_ARCH_PREACT};
static const gf_init SCHEMES[N_SCHEMES] = {GF_INIT_TORCH, GF_INIT_FIXUP, GF_INIT_REZERO,
                                           GF_INIT_SCALED};

static int measure_schemes(lesson *ls, const setup *su, gf_facts *f)
{
    lesson_pre(ls, "log10(||dL/dx_0|| / ||dL/dx_B||)");
    lesson_pre(ls, "%-8s %12s %12s", "init", "resnet", "preact");
    for (int i = 0; i < N_SCHEMES; i++) {
        char sub[64], cell[2][32];
        gf_gradnorm_result res = {0};
        snprintf(sub, sizeof sub, "scheme-%s-depth%d", gf_init_names[SCHEMES[i]], su->depth);
        const int rc = run(ls, su, RP, 2, SCHEMES[i], sub, &res);
        for (int a = 0; rc == 0 && a < 2; a++) {
            f->scheme[i][a] = ratio(&res, a);
            if (isfinite(f->scheme[i][a]))
                snprintf(cell[a], sizeof cell[a], "%.2f", lesson_decades(f->scheme[i][a]));
            else
                snprintf(cell[a], sizeof cell[a], "(dL/dx_B=0)");
        }
        gf_gradnorm_release(&res);
        if (rc != 0)
            return rc;
        lesson_pre(ls, "%-8s %12s %12s", gf_init_names[SCHEMES[i]], cell[0], cell[1]);
    }
    return 0;
}

static void tell_rank(lesson *ls, const gf_facts *f)
{
    const jac_stats *r = &f->st[RESNET], *q = &f->st[PREACT];
    lesson_say(ls,
               "Pre-activation moves the ReLU into the branch, so a block is exactly x + F(x) "
               "and its Jacobian I + dF/dx: the product over blocks always contains the identity "
               "term. In the original resnet the ReLU sits after the sum, and D_l multiplies the "
               "identity too. Step 1 measured the end-to-end Jacobian's rank: %d of %zu for "
               "preact and %d of %zu for resnet; %s.",
               "사전 활성화는 ReLU를 가지 안으로 옮깁니다. 그래서 블록은 정확히 x + F(x)이고 "
               "야코비안은 I + dF/dx입니다. 블록들을 곱해도 항등 항이 늘 남습니다. 원래의 resnet은 "
               "합 뒤에 ReLU가 있어서 D_l이 항등 경로에도 곱해집니다. 1단계에서 잰 전체 야코비안의 "
               "계수(rank)는 preact %d/%zu, resnet %d/%zu입니다. %s.",
               q->rank, q->d, r->rank, r->d,
               q->rank > r->rank
                   ? LESSON_T(ls, "only the pre-activation stack keeps a clean identity path",
                              "잔차 경로를 비선형 변환 없이 깨끗하게 지키는 것은 사전 활성화 "
                              "스택뿐입니다")
                   : LESSON_T(ls, "in this sample both keep every direction",
                              "이 샘플에서는 둘 다 모든 방향을 지킵니다"));
}

static void tell_schemes(lesson *ls, const gf_facts *f)
{
    int nfin = 0;
    double worst = 0.0;
    for (int i = 1; i < N_SCHEMES; i++)
        for (int a = 0; a < 2; a++)
            if (isfinite(f->scheme[i][a])) {
                nfin++;
                worst = fmax(worst, fabs(f->scheme[i][a]));
            }
    const double he = f->measured[1][1];
    lesson_answer(ls,
                  "Without a scheme, with He init, preact grew by %.2f decades in Step 2. With "
                  "the schemes the %d finite entries stay within %.2f decades of 0: %s",
                  "기법 없이 He 초기화만 쓴 preact는 2단계에서 %.2f자리 커졌습니다. 이 기법들에서는 "
                  "유한한 값 %d개가 모두 0에서 %.2f자리 안에 있습니다. %s",
                  lesson_decades(he), nfin, worst,
                  worst < 0.5 * fabs(he)
                      ? LESSON_T(ls, "with the branches silenced or shrunk, the block Jacobian "
                                     "is close to the identity and the gradient reaches the input "
                                     "at about the level it left the output.",
                                 "가지가 꺼지거나 작아지면 블록 야코비안이 항등 행렬에 가까워져, "
                                 "그래디언트가 출력에서 떠난 크기와 거의 같은 크기로 입력에 "
                                 "닿습니다.")
                      : LESSON_T(ls, "the schemes do not hold the level much better than He "
                                     "init here.",
                                 "여기서는 이 기법들이 He 초기화보다 수준을 크게 더 잘 지키지는 "
                                 "못합니다."));
    if (nfin < 2 * (N_SCHEMES - 1))
        lesson_say(ls,
                   "An entry \"(dL/dx_B=0)\" is fixup's: it zeroes the head too, so no gradient "
                   "reaches x_B at all and the ratio is 0/0. Its first step moves only the head; "
                   "from then on the gradient flows as in the other schemes.",
                   "\"(dL/dx_B=0)\"은 fixup의 칸입니다. fixup은 출력층도 0으로 두므로 x_B에 "
                   "그래디언트가 전혀 오지 않고, 비율은 0/0입니다. 첫 스텝은 출력층만 움직이고, "
                   "그다음부터는 다른 기법들처럼 그래디언트가 흐릅니다.");
}

int gfl_step_schemes(lesson *ls, const setup *su, gf_facts *f)
{
    int rc = lesson_code(ls, "branch",
                         "The branch in gradflow: preact normalizes and applies the ReLU before "
                         "each Linear, so nothing follows the sum; resnet ends the branch in "
                         "Linear and norm, and its ReLU comes after the sum (`gf_add_relu`).",
                         "gradflow의 가지입니다. preact는 각 Linear 앞에서 정규화와 ReLU를 하므로 "
                         "합 뒤에는 아무것도 없고, resnet은 가지를 Linear와 정규화로 끝내며 ReLU는 "
                         "합 뒤에 옵니다(`gf_add_relu`).");
    if (rc != 0)
        return rc;
    tell_rank(ls, f);
    lesson_say(ls,
               "Step 2 showed residual stacks growing toward the input under He init: every "
               "branch adds on top of the identity. Three schemes tame the branches at "
               "initialization; every layer starts from He init, then fixup scales each branch's "
               "first layer by 1/sqrt(B) and zeroes its last layer and the head, rezero "
               "multiplies each branch by a learned alpha that starts at 0, and scaled "
               "multiplies it by 1/sqrt(B):",
               "2단계에서 He 초기화의 잔차 스택은 입력 쪽으로 커졌습니다. 가지마다 항등 경로 위에 "
               "더해지기 때문입니다. 초기화 시점에 가지를 길들이는 기법이 셋 있습니다. 모든 층은 "
               "He 초기화로 시작하고, fixup은 각 가지의 첫 층을 1/sqrt(B)배로 줄이고 마지막 층과 "
               "출력층을 0으로 둡니다. rezero는 0에서 시작해 학습되는 alpha를 가지에 곱하고, "
               "scaled는 1/sqrt(B)를 곱합니다.");
    if ((rc = lesson_code(ls, "branch-weight",
                          "Where rezero's alpha and the 1/sqrt(B) of scaled enter the sum:",
                          "rezero의 alpha와 scaled의 1/sqrt(B)가 합에 들어가는 곳:")) != 0)
        return rc;
    lesson_ask(ls,
               "With each branch zero (rezero, fixup) or shrunk by 1/sqrt(B) (scaled), what will "
               "log10(||dL/dx_0|| / ||dL/dx_B||) be, against the %.2f of preact with He init "
               "alone?",
               "가지가 0이거나(rezero, fixup) 1/sqrt(B)배로 줄면(scaled) log10(||dL/dx_0|| / "
               "||dL/dx_B||)는 He 초기화만 쓴 preact의 %.2f에 비해 어떻게 될까요?",
               lesson_decades(f->measured[1][1]));
    if ((rc = measure_schemes(ls, su, f)) != 0)
        return rc;
    tell_schemes(ls, f);
    return 0;
}
