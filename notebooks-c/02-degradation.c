/* 02-degradation.c: lesson 02, the degradation problem (syllabus section 1).
 *
 *   Step 1  the experiment: plain and residual stacks at two depths, trained
 *           alike (gf_grid_train), and the table of final errors;
 *   Step 2  training error against test error: is the deeper plain net worse
 *           on its own training set (degradation), or only on new data?
 *   Step 3  the curves, epoch by epoch (figure 1);
 *   Step 4  the same depths with skip connections: is the depth gap gone?
 *   Step 5  the gradient norms during training (figure 2): with batch norm
 *           the plain net's gradient does not vanish; at initialization it
 *           grows toward the input (Yang et al. 2019).
 *
 * Every number printed is measured by the run, and every reading branches on
 * it. This file: main, the intro, Step 1, the summary, what to try and what
 * comes next. Steps 2-5 and the figures are in 02-degradation-read.c; what
 * they share in 02-degradation.h.
 */
#include "02-degradation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const lesson_info INFO = LESSON_INFO(
    "02-degradation", "Lesson 02: the degradation problem",
    "2강: 성능 저하 문제",
    "Trains plain and residual stacks at two depths on Fashion-MNIST (or, when it\n"
    "is not installed, the built-in synthetic set) and reads what was measured:\n"
    "is the deeper plain net worse on its own training set, do skip connections\n"
    "close the gap, and are the gradients vanishing?",
    "plain 스택과 잔차 스택을 두 가지 깊이로 Fashion-MNIST(설치되어 있지 않으면\n"
    "내장 합성 데이터)에서 학습시키고, 잰 값을 읽습니다. 더 깊은 plain 네트워크가\n"
    "자기 학습 데이터에서도 더 나쁜지, 스킵 연결이 그 차이를 메우는지, 그래디언트가\n"
    "정말 사라지는지를 차례로 봅니다.");

/* ---- progress on a terminal (stderr only; not part of the page) ---------- */

typedef struct progress {
    int on, index, total, epochs;
    char name[24];
} progress;

static void on_run(void *ctx, const gf_grid_net *r, int index, int total)
{
    progress *p = ctx;
    p->index = index;
    p->total = total;
    snprintf(p->name, sizeof p->name, "%s", r->name);
}

static void on_step(void *ctx, int epoch, long step, long steps, double loss)
{
    const progress *p = ctx;
    if (!p->on || (step % 10 != 0 && step != steps))
        return;
    fprintf(stderr, "\r\033[K  net %d/%d  %-10s epoch %d/%d  step %ld/%ld  loss %.3f",
            p->index + 1, p->total, p->name, epoch, p->epochs, step, steps, loss);
    fflush(stderr);
}

/* ---- the intro and Step 1 ------------------------------------------------ */

static void intro(lesson *ls)
{
    lesson_say(ls,
               "Before residual networks, adding layers to a network that already worked "
               "often made it worse, and not only on new data: the deeper network ended with a "
               "higher error on the very images it had been trained on. He et al. (2016) called "
               "this the degradation problem. It is a puzzle, because a deeper network can do "
               "everything a shallower one does: copy the shallow network's layers and let "
               "every extra layer compute the identity.",
               "잔차 네트워크가 나오기 전에는, 이미 잘 동작하는 네트워크에 층을 더 쌓으면 "
               "오히려 나빠지는 일이 흔했습니다. 새로운 데이터에서만 나빠진 것이 아닙니다. 학습에 "
               "쓴 바로 그 이미지에서도 깊은 네트워크의 오차가 더 높았습니다. He 연구진(2016)은 "
               "이것을 성능 저하(degradation) 문제라고 불렀습니다. 이상한 일입니다. 깊은 "
               "네트워크는 얕은 네트워크가 하는 일을 모두 할 수 있기 때문입니다. 얕은 네트워크의 "
               "층을 그대로 옮겨 오고, 늘어난 층은 모두 항등 변환을 하게 두면 됩니다.");
    lesson_math(ls, "f_deep = g_K ∘ … ∘ g_1 ∘ f_shallow,   g_k = id  ⇒  f_deep = f_shallow",
                "f_{\\text{deep}} = g_K \\circ \\cdots \\circ g_1 \\circ f_{\\text{shallow}},"
                "\\qquad g_k = \\mathrm{id} \\;\\Rightarrow\\; f_{\\text{deep}} = "
                "f_{\\text{shallow}}");
    lesson_say(ls,
               "So the deeper network's best possible training error is no higher than the "
               "shallower one's. If it ends higher, the deep network is not short of a good "
               "solution; the optimizer does not find it. Nor is this overfitting: an overfit "
               "network fits its training set too well and new data badly, so its training "
               "error is low and its test error high. Degradation shows in the training error "
               "itself. This lesson reproduces the experiment at a small scale with gradflow's "
               "trainer and reads what it measures.",
               "따라서 깊은 네트워크가 도달할 수 있는 최선의 학습 오차는 얕은 네트워크보다 높을 "
               "수 없습니다. 그런데도 학습 오차가 더 높게 끝난다면, 좋은 해가 없어서가 아니라 "
               "최적화가 그 해를 찾지 못한 것입니다. 과적합과도 다릅니다. 과적합된 네트워크는 "
               "학습 데이터를 지나치게 잘 맞추고 새 데이터에서 틀리므로, 학습 오차는 낮고 테스트 "
               "오차만 높습니다. 성능 저하는 학습 오차 자체에서 드러납니다. 이 강의에서는 "
               "gradflow의 학습기로 이 실험을 작게 재현하고, 잰 값을 읽어 봅니다.");
}

