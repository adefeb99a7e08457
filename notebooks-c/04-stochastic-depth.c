/* 04-stochastic-depth.c: lesson 04, stochastic depth (syllabus section 9).
 *
 *   Step 1  survival probabilities p_l (gf_survival_fill) and the expected depth;
 *   Step 2  one residual stack trained whole and with stochastic depth
 *           (gf_grid_train with spec.survival): final errors, and the
 *           processor time per epoch against the expected fraction of work;
 *   Step 3  evaluation: the whole net with every branch scaled by p_l, against
 *           the same weights without the scaling.
 *
 * Every number printed is measured by the run, and every reading branches on it.
 */
#include "lesson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const lesson_info INFO = LESSON_INFO(
    "04-stochastic-depth", "Lesson 04: stochastic depth",
    "4강: Stochastic Depth",
    "Computes the survival probabilities of stochastic depth, trains one residual\n"
    "stack whole and with blocks dropped at random, and compares errors, time per\n"
    "epoch and the evaluation-time scaling of the branches (Huang et al. 2016).",
    "Stochastic Depth의 생존 확률을 계산하고, 잔차 스택 하나를 그대로 한 번, 블록을\n"
    "랜덤하게 건너뛰며 한 번 학습시켜 오차, 에폭당 시간, 평가 때 가지를 p_l로 줄이는\n"
    "효과를 비교합니다(Huang 연구진 2016).");

typedef struct setup {
    int depth, blocks, epochs;
    size_t ntrain, ntest, width;
    double p_last;
    long seed;
    gf_dataset train, test;
    const char *data_name;
} setup;

static int step_survival(lesson *ls, const setup *su, double *p)
{
    const int B = su->blocks;
    double *u = malloc((size_t)B * sizeof *u);
    if (!u)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    gf_survival_fill(GF_SURVIVAL_LINEAR, su->p_last, B, p);
    gf_survival_fill(GF_SURVIVAL_UNIFORM, su->p_last, B, u);
    double e_lin = 0.0, e_uni = 0.0;
    for (int l = 0; l < B; l++) {
        e_lin += p[l];
        e_uni += u[l];
    }
    lesson_math(ls, "x_{l+1} = x_l + b_l F_l(x_l),   b_l ~ Bernoulli(p_l)",
                "x_{l+1} = x_l + b_l\\, F_l(x_l), \\qquad b_l \\sim \\mathrm{Bernoulli}(p_l)");
    lesson_say(ls,
               "Huang et al.'s rule decays linearly from the input to the output, p_l = 1 - "
               "(l/B)(1 - p_last), so the early blocks, whose features everything after them "
               "reads, are kept most often. For this stack of %d layers (B = %d blocks) and "
               "p_last = %g, gradflow's `gf_survival_fill` gives:",
               "Huang 연구진의 규칙은 입력에서 출력 쪽으로 선형으로 줄어드는 p_l = 1 - "
               "(l/B)(1 - p_last)입니다. 뒤의 모든 블록이 읽는 특징을 만드는 앞쪽 블록일수록 "
               "자주 남깁니다. %d층짜리 스택(블록 B = %d개)에 p_last = %g로 `gf_survival_fill`이 "
               "계산한 값은 다음과 같습니다.",
               su->depth, B, su->p_last);
    lesson_ask(ls,
               "p_l falls in a straight line from 1 to p_last = %g. Before the table: about what "
               "fraction of the %d blocks will a training step run on average?",
               "p_l은 1에서 p_last = %g까지 직선으로 줄어듭니다. 표를 보기 전에: 학습 스텝 하나는 "
               "블록 %d개 가운데 평균 어느 정도를 실행할까요?",
               su->p_last, B);
    for (int l0 = 0; l0 < B; l0 += 9) {
        char line[256];
        int n = snprintf(line, sizeof line, "l %2d-%2d:", l0 + 1, l0 + 9 < B ? l0 + 9 : B);
        for (int l = l0; l < B && l < l0 + 9 && n < (int)sizeof line; l++)
            n += snprintf(line + n, sizeof line - (size_t)n, " %.3f", p[l]);
        lesson_pre(ls, "%s", line);
    }
    lesson_answer(ls,
               "On average a training step runs Σ_l p_l = %.2f of the %d blocks (%.1f%%), that "
               "is %.1f weight layers instead of %d. The uniform rule with the same p_last "
               "(every p_l = %g) would run %.2f blocks (%.1f%%): %s.",
               "학습 스텝 하나는 평균 Σ_l p_l = %.2f개 블록(%d개 중 %.1f%%)을 실행합니다. 가중치 "
               "층으로는 %.1f개로, 전체 %d개보다 적습니다. 같은 p_last를 모든 블록에 쓰는 균등 규칙"
               "(p_l = %g)이라면 %.2f개 블록(%.1f%%)을 실행합니다. %s.",
               e_lin, B, 100.0 * e_lin / B, 2.0 * e_lin + 2.0, su->depth, su->p_last, e_uni,
               100.0 * e_uni / B,
               e_uni < e_lin ? LESSON_T(ls, "cheaper, but it drops the early blocks as often as "
                                            "the late ones",
                                        "계산량은 더 적지만, 앞쪽 블록도 뒤쪽 블록만큼 자주 끕니다")
                             : LESSON_T(ls, "no cheaper than the linear rule",
                                        "선형 규칙보다 계산량이 적지 않습니다"));
    free(u);
    return 0;
}

