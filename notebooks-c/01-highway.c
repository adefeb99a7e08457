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
 * ratio ||dL/dx_0|| / ||dL/dx_B|| against depth (the lesson's recipe).
 *
 * This file: main, the intro, Step 2 and the summary. The sweep over depths and
 * the figures are in 01-highway-sweep.c; Steps 1, 3 and 4 in 01-highway-steps.c;
 * what they share in 01-highway.h.
 */
#include "01-highway.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const lesson_info INFO = LESSON_INFO(
    "01-highway", "Lesson 01: the +1 highway",
    "1강: +1 고속도로",
    "Measures the \"+1\" of a residual block y = x + F(x): the skip term of the\n"
    "gradient in one block, the decay of plain stacks against residual ones at\n"
    "several depths, zeroed branches, and what He initialization changes.",
    "잔차 블록 y = x + F(x)의 \"+1\"을 잽니다. 블록 하나에서 그래디언트의 스킵 항,\n"
    "여러 깊이에서 plain 스택과 잔차 스택의 그래디언트 감쇠, 가지를 0으로 만든 경우,\n"
    "그리고 He 초기화가 바꾸는 것을 차례로 봅니다.");

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
               "A residual block computes y = x + F(x): the input x is carried past the branch F "
               "by a residual connection (also called a skip connection) and added to its output. "
               "The backward pass turns that sum into a "
               "sum of gradients: whatever gradient reaches y is handed to x unchanged, and what "
               "comes back through the branch F is added on top. Chain L blocks and the "
               "unchanged part travels all the way from the loss to the first layer. Chain L "
               "plain layers instead and the gradient is multiplied by one Jacobian per layer, "
               "so its size is a product of L factors:",
               "잔차 블록은 y = x + F(x)를 계산합니다. 입력 x는 잔차 연결(residual connection, "
               "스킵 연결이라고도 합니다)을 타고 가지(branch) F를 건너뛰어 F의 출력에 더해집니다. "
               "역전파에서는 이 덧셈이 그래디언트의 "
               "덧셈이 됩니다. y에 도착한 그래디언트는 그대로 x에 전달되고, 가지 F를 거쳐 돌아온 "
               "그래디언트가 그 위에 더해집니다. 블록을 L개 이어 붙여도 그대로 전달되는 부분은 "
               "손실에서 첫 층까지 끊기지 않고 내려갑니다. 반면 일반(plain) 층을 L개 이어 붙이면 "
               "층마다 야코비안이 하나씩 곱해지므로, 그래디언트의 크기는 L개 인수의 곱이 "
               "됩니다. 인수가 1보다 작으면 그래디언트가 층을 지날수록 사라지는 그래디언트 "
               "소실(기울기 소실, vanishing gradient)이 일어납니다.");
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
               "measured by this run. How a gradient changes from x_B (the last block's output) "
               "to x_0 (the first block's input) is given throughout the course as "
               "log10(||dL/dx_0|| / ||dL/dx_B||), in decades (a decade is a factor of 10): "
               "negative when the gradient shrinks toward the input, positive when it grows.",
               "항등 행렬 I가 바로 \"+1\"입니다. 어떤 가중치도 막을 수 없는 그래디언트의 "
               "통로입니다. 이 프로그램은 gradflow 엔진으로 그 통로를 직접 잽니다. 모두 초기화 "
               "직후의 네트워크이고, 데이터는 입력이 %zu차원인 합성 10-클래스 문제입니다. 아래의 "
               "숫자는 전부 이번 실행에서 잰 값입니다. x_B(마지막 블록의 출력)에서 x_0(첫 블록의 "
               "입력)까지 그래디언트가 어떻게 변하는지는 강의 내내 log10(||dL/dx_0|| / "
               "||dL/dx_B||)로 나타냅니다. 단위는 자릿수(decade, 10배)이고, 입력 쪽으로 "
               "그래디언트가 줄어들면 음수, 커지면 양수입니다.",
               su->data.dim);
    return 0;
}

