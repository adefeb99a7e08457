/* 06-landscape.c: lesson 06, the optimization view (syllabus section 3,
 * 관점 1: 최적화 지형).
 *
 *   Step 1  learning the identity (06-landscape-identity.c);
 *   Step 2  the loss landscape of a trained plain and residual net: the line
 *           from initialization and the plane of two filter-normalized
 *           directions (06-landscape-surface.c);
 *   Step 3  sharpness: the Hessian's eigenvalue of largest magnitude at
 *           initialization and after training against the edge of stability.
 *
 * Every number printed is measured by the run.
 */
#include "06-landscape.h"

#include <stdlib.h>

static const lesson_info INFO = LESSON_INFO(
    "06-landscape", "Lesson 06: the optimization view: identity by default, loss landscapes",
    "6강: 최적화 지형 관점: 기본값인 항등 변환과 손실 지형",
    "Trains the blocks of plain and residual stacks to be the identity and a map far\n"
    "from it, draws the loss along the line from initialization and over a plane of\n"
    "filter-normalized directions, and measures the Hessian's largest eigenvalue.",
    "plain과 잔차 스택의 블록을 항등 변환과 그와 먼 함수로 학습시키고, 초기화에서\n"
    "학습된 가중치까지의 직선과 필터 정규화 방향의 평면 위 손실을 그리며, 헤시안의\n"
    "최대 고윳값을 잽니다.");

static void intro(lesson *ls)
{
    lesson_say(ls,
               "Syllabus section 3 (View 1: the optimization landscape) argues that in "
               "y = F(x) + x the identity is the default: F = 0 gives y = x, and driving a "
               "branch to 0 is easier than making a nonlinear stack output exactly x. This "
               "lesson tests that claim by training, then looks at the loss around trained "
               "nets: along a straight line, over a plane, and through its curvature. Read "
               "lesson 01 first (the residual add y = x + F(x) in code).",
               "강의 노트 3절(관점 1: 최적화 지형)은 잔차 연결(residual connection) y = F(x) + x에서 "
               "항등 변환이 기본값이라고 말합니다. F = 0이면 y = x이고, 가지(branch)를 0으로 보내는 "
               "것이 비선형 스택이 정확히 x를 내도록 만드는 것보다 쉽다는 것입니다. 이 강의는 그 주장을 "
               "학습으로 시험하고, 학습된 네트워크 주위의 손실을 직선, 평면, 곡률로 봅니다. 1강(코드로 "
               "본 잔차 덧셈 y = x + F(x))을 먼저 읽으세요.");
}

static void summary(lesson *ls, const ls_id_table *t, const ls_net *v)
{
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- A residual stack whose branches start at zero is the identity before training "
               "(loss %.3g on y = x); a plain stack of the same size ends at %.3g.\n"
               "- The identity is the default only when the branches start small: He-initialized "
               "branches without normalization start at loss %.3g.\n"
               "- Along the line from initialization, %s's loss goes %.4g -> %.4g, %s's "
               "%.4g -> %.4g; non-convex points around the trained weights: %.1f %% and %.1f %%.\n"
               "- The Hessian's largest eigenvalue after training: %.4g (%s), %.4g (%s).",
               "- 가지가 0에서 출발하는 잔차 스택은 학습 전에 이미 항등 변환입니다(y = x에서 손실 %.3g). "
               "같은 크기의 plain 스택은 %.3g에서 끝납니다.\n"
               "- 항등 변환은 가지가 작게 출발할 때만 기본값입니다. 정규화 없이 He로 초기화한 가지는 손실 "
               "%.3g에서 출발합니다.\n"
               "- 초기화에서 이어지는 직선 위에서 %s의 손실은 %.4g -> %.4g, %s의 손실은 %.4g -> %.4g"
               "입니다. 학습된 가중치 주위의 볼록하지 않은 점은 %.1f %%와 %.1f %%입니다.\n"
               "- 학습 뒤 헤시안의 최대 고윳값: %.4g(%s), %.4g(%s).",
               t->r[0][2].loss0, t->r[0][0].loss_final, t->r[0][1].loss0, v[0].name,
               v[0].path[5], v[0].path[25], v[1].name, v[1].path[5], v[1].path[25],
               100 * v[0].nonconvex, 100 * v[1].nonconvex, v[0].lam1, v[0].name, v[1].lam1,
               v[1].name);
    lesson_heading(ls, "Next", "다음");
    lesson_say(ls,
               "Lesson 01 and lesson 05 take the second view, the gradient's path through the "
               "skip; lesson 03 the third, the ensemble of paths.",
               "1강과 5강은 두 번째 관점인 스킵을 지나는 그래디언트의 길을, 3강은 세 번째 관점인 경로의 "
               "앙상블을 봅니다.");
}

