/* 05-gradient-flow.c: lesson 05, gradient flow at initialization (syllabus
 * sections 4 and 6; section 3 is `gradflow landscape` and `gradflow identity`).
 *
 *   Step 1  the Jacobian view: singular values of block and end-to-end
 *           Jacobians of plain, resnet and preact (05-gradient-flow-jacobian.c);
 *   Step 2  mean-field chi_1 against measured gradient norms (-theory.c);
 *   Step 3  pre- against post-activation, and fixup / rezero / scaled (-theory.c).
 *
 * This file: main, the intro, the summary and the exercises. Every number
 * printed is measured or computed by the run.
 */
#include "05-gradient-flow.h"

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

static void intro(lesson *ls)
{
    lesson_say(ls,
               "Lesson 02 trained plain and residual nets and saw the deep plain one fail. This "
               "lesson looks at the networks before any training, where the story starts: does "
               "the gradient of the loss survive the way from the output back to the input, and "
               "is the map from input to output well conditioned, so that a step in any "
               "direction of the weights is felt? Both questions are about Jacobians. As in "
               "lesson 01, a change of the gradient from x_B to x_0 is "
               "log10(||dL/dx_0|| / ||dL/dx_B||) in decades, negative when it shrinks.",
               "2강에서는 plain 네트워크와 잔차 네트워크를 학습시켜 깊은 plain 네트워크가 실패하는 "
               "것을 보았습니다. 이번에는 그 이야기가 시작되는 곳, 학습 전의 네트워크를 봅니다. 손실의 "
               "그래디언트가 출력에서 입력까지 돌아오는 길을 버티는가, 그리고 입력에서 출력까지의 "
               "사상이 잘 조건화되어(well-conditioned) 있어 가중치를 어느 방향으로 움직여도 "
               "효과가 나타나는가. 둘 다 야코비안의 문제입니다. 1강처럼 x_B에서 x_0까지 "
               "그래디언트의 변화는 log10(||dL/dx_0|| / ||dL/dx_B||)로, 단위는 자릿수(decade)이고 "
               "줄어들면 음수입니다.");
}

static void summary(lesson *ls, const setup *su, const gf_facts *f)
{
    char c[3][64];
    double worst = 0.0; /* the schemes' largest finite change */
    for (int i = 1; i < N_SCHEMES; i++)
        for (int a = 0; a < 2; a++)
            if (isfinite(f->scheme[i][a]))
                worst = fmax(worst, fabs(f->scheme[i][a]));
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- Block Jacobians: rms singular value plain %.3f (chi_1 = %.3f), resnet %.3f, "
               "preact %.3f.\n"
               "- End to end: preact condition number %.3g; resnet rank %d of %zu; plain largest "
               "singular value %.3g.\n"
               "- Default init, depth %d: by chi_1 plain's gradient %s; measured, it %s. "
               "Preact's gradient %s.\n"
               "- Fixup, rezero and 1/sqrt(B) scaling keep a He-initialized residual stack "
               "within %.2f decades.",
               "- 블록 야코비안의 특이값 rms: plain %.3f(chi_1 = %.3f), resnet %.3f, preact %.3f.\n"
               "- 전체 야코비안: preact 조건수 %.3g, resnet 계수 %d/%zu, plain 최대 특이값 %.3g.\n"
               "- 기본 초기화, 깊이 %d: chi_1로 예측하면 plain의 그래디언트는 %s. 측정하면 "
               "%s. preact의 그래디언트는 %s.\n"
               "- fixup, rezero, 1/sqrt(B) 축소는 He 초기화한 잔차 스택을 %.2f자리 안에 묶어 둡니다.",
               f->st[PLAIN].blk_rms, f->chi[0], f->st[RESNET].blk_rms, f->st[PREACT].blk_rms,
               f->st[PREACT].e_max / f->st[PREACT].e_min, f->st[RESNET].rank, f->st[RESNET].d,
               f->st[PLAIN].e_max, su->depth,
               lesson_change(ls, c[2], sizeof c[2], f->predicted[0][0]),
               lesson_change(ls, c[0], sizeof c[0], f->measured[0][0]),
               lesson_change(ls, c[1], sizeof c[1], f->measured[0][1]), worst);
}

