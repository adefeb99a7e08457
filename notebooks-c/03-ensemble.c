/* 03-ensemble.c: lesson 03, the ensemble view (syllabus section 5).
 *
 *   Step 1  paths: B residual blocks unroll into 2^B paths; how many of
 *           each length (gf_path_lengths), and where most of them lie;
 *   Step 2  the gradient by path length at initialization (03-ensemble-paths.c);
 *   Step 3  lesions: a trained residual net and a trained plain net, with one
 *           block deleted and then k random blocks deleted (03-ensemble-lesion.c);
 *   Step 4  the trained residual net's gradient by path length, beside Step 2's.
 *
 * This file: main, the intro, Step 1, the summary and the exercises. Every
 * number printed is measured by the run, and every reading branches on it.
 */
#include "03-ensemble.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const lesson_info INFO = LESSON_INFO(
    "03-ensemble", "Lesson 03: a residual network as an ensemble of paths",
    "3강: 경로들의 앙상블로 보는 잔차 네트워크",
    "Counts the paths of a residual stack by length, splits the gradient at the\n"
    "input exactly by path length at initialization and after training, and deletes\n"
    "blocks of a trained residual net and a trained plain net (Veit et al. 2016).",
    "잔차 스택의 경로를 길이별로 세고, 초기화 시점과 학습 뒤의 입력 그래디언트를 경로\n"
    "길이별로 정확히 나누고, 학습된 잔차 네트워크와 plain 네트워크에서 블록을 지워\n"
    "봅니다(Veit 연구진 2016).");


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
               "가지(branch) F_l을 지나갑니다. 블록이 B개면 입력에서 출력까지 경로가 2^B개 생기고, 그중 "
               "가지를 정확히 k번 지나는 경로는 C(B, k)개입니다. 아래의 잔차 스택은 가중치 층이 "
               "%d개이므로 블록은 B = %d개, 경로는 2^%d ≈ 10^%.1f개입니다.",
               su->depth, B, B, B * log10(2.0));
    lesson_math(ls, "x_B = (1 + F_{B-1}) ∘ … ∘ (1 + F_0) x_0,   #paths of length k = C(B, k)",
                "x_B = (1 + F_{B-1}) \\circ \\cdots \\circ (1 + F_0)\\, x_0, \\qquad "
                "\\#\\{\\text{paths of length } k\\} = \\binom{B}{k}");
    lesson_ask(ls,
               "Which length k has the most paths, and what share of the 2^%d paths does the "
               "one path with no branch at all make up?",
               "어느 길이 k에 경로가 가장 많을까요? 가지를 하나도 지나지 않는 경로 하나는 경로 "
               "2^%d개 중 얼마를 차지할까요?",
               B);
    lesson_pre(ls, "%4s %14s %10s", "k", "log10 C(B,k)", LESSON_T(ls, "fraction", "비율"));
    for (int k = 0; k <= B; k++)
        lesson_pre(ls, "%4d %14.2f %10.4f", k, lc[k], fr[k]);
    lesson_answer(ls,
                  "The fractions add up to %.6f. The narrowest range around B/2 = %.1f that "
                  "holds at least 95%% of the paths is k = %d..%d, and it holds %.1f%% of them; "
                  "the shortest path (no branch at all) and the longest (all %d branches) are "
                  "one path each, a fraction 2^-%d each.",
                  "비율을 모두 더하면 %.6f입니다. B/2 = %.1f 둘레에서 경로를 95%% 이상 담는 가장 "
                  "좁은 범위는 k = %d..%d이고, 실제로 경로의 %.1f%%를 담습니다. 가지를 하나도 "
                  "지나지 않는 가장 짧은 경로와 %d개 가지를 모두 지나는 가장 긴 경로는 각각 하나뿐, "
                  "비율로는 2^-%d입니다.",
                  total, B / 2.0, lo, hi, 100.0 * central, B, B);
    free(lc);
    free(fr);
    char dir[GF_PATH_MAX], why[512], title[160];
    if (lesson_dir(ls, "paths", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    if (gf_paths_write(B, dir, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    snprintf(title, sizeof title, "Paths of %d residual blocks by length", B);
    gf_fig_paths f = {.title = title, .blocks = B, .log10_max = gf_log10_binomial(B, B / 2),
                      .k_lo = lo, .k_hi = hi, .central = central};
    char cap_en[256], cap_ko[256];
    snprintf(cap_en, sizeof cap_en, "The fraction of paths with k branches (shaded: k = %d..%d, "
             "the narrowest central range with at least 95%% of the paths; it holds %.1f%%), "
             "and their number on a log scale.", lo, hi, 100.0 * central);
    snprintf(cap_ko, sizeof cap_ko, "가지를 k개 지나는 경로의 비율(음영: 경로를 95%% 이상 담는 "
             "가장 좁은 가운데 범위 k = %d..%d, 실제로 %.1f%%)과, 로그 눈금으로 본 경로 수.", lo,
             hi, 100.0 * central);
    /* two panels: too dense for the terminal (the page shows the PNG) */
    return lesson_figure(ls, "paths", "paths", gf_fig_paths_body, &f, 0, cap_en, cap_ko);
}

/* ---- the summary and the exercises ------------------------------------------- */

static void summary(lesson *ls, const setup *su, const en_facts *f)
{
    /* the ensemble view holds when training moved the gradient onto the short paths and
     * the residual net loses less to a deleted block than the plain one */
    const int ensemble = f->rd[TRAINED].k_peak < f->rd[INIT].k_peak &&
                         f->rd[TRAINED].short_mass > 0.5 && f->mean[RESNET] < f->mean[PLAIN];
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- %d blocks make 2^%d paths; most have about B/2 branches.\n"
               "- At initialization the gradient peaks at paths of length %d; after training at "
               "%d, with %.1f%% of its magnitude on lengths below B/2.\n"
               "- Deleting one block of the trained residual net costs %.2f points on average, "
               "of the plain net %.2f; with %d blocks deleted the residual net is at %.2f%%.\n"
               "- %s",
               "- 블록 %d개는 경로 2^%d개를 만들고, 대부분은 가지를 B/2개 안팎 지납니다.\n"
               "- 초기화 시점에는 길이 %d인 경로에서 그래디언트가 가장 크고, 학습 후에는 %d에서 "
               "가장 크며 크기의 %.1f%%가 B/2보다 짧은 길이에 있습니다.\n"
               "- 학습된 잔차 네트워크에서 블록 하나를 지우면 평균 %.2f%%p, plain 네트워크는 "
               "%.2f%%p 나빠집니다. 블록 %d개를 지우면 잔차 네트워크의 오차는 %.2f%%입니다.\n"
               "- %s",
               su->blocks, su->blocks, f->rd[INIT].k_peak, f->rd[TRAINED].k_peak,
               100.0 * f->rd[TRAINED].short_mass, f->mean[RESNET], f->mean[PLAIN], f->kh,
               100.0 * f->half[RESNET],
               ensemble ? LESSON_T(ls, "A trained residual network behaves like an ensemble of "
                                       "its paths, and the short ones do most of the work. The "
                                       "deep paths exist, but they carry little.",
                                   "학습된 잔차 네트워크는 경로들의 앙상블처럼 동작하고, 일은 주로 "
                                   "짧은 경로가 합니다. 깊은 경로도 있지만 나르는 것은 적습니다.")
                        : LESSON_T(ls, "In this run the measurements do not all support the "
                                       "ensemble view: see Steps 3 and 4.",
                                   "이번 실행의 측정은 앙상블 관점을 모두 뒷받침하지는 않습니다. "
                                   "3단계와 4단계를 보세요."));
}

static void exercises(lesson *ls, const setup *su)
{
    char cmd[512];
    lesson_exercises(ls);
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " pathgrad --depth %d --width %d --ntrain %zu "
             "--ntest %zu --epochs %d --optimizer sgd --schedule step --images %d --samples %d "
             "--out runs/l03-pathgrad", su->depth, (int)su->width, su->ntrain, su->ntest,
             su->epochs, su->images, su->samples);
    lesson_try(ls, cmd,
               "Steps 2 and 4 as one command, with its own summary. Then make the net deeper "
               "(a larger `--depth`): do the short paths carry even more of the trained "
               "gradient?",
               "2단계와 4단계를 명령 하나로 돌리고 요약을 봅니다. 그다음 더 깊은 망에서도 학습된 "
               "그래디언트를 짧은 경로가 더 많이 나르는지 보세요.");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " lesion --depth %d --width %d --ntrain %zu "
             "--ntest %zu --epochs %d --draws %d --arch plain,resnet,preact --out runs/l03-preact",
             su->depth, (int)su->width, su->ntrain, su->ntest, su->epochs, su->draws);
    lesson_try(ls, cmd,
               "Step 3 with the pre-activation net added. Its blocks add to a clean identity "
               "path: does it shrug off deletions even better than resnet?",
               "3단계에 사전 활성화 네트워크를 더합니다. 깨끗한 항등 경로에 더하는 블록이니, "
               "블록을 지워도 resnet보다 더 잘 버틸까요?");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " lesion --depth %d --width %d --ntrain %zu "
             "--ntest %zu --epochs %d --draws %d --swaps %d --out runs/l03-swaps", su->depth,
             (int)su->width, su->ntrain, su->ntest, su->epochs, su->draws, su->blocks);
    lesson_try(ls, cmd,
               "Swap pairs of blocks instead of deleting them (Veit et al.'s reordering): a "
               "plain net depends on its order, an ensemble should not much. Look at "
               "`lesion_swap.png`.",
               "블록을 지우는 대신 두 블록씩 자리를 바꿉니다(Veit 연구진의 순서 바꾸기). plain "
               "네트워크는 순서에 의존하지만, 앙상블이라면 크게 의존하지 않아야 합니다. "
               "`lesion_swap.png`를 보세요.");
    lesson_heading(ls, "Next", "다음 강의");
    lesson_say(ls,
               "Lesson 04 (the syllabus' section 9) turns the lesions of Step 3 into a training "
               "method: stochastic depth drops random blocks while the net trains.",
               "4강(강의 노트 9절)은 3단계의 블록 지우기를 학습 방법으로 바꿉니다. Stochastic Depth는 "
               "학습하는 동안 블록을 무작위로 건너뜁니다.");
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
    gf_pathgrad_curve curve[2];
    en_facts facts = {0};
    memset(curve, 0, sizeof curve);
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
               "통해 학습된다고 주장했습니다.");
    lesson_data_note(ls, su.data_name, &su.train);
    lesson_heading(ls, "Step 1. Paths", "1단계. 경로");
    if ((rc = step_paths(ls, &su)) != 0)
        goto out;
    lesson_heading(ls, "Step 2. Which path lengths carry the gradient",
                   "2단계. 어떤 길이의 경로가 그래디언트를 나르는가");
    if ((rc = en_step_pathgrad(ls, &su, &cfg, &curve[INIT], &facts)) != 0)
        goto out;
    lesson_heading(ls, "Step 3. Lesions", "3단계. 블록 지우기(lesion)");
    if ((rc = en_step_lesions(ls, &su, &cfg, les, curve, &facts)) != 0)
        goto out;
    lesson_heading(ls, "Step 4. The trained net's paths", "4단계. 학습된 네트워크의 경로");
    if ((rc = en_step_trained(ls, &su, curve, &facts)) != 0)
        goto out;
    summary(ls, &su, &facts);
    exercises(ls, &su);
out:
    gf_pathgrad_curve_release(&curve[INIT]);
    gf_pathgrad_curve_release(&curve[TRAINED]);
    for (int a = 0; a < N_NETS; a++)
        gf_lesion_release(&les[a]);
    gf_dataset_release(&su.train);
    gf_dataset_release(&su.test);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
