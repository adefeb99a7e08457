/* 06-landscape.c: lesson 06, the optimization view (syllabus section 3:
 * 관점 1: 최적화 지형).
 *
 *   Step 1  learning the identity: the blocks of a plain stack, a residual
 *           stack and a residual stack with zeroed branches trained to y = x
 *           and to a random ReLU teacher (gf_identity_run);
 *   Step 2  the loss landscape of a trained plain and residual net: the line
 *           from initialization (gf_land_path) and the plane of two
 *           filter-normalized directions (gf_land_direction, gf_land_surface);
 *   Step 3  sharpness: the top Hessian eigenvalue at initialization and after
 *           training (gf_land_top_eig on gf_land_hvp) against 2 / lr.
 *
 * Every number printed is measured by the run.
 */
#include "lesson.h"

#include "plots/gf_figs_land.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const lesson_info INFO = LESSON_INFO(
    "06-landscape", "Lesson 06: the optimization view: identity by default, loss landscapes",
    "6강: 최적화 지형 관점: 기본값인 항등 변환과 손실 지형",
    "Trains the blocks of plain and residual stacks to be the identity and a map far\n"
    "from it, draws the loss along the line from initialization and over a plane of\n"
    "filter-normalized directions, and measures the top Hessian eigenvalue.",
    "plain과 잔차 스택의 블록을 항등 변환과 그와 먼 함수로 학습시키고, 초기화에서\n"
    "학습된 가중치까지의 직선과 필터 정규화 방향의 평면 위 손실을 그리며, 헤시안의\n"
    "최대 고윳값을 잽니다.");

enum { NETS = 3, TARGETS = 2, ARCHS = 2 };

typedef struct setup {
    int blocks, depth, epochs, grid;
    long steps;
    size_t ntrain, width;
    gf_dataset train, test;
    const char *data_name;
} setup;

typedef struct id_table {
    gf_identity_result r[TARGETS][NETS];
} id_table;

static const char *const NET_NAMES[NETS] = {"plain", "resnet", "resnet-zero"};

static int write_curves(FILE *f, const void *ctx)
{
    const setup *su = ((const void *const *)ctx)[0];
    const id_table *t = ((const void *const *)ctx)[1];
    fputs("net\tblocks\ttarget\tstep\tloss_mean\tloss_min\tloss_max\n", f);
    for (int k = 0; k < TARGETS; k++)
        for (int n = 0; n < NETS; n++) {
            const gf_identity_result *one = &t->r[k][n];
            gf_identity_curve_rows(f, NET_NAMES[n], su->blocks, gf_land_target_names[k], &one, 1,
                                   20);
        }
    return ferror(f) ? -1 : 0;
}