static int data_note(lesson *ls, const setup *su)
{
    if (!su->synthetic) {
        lesson_say(ls,
                   "Data: the first %zu training images of Fashion-MNIST (28×28 grey pictures "
                   "of clothing in %zu classes, each fed to the net as %zu numbers), and %zu of "
                   "its test images, which no net ever trains on.",
                   "데이터는 Fashion-MNIST 학습 이미지 앞쪽 %zu장(옷 사진, 28×28 흑백, %zu개 "
                   "클래스, 이미지 한 장을 숫자 %zu개로 넣습니다)과, 어떤 네트워크도 학습하지 않는 "
                   "테스트 이미지 %zu장입니다.",
                   su->train.n, su->train.classes, su->train.dim, su->test.n);
        return 0;
    }
    lesson_say(ls,
               "**Note: Fashion-MNIST is not installed** in `%s` (on Debian: `apt-get install "
               "dataset-fashion-mnist`), so this run trains on gradflow's built-in synthetic set "
               "instead: Gaussian clusters with %zu features in %zu classes, %zu samples to train "
               "on and %zu held out for testing. It is far easier than pictures of clothing, so "
               "the errors below are small and the story may come out differently; the text "
               "reads whatever this run measures.",
               "**참고: Fashion-MNIST가 설치되어 있지 않습니다** (`%s`; 데비안에서는 `apt-get "
               "install dataset-fashion-mnist`). 그래서 이번 실행은 gradflow에 내장된 합성 "
               "데이터로 학습합니다. 특성 %zu개, 클래스 %zu개인 가우시안 군집이고, 학습용 "
               "%zu개와 테스트용 %zu개로 나눴습니다. 옷 사진보다 훨씬 쉬운 문제라 오차가 작고, "
               "이야기가 다르게 흘러갈 수도 있습니다. 아래 글은 이번 실행에서 잰 값을 그대로 "
               "읽습니다.",
               GF_FASHION_DIR, su->train.dim, su->train.classes, su->train.n, su->test.n);
    return 0;
}

