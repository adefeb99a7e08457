/* 06-landscape-identity.c: lesson 06, Step 1: learning the identity. The
 * blocks of a plain stack, a He-initialized residual stack and one with its
 * branches' last layer zero, trained (Adam) to y = x and to a random ReLU
 * teacher (gf_identity_run). */
#include "06-landscape.h"

#include "plots/gf_figs_land.h"

#include <math.h>
#include <string.h>

const char *const ls_net_names[LS_NETS] = {"plain", "resnet", "resnet-zero"};

static int write_curves(FILE *f, const void *ctx)
{
    const ls_setup *su = ((const void *const *)ctx)[0];
    const ls_id_table *t = ((const void *const *)ctx)[1];
    fputs("net\tblocks\ttarget\tstep\tloss_mean\tloss_min\tloss_max\n", f);
    for (int k = 0; k < LS_TARGETS; k++)
        for (int n = 0; n < LS_NETS; n++) {
            const gf_identity_result *one = &t->r[k][n];
            gf_identity_curve_rows(f, ls_net_names[n], su->blocks, gf_land_target_names[k], &one,
                                   1, 20);
        }
    return ferror(f) ? -1 : 0;
}

/* Train the three stacks on both targets. 0, or the status after a message. */
static int train_identity(lesson *ls, const ls_setup *su, ls_id_table *t)
{
    char why[256];
    for (int k = 0; k < LS_TARGETS; k++)
        for (int n = 0; n < LS_NETS; n++) {
            gf_stack_config c = gf_stack_config_default();
            c.arch = n == 0 ? GF_ARCH_PLAIN : GF_ARCH_RESNET;
            c.zero_branch = n == 2;
            c.width = c.in_dim = c.classes = su->id_width;
            c.depth = 2 * su->blocks + 2;
            c.init = GF_INIT_HE;
            gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
            gsl_rng *rng = gf_rng_alloc(1);
            const gf_identity_spec s = {.target = (gf_land_target)k, .samples = su->samples,
                                        .batch = 64, .steps = su->steps, .lr = 1e-3,
                                        .threshold = 0.01, .record_every = 20, .seed = 1};
            const int rc = m && rng && gf_model_init(m, rng) == 0 ?
                               gf_identity_run(m, &s, &t->r[k][n], why, sizeof why) : -1;
            gf_model_free(m);
            gsl_rng_free(rng);
            if (rc != 0)
                return lesson_fail(ls, LESSON_RUNTIME, "identity: %s", why);
        }
    return 0;
}

/* "reaches 1 % after 980 steps" or "never reaches 1 % within 1000 steps" */
static const char *reached(const lesson *ls, char *buf, size_t size, const gf_identity_result *r,
                           long steps)
{
    if (r->steps_to >= 0)
        snprintf(buf, size, LESSON_T(ls, "reaches 1 %% after %ld steps",
                                     "%ld 스텝 만에 1 %%에 닿습니다"), r->steps_to);
    else
        snprintf(buf, size, LESSON_T(ls, "never reaches 1 %% within %ld steps",
                                     "%ld 스텝 안에 1 %%에 닿지 못합니다"), steps);
    return buf;
}

static void tell_identity(lesson *ls, const ls_setup *su, const ls_id_table *t)
{
    lesson_pre(ls, "%-9s %-12s %11s %11s %9s %8s", "target", "net", "loss start", "loss end",
               "steps<1%", "moved");
    for (int k = 0; k < LS_TARGETS; k++)
        for (int n = 0; n < LS_NETS; n++) {
            const gf_identity_result *r = &t->r[k][n];
            char steps[24] = "never";
            if (r->steps_to >= 0)
                snprintf(steps, sizeof steps, "%ld", r->steps_to);
            lesson_pre(ls, "%-9s %-12s %11.3g %11.3g %9s %8.3f", gf_land_target_names[k],
                       ls_net_names[n], r->loss0, r->loss_final, steps, r->moved);
        }
    const gf_identity_result *pz = &t->r[0][2], *pp = &t->r[0][0], *ph = &t->r[0][1];
    char a[64], b[64];
    lesson_answer(ls,
                  "With its branches' last layer zero the residual stack starts at loss %.3g "
                  "and %s: %s The plain stack starts at %.3g and %s, ending at %.3g: it has to build y = x out of ReLU layers. `moved` is "
                  "||theta_T - theta_0|| / ||theta_0||: %.3f for the zeroed stack, %.3f for plain.",
                  "가지의 마지막 층을 0으로 둔 잔차 스택은 손실 %.3g에서 출발해 %s. %s plain 스택은 "
                  "%.3g에서 출발해 %s. 손실은 %.3g에서 끝납니다. ReLU 층으로 "
                  "y = x를 직접 만들어야 하기 때문입니다. `moved`는 ||theta_T - theta_0|| / "
                  "||theta_0||이며, 0으로 둔 스택은 %.3f, plain은 %.3f입니다.",
                  pz->loss0, reached(ls, a, sizeof a, pz, su->steps),
                  pz->loss0 == 0.0 ? LESSON_T(ls, "it is the identity before any step, x + 0 = x.",
                                             "한 스텝도 밟기 전에 이미 항등 변환입니다(x + 0 = x).")
                                   : LESSON_T(ls, "not exactly the identity at the start.",
                                              "출발점이 정확한 항등 변환은 아닙니다."),
                  pp->loss0, reached(ls, b, sizeof b, pp, su->steps), pp->loss_final, pz->moved,
                  pp->moved);
    lesson_say(ls,
               "The He-initialized residual stack, without normalization, starts at %.3g: each "
               "of its %d branches adds an output as large as its input, so the stack starts far "
               "from x, %s. The identity is the default only when the branches start small.",
               "정규화 없이 He로 초기화한 잔차 스택은 %.3g에서 출발합니다. 가지 %d개가 저마다 입력만큼 "
               "큰 출력을 더하므로 x에서 멀리 떨어져 출발하고, %s. 항등 변환이 기본값인 것은 가지가 "
               "작게 출발할 때뿐입니다.",
               ph->loss0, su->blocks,
               ph->loss_final < pp->loss_final
                   ? LESSON_T(ls, "yet it still ends below plain", "그래도 plain보다 낮게 끝납니다")
                   : LESSON_T(ls, "and it ends no better than plain",
                              "plain보다 나은 곳에서 끝나지도 않습니다"));
    const gf_identity_result *tz = &t->r[1][2], *tp = &t->r[1][0];
    lesson_say(ls,
               "The teacher y = sqrt(2) relu(Q x), Q random, is far from x, so the syllabus' "
               "argument gives the zeroed stack no head start there. Measured, it ends at %.3g "
               "and plain at %.3g: %s",
               "teacher y = sqrt(2) relu(Q x)(Q는 무작위)는 x와 멀어서, 강의 노트의 논리대로라면 0으로 "
               "둔 스택이 앞서 출발할 까닭이 없습니다. 측정하면 0으로 둔 스택은 %.3g, plain은 %.3g에서 "
               "끝납니다. %s",
               tz->loss_final, tp->loss_final,
               tz->loss_final < 0.5 * tp->loss_final
                   ? LESSON_T(ls, "the residual stack still trains far better, so at this "
                                  "size its advantage is not only that the target is the "
                                  "identity (lesson 01 measures another: the gradient's path).",
                              "잔차 스택이 여전히 훨씬 잘 학습합니다. 이 크기에서는 목표가 항등 변환이라는 "
                              "것만이 이점은 아닙니다(1강은 다른 이점, 그래디언트의 길을 잽니다).")
                   : LESSON_T(ls, "the advantage is gone, as the argument says.",
                              "논리대로 이점이 사라집니다."));
}

