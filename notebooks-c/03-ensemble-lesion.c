/* 03-ensemble-lesion.c: lesson 03, Step 3 (main: 03-ensemble.c).
 *
 * A plain and a residual stack are trained (gf_grid_train), then evaluated with
 * one block and with k random blocks deleted (gf_lesion_run). The trained
 * residual net is also split by path length (Step 4) before its checkpoint is
 * removed: the page keeps the data, not the weights.
 */
#include "03-ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
                           gf_pathgrad_curve *trained, en_facts *f)
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
        int rc = gf_lesion_run(net, &lspec, &res[a], why, sizeof why) == 0
                     ? 0
                     : lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        if (rc == 0 && a == RESNET) /* Step 4's trained net, before its weights go */
            rc = en_measure_trained(ls, su, net, trained);
        gf_model_free(net);
        remove(path); /* the page keeps the data, not the weights */
        if (rc != 0)
            return rc;
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
        f->base[a] = res[a].base_err;
    }
    f->chance = 100.0 * (1.0 - 1.0 / (double)su->test.classes);
    return 0;
}

/* The table of lesioned errors and what it says. */
static void tell_lesions(lesson *ls, const setup *su, const gf_lesion_result *res,
                         const en_facts *f)
{
    lesson_say(ls, "Training took %.1f s. Test errors in percent (chance is %.1f%%):",
               "학습에 %.1f초가 걸렸습니다. 테스트 오차(%%)는 다음과 같습니다(무작위 추측 "
               "수준(chance)은 %.1f%%).",
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
                   "plain 네트워크는 %.2f%%로 끝나 무작위 추측 수준(%.1f%%)에 가깝습니다. 거의 배우지 "
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
                           0, "Test error against the number of blocks deleted at random.",
                           "무작위로 지운 블록 수에 따른 테스트 오차.");
    free(lf);
    return rc;
}

int en_step_lesions(lesson *ls, const setup *su, const gf_stack_config *base,
                    gf_lesion_result *res, gf_pathgrad_curve *curves, en_facts *f)
{
    char dir[GF_PATH_MAX];
    int rc;
    if (lesson_dir(ls, "lesion", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    tell_lesion_plan(ls, su);
    if ((rc = lesson_code(ls, "block-plan",
                          "A deleted block is a plan handed to the forward pass: where "
                          "`plan->drop[pos]` is set, the block is skipped and x_l goes on "
                          "unchanged, no node on the tape, no work.",
                          "지운 블록은 순전파에 넘기는 계획(plan)입니다. `plan->drop[pos]`가 켜진 "
                          "자리에서는 블록을 건너뛰고 x_l을 그대로 넘깁니다. 테이프에 노드도 "
                          "남기지 않고 계산도 하지 않습니다.")) != 0)
        return rc;
    lesson_ask(ls,
               "Deleting one block of %d removes half of a residual net's paths, but every path "
               "of a plain net. Which net's test error will rise more, and roughly how much for "
               "the residual net: a point, ten points, back to chance?",
               "블록 %d개 중 하나를 지우면 잔차 네트워크에서는 경로의 절반이, plain 네트워크에서는 "
               "모든 경로가 사라집니다. 어느 쪽의 테스트 오차가 더 많이 오를까요? 잔차 네트워크는 "
               "대략 얼마나 오를까요? 1%%p, 10%%p, 아니면 무작위 추측 수준까지?",
               su->blocks);
    if ((rc = train_for_lesions(ls, su, base, dir, &f->train_s)) != 0 ||
        (rc = measure_lesions(ls, su, dir, res, &curves[TRAINED], f)) != 0)
        return rc;
    tell_lesions(ls, su, res, f);
    return draw_lesions(ls, su, res);
}