/* The per-layer gain of PyTorch's default init, and the question it answers. */
static void tell_gain(lesson *ls, const setup *su)
{
    const int depth = su->depths[su->n_depths - 1];
    const double fan_var =
        gf_init_weight_var(GF_INIT_TORCH, su->width, su->width) * (double)su->width;
    const double relu2 = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    const double per_layer = 0.5 * log10(fan_var * relu2); /* log10 of the norm's gain */
    lesson_say(ls,
               "Remove the skip and block l is just x_{l+1} = f_l(x_l): backward multiplies "
               "dL/dx_{l+1} by the block's Jacobian and adds nothing. One Linear-ReLU layer "
               "multiplies the expected squared norm of the gradient by "
               "fan_in · Var(w) · E[relu'(h)^2] (per entry, the variance by "
               "fan_out · Var(w) · E[relu'(h)^2], He et al.'s backward rule; every layer here is "
               "square, so the two agree). PyTorch's default init draws w uniformly in "
               "±1/sqrt(fan_in), so fan_in · Var(w) = %.4f; with E[relu'(h)^2] = %.2f each layer "
               "multiplies the squared norm by %.4f, and the norm by 10^%.3f (about 1/%.2f): it "
               "shrinks by %.3f decades per layer.",
               "스킵을 없애면 블록 l은 그냥 x_{l+1} = f_l(x_l)입니다. 역전파는 dL/dx_{l+1}에 "
               "블록의 야코비안을 곱할 뿐, 더해 주는 것이 없습니다. Linear-ReLU 층 하나는 "
               "그래디언트 제곱 노름의 기댓값을 fan_in · Var(w) · E[relu'(h)^2]배로 만듭니다"
               "(원소 하나의 분산으로 보면 fan_out · Var(w) · E[relu'(h)^2]배로, He 연구진의 역전파 "
               "조건입니다. 여기서는 모든 층이 정사각이라 둘이 같습니다). PyTorch 기본 초기화는 "
               "w를 ±1/sqrt(fan_in) 범위에서 균등하게 뽑으므로 fan_in · Var(w) = %.4f이고, "
               "E[relu'(h)^2] = %.2f이므로 층마다 제곱 노름이 %.4f배가 됩니다. 노름은 층마다 "
               "10^%.3f배(약 1/%.2f)로 줄어듭니다. 로그로 보면 층당 %.3f 자릿수(decade)입니다.",
               fan_var, relu2, fan_var * relu2, per_layer, pow(10.0, -per_layer), -per_layer);
    lesson_ask(ls,
               "A plain stack of depth %d has %d weight layers between x_0 and x_B. By how many "
               "decades will its gradient shrink from x_B to x_0? And the residual stacks, whose "
               "blocks add the branch to the identity?",
               "깊이 %d인 plain 스택은 x_0과 x_B 사이에 가중치 층이 %d개 있습니다. x_B에서 x_0까지 "
               "그래디언트는 몇 자리 줄어들까요? 블록마다 가지를 항등 경로에 더하는 잔차 스택은 "
               "어떨까요?",
               depth, depth - 2);
}

static int step_plain(lesson *ls, const setup *su, const sweep *torch)
{
    const int i = su->n_depths - 1, depth = su->depths[i], B = torch->res[i].blocks;
    char depths[64], ratio[32], g0s[32], ch[64], th[64];
    depth_list(depths, sizeof depths, su);
    lesson_say(ls,
               "I built the three stacks at depths %s with %d seeds each (a seed draws the "
               "weights and the batch), width %zu and batch %zu, ran one forward and one "
               "backward pass, and recorded ||dL/dx_l|| at every block boundary, from x_B (the "
               "head's input) down to x_0 (the stem's output). log10(||dL/dx_0|| / ||dL/dx_B||), "
               "geometric mean over seeds:",
               "세 가지 스택을 깊이 %s에서 각각 시드 %d개로 만들었습니다(시드 하나가 가중치와 "
               "배치를 정합니다). 폭은 %zu, 배치는 %zu입니다. 순전파와 역전파를 한 번씩 돌리고 "
               "블록 경계마다 ||dL/dx_l||를 기록했습니다. x_B(출력층의 입력)에서 x_0(stem의 "
               "출력)까지의 log10(||dL/dx_0|| / ||dL/dx_B||)는 다음과 같습니다(시드에 대한 기하 "
               "평균).",
               depths, su->seeds, su->width, su->batch);
    hw_sweep_table(ls, su, torch);
    double level = 0.0;
    for (int d = 0; d < su->n_depths; d++)
        level = fmax(level, fmax(fabs(torch->change[d][RESNET]), fabs(torch->change[d][PREACT])));
    lesson_answer(ls,
                  "At depth %d the plain stack's gradient %s (%.3f per block of two layers); "
                  "by the product of per-layer gains it %s. Its gradient at x_0 is %s "
                  "times the one at x_B. The two residual stacks stay within %.2f decades at "
                  "every depth.",
                  "깊이 %d에서 plain 스택의 그래디언트는 %s(두 층짜리 블록당 %.3f). 층별 이득을 곱한 "
                  "이론으로는 %s. x_0의 그래디언트는 x_B의 %s배입니다. 두 잔차 스택은 모든 "
                  "깊이에서 변화가 %.2f자리 이내입니다.",
                  depth, lesson_change(ls, ch, sizeof ch, torch->change[i][PLAIN]),
                  torch->change[i][PLAIN] / B, lesson_change(ls, th, sizeof th, torch->theory[i]),
                  lesson_pow2_text(ratio, sizeof ratio, torch->change[i][PLAIN] / GF_LOG10_2),
                  level);
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
                   lesson_pow2_text(g0s, sizeof g0s, g0 / GF_LOG10_2), (double)FLT_MIN);
    return hw_block_figure(ls, su, torch, 1);
}