static const gf_arch TRAINED_ARCHS[1] = {GF_ARCH_RESNET};

/* What Step 2 trains, and how. */
static void tell_train_plan(lesson *ls, const setup *su)
{
    lesson_say(ls,
               "The same residual stack (width %zu, batch norm, He init) is trained twice on "
               "%zu %s images for %d epochs, with the same seed and schedule (SGD, learning "
               "rate %g cut twice): once whole, once with stochastic depth. Errors are "
               "measured after every epoch on the training images and on %zu test images.",
               "같은 잔차 스택(폭 %zu, 배치 정규화, He 초기화)을 %zu장의 %s 이미지로 %d 에폭씩 "
               "두 번 학습시킵니다. 시드와 학습률 일정(SGD, 학습률 %g에서 두 번 감소)은 같고, "
               "한 번은 블록을 모두 쓰고 한 번은 Stochastic Depth를 씁니다. 오차는 에폭마다 학습 "
               "이미지와 테스트 이미지 %zu장에서 잽니다.",
               su->width, su->train.n, su->data_name, su->epochs, lesson_train_config(128, su->epochs, su->ntrain).sched.lr, su->test.n);
}

/* Train the net whole and with stochastic depth into dir; *pair compares
 * them. 0, or the exit status after a message. */
static int train_pair(lesson *ls, const setup *su, const gf_stack_config *base, const char *dir,
                      gf_grid_result *res, gf_stochdepth_pair *pair)
{
    char why[512];
    const gf_train_config tc = lesson_train_config(128, su->epochs, su->ntrain);
    const gf_grid_spec spec = {
        .base = *base, .archs = TRAINED_ARCHS, .n_archs = 1, .depths = &su->depth, .n_depths = 1,
        .seeds = 1, .seed0 = su->seed, .train = tc, .train_set = &su->train,
        .test_set = &su->test, .data_name = su->data_name, .out = dir, .checkpoints = 1,
        .survival = GF_SURVIVAL_LINEAR, .p_last = su->p_last};
    fflush(stdout);
    if (gf_grid_train(&spec, res, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    for (int i = 0; i < res->n_runs; i++)
        if (res->runs[i].failed)
            return lesson_fail(ls, LESSON_RUNTIME, "%s did not train: %s", res->runs[i].name,
                               res->runs[i].why);
    if (gf_grid_write(res, dir, why, sizeof why) != 0 ||
        gf_stochdepth_write(res, dir, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    if (gf_stochdepth_pairs(res, pair, 1) != 1)
        return lesson_fail(ls, LESSON_RUNTIME, "no whole / stochastic-depth pair was trained");
    return 0;
}

/* The final errors and times of both nets, as a table. */
static void tell_pair_table(lesson *ls, const gf_stochdepth_pair *q)
{
    lesson_pre(ls, "%-16s %10s %10s %12s %12s", "net", "train err", "test err", "cpu s/epoch",
               "wall s/epoch");
    for (int j = 0; j < 2; j++)
        lesson_pre(ls, "%-16s %9.2f%% %9.2f%% %12.3f %12.3f", j ? q->stochastic : q->whole,
                   100.0 * q->train_err[j], 100.0 * q->test_err[j], q->cpu_seconds[j],
                   q->seconds[j]);
}

/* What stochastic depth did to the errors (points, from the pair). */
static void tell_errors(lesson *ls, const gf_stochdepth_pair *q)
{
    const double dtr = 100.0 * (q->train_err[1] - q->train_err[0]);
    const double dte = 100.0 * (q->test_err[1] - q->test_err[0]);
    const char *reading =
        fabs(dtr) < 1.0 && fabs(dte) < 1.0
            ? LESSON_T(ls, "about the same on both sets, within a point",
                       "두 데이터 모두에서 1%p 안쪽으로 거의 같습니다")
        : dtr > 0.0 && dte < 0.0
            ? LESSON_T(ls, "higher on the training set but lower on the test set: the "
                           "regularizing effect Huang et al. describe",
                       "학습 데이터에서는 높고 테스트 데이터에서는 낮습니다. Huang 연구진이 말한 "
                       "정규화 효과입니다")
        : dte < 0.0
            ? LESSON_T(ls, "lower on both sets: in this short run the dropped blocks did not "
                           "cost training accuracy",
                       "두 데이터 모두에서 낮습니다. 이 짧은 학습에서는 블록을 건너뛰어도 학습 "
                       "정확도를 잃지 않았습니다")
        : dtr > 0.0
            ? LESSON_T(ls, "higher on both sets: with this few epochs the noise of the "
                           "dropped blocks costs more than it regularizes",
                       "두 데이터 모두에서 높습니다. 에폭이 이렇게 적으면 블록을 건너뛰는 잡음이 "
                       "정규화로 얻는 것보다 더 큰 비용이 됩니다")
            : LESSON_T(ls, "lower on the training set but not on the test set",
                       "학습 데이터에서는 낮지만 테스트 데이터에서는 그렇지 않습니다");
    lesson_say(ls,
               "With stochastic depth the final training error changes by %+.2f points and the "
               "test error by %+.2f points: %s. (One seed; differences of a point or two can be "
               "noise.)",
               "Stochastic Depth를 쓰면 최종 학습 오차가 %+.2f%%p, 테스트 오차가 %+.2f%%p "
               "변합니다. %s. (시드 하나의 결과라 1~2%%p 차이는 잡음일 수 있습니다.)",
               dtr, dte, reading);
}

/* The speed-up: processor time against the rule's fraction of the work. */
static void tell_speed(lesson *ls, const gf_stochdepth_pair *q)
{
    const double ratio = q->cpu_seconds[1] / q->cpu_seconds[0]; /* CPU time, sd / whole */
    const char *time_reading =
        ratio < q->block_fraction - 0.1
            ? LESSON_T(ls, "even below the fraction of blocks; the timer is noisy on a busy "
                           "machine",
                       "블록 비율보다도 낮습니다. 바쁜 기계에서는 시간 측정이 흔들립니다")
        : ratio <= q->mac_fraction + 0.1
            ? LESSON_T(ls, "within reach of what the rule predicts: a dropped block is "
                           "simply not computed",
                       "규칙이 예측하는 범위에 듭니다. 건너뛴 블록은 아예 계산하지 않기 "
                       "때문입니다")
        : ratio < 1.0
            ? LESSON_T(ls, "cheaper, but less than the rule predicts: the parts that never "
                           "drop (data loading, the optimizer step over every parameter, "
                           "evaluation of the loss) take their share",
                       "줄긴 했지만 규칙의 예측만큼은 아닙니다. 건너뛰지 않는 부분(데이터 "
                       "준비, 모든 파라미터에 대한 옵티마이저 스텝, 손실 계산)이 제 몫을 "
                       "차지합니다")
            : LESSON_T(ls, "no cheaper at all in this run; at this size the fixed costs "
                           "dominate, or the timer was disturbed by other programs",
                       "이번 실행에서는 전혀 줄지 않았습니다. 이 크기에서는 고정 비용이 "
                       "크거나, 다른 프로그램이 시간 측정을 방해했습니다");
    lesson_say(ls,
               "Huang et al. also sold stochastic depth as a speed-up: a dropped block costs "
               "nothing. The rule runs %.1f%% of the blocks, and since the stem and the head "
               "(%.1f%% of the multiply-adds) always run, %.1f%% of the whole net's "
               "multiply-adds. The CPU time of an epoch's training steps (median over "
               "epochs) went from %.3f s to %.3f s, %.1f%% of the whole net's: %s.",
               "Huang 연구진은 Stochastic Depth가 학습을 빠르게 한다는 점도 내세웠습니다. "
               "건너뛴 블록은 비용이 들지 않기 때문입니다. 이 규칙은 블록의 %.1f%%를 실행하고, "
               "항상 실행되는 stem과 출력층(곱셈-누산(MAC)의 %.1f%%)을 합치면 전체 네트워크 "
               "곱셈-누산의 %.1f%%입니다. 에폭 하나의 학습 스텝에 든 CPU 시간(에폭들의 중앙값)은 "
               "%.3f초에서 %.3f초로, 전체 네트워크의 %.1f%%가 되었습니다. %s.",
               100.0 * q->block_fraction, 100.0 * q->fixed_share, 100.0 * q->mac_fraction,
               q->cpu_seconds[0], q->cpu_seconds[1], 100.0 * ratio, time_reading);
}

/* Both nets' error curves and times per epoch; 0, or the exit status. */
static int draw_pair(lesson *ls, const setup *su, const gf_grid_result *res,
                     const gf_stochdepth_pair *q)
{
    gf_stochdepth_figs *f = malloc(sizeof *f); /* large: off the stack */
    if (!f)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    char title[256];
    snprintf(title, sizeof title,
             "Stochastic depth on %s: %d layers whole and with blocks dropped (linear, p_last %g)",
             su->data_name, su->depth, su->p_last);
    gf_stochdepth_figs_make(res, q, 1, title, f);
    /* the band from the median epoch, as the text reads it (the library's figure uses the
     * fastest epoch, which other programs disturbed least) */
    f->wall[0] = q->seconds[0];
    f->cpu[0] = q->cpu_seconds[0];
    const int rc =
        lesson_figure(ls, "", "stochdepth", gf_fig_stochdepth_body, &f->fig, 1,
                      "Left: error curves of the whole net and the net trained with "
                      "stochastic depth. Right: time per epoch, wall (filled) and CPU "
                      "(open), with the band the rule predicts from the whole net's median "
                      "epoch (the median the text uses). Wall times scatter with the machine's "
                      "load; the text reads the CPU times.",
                      "왼쪽: 그대로 학습한 네트워크와 Stochastic Depth로 학습한 네트워크의 "
                      "오차 곡선. 오른쪽: 에폭당 시간, 실제 경과 시간(wall-clock, 채운 점)과 CPU "
                      "시간(빈 점), 그리고 그냥 학습한 네트워크의 중앙값 에폭에서 규칙이 예측하는 "
                      "범위(본문과 같은 중앙값). 실제 경과 시간은 기계의 부하에 따라 흩어지므로 본문은 CPU "
                      "시간을 읽습니다.");
    free(f);
    return rc;
}

static int step_train(lesson *ls, const setup *su, const gf_stack_config *base,
                      gf_grid_result *res, gf_stochdepth_pair *pair)
{
    char dir[GF_PATH_MAX];
    if (lesson_dir(ls, "", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    tell_train_plan(ls, su);
    int rc = lesson_code(ls, "stochastic-depth",
                         "Each training step draws its blocks before the forward pass: block l "
                         "is dropped when a uniform number is at least p_l, and the step's plan "
                         "(lesson 03's `plan->drop`) skips it.",
                         "학습 스텝마다 순전파 전에 블록을 뽑습니다. 균등 난수가 p_l 이상이면 블록 "
                         "l을 끄고, 그 스텝의 계획(3강의 `plan->drop`)이 그 블록을 건너뜁니다.");
    if (rc != 0)
        return rc;
    lesson_ask(ls,
               "A dropped block is not computed. From Step 1, what fraction of the whole net's "
               "CPU time per epoch do you expect the stochastic-depth net to take? What can "
               "keep it from getting there?",
               "건너뛴 블록은 계산하지 않습니다. 1단계의 값으로 보면 Stochastic Depth 네트워크의 "
               "에폭당 CPU 시간은 그냥 학습한 네트워크의 몇 %%쯤일까요? 거기에 못 미치게 하는 것은 "
               "무엇일까요?");
    if ((rc = train_pair(ls, su, base, dir, res, pair)) != 0)
        return rc;
    tell_pair_table(ls, pair);
    tell_errors(ls, pair);
    tell_speed(ls, pair);
    return draw_pair(ls, su, res, pair);
}


/* Test loss and error of the stochastic-depth net, branches scaled by p_l ([0])
 * and not ([1]); the checkpoints are removed after. 0, or the exit status. */
static int measure_eval(lesson *ls, const setup *su, const double *p, const gf_stochdepth_pair *q,
                        double loss[2], double err[2])
{
    char dir[GF_PATH_MAX], path[GF_PATH_MAX + 256], why[512];
    if (lesson_dir(ls, "", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    snprintf(path, sizeof path, "%s/checkpoints/%s-seed%ld.safetensors", dir, q->stochastic, su->seed);
    gf_model *net = gf_model_load(path, why, sizeof why);
    gf_tape *tape = gf_tape_alloc(0);
    if (!net || !tape) {
        gf_model_free(net);
        gf_tape_free(tape);
        return lesson_fail(ls, LESSON_RUNTIME, "%s", net ? "out of memory" : why);
    }
    const gf_block_plan scaled = {.branch_scale = p};
    const int bad = gf_evaluate(net, tape, &su->test, 256, &scaled, &loss[0], &err[0]) != 0 ||
                    gf_evaluate(net, tape, &su->test, 256, NULL, &loss[1], &err[1]) != 0;
    gf_tape_free(tape);
    gf_model_free(net);
    /* the page keeps the data, not the weights */
    const char *nets[2] = {q->whole, q->stochastic};
    for (int j = 0; j < 2; j++) {
        snprintf(path, sizeof path, "%s/checkpoints/%s-seed%ld.safetensors", dir, nets[j],
                 su->seed);
        remove(path);
    }
    snprintf(path, sizeof path, "%s/checkpoints", dir);
    rmdir(path);
    return bad ? lesson_fail(ls, LESSON_RUNTIME, "evaluating %s failed", q->stochastic) : 0;
}

static int step_eval(lesson *ls, const setup *su, const double *p, const gf_stochdepth_pair *q)
{
    lesson_say(ls,
               "At test time every block runs, so each branch would contribute more than it "
               "did on average in training, where it was there only a fraction p_l of the "
               "time. Huang et al. therefore scale each branch by its survival probability, "
               "x_{l+1} = x_l + p_l F_l(x_l), to match the expectation seen in training (the "
               "same correction as dropout's).",
               "학습 중에는 확률 p_l로만 켜지던 가지(branch)가 테스트 때는 항상 켜지므로, 학습 때의 "
               "평균보다 크게 기여합니다. 그래서 Huang 연구진은 가지마다 생존 확률을 곱해 "
               "x_{l+1} = x_l + p_l F_l(x_l)로 학습 때의 기댓값에 맞춥니다(Dropout의 보정과 "
               "같습니다).");
    lesson_ask(ls,
               "The net was trained with each branch present a fraction p_l of the time. Run "
               "every branch at full strength and the sum x + F(x) is larger than it ever was "
               "on average in training. Will the unscaled net's test error be higher, lower, or "
               "about the same?",
               "이 네트워크는 가지마다 p_l의 비율로만 켜진 채 학습되었습니다. 모든 가지를 온전히 "
               "켜면 합 x + F(x)는 학습 때의 평균보다 커집니다. 보정하지 않은 네트워크의 테스트 "
               "오차는 더 높을까요, 낮을까요, 비슷할까요?");
    double loss[2], err[2];
    const int rc = measure_eval(ls, su, p, q, loss, err);
    if (rc != 0)
        return rc;
    const double loss_s = loss[0], err_s = err[0], loss_u = loss[1], err_u = err[1];
    char pad[2][128]; /* labels padded by display width: Hangul is two columns */
    lesson_pre(ls, "%s %10s %10s", lesson_pad(pad[0], sizeof pad[0], "", 28), "test loss",
               "test err");
    lesson_pre(ls, "%s %10.4f %9.2f%%",
               lesson_pad(pad[0], sizeof pad[0],
                          LESSON_T(ls, "branches scaled by p_l", "가지에 p_l을 곱함"), 28),
               loss_s, 100.0 * err_s);
    lesson_pre(ls, "%s %10.4f %9.2f%%",
               lesson_pad(pad[1], sizeof pad[1],
                          LESSON_T(ls, "branches not scaled", "곱하지 않음"), 28),
               loss_u, 100.0 * err_u);
    const double d = 100.0 * (err_u - err_s);
    lesson_answer(ls,
               "The weights of %s without the scaling give a test error of %.2f%% against "
               "%.2f%% with it (%+.2f points) and a loss of %.4f against %.4f. %s",
               "%s의 가중치를 보정 없이 쓰면 테스트 오차가 %.2f%%, 보정하면 %.2f%%입니다"
               "(%+.2f%%p). 손실은 %.4f 대 %.4f입니다. %s",
               q->stochastic, 100.0 * err_u, 100.0 * err_s, d, loss_u, loss_s,
               d > 0.5 || (d > -0.5 && loss_u - loss_s > 0.05)
                   ? LESSON_T(ls, "The scaling matters: without it the later blocks, "
                                      "trained to be there only part of the time, overshoot.",
                                  "보정이 중요합니다. 보정하지 않으면 학습 때 일부 시간에만 있던 "
                                  "뒤쪽 블록들이 지나치게 크게 더해집니다.")
               : d < -0.5 ? LESSON_T(ls, "Here the unscaled net does better: batch norm after "
                                         "each branch has absorbed much of the difference, and "
                                         "the scaling is not the last word.",
                                     "여기서는 보정하지 않은 쪽이 더 낫습니다. 가지 끝의 배치 "
                                     "정규화가 차이의 상당 부분을 흡수해서, 보정이 늘 최선은 "
                                     "아닙니다.")
                          : LESSON_T(ls, "The difference is small here: the residual stream is "
                                         "dominated by the skip, and batch norm keeps the branches "
                                         "small.",
                                     "여기서는 차이가 작습니다. 잔차 경로는 스킵이 주도하고, 배치 "
                                     "정규화가 가지 출력을 작게 유지하기 때문입니다."));
    return 0;
}

static void intro(lesson *ls)
{
    lesson_say(ls,
               "Lesson 03 deleted blocks of a trained residual network and found that it "
               "survives the loss of one. Stochastic depth (Huang et al. 2016) turns that into "
               "a training method: it skips whole residual blocks at random during training. "
               "In each step block l runs with probability p_l and is the identity otherwise, "
               "the way dropout switches off single neurons. Today the same idea is called "
               "drop-path and is part of the recipes of EfficientNet and of vision "
               "Transformers.",
               "3강에서 학습된 잔차 네트워크의 블록을 지워 보고, 블록 하나쯤 없어도 버틴다는 것을 "
               "확인했습니다. Stochastic Depth(Huang 연구진 2016)는 이것을 학습 방법으로 바꿉니다. "
               "학습 중에 잔차 블록 전체를 무작위로 건너뜁니다. 스텝마다 블록 l은 확률 p_l로 "
               "실행되고, 나머지 경우에는 항등 변환이 됩니다. Dropout이 뉴런 하나하나를 끄는 것과 "
               "같은 방식으로 블록을 끕니다. 오늘날에는 drop-path라는 이름으로 EfficientNet과 "
               "비전 Transformer의 학습 방법에 들어 있습니다.");
}

static void summary(lesson *ls, const setup *su, const gf_stochdepth_pair *q)
{
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- The linear rule with p_last = %g runs %.1f%% of the blocks in a step, %.1f%% "
               "of the multiply-adds.\n"
               "- CPU time per epoch: %.1f%% of the whole net's.\n"
               "- Final test error: %.2f%% whole, %.2f%% with stochastic depth, after %d "
               "epochs; Huang et al. saw its regularizing gain over hundreds of epochs.\n"
               "- At test time every branch runs, scaled by its p_l: the expectation the net "
               "saw in training.",
               "- p_last = %g인 선형 규칙은 스텝마다 블록의 %.1f%%, 곱셈-누산의 %.1f%%를 "
               "실행합니다.\n"
               "- 에폭당 CPU 시간은 그냥 학습한 네트워크의 %.1f%%입니다.\n"
               "- 최종 테스트 오차는 %.2f%%(그대로)와 %.2f%%(Stochastic Depth), %d 에폭 뒤의 "
               "값입니다. Huang 연구진은 수백 에폭에 걸쳐 정규화 효과를 보았습니다.\n"
               "- 테스트 때는 모든 가지를 실행하되 p_l을 곱합니다. 학습 때 네트워크가 본 기댓값입니다.",
               su->p_last, 100.0 * q->block_fraction, 100.0 * q->mac_fraction,
               100.0 * q->cpu_seconds[1] / q->cpu_seconds[0], 100.0 * q->test_err[0],
               100.0 * q->test_err[1], su->epochs);
    lesson_heading(ls, "Next", "다음 강의");
    lesson_say(ls,
               "This is the last section of the syllabus. The index in `docs/lessons/` lists "
               "every lesson in the syllabus' order.",
               "강의 노트의 마지막 절입니다. `docs/lessons/`의 목차가 모든 강의를 강의 노트 순서로 "
               "보여 줍니다.");
}

static void exercises(lesson *ls, const setup *su)
{
    char base[256], cmd[384];
    snprintf(base, sizeof base, LESSON_GRADFLOW " stochdepth --depth %d --width %zu --ntrain %zu "
             "--ntest %zu --epochs %d", su->depth, su->width, su->ntrain, su->ntest, su->epochs);
    lesson_exercises(ls);
    snprintf(cmd, sizeof cmd, "%s --p-last %g --survival uniform --out runs/l04-uniform", base,
             su->p_last);
    lesson_try(ls, cmd,
               "The uniform rule drops early blocks as often as late ones. It runs fewer blocks "
               "(Step 1); does the training error pay for it?",
               "균등 규칙은 앞쪽 블록도 뒤쪽 블록만큼 자주 끕니다. 실행하는 블록은 더 적습니다"
               "(1단계). 그 대가를 학습 오차가 치를까요?");
    snprintf(cmd, sizeof cmd, "%s --p-last 0.2 --out runs/l04-p02", base);
    lesson_try(ls, cmd,
               "A much smaller p_last. Predict the CPU time per epoch from Σ_l p_l before you "
               "look at `summary.txt`.",
               "훨씬 작은 p_last. `summary.txt`를 보기 전에 Σ_l p_l로 에폭당 CPU 시간을 "
               "예측해 보세요.");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " stochdepth --depth %d --width %zu --ntrain %zu "
             "--ntest %zu --epochs %d --p-last %g --out runs/l04-long", su->depth, su->width,
             su->ntrain, su->ntest, 4 * su->epochs, su->p_last);
    lesson_try(ls, cmd,
               "Four times the epochs. Huang et al.'s gain was in the test error of long runs: "
               "does stochastic depth pull ahead of the whole net here?",
               "에폭을 네 배로 늘립니다. Huang 연구진이 본 이득은 긴 학습의 테스트 오차였습니다. "
               "여기서도 Stochastic Depth가 그냥 학습한 네트워크를 앞지를까요?");
}

/* The lesson itself, between lesson_start and lesson_end (lesson_main):
 * 0, or the exit status after a message. */
static int teach(lesson *ls)
{
    int rc = 0;
    setup su = ls->opt.quick ? (setup){.depth = 20, .epochs = 4, .ntrain = 1000, .ntest = 500,
                                      .width = 32, .p_last = 0.5, .seed = 1}
                            : (setup){.depth = 44, .epochs = 10, .ntrain = 4000, .ntest = 2000,
                                      .width = 64, .p_last = 0.5, .seed = 1};
    su.blocks = (su.depth - 2) / 2;
    if (lesson_data(ls, su.ntrain, su.ntest, &su.train, &su.test, &su.data_name) != 0)
        return LESSON_RUNTIME;
    gf_stack_config cfg = lesson_trained_config(su.width, &su.train);
    gf_grid_result res = {0};
    gf_stochdepth_pair pair;
    double *p = malloc((size_t)su.blocks * sizeof *p);
    if (!p) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory");
        goto out;
    }
    json_object_set_new(
        ls->settings, "experiment",
        json_pack("{s:i, s:I, s:s, s:s, s:f, s:s, s:I, s:I, s:i, s:I}", "depth", su.depth,
                  "width", (json_int_t)su.width, "norm", "batch", "survival", "linear",
                  "p_last", su.p_last, "data", su.data_name, "ntrain", (json_int_t)su.train.n,
                  "ntest", (json_int_t)su.test.n, "epochs", su.epochs, "seed",
                  (json_int_t)su.seed));
    intro(ls);
    lesson_data_note(ls, su.data_name, &su.train);
    lesson_heading(ls, "Step 1. Survival probabilities", "1단계. 생존 확률");
    if ((rc = step_survival(ls, &su, p)) != 0)
        goto out;
    lesson_heading(ls, "Step 2. Training with and without stochastic depth",
                   "2단계. Stochastic Depth 유무에 따른 학습 비교");
    if ((rc = step_train(ls, &su, &cfg, &res, &pair)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. Evaluation: scaling the branches by p_l",
                   "3단계. 평가: 가지에 p_l 곱하기");
    if ((rc = step_eval(ls, &su, p, &pair)) != 0)
        goto out;
    summary(ls, &su, &pair);
    exercises(ls, &su);
out:
    free(p);
    gf_grid_release(&res);
    gf_dataset_release(&su.train);
    gf_dataset_release(&su.test);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