/* Step 1: the identity and the teacher, three stacks. */
static int step_identity(lesson *ls, const setup *su, id_table *t)
{
    char why[256], dir[GF_PATH_MAX];
    for (int k = 0; k < TARGETS; k++)
        for (int n = 0; n < NETS; n++) {
            gf_stack_config c = gf_stack_config_default();
            c.arch = n == 0 ? GF_ARCH_PLAIN : GF_ARCH_RESNET;
            c.zero_branch = n == 2;
            c.width = c.in_dim = c.classes = 16;
            c.depth = 2 * su->blocks + 2;
            c.init = GF_INIT_HE;
            gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
            gsl_rng *rng = gf_rng_alloc(1);
            const gf_identity_spec s = {.target = (gf_land_target)k, .samples = 512, .batch = 64,
                                        .steps = su->steps, .lr = 1e-3, .threshold = 0.01,
                                        .record_every = 20, .seed = 1};
            const int rc = m && rng && gf_model_init(m, rng) == 0 ?
                               gf_identity_run(m, &s, &t->r[k][n], why, sizeof why) : -1;
            gf_model_free(m);
            gsl_rng_free(rng);
            if (rc != 0)
                return lesson_fail(ls, LESSON_RUNTIME, "identity: %s", why);
        }
    lesson_say(ls,
               "Each stack is %d blocks of width 16 without stem, head or normalization, "
               "trained by Adam (lr 0.001, %ld steps) on inputs |N(0, 1)|. The loss is the "
               "mean squared error over the target's mean square.",
               "각 스택은 스템, 헤드, 정규화 없이 너비 16인 블록 %d개이고, 입력 |N(0, 1)|에서 "
               "Adam(lr 0.001, %ld 스텝)으로 학습합니다. 손실은 평균 제곱 오차를 목표의 평균 "
               "제곱으로 나눈 값입니다.", su->blocks, su->steps);
    lesson_pre(ls, "%-9s %-12s %11s %11s %9s %8s", "target", "net", "loss start", "loss end",
               "steps<1%", "moved");
    for (int k = 0; k < TARGETS; k++)
        for (int n = 0; n < NETS; n++) {
            const gf_identity_result *r = &t->r[k][n];
            char steps[24] = "never";
            if (r->steps_to >= 0)
                snprintf(steps, sizeof steps, "%ld", r->steps_to);
            lesson_pre(ls, "%-9s %-12s %11.3g %11.3g %9s %8.3f", gf_land_target_names[k],
                       NET_NAMES[n], r->loss0, r->loss_final, steps, r->moved);
        }
    lesson_say(ls,
               "With zeroed branches the residual stack is the identity before any step (loss "
               "%.3g): it has nothing to learn. The plain stack must build y = x out of ReLU "
               "layers and ends at %.3g. Against the teacher, a map far from x, the zeroed "
               "residual stack ends at %.3g and the plain one at %.3g; He-initialized residual "
               "branches without normalization start at %.3g: the identity is only the "
               "default when the branches start small.",
               "가지를 0으로 둔 잔차 스택은 한 스텝도 밟기 전에 이미 항등 변환입니다(손실 %.3g). "
               "배울 것이 없습니다. plain 스택은 ReLU 층으로 y = x를 만들어야 하고 %.3g에서 "
               "끝납니다. x와 먼 teacher에서는 0으로 둔 잔차 스택이 %.3g, plain이 %.3g에서 "
               "끝납니다. 정규화 없이 He로 초기화한 잔차 가지는 %.3g에서 출발합니다. 가지가 "
               "작게 출발할 때만 항등이 기본값입니다.",
               t->r[0][2].loss0, t->r[0][0].loss_final, t->r[1][2].loss_final,
               t->r[1][0].loss_final, t->r[0][1].loss0);
    if (lesson_dir(ls, "", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    const void *ctx[2] = {su, t};
    if (gf_write_in(dir, "identity_curves.tsv", write_curves, ctx, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    const int blocks = su->blocks;
    const char *const colors[NETS] = {"#d62728", "#1f77b4", "#2ca02c"};
    const gf_fig_identity f = {.title = "Learning the identity and a teacher", .subtitle = "",
                               .nets = NET_NAMES, .colors = colors, .n_nets = NETS,
                               .blocks = &blocks, .n_blocks = 1, .targets = gf_land_target_names,
                               .n_targets = TARGETS, .threshold = 0.01};
    return lesson_figure(ls, "", "identity", gf_fig_identity_body, &f, 0,
                         "Relative loss against the step, per target.",
                         "목표별 스텝에 따른 상대 손실.");
}

/* One trained net and what the lesson measures of it. */
typedef struct net_view {
    char name[GF_NET_NAME_MAX];
    double path[36], surf_min, nonconvex, lam0, lam1, lr_end;
    double *surf;
} net_view;

/* The top Hessian eigenvalue of the loss over hess at theta. */
static double top_eig(gf_model *m, const gf_dataset *hess, const double *theta)
{
    gf_tape *tape = gf_tape_alloc(0);
    const gf_land_eval ev = {.m = m, .tape = tape, .data = hess, .batch = 256};
    gf_land_hessian h;
    gsl_rng *rng = gf_rng_alloc(7);
    const size_t P = gf_model_params(m)->size;
    unsigned char *mask = malloc(P);
    double lam = NAN;
    if (tape && rng && mask && gf_land_hessian_init(&h, &ev, theta) == 0) {
        gf_land_trainable_mask(m, mask);
        if (gf_land_top_eig(gf_land_hvp, &h, P, mask, rng, 20, 1e-3, &lam, NULL, NULL) != 0)
            lam = NAN;
        gf_land_hessian_release(&h);
    }
    free(mask);
    gsl_rng_free(rng);
    gf_tape_free(tape);
    return lam;
}

/* Train one net and measure its line, plane and curvature. 0, or the status. */
static int view_net(lesson *ls, const setup *su, gf_arch arch, const double *alpha,
                    const double *coords, net_view *v)
{
    char why[512], dir[GF_PATH_MAX], name[64], file[GF_PATH_MAX + 64];
    if (lesson_dir(ls, "", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    gf_stack_config c = lesson_trained_config(su->width, &su->train);
    c.arch = arch;
    c.depth = su->depth;
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = gf_rng_alloc(1);
    gf_dataset hess = {0};
    gf_tape *tape = gf_tape_alloc(0);
    gf_train_config tc = lesson_train_config(128, su->epochs, su->train.n);
    tc.probe_every = 0;
    double *theta0 = NULL, *theta1 = NULL, *d1 = NULL, *d2 = NULL;
    gf_trainer *t = NULL;
    int rc = LESSON_RUNTIME;
    snprintf(v->name, sizeof v->name, "%s-%d", gf_arch_names[arch], su->depth);
    if (!m || !rng || !tape || gf_model_init(m, rng) != 0 || !(theta0 = gf_land_state(m)) ||
        gf_dataset_slice(&hess, &su->train, 0, 256) != 0 ||
        !(t = gf_trainer_alloc(m, &su->train, NULL, &tc, why, sizeof why)))
        goto out;
    v->lam0 = top_eig(m, &hess, theta0);
    for (int e = 0; e < su->epochs; e++) {
        gf_epoch_stats st;
        if (gf_trainer_epoch(t, &st, why, sizeof why) != 0)
            goto out;
        v->lr_end = st.lr;
    }
    theta1 = gf_land_state(m);
    const size_t P = gf_model_params(m)->size;
    d1 = malloc(P * sizeof *d1);
    d2 = malloc(P * sizeof *d2);
    v->surf = malloc((size_t)su->grid * su->grid * sizeof *v->surf);
    const gf_land_eval ev = {.m = m, .tape = tape, .data = &su->train, .batch = 256, .threads = 2};
    if (!theta1 || !d1 || !d2 || !v->surf || gf_land_direction(m, rng, d1) != 0 ||
        gf_land_direction(m, rng, d2) != 0 ||
        gf_land_path(&ev, theta0, theta1, alpha, 36, v->path, NULL, why, sizeof why) != 0 ||
        gf_land_surface(&ev, theta1, d1, d2, coords, su->grid, coords, su->grid, v->surf, NULL,
                        why, sizeof why) != 0)
        goto out;
    v->lam1 = top_eig(m, &hess, theta1);
    v->nonconvex = gf_land_nonconvex_share(v->surf, su->grid);
    v->surf_min = INFINITY;
    for (int i = 0; i < su->grid * su->grid; i++)
        v->surf_min = fmin(v->surf_min, v->surf[i]);
    snprintf(name, sizeof name, "surface-%.23s.tsv", v->name);
    if (gf_path_join(file, sizeof file, dir, name) != 0 ||
        gf_land_surface_write(file, coords, su->grid, v->surf, NULL, why, sizeof why) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        rc = lesson_fail(ls, LESSON_RUNTIME, "%s: %s", v->name, why);
    gf_trainer_free(t);
    free(theta0);
    free(theta1);
    free(d1);
    free(d2);
    gf_dataset_release(&hess);
    gf_tape_free(tape);
    gsl_rng_free(rng);
    gf_model_free(m);
    return rc;
}

/* Steps 2 and 3: the line, the plane and the curvature of both nets. */
static int step_landscape(lesson *ls, const setup *su, net_view *v)
{
    double alpha[36], coords[64];
    for (int i = 0; i < 36; i++)
        alpha[i] = (i - 5) / 20.0; /* -0.25 .. 1.5, 0 and 1 exactly */
    for (int i = 0; i < su->grid; i++)
        coords[i] = 2.0 * i / (su->grid - 1) - 1.0;
    const gf_arch archs[ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET};
    for (int a = 0; a < ARCHS; a++) {
        const int rc = view_net(ls, su, archs[a], alpha, coords, &v[a]);
        if (rc != 0)
            return rc;
    }
    lesson_say(ls,
               "Both nets (depth %d, width %zu, batch norm) trained %d epochs on %zu %s images. "
               "Along the line theta(a) = (1 - a) theta_0 + a theta_T the loss goes:",
               "두 네트워크(깊이 %d, 너비 %zu, 배치 정규화)를 %d 에폭 동안 %zu장의 %s 이미지로 "
               "학습했습니다. 직선 theta(a) = (1 - a) theta_0 + a theta_T 위의 손실은 다음과 "
               "같습니다.",
               su->depth, su->width, su->epochs, su->train.n, su->data_name);
    lesson_pre(ls, "%-12s %10s %10s %10s %10s", "net", "a = 0", "a = 0.5", "a = 1", "a = 1.5");
    for (int a = 0; a < ARCHS; a++)
        lesson_pre(ls, "%-12s %10.4f %10.4f %10.4f %10.4f", v[a].name, v[a].path[5],
                   v[a].path[15], v[a].path[25], v[a].path[35]);
    lesson_say(ls,
               "Around the trained weights, on a %d x %d grid of two filter-normalized random "
               "directions (each row of a direction scaled to the norm of the weight's row), "
               "the share of clearly non-convex points is %.1f %% for %s and %.1f %% for %s.",
               "학습된 가중치 주위, 필터 정규화한 두 무작위 방향(방향의 각 행을 가중치 행의 "
               "노름에 맞춤)의 %d x %d 격자에서 뚜렷하게 볼록하지 않은 점의 비율은 "
               "%.1f %%(%s), %.1f %%(%s)입니다.",
               su->grid, su->grid, 100 * v[0].nonconvex, v[0].name, 100 * v[1].nonconvex,
               v[1].name);
    const char *nets[ARCHS] = {v[0].name, v[1].name}, *an[ARCHS] = {"plain", "resnet"};
    const int depths[ARCHS] = {su->depth, su->depth};
    double lo = INFINITY, hi = -INFINITY;
    for (int a = 0; a < ARCHS; a++)
        for (int i = 0; i < su->grid * su->grid; i++) {
            lo = fmin(lo, log10(v[a].surf[i]));
            hi = fmax(hi, log10(v[a].surf[i]));
        }
    const gf_fig_land f = {.title = "Loss surfaces (log10 loss, one colour scale)", .subtitle = "",
                           .nets = nets, .archs = an, .depths = depths, .n_nets = ARCHS,
                           .zlo = floor(2 * lo) / 2, .zhi = ceil(2 * hi) / 2};
    int rc = lesson_figure(ls, "", "surface", gf_fig_land_contour_body, &f, 0,
                           "The loss around the trained weights.", "학습된 가중치 주위의 손실.");
    if (rc != 0)
        return rc;
    lesson_heading(ls, "Step 3. Sharpness", "3단계. 날카로움");
    lesson_say(ls,
               "The Hessian's eigenvalue of largest magnitude (power iteration on "
               "Hessian-vector products, central differences of gradients; negative when the "
               "loss curves down most strongly) over 256 training images:",
               "절댓값이 가장 큰 헤시안 고윳값(헤시안-벡터 곱에 대한 거듭제곱 반복, "
               "그래디언트의 중심 차분. 손실이 가장 강하게 아래로 휘면 음수)을 학습 이미지 "
               "256장에서 잽니다.");
    lesson_pre(ls, "%-12s %12s %12s %12s", "net", "at init", "trained", "2 / lr");
    for (int a = 0; a < ARCHS; a++)
        lesson_pre(ls, "%-12s %12.4g %12.4g %12.4g", v[a].name, v[a].lam0, v[a].lam1,
                   2.0 / v[a].lr_end);
    return 0;
}

static int teach(lesson *ls)
{
    setup su = ls->opt.quick ? (setup){.blocks = 3, .depth = 8, .epochs = 1, .grid = 7,
                                      .steps = 100, .ntrain = 512, .width = 16}
                             : (setup){.blocks = 8, .depth = 20, .epochs = 3, .grid = 21,
                                       .steps = 1000, .ntrain = 2000, .width = 32};
    id_table t = {0};
    net_view v[ARCHS] = {0};
    int rc = lesson_data(ls, su.ntrain, 0, &su.train, &su.test, &su.data_name);
    if (rc != 0)
        return LESSON_RUNTIME;
    json_object_set_new(ls->settings, "experiment",
                        json_pack("{s:i, s:i, s:i, s:i, s:I, s:s, s:I}", "identity_blocks",
                                  su.blocks, "depth", su.depth, "epochs", su.epochs, "grid",
                                  su.grid, "identity_steps", (json_int_t)su.steps, "data",
                                  su.data_name, "ntrain", (json_int_t)su.train.n));
    lesson_say(ls,
               "Syllabus section 3 says that in y = F(x) + x the identity is the default: F = 0 "
               "gives y = x, and learning 0 is easier than making a nonlinear G output exactly "
               "x. This lesson tests that claim, then looks at the loss around trained nets.",
               "강의 노트 3절은 y = F(x) + x에서 항등 변환이 기본값이라고 말합니다. F = 0이면 "
               "y = x이고, 0을 배우는 것이 비선형 G가 정확히 x를 내도록 만드는 것보다 쉽다는 "
               "것입니다. 이 강의는 그 주장을 시험하고, 학습된 네트워크 주위의 손실을 봅니다.");
    lesson_heading(ls, "Step 1. Learning the identity", "1단계. 항등 변환 배우기");
    if ((rc = step_identity(ls, &su, &t)) != 0)
        goto out;
    lesson_data_note(ls, su.data_name, &su.train);
    lesson_heading(ls, "Step 2. The loss landscape", "2단계. 손실 지형");
    if ((rc = step_landscape(ls, &su, v)) != 0)
        goto out;
    lesson_heading(ls, "Try it yourself", "직접 해 보기");
    lesson_say(ls,
               "`build/analysis/gradflow identity` and `gradflow landscape` run these "
               "experiments at full size, with seeds, the 3-D surfaces, the trajectory and the "
               "curvature along training (`--help`).",
               "`build/analysis/gradflow identity`와 `gradflow landscape`는 이 실험을 시드, "
               "3차원 지형, 궤적, 학습 중 곡률까지 포함해 전체 크기로 돌립니다(`--help`).");
out:
    for (int k = 0; k < TARGETS; k++)
        for (int n = 0; n < NETS; n++)
            gf_identity_release(&t.r[k][n]);
    for (int a = 0; a < ARCHS; a++)
        free(v[a].surf);
    gf_dataset_release(&su.train);
    gf_dataset_release(&su.test);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