/* What to take away: the four steps' results in one list. */
static void summary(lesson *ls, const setup *su, const sweep *torch, const sweep *he,
                    int bitwise_block, int bitwise_zero)
{
    const int last = su->n_depths - 1;
    double level = 0.0, grow = 0.0;
    char ch[64], th[64];
    for (int d = 0; d < su->n_depths; d++)
        for (int a = RESNET; a <= PREACT; a++) {
            level = fmax(level, fabs(torch->change[d][a]));
            grow = fmax(grow, he->change[d][a]);
        }
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- One block: dL/dx_0 = s + J_F^T s, and the skip term s is dL/dx_1 (%s).\n"
               "- Plain stack, PyTorch's default init, depth %d: the gradient %s; by the "
               "product of per-layer gains it %s.\n"
               "- Zero branches: dL/dx_0 and dL/dx_B of a pre-activation stack are %s.\n"
               "- Residual stacks stay within %.2f decades with the default init; with He init "
               "they grow by up to %.2f decades toward the input. The +1 keeps the gradient "
               "from vanishing; it does not normalize it.",
               "- 블록 하나: dL/dx_0 = s + J_F^T s이고, 스킵 항 s는 dL/dx_1 그대로입니다(%s).\n"
               "- PyTorch 기본 초기화의 plain 스택(깊이 %d): 그래디언트가 %s. 층별 이득을 "
               "곱한 이론으로는 %s.\n"
               "- 가지를 0으로 만든 사전 활성화 스택에서 dL/dx_0과 dL/dx_B는 %s.\n"
               "- 잔차 스택은 기본 초기화에서 %.2f자리 안에 머물고, He 초기화에서는 입력 쪽으로 "
               "최대 %.2f자리까지 커집니다. +1은 그래디언트가 사라지지 않게 지켜 줄 뿐, 크기를 "
               "맞춰 주지는 않습니다.",
               LESSON_T(ls, bitwise_block ? "bit for bit" : "up to rounding",
                        bitwise_block ? "비트 단위까지 같음" : "반올림 오차 이내"),
               su->depths[last], lesson_change(ls, ch, sizeof ch, torch->change[last][PLAIN]),
               lesson_change(ls, th, sizeof th, torch->theory[last]),
               LESSON_T(ls, bitwise_zero ? "identical, bit for bit" : "equal up to rounding",
                        bitwise_zero ? "비트 단위까지 똑같습니다" : "반올림 오차 안에서 같습니다"),
               level, grow);
}

/* Exercises: one change each, the lesson's settings kept (gradflow gradnorm). */
static void exercises(lesson *ls, const setup *su)
{
    char base[256], cmd[512];
    const int depth = su->depths[su->n_depths - 1];
    /* the lesson's settings; exercise 2 changes the width */
    snprintf(base, sizeof base, LESSON_GRADFLOW " gradnorm --depth %d --batch %zu --seeds %d",
             depth, su->batch, su->seeds);
    lesson_exercises(ls);
    snprintf(cmd, sizeof cmd, "%s --width %zu --act tanh --out runs/l01-tanh", base, su->width);
    lesson_try(ls, cmd,
               "Swap relu for tanh. Before running, work out fan_in · Var(w) · E[tanh'(h)^2] "
               "with tanh' at most 1: should plain lose more or fewer decades than with relu? "
               "Compare with `summary.txt`.",
               "relu를 tanh로 바꿔 봅니다. 실행하기 전에 tanh'이 1을 넘지 않는다는 점에서 "
               "fan_in · Var(w) · E[tanh'(h)^2]를 어림해 보세요. plain이 relu 때보다 더 많이 "
               "잃을까요, 덜 잃을까요? `summary.txt`와 비교하세요.");
    snprintf(cmd, sizeof cmd, "%s --width %zu --out runs/l01-wide", base, 4 * su->width);
    lesson_try(ls, cmd,
               "Four times the width. The per-layer gain has no width in it: the decades lost "
               "should stay, and only the spread over seeds should shrink.",
               "폭을 네 배로 늘립니다. 층별 이득의 식에는 폭이 없으므로 잃는 자릿수는 그대로이고, "
               "시드 사이의 흩어짐만 줄어들어야 합니다.");
    snprintf(cmd, sizeof cmd, "%s --width %zu --arch resnet,preact --zero-init-residual --init he "
             "--out runs/l01-zero", base, su->width);
    lesson_try(ls, cmd,
               "Step 3 with He init and every seed: preact's curve must be flat to the last "
               "bit, resnet's a little lower where the ReLU on the highway cuts.",
               "3단계를 He 초기화와 모든 시드로 다시 합니다. preact의 곡선은 마지막 비트까지 "
               "평평해야 하고, resnet은 고속도로 위의 ReLU가 자르는 만큼 조금 낮아집니다.");
    snprintf(cmd, sizeof cmd, "%s --width %zu --init he --norm batch --out runs/l01-bn", base,
             su->width);
    lesson_try(ls, cmd,
               "He init with batch norm in every block. Does normalization stop the residual "
               "stacks from growing toward the input (Step 4)? Look at where the curves start "
               "and end in `gradnorm.png`.",
               "He 초기화에 블록마다 배치 정규화를 더합니다. 정규화가 잔차 스택이 입력 쪽으로 "
               "커지는 것(4단계)을 막을까요? `gradnorm.png`에서 곡선의 시작과 끝을 보세요.");
}