static void exercises(lesson *ls, const setup *su)
{
    char cmd[384];
    lesson_exercises(ls);
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " jacobian --depth %d --width %zu --seeds 5 "
             "--out runs/l05-jacobian", su->depth, su->jwidth);
    lesson_try(ls, cmd,
               "Step 1 over five seeds and every block boundary. Is the plain block's rms "
               "singular value as close to chi_1 for every seed? Look at `jacobian_depth.png`.",
               "1단계를 시드 다섯 개와 모든 블록 경계로 돌립니다. plain 블록의 rms 특이값이 모든 "
               "시드에서 chi_1에 가까울까요? `jacobian_depth.png`를 보세요.");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " jacobian --depth %d --width %zu --seeds 5 "
             "--act tanh --out runs/l05-tanh", su->depth, su->jwidth);
    lesson_try(ls, cmd,
               "tanh instead of relu: no unit is ever switched off, so D_l is never zero. Does "
               "resnet keep full rank now?",
               "relu 대신 tanh: 꺼지는 유닛이 없으니 D_l에 0이 없습니다. 이제 resnet도 계수를 "
               "모두 지킬까요?");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " gradnorm --depth %d --width %zu --batch %zu "
             "--seeds %d --init he --arch resnet,preact --norm batch --out runs/l05-bn",
             su->depth, su->width, su->batch, su->seeds);
    lesson_try(ls, cmd,
               "He init with batch norm instead of a scheme: does normalization hold the "
               "residual stacks' gradient level as fixup, rezero and scaling do?",
               "기법 대신 He 초기화에 배치 정규화를 씁니다. 정규화가 fixup, rezero, 축소처럼 잔차 "
               "스택의 그래디언트 수준을 지켜 줄까요?");
}

/* The lesson itself, between lesson_start and lesson_end (lesson_main):
 * 0, or the exit status after a message. */
static int teach(lesson *ls)
{
    setup su = ls->opt.quick
                   ? (setup){.depth = 20, .seeds = 2, .width = 32, .jwidth = 32, .batch = 32}
                   : (setup){.depth = 32, .seeds = 4, .width = 64, .jwidth = 64, .batch = 64};
    gf_facts f;
    memset(&f, 0, sizeof f);
    if (gf_synthetic_default(&su.data, 1024) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory making the synthetic set");
    const double e = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    for (int i = 0; i < 2; i++) /* chi_1 = fan_in Var(W) E[relu'^2] of the two inits */
        f.chi[i] = (double)su.width *
                   gf_init_weight_var(i ? GF_INIT_HE : GF_INIT_TORCH, su.width, su.width) * e;
    json_object_set_new(ls->settings, "experiment",
        json_pack("{s:i, s:I, s:I, s:I, s:i, s:i, s:s, s:s, s:s}", "depth", su.depth,
                  "width", (json_int_t)su.width, "jacobian_width", (json_int_t)su.jwidth,
                  "batch", (json_int_t)su.batch, "seeds", su.seeds, "seed0", 1, "act", "relu",
                  "norm", "none", "data", "synthetic Gaussian mixture: 1024 x 32, 10 classes, "
                  "separation 1.5, data seed 0"));
    intro(ls);
    int rc;
    lesson_heading(ls, "Step 1. The Jacobian view", "1단계. 야코비안 관점");
    if ((rc = gfl_step_jacobian(ls, &su, &f)) != 0)
        goto out;
    lesson_heading(ls, "Step 2. Theory against measurement", "2단계. 이론과 측정");
    if ((rc = gfl_step_theory(ls, &su, &f)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. Pre-activation, post-activation and init schemes",
                   "3단계. 사전 활성화, 사후 활성화, 초기화 기법");
    if ((rc = gfl_step_schemes(ls, &su, &f)) != 0)
        goto out;
    summary(ls, &su, &f);
    exercises(ls, &su);
out:
    gfl_release(&f);
    gf_dataset_release(&su.data);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