int ls_step_identity(lesson *ls, const ls_setup *su, ls_id_table *t)
{
    lesson_say(ls,
               "Each stack is %d blocks of width %zu without stem, head or normalization, trained "
               "by Adam (lr 0.001, %ld steps, batch 64) on %zu inputs |N(0, 1)|. The loss is the "
               "mean squared error over the target's mean square, so 1 means \"no better than "
               "zero\" and the threshold is 1 %%.",
               "각 스택은 스템, 헤드, 정규화 없이 블록 %d개(너비 %zu)이고, Adam(lr 0.001, %ld 스텝, "
               "배치 64)으로 입력 |N(0, 1)| %zu개에서 학습합니다. 손실은 평균 제곱 오차를 목표의 "
               "평균 제곱으로 나눈 값이라 1은 \"0을 내놓는 것과 같음\"이고, 기준은 1 %%입니다.",
               su->blocks, su->id_width, su->steps, su->samples);
    int rc = lesson_code(ls, "residual-add",
                         "A resnet block's output is relu(in + f) (`gf_add_relu`). With the "
                         "branch's last layer zero, f is exactly 0; the inputs |N(0, 1)| are "
                         "never negative, so relu(x + 0) = x and every block passes x through:",
                         "resnet 블록의 출력은 relu(in + f)입니다(`gf_add_relu`). 가지의 마지막 층이 "
                         "0이면 f가 정확히 0이고, 입력 |N(0, 1)|은 음수가 아니므로 relu(x + 0) = x, "
                         "즉 모든 블록이 x를 그대로 내보냅니다.");
    if (rc != 0)
        return rc;
    lesson_ask(ls,
               "Target y = x. What is the relative loss of the zeroed residual stack before the "
               "first step? Will %d plain blocks of ReLU layers reach 1 %% within %ld steps?",
               "목표 y = x. 0으로 둔 잔차 스택의 첫 스텝 전 상대 손실은 얼마일까요? ReLU 층으로 된 "
               "plain 블록 %d개는 %ld 스텝 안에 1 %%에 닿을까요?",
               su->blocks, su->steps);
    if ((rc = train_identity(ls, su, t)) != 0)
        return rc;
    tell_identity(ls, su, t);
    char why[256], dir[GF_PATH_MAX];
    if (lesson_dir(ls, "", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    const void *ctx[2] = {su, t};
    if (gf_write_in(dir, "identity_curves.tsv", write_curves, ctx, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    const int blocks = su->blocks;
    const char *const colors[LS_NETS] = {"#d62728", "#1f77b4", "#2ca02c"};
    const gf_fig_identity f = {.title = "Learning the identity and a teacher", .subtitle = "",
                               .nets = ls_net_names, .colors = colors, .n_nets = LS_NETS,
                               .blocks = &blocks, .n_blocks = 1, .targets = gf_land_target_names,
                               .n_targets = LS_TARGETS, .threshold = 0.01};
    return lesson_figure(ls, "", "identity", gf_fig_identity_body, &f, 0,
                         "Relative loss against the Adam step, per target (log scale; the "
                         "dotted line is the 1 % threshold; a loss of exactly 0 is drawn on the "
                         "bottom edge).",
                         "목표별 Adam 스텝에 따른 상대 손실(로그 눈금, 점선은 1 % 기준, 정확히 0인 "
                         "손실은 아래 가장자리에 그림).");
}