static void describe(lesson *ls, const setup *su, const gf_grid_spec *sp)
{
    const gf_train_config *t = &sp->train;
    lesson_say(ls,
               "Four networks, trained alike: a plain stack and a residual stack, each with %d "
               "and with %d weight layers (a stem, B blocks of two Linear layers, a head: "
               "2B + 2). The residual block is the original ResNet's, x_{l+1} = relu(x_l + "
               "F(x_l)) with F = Linear, batch norm, ReLU, Linear, batch norm; the plain block is "
               "the same without the skip, x_{l+1} = relu(F(x_l)). Every layer is fully "
               "connected and %zu features wide, with batch normalization and He "
               "initialization. He et al. used convolutional networks on CIFAR-10; these are "
               "their fully connected cousins, small enough to train in seconds.",
               "똑같이 학습시키는 네트워크 네 개입니다. plain 스택과 잔차 스택을 각각 가중치 층 "
               "%d개와 %d개로 만들었습니다(stem, Linear 두 개짜리 블록 B개, 출력층: 2B + 2). "
               "잔차 블록은 원래 ResNet의 것으로 x_{l+1} = relu(x_l + F(x_l))이고, F는 Linear, "
               "배치 정규화, ReLU, Linear, 배치 정규화입니다. plain 블록은 스킵만 뺀 "
               "x_{l+1} = relu(F(x_l))입니다. 모든 층은 완전 연결이고 폭은 %zu이며, 배치 정규화와 "
               "He 초기화를 씁니다. He 연구진은 CIFAR-10에서 합성곱 네트워크를 썼지만, 여기서는 "
               "몇 초 만에 학습되는 완전 연결 버전을 씁니다.",
               su->depths[SHALLOW], su->depths[DEEP], su->width);
    data_note(ls, su);
    lesson_say(ls,
               "Training follows He et al.'s recipe, scaled down: SGD with momentum %g and "
               "weight decay %g, learning rate %g, cut by a factor of %g at %.0f%% and %.0f%% of "
               "training, mini-batches of %zu, %d epochs, seed %ld for the weights and the "
               "batch order. After every epoch each net is evaluated (batch norm with its "
               "running statistics) on the whole training subset and on the test images, and "
               "the trainer records ||dL/dx_l|| at every block boundary at step 0, every %ld "
               "steps after that, and at the last step.",
               "학습은 He 연구진의 방식을 줄여서 따릅니다. 모멘텀 %g, 가중치 감쇠 %g인 SGD를 "
               "쓰고, 학습률은 %g에서 시작해 %g분의 1로 두 번 줄입니다(학습의 %.0f%%와 %.0f%% "
               "지점). 미니배치는 %zu, 학습은 %d 에폭, 가중치와 배치 순서를 정하는 시드는 "
               "%ld입니다. 에폭이 끝날 때마다 "
               "학습용 이미지 전체와 테스트 이미지에서 각 네트워크를 평가하고(배치 정규화는 누적 "
               "통계 사용), 블록 경계의 ||dL/dx_l||를 0번째 스텝과 그 뒤 %ld 스텝마다, 그리고 마지막 "
               "스텝에서 기록합니다.",
               t->optim.momentum, t->optim.weight_decay, t->sched.lr, 1.0 / t->sched.gamma,
               100.0 * t->sched.milestones[0], 100.0 * t->sched.milestones[1], t->batch,
               t->epochs, su->seed0, t->probe_every);
}

/* table.md, line by line, as a preformatted block. */
static int print_table(lesson *ls, const gf_grid_result *res)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    const int bad = gf_grid_write_table(m, res) != 0;
    if (fclose(m) != 0 || bad) {
        free(text);
        return lesson_fail(ls, LESSON_RUNTIME, "cannot format the table");
    }
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lesson_pre(ls, "%s", line);
    }
    free(text);
    return 0;
}