static void exercises(lesson *ls, const ls_setup *su)
{
    char id[256], land[256], cmd[384];
    lesson_exercises(ls);
    snprintf(id, sizeof id, LESSON_GRADFLOW " identity --arch plain,resnet --blocks %d "
             "--width %zu --samples %zu --steps %ld", su->blocks, su->id_width, su->samples,
             su->steps);
    snprintf(land, sizeof land, LESSON_GRADFLOW " landscape --width %zu --ntrain %zu --epochs %d "
             "--grid %d --images %zu --hess-images %zu", su->width, su->ntrain, su->epochs,
             su->grid, su->ntrain, su->hess_images);
    snprintf(cmd, sizeof cmd, "%s --seeds 5 --out runs/l06-seeds", id);
    const char *one = " --seeds 1";
    lesson_try(ls, cmd,
               "Step 1 over five seeds (weights, data, teacher, batches). Does the plain stack "
               "ever reach 1 %? Is the spread of `moved` small next to its mean?",
               "1단계를 시드 다섯 개(가중치, 데이터, teacher, 배치)로 돌립니다. plain 스택이 1 %에 "
               "닿는 시드가 있을까요? `moved`의 퍼짐이 평균에 비해 작을까요?");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " identity --arch plain,resnet --blocks 2,%d,27 "
             "--width %zu --samples %zu --steps %ld%s --out runs/l06-blocks", su->blocks,
             su->id_width, su->samples, su->steps, one);
    lesson_try(ls, cmd,
               "Depth: 2 blocks, the lesson's and 27. Predict how the plain stack's final loss moves with "
               "depth, and whether the zeroed residual stack cares.",
               "깊이: 블록 2개, 강의의 개수, 27개. plain 스택의 최종 손실이 깊이에 따라 어떻게 변할지, 0으로 둔 "
               "잔차 스택은 깊이에 영향을 받을지 예측해 보세요.");
    snprintf(cmd, sizeof cmd, "%s%s --init torch --out runs/l06-torch", id, one);
    lesson_try(ls, cmd,
               "PyTorch's default init gives each layer a third of He's variance, so the "
               "branches start smaller. Does the resnet stack (branches not zeroed) now start "
               "near the identity?",
               "PyTorch 기본 초기화는 층마다 He 분산의 3분의 1을 주므로 가지가 더 작게 출발합니다. "
               "이제 (가지를 0으로 두지 않은) 잔차 스택이 항등 변환 가까이에서 출발할까요?");
    snprintf(cmd, sizeof cmd, "%s --depth %d,56 --out runs/l06-deep", land, su->depth);
    lesson_try(ls, cmd,
               "Add 56 layers (Li et al.'s depth). Does plain-56's share of non-convex points "
               "rise above resnet-56's? Look at `landscape_contour.png` and `landscape_path.png`.",
               "56층을 더합니다(Li 연구진의 깊이). plain-56의 볼록하지 않은 점 비율이 resnet-56보다 "
               "커질까요? `landscape_contour.png`와 `landscape_path.png`를 보세요.");
    snprintf(cmd, sizeof cmd, "%s --depth %d --lr 0.02 --out runs/l06-lr", land, su->depth);
    lesson_try(ls, cmd,
               "A five times smaller learning rate moves the edge of stability five times up. "
               "Does the trained sharpness follow it (`landscape_sharpness.png` draws it along "
               "training)?",
               "학습률을 5분의 1로 줄이면 안정성의 경계가 5배 올라갑니다. 학습된 날카로움도 따라 "
               "올라갈까요(`landscape_sharpness.png`가 학습 중 곡률을 그립니다)?");
}

static int teach(lesson *ls)
{
    ls_setup su = ls->opt.quick
        ? (ls_setup){.blocks = 3, .depth = 8, .epochs = 1, .grid = 7, .steps = 100,
                     .ntrain = 512, .width = 16, .samples = 512, .id_width = 16,
                     .hess_images = 256}
        : (ls_setup){.blocks = 8, .depth = 20, .epochs = 3, .grid = 21, .steps = 1000,
                     .ntrain = 2000, .width = 32, .samples = 512, .id_width = 16,
                     .hess_images = 256};
    ls_id_table t = {0};
    ls_net v[LS_ARCHS] = {0};
    int rc = lesson_data(ls, su.ntrain, 0, &su.train, &su.test, &su.data_name);
    if (rc != 0)
        return LESSON_RUNTIME;
    json_object_set_new(ls->settings, "experiment",
                        json_pack("{s:i, s:i, s:i, s:i, s:I, s:s, s:I, s:I}", "identity_blocks",
                                  su.blocks, "depth", su.depth, "epochs", su.epochs, "grid",
                                  su.grid, "identity_steps", (json_int_t)su.steps, "data",
                                  su.data_name, "ntrain", (json_int_t)su.train.n, "hess_images",
                                  (json_int_t)su.hess_images));
    intro(ls);
    lesson_heading(ls, "Step 1. Learning the identity", "1단계. 항등 변환 배우기");
    if ((rc = ls_step_identity(ls, &su, &t)) != 0)
        goto out;
    lesson_heading(ls, "Step 2. The loss landscape", "2단계. 손실 지형");
    lesson_data_note(ls, su.data_name, &su.train);
    if ((rc = ls_step_landscape(ls, &su, v)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. Sharpness", "3단계. 날카로움(sharpness)");
    if ((rc = ls_step_sharpness(ls, &su, v)) != 0)
        goto out;
    summary(ls, &t, v);
    exercises(ls, &su);
out:
    for (int k = 0; k < LS_TARGETS; k++)
        for (int n = 0; n < LS_NETS; n++)
            gf_identity_release(&t.r[k][n]);
    for (int a = 0; a < LS_ARCHS; a++)
        free(v[a].surf);
    gf_dataset_release(&su.train);
    gf_dataset_release(&su.test);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