/* The lesson itself, between lesson_start and lesson_end (lesson_main):
 * 0, or the exit status after a message. */
static int teach(lesson *ls)
{
    int rc = 0;
    setup su = ls->opt.quick
                   ? (setup){.depths = {8, 20, 56}, .n_depths = 3, .width = 64, .batch = 32,
                             .seeds = 2, .block_width = 16, .block_batch = 8}
                   : (setup){.depths = {8, 20, 56, 110}, .n_depths = 4, .width = 128,
                             .batch = 64, .seeds = 5, .block_width = 32, .block_batch = 16};
    sweep *sw = calloc(2, sizeof *sw);
    int bitwise_block = 0, bitwise_zero = 0;
    if (gf_synthetic_default(&su.data, 4096) != 0) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory making the synthetic set");
        goto out;
    }
    if (!sw) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory");
        goto out;
    }
    json_t *depths = json_array();
    for (int i = 0; i < su.n_depths; i++)
        json_array_append_new(depths, json_integer(su.depths[i]));
    json_object_set_new(ls->settings, "experiment",
        json_pack("{s:o, s:s, s:I, s:I, s:i, s:i, s:s, s:s, s:s, s:[s,s]}", "depths", depths,
                  "arch", "plain,resnet,preact", "width", (json_int_t)su.width, "batch",
                  (json_int_t)su.batch, "seeds", su.seeds, "seed0", 1, "norm", "none", "act",
                  "relu", "data", "synthetic Gaussian mixture: 4096 x 32, 10 classes, "
                  "separation 1.5, data seed 0", "inits", "torch", "he"));
    json_object_set_new(ls->settings, "block",
                        json_pack("{s:s, s:I, s:I, s:i}", "arch", "preact", "width",
                                  (json_int_t)su.block_width, "batch", (json_int_t)su.block_batch,
                                  "seed", 1));

    intro(ls, &su);
    lesson_heading(ls, "Step 1. One block: the Jacobian is I + J_F",
                   "1단계. 블록 하나: 야코비안은 I + J_F");
    if ((rc = hw_step_block(ls, &su, &bitwise_block)) != 0)
        goto out;

    lesson_heading(ls, "Step 2. A plain stack multiplies Jacobians",
                   "2단계. plain 스택은 야코비안을 곱한다");
    tell_gain(ls, &su);
    if ((rc = hw_run_sweep(ls, &su, GF_INIT_TORCH, &sw[0])) != 0)
        goto out;
    if ((rc = step_plain(ls, &su, &sw[0])) != 0)
        goto out;

    lesson_heading(ls, "Step 3. Switch the branches off", "3단계. 가지를 모두 끄면");
    if ((rc = hw_step_zero(ls, &su, &bitwise_zero)) != 0)
        goto out;

    lesson_heading(ls, "Step 4. A highway, not a regulator",
                   "4단계. 고속도로는 조절기가 아니다");
    hw_tell_he(ls, &su);
    if ((rc = hw_run_sweep(ls, &su, GF_INIT_HE, &sw[1])) != 0)
        goto out;
    if ((rc = hw_step_he(ls, &su, &sw[0], &sw[1])) != 0 ||
        (rc = hw_block_figure(ls, &su, &sw[1], 0)) != 0)
        goto out;
    if ((rc = hw_depth_figure(ls, &su, sw, 2)) != 0)
        goto out;

    summary(ls, &su, &sw[0], &sw[1], bitwise_block, bitwise_zero);
    exercises(ls, &su);
out:
    for (int k = 0; sw && k < 2; k++) /* released results are zeroed: safe to repeat */
        hw_sweep_release(&sw[k], su.n_depths);
    free(sw);
    gf_dataset_release(&su.data);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