static int step_run(lesson *ls, const setup *su, const gf_grid_spec *sp,
                    gf_grid_result *res)
{
    describe(ls, su, sp);
    char why[512], path[GF_PATH_MAX];
    progress *p = sp->ctx;
    fflush(stdout);
    const int rc = gf_grid_train(sp, res, why, sizeof why);
    if (p->on)
        fputs("\r\033[K", stderr);
    if (rc != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    if (lesson_dir(ls, "", path, sizeof path) != 0)
        return LESSON_RUNTIME;
    if (gf_grid_write(res, path, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    lesson_say(ls,
               "Training the %d nets took %.1f s. Their final errors, as written to "
               "`table.md`:",
               "네트워크 %d개를 학습하는 데 %.1f초가 걸렸습니다. 최종 오차는 다음과 같습니다"
               "(`table.md`에 쓴 것과 같습니다).",
               res->n_runs, res->wall_seconds);
    if (print_table(ls, res) != 0)
        return LESSON_RUNTIME;
    for (int i = 0; i < res->n_runs; i++)
        if (res->runs[i].failed) {
            lesson_warn("%s stopped: %s", res->runs[i].name, res->runs[i].why);
            lesson_say(ls, "%s stopped after %d epochs: %s",
                       "%s 네트워크는 %d 에폭 뒤에 멈췄습니다: %s", res->runs[i].name,
                       res->runs[i].epochs_done, res->runs[i].why);
        }
    return 0;
}

/* ---- the end: summary, what to try, what comes next ------------------------ */

static void summary(lesson *ls, const setup *su, const reading *rd)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    lesson_heading(ls, "What to take away", "정리");
    if (isnan(rd->gap[PLAIN]) || isnan(rd->gap[RESNET])) {
        lesson_say(ls, "- Some nets did not finish training, so the depths were not compared.",
                   "- 학습을 끝내지 못한 네트워크가 있어 깊이를 비교하지 못했습니다.");
        return;
    }
    const double gp = rd->gap[PLAIN], gr = rd->gap[RESNET];
    const char *plain = gp > DG_TOL    ? LESSON_T(ls, "degradation", "성능 저하")
                        : gp < -DG_TOL ? LESSON_T(ls, "the deeper net trains better",
                                                  "깊은 쪽이 더 잘 학습됨")
                                       : LESSON_T(ls, "no clear difference", "뚜렷한 차이 없음");
    const char *resid = gr <= DG_TOL ? LESSON_T(ls, "no depth gap", "깊이에 따른 차이 없음")
                        : gp > DG_TOL && gr < gp
                            ? LESSON_T(ls, "the gap shrinks but stays", "차이가 줄었지만 남음")
                        : gp > DG_TOL
                            ? LESSON_T(ls, "the gap does not shrink", "차이가 줄지 않음")
                            : LESSON_T(ls, "the deeper residual net trains worse",
                                       "깊은 잔차 네트워크가 더 나쁨");
    const double g0 = rd->g_first[PLAIN][DEEP], g1 = rd->g_last[PLAIN][DEEP];
    char t0[24], t1[24];
    const char *grad = isnan(g0) || isnan(g1) ? ""
                       : isinf(g1) && g1 < 0
                           ? LESSON_T(ls, " Zero at x_0 at the end of training.",
                                      " 학습이 끝날 때 x_0의 그래디언트는 0입니다.")
                       : fabs(g1) >= 1.0
                           ? LESSON_T(ls, " More than a decade apart at the end of training.",
                                      " 학습이 끝날 때도 한 자릿수 넘게 차이 납니다.")
                       : g0 > 1.0
                           ? LESSON_T(ls, " Not vanishing at the end of training; at "
                                          "initialization it grows toward the input, as batch "
                                          "norm makes it do in a deep plain stack.",
                                      " 학습이 끝날 때 그래디언트는 사라지지 않았습니다. 초기화 "
                                      "시점에는 깊은 plain 스택의 배치 정규화 때문에 입력 쪽으로 "
                                      "커집니다.")
                           : LESSON_T(ls, " Not vanishing at the end of training.",
                                      " 학습이 끝날 때 그래디언트는 사라지지 않았습니다.");
    lesson_say(ls,
               "- Plain nets: training error %.2f%% at %d layers, %.2f%% at %d layers (%+.2f "
               "points: %s); test error %.2f%% and %.2f%%.\n"
               "- Residual nets: training error %.2f%% and %.2f%% (%+.2f points: %s).\n"
               "- Gradient of plain-%d, ||dL/dx_0|| / ||dL/dx_B||: %s at step 0, %s at the "
               "last step.%s",
               "- plain 네트워크: 학습 오차는 %.2f%%(%d층)와 %.2f%%(%d층)로 %+.2f%%p "
               "차이(%s), 테스트 오차는 %.2f%%와 %.2f%%입니다.\n"
               "- 잔차 네트워크: 학습 오차 %.2f%%와 %.2f%%, %+.2f%%p 차이(%s).\n"
               "- plain-%d의 그래디언트 비 ||dL/dx_0|| / ||dL/dx_B||: 0번째 스텝에서 %s, "
               "마지막 스텝에서 %s.%s",
               rd->train[PLAIN][SHALLOW], s, rd->train[PLAIN][DEEP], d, gp, plain,
               rd->test[PLAIN][SHALLOW], rd->test[PLAIN][DEEP], rd->train[RESNET][SHALLOW],
               rd->train[RESNET][DEEP], gr, resid, d, dg_ratio_text(t0, sizeof t0, g0),
               dg_ratio_text(t1, sizeof t1, g1), grad);
}

static void try_it(lesson *ls, const setup *su)
{
    char same[256], cmd[384];
    snprintf(same, sizeof same,
             LESSON_GRADFLOW " degrade --depth %d,%d --ntrain %zu --ntest %zu --epochs %d%s",
             su->depths[SHALLOW], su->depths[DEEP], su->ntrain, su->ntest, su->epochs,
             su->synthetic ? " --data synthetic" : "");
    lesson_exercises(ls);
    lesson_say(ls,
               "`gradflow degrade` runs this lesson's experiment with every setting exposed "
               "(`--help`); `%s` reproduces the table of Step 1 digit for digit.",
               "`gradflow degrade` 명령은 이 강의의 실험을 모든 설정을 열어 둔 채로 돌립니다"
               "(`--help`). `%s`는 1단계의 표를 숫자 하나까지 똑같이 재현합니다.",
               same);
    snprintf(cmd, sizeof cmd, "%s --seeds 3 --out runs/l02-seeds", same);
    lesson_try(ls, cmd,
               "Three seeds per net: the table gives mean ± standard deviation. Is the depth gap "
               "larger than the seed-to-seed spread that one seed cannot show?",
               "네트워크마다 시드 세 개: 표에 평균 ± 표준편차가 나옵니다. 깊이에 따른 차이가 시드 "
               "하나로는 볼 수 없는 시드 간 흩어짐보다 클까요?");
    snprintf(cmd, sizeof cmd, "%s --warmup 200 --out runs/l02-warmup", same);
    lesson_try(ls, cmd,
               "Raise the learning rate linearly over the first 200 steps. If the exploding "
               "gradient at initialization (Step 5) is what stops the deep plain net, a gentle start "
               "should help; if its training error hardly moves, look elsewhere.",
               "처음 200 스텝 동안 학습률을 선형으로 올립니다(워밍업). 초기화 시점의 그래디언트 "
               "폭발(5단계)이 깊은 plain 네트워크를 막는 것이라면 천천히 출발하는 편이 도움이 될 것이고, 학습 "
               "오차가 거의 변하지 않는다면 원인은 다른 데 있습니다.");
    snprintf(cmd, sizeof cmd, "%s --arch plain,resnet,preact --out runs/l02-preact", same);
    lesson_try(ls, cmd,
               "Add the pre-activation block (the syllabus' section 6), whose last ReLU is off "
               "the highway. Does it train the deep net better than resnet?",
               "마지막 ReLU를 고속도로 밖으로 옮긴 사전 활성화 블록(강의 노트 6절)을 더합니다. 깊은 "
               "네트워크를 resnet보다 더 잘 학습시킬까요?");
    snprintf(cmd, sizeof cmd,
             LESSON_GRADFLOW " degrade --depth %d,%d --ntrain %zu --ntest %zu --epochs %d%s "
             "--out runs/l02-long", su->depths[SHALLOW], su->depths[DEEP], su->ntrain, su->ntest,
             3 * su->epochs, su->synthetic ? " --data synthetic" : "");
    char hint_en[256], hint_ko[512];
    snprintf(hint_en, sizeof hint_en, "Three times the epochs. Does resnet-%d pass resnet-%d, as "
             "in He et al.? Does plain-%d ever catch up with plain-%d?", su->depths[DEEP],
             su->depths[SHALLOW], su->depths[DEEP], su->depths[SHALLOW]);
    char net[4][32], with[4][48]; /* the Korean particles follow the numbers (lesson_josa) */
    const char *pair[4] = {"이/가", "을/를", "은/는", "을/를"};
    for (int k = 0; k < 4; k++) {
        snprintf(net[k], sizeof net[k], "%s-%d", k < 2 ? "resnet" : "plain",
                 su->depths[k % 2 ? SHALLOW : DEEP]);
        lesson_josa(ls, with[k], sizeof with[k], net[k], pair[k]);
    }
    snprintf(hint_ko, sizeof hint_ko, "에폭을 세 배로 늘립니다. He 연구진의 결과처럼 %s %s "
             "앞지를까요? %s %s 따라잡을까요?", with[0], with[1], with[2], with[3]);
    lesson_try(ls, cmd, hint_en, hint_ko);
    lesson_heading(ls, "Next", "다음 강의");
    lesson_say(ls,
               "Lesson 01 (the syllabus' sections 2 and 4) measures the \"+1\" of y = F(x) + x: "
               "the gradient path that no weight can close. Lesson 05 looks at the same flow "
               "through the Jacobians at initialization, lesson 03 at the residual network as "
               "an ensemble of paths (section 5) and lesson 04 at stochastic depth (section 9). "
               "Lesson 06 takes the optimization landscape (section 3), lesson 07 the "
               "pre-activation unit and DenseNet (sections 6 and 7) with the convolutional nets "
               "this degradation was first seen in, and lesson 08 the Transformer (section 8); "
               "the index in `docs/lessons/` lists them all in the syllabus' order.",
               "1강(강의 노트 2절과 4절)은 y = F(x) + x의 \"+1\", 곧 어떤 가중치도 막을 수 없는 "
               "그래디언트의 통로를 잽니다. 5강은 같은 흐름을 초기화 시점의 야코비안으로 보고, "
               "3강은 잔차 네트워크를 경로들의 앙상블로(5절), 4강은 Stochastic Depth를(9절) "
               "봅니다. 6강은 최적화 지형(3절)을, 7강은 이 성능 저하가 처음 관찰된 합성곱 "
               "네트워크로 사전 활성화 단위와 DenseNet(6절과 7절)을, 8강은 Transformer(8절)를 "
               "다룹니다. `docs/lessons/`의 목차가 모든 강의를 강의 노트 순서로 보여 줍니다.");
}

/* ---- main ------------------------------------------------------------------ */

static json_t *settings(const setup *su, const gf_grid_spec *sp)
{
    const gf_train_config *t = &sp->train;
    return json_pack(
        "{s:[i,i], s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:i, s:I, s:s, s:f, s:f, s:f, "
        "s:s, s:f, s:[f,f], s:I, s:I, s:s}",
        "depths", su->depths[SHALLOW], su->depths[DEEP], "arch", "plain,resnet", "width",
        (json_int_t)su->width, "norm", "batch", "init", "he", "act", "relu", "data",
        su->data_name, "input_dim", (json_int_t)su->train.dim, "ntrain", (json_int_t)su->train.n,
        "ntest", (json_int_t)su->test.n, "epochs", t->epochs, "batch", (json_int_t)t->batch,
        "optimizer", gf_optim_names[t->optim.kind], "momentum", t->optim.momentum,
        "weight_decay", t->optim.weight_decay, "lr", t->sched.lr, "schedule",
        gf_sched_names[t->sched.kind], "gamma", t->sched.gamma, "milestones",
        t->sched.milestones[0], t->sched.milestones[1], "probe_every", (json_int_t)t->probe_every,
        "seed", (json_int_t)su->seed0, "evaluation",
        "after every epoch, batch norm with running statistics, whole training subset and test "
        "set");
}

/* The question before Step 2, 4 or 5: answerable from what came before. */
static void predict(lesson *ls, const setup *su, int step)
{
    switch (step) {
    case 2:
        lesson_ask(ls,
                   "Overfitting shows as a test error well above the training error, with a training "
                   "error no higher than the shallower net's; degradation shows in the training "
                   "error itself. Which do you expect for plain-%d against plain-%d?",
                   "과적합이라면 테스트 오차가 학습 오차보다 한참 높고, 학습 오차는 얕은 네트워크보다 "
                   "높지 않습니다. 성능 저하는 학습 오차 자체에서 드러납니다. plain-%d와 plain-%d에서는 "
                   "어느 쪽일까요?",
                   su->depths[DEEP], su->depths[SHALLOW]);
        break;
    case 4:
        lesson_ask(ls,
                   "Same depths, same init, same schedule; only the sum differs. Will resnet-%d "
                   "end with a higher training error than resnet-%d, as plain did, or not?",
                   "깊이, 초기화, 학습률 일정은 같고 덧셈만 다릅니다. resnet-%d의 학습 오차가 plain처럼 "
                   "resnet-%d보다 높게 끝날까요?",
                   su->depths[DEEP], su->depths[SHALLOW]);
        break;
    case 5:
        lesson_ask(ls,
                   "If plain-%d's gradient vanished, ||dL/dx_0|| / ||dL/dx_B|| would be far below 1. "
                   "With He init and batch norm in every layer, what do you expect at the first step, "
                   "before any training?",
                   "plain-%d의 그래디언트가 사라진다면 ||dL/dx_0|| / ||dL/dx_B||는 1보다 한참 작을 "
                   "것입니다. He 초기화에 층마다 배치 정규화가 있으면, 학습 전 첫 스텝에서는 어떨까요?",
                   su->depths[DEEP]);
        break;
    }
}

/* The lesson itself, between lesson_start and lesson_end (lesson_main):
 * 0, or the exit status after a message. */
static int teach(lesson *ls)
{
    int rc = 0;
    setup su = ls->opt.quick
                   ? (setup){.depths = {8, 20}, .ntrain = 1000, .ntest = 500, .width = 64,
                             .batch = 128, .epochs = 4, .seed0 = 1}
                   : (setup){.depths = {20, 56}, .ntrain = 5000, .ntest = 2000, .width = 64,
                             .batch = 128, .epochs = 10, .seed0 = 1};
    if (lesson_data(ls, su.ntrain, su.ntest, &su.train, &su.test, &su.data_name) != 0)
        return LESSON_RUNTIME;
    su.synthetic = strcmp(su.data_name, "synthetic") == 0;

    gf_stack_config base = lesson_trained_config(su.width, &su.train);
    const gf_train_config tc = lesson_train_config(su.batch, su.epochs, su.ntrain);
    progress prog = {.on = isatty(STDERR_FILENO), .epochs = su.epochs};
    const gf_grid_spec spec = {
        .base = base, .archs = ARCHS, .n_archs = N_ARCHS, .depths = su.depths, .n_depths = 2,
        .seeds = 1, .seed0 = su.seed0, .train = tc, .train_set = &su.train,
        .test_set = &su.test, .data_name = su.data_name, .on_run = on_run, .on_step = on_step,
        .ctx = &prog};
    gf_grid_result res = {0};
    gf_degrade_figs *figs = calloc(1, sizeof *figs);
    reading rd;
    if (!figs) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory");
        goto out;
    }
    json_object_set_new(ls->settings, "experiment", settings(&su, &spec));
    if (!su.synthetic)
        json_object_set_new(ls->settings, "data_dir", json_string(GF_FASHION_DIR));

    intro(ls);
    lesson_heading(ls, "Step 1. The experiment", "1단계. 실험");
    if ((rc = step_run(ls, &su, &spec, &res)) != 0)
        goto out;
    gf_degrade_figs_make(&res, figs);
    dg_read(&res, &su, &rd);

    lesson_heading(ls, "Step 2. Training error against test error",
                   "2단계. 학습 오차와 테스트 오차");
    predict(ls, &su, 2);
    if ((rc = dg_step_errors(ls, &su, &rd)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. The curves", "3단계. 학습 곡선");
    if ((rc = dg_step_curves(ls, &su, &res, figs, &rd)) != 0)
        goto out;
    lesson_heading(ls, "Step 4. The same depths with skip connections",
                   "4단계. 같은 깊이에 잔차 연결을 더하면");
    if ((rc = lesson_code(ls, "residual-add",
                          "plain and resnet differ only in these lines of gradflow's block: "
                          "plain applies the ReLU to the branch f, resnet adds the input first "
                          "(`gf_add_relu`: relu(f + x)).",
                          "plain과 resnet의 차이는 gradflow 블록의 이 몇 줄뿐입니다. plain은 가지 "
                          "f에 바로 ReLU를 적용하고, resnet은 먼저 입력을 더합니다"
                          "(`gf_add_relu`: relu(f + x)).")) != 0)
        goto out;
    predict(ls, &su, 4);
    if ((rc = dg_step_residual(ls, &su, &res, &rd)) != 0)
        goto out;
    lesson_heading(ls, "Step 5. Is the gradient vanishing?", "5단계. 그래디언트가 사라지는가?");
    predict(ls, &su, 5);
    if ((rc = dg_step_gradients(ls, &su, &res, figs, &rd)) != 0)
        goto out;

    summary(ls, &su, &rd);
    try_it(ls, &su);
out:
    free(figs);
    gf_grid_release(&res);
    gf_dataset_release(&su.train);
    gf_dataset_release(&su.test);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
