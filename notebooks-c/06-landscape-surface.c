/* 06-landscape-surface.c: lesson 06, Steps 2 and 3: a trained plain and
 * residual net, the loss along the line from initialization (gf_land_path),
 * over a plane of two filter-normalized directions (gf_land_direction,
 * gf_land_surface), and the Hessian's eigenvalue of largest magnitude at
 * initialization and after training (gf_land_top_eig on gf_land_hvp). */
#include "06-landscape.h"

#include "plots/gf_figs_land.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The eigenvalue of largest magnitude of the loss's Hessian over hess at theta. */
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

/* The line and the plane around the trained weights theta1. 0 or -1 (why). */
static int measure_views(gf_model *m, gsl_rng *rng, const ls_setup *su, const double *theta0,
                         const double *theta1, const double *alpha, const double *coords,
                         ls_net *v, char *why, size_t size)
{
    const size_t P = gf_model_params(m)->size;
    gf_tape *tape = gf_tape_alloc(0);
    double *d1 = malloc(P * sizeof *d1), *d2 = malloc(P * sizeof *d2);
    v->surf = malloc((size_t)su->grid * su->grid * sizeof *v->surf);
    const gf_land_eval ev = {.m = m, .tape = tape, .data = &su->train, .batch = 256, .threads = 2};
    int rc = -1;
    if (!tape || !d1 || !d2 || !v->surf)
        snprintf(why, size, "out of memory");
    else if (gf_land_direction(m, rng, d1) != 0 || gf_land_direction(m, rng, d2) != 0)
        snprintf(why, size, "the model has no weight to draw a direction for");
    else if (gf_land_path(&ev, theta0, theta1, alpha, LS_PATH, v->path, NULL, why, size) == 0 &&
             gf_land_surface(&ev, theta1, d1, d2, coords, su->grid, coords, su->grid, v->surf,
                             NULL, why, size) == 0)
        rc = 0;
    free(d1);
    free(d2);
    gf_tape_free(tape);
    return rc;
}

/* Train one net and measure its line, plane and curvature. 0, or the status. */
static int view_net(lesson *ls, const ls_setup *su, gf_arch arch, const double *alpha,
                    const double *coords, ls_net *v)
{
    char why[512] = "out of memory", dir[GF_PATH_MAX], name[64], file[GF_PATH_MAX + 64];
    if (lesson_dir(ls, "", dir, sizeof dir) != 0)
        return LESSON_RUNTIME;
    gf_stack_config c = lesson_trained_config(su->width, &su->train);
    c.arch = arch;
    c.depth = su->depth;
    gf_model *m = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = gf_rng_alloc(1);
    gf_dataset hess = {0};
    gf_train_config tc = lesson_train_config(128, su->epochs, su->train.n);
    tc.probe_every = 0;
    v->lr0 = tc.sched.lr;
    v->momentum = tc.optim.kind == GF_OPTIM_SGD ? tc.optim.momentum : 0.0;
    double *theta0 = NULL, *theta1 = NULL;
    gf_trainer *t = NULL;
    int rc = LESSON_RUNTIME;
    snprintf(v->name, sizeof v->name, "%s-%d", gf_arch_names[arch], su->depth);
    if (!m || !rng || gf_model_init(m, rng) != 0 || !(theta0 = gf_land_state(m)) ||
        gf_dataset_slice(&hess, &su->train, 0, su->hess_images) != 0 ||
        !(t = gf_trainer_alloc(m, &su->train, NULL, &tc, why, sizeof why)))
        goto out;
    v->lam0 = top_eig(m, &hess, theta0);
    for (int e = 0; e < su->epochs; e++) {
        gf_epoch_stats st;
        if (gf_trainer_epoch(t, &st, why, sizeof why) != 0)
            goto out;
        v->lr_end = st.lr;
    }
    if (!(theta1 = gf_land_state(m)) ||
        measure_views(m, rng, su, theta0, theta1, alpha, coords, v, why, sizeof why) != 0)
        goto out;
    v->lam1 = top_eig(m, &hess, theta1);
    v->nonconvex = gf_land_nonconvex_share(v->surf, su->grid);
    v->surf_max = 0.0;
    for (int i = 0; i < su->grid * su->grid; i++)
        v->surf_max = fmax(v->surf_max, v->surf[i]);
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
    gf_dataset_release(&hess);
    gsl_rng_free(rng);
    gf_model_free(m);
    return rc;
}

/* Does the loss fall at every step of the line from a = 0 to a = 1? */
static int falls_all_the_way(const ls_net *v)
{
    for (int i = 6; i <= 25; i++)
        if (v->path[i] > v->path[i - 1])
            return 0;
    return 1;
}

static void tell_line(lesson *ls, const ls_setup *su, const ls_net *v)
{
    lesson_pre(ls, "%-12s %10s %10s %10s %10s %10s", "net", "a = -0.25", "a = 0", "a = 0.5",
               "a = 1", "a = 1.5");
    for (int a = 0; a < LS_ARCHS; a++)
        lesson_pre(ls, "%-12s %10.4g %10.4g %10.4g %10.4g %10.4g", v[a].name, v[a].path[0],
                   v[a].path[5], v[a].path[15], v[a].path[25], v[a].path[35]);
    for (int a = 0; a < LS_ARCHS; a++)
        lesson_answer(ls,
                      "%s: from %.4g at a = 0 to %.4g at a = 1 the loss %s; past the trained "
                      "weights it climbs to %.4g at a = 1.5 (%.3g times the trained loss).",
                      "%s: a = 0의 %.4g에서 a = 1의 %.4g까지 손실이 %s. 학습된 가중치를 지나면 "
                      "a = 1.5에서는 %.4g까지 올라갑니다(학습된 손실의 %.3g배).",
                      v[a].name, v[a].path[5], v[a].path[25],
                      falls_all_the_way(&v[a])
                          ? LESSON_T(ls, "falls at every one of the 20 steps",
                                     "20개 구간 모두에서 줄어듭니다")
                          : LESSON_T(ls, "rises on part of the way: the line is not downhill all along",
                                     "일부 구간에서는 오릅니다. 직선이 끝까지 내리막은 아닙니다"),
                      v[a].path[35], v[a].path[35] / v[a].path[25]);
    (void)su;
}

static int tell_plane(lesson *ls, const ls_setup *su, const ls_net *v)
{
    int rc = lesson_code(ls, "filter-normalize",
                         "The directions of the plane follow Li et al. (2018): a Gaussian "
                         "direction, each row rescaled to the norm of the same row of the "
                         "weight, so a step of 1 moves every unit by its own size:",
                         "평면의 방향은 Li 연구진(2018)을 따릅니다. 가우스 방향의 각 행을 가중치의 "
                         "같은 행의 노름으로 다시 맞춰, 크기 1만큼 움직이면 모든 유닛이 제 크기만큼 "
                         "움직입니다.");
    if (rc != 0)
        return rc;
    const double d = 100 * (v[0].nonconvex - v[1].nonconvex);
    lesson_say(ls,
               "On a %d x %d grid over [-1, 1]^2 of two such directions around the trained "
               "weights, the share of clearly non-convex points (where the surface curves down "
               "along an axis) is %.1f %% for %s and %.1f %% for %s: %s",
               "학습된 가중치 주위에서 이런 두 방향의 [-1, 1]^2을 %d x %d 격자로 나누면, 뚜렷하게 "
               "볼록하지 않은 점(축을 따라 아래로 휘는 점)의 비율은 %.1f %%(%s), %.1f %%(%s)입니다. %s",
               su->grid, su->grid, 100 * v[0].nonconvex, v[0].name, 100 * v[1].nonconvex,
               v[1].name,
               fabs(d) < 3.0
                   ? LESSON_T(ls, "about the same. Li et al. saw the plain net's surface turn "
                                  "chaotic at 56 layers; at this depth theirs was still smooth "
                                  "too (exercise 4 goes deeper).",
                              "거의 같습니다. Li 연구진은 plain 네트워크의 지형이 56층에서 혼란스러워지는 "
                              "것을 보았고, 이 깊이에서는 그들의 지형도 매끈했습니다(연습 4에서 더 깊이 "
                              "가 봅니다).")
               : d > 0 ? LESSON_T(ls, "the plain net's surface is the rougher one, as Li et al. "
                                      "found.",
                                  "Li 연구진의 관찰처럼 plain 네트워크의 지형이 더 거칩니다.")
                       : LESSON_T(ls, "here the residual net's surface is the rougher one, "
                                      "unlike Li et al.'s deeper nets.",
                                  "여기서는 Li 연구진의 더 깊은 네트워크와 달리 잔차 네트워크의 지형이 "
                                  "더 거칩니다."));
    const int steeper = v[0].surf_max >= v[1].surf_max ? 0 : 1;
    lesson_say(ls,
               "The share says nothing about how steep the bowl is: the largest loss on the "
               "grid is %.4g for %s and %.4g for %s, so %s's surface rises %.3g times higher "
               "over the same directions.",
               "이 비율은 그릇이 얼마나 가파른지는 말해 주지 않습니다. 격자에서 가장 큰 손실: "
               "%.4g(%s), %.4g(%s). 같은 방향에서 %s의 지형이 %.3g배 높이 솟습니다.",
               v[0].surf_max, v[0].name, v[1].surf_max, v[1].name, v[steeper].name,
               v[steeper].surf_max / v[1 - steeper].surf_max);
    const char *nets[LS_ARCHS] = {v[0].name, v[1].name}, *an[LS_ARCHS] = {"plain", "resnet"};
    const int depths[LS_ARCHS] = {su->depth, su->depth};
    double lo = INFINITY, hi = -INFINITY;
    for (int a = 0; a < LS_ARCHS; a++)
        for (int i = 0; i < su->grid * su->grid; i++) {
            lo = fmin(lo, log10(v[a].surf[i]));
            hi = fmax(hi, log10(v[a].surf[i]));
        }
    const gf_fig_land f = {.title = "Loss surfaces (log10 loss, one colour scale)", .subtitle = "",
                           .nets = nets, .archs = an, .depths = depths, .n_nets = LS_ARCHS,
                           .zlo = floor(2 * lo) / 2, .zhi = ceil(2 * hi) / 2};
    return lesson_figure(ls, "", "surface", gf_fig_land_contour_body, &f, 0,
                         "log10 of the training loss around the trained weights (the centre) "
                         "over two filter-normalized directions, one colour scale for both nets.",
                         "학습된 가중치(가운데) 주위, 필터 정규화한 두 방향 위 학습 손실의 log10. 두 "
                         "네트워크가 같은 색 눈금을 씁니다.");
}

int ls_step_landscape(lesson *ls, const ls_setup *su, ls_net *v)
{
    double alpha[LS_PATH], coords[64];
    for (int i = 0; i < LS_PATH; i++)
        alpha[i] = (i - 5) / 20.0; /* -0.25 .. 1.5, 0 and 1 exactly */
    for (int i = 0; i < su->grid; i++)
        coords[i] = 2.0 * i / (su->grid - 1) - 1.0;
    lesson_say(ls,
               "Two nets (depth %d, width %zu, batch norm, He init) train %d epoch%s by SGD on %zu "
               "%s images; then the lesson evaluates the training loss (batch norm in evaluation "
               "mode) along the straight line theta(a) = (1 - a) theta_0 + a theta_T from the "
               "initial weights (a = 0) through the trained ones (a = 1) and beyond.",
               "두 네트워크(깊이 %d, 너비 %zu, 배치 정규화, He 초기화)를 %d 에폭%.0s 동안 %zu장의 %s "
               "이미지로 SGD 학습시킨 뒤, 초기 가중치(a = 0)에서 학습된 가중치(a = 1)를 지나 그 너머까지 "
               "이어지는 직선 theta(a) = (1 - a) theta_0 + a theta_T 위에서 학습 손실을 잽니다(배치 "
               "정규화는 평가 모드).",
               su->depth, su->width, su->epochs, su->epochs == 1 ? "" : "s", su->ntrain,
               su->data_name);
    lesson_ask(ls,
               "Does the loss fall all the way along this straight line, or does training have "
               "to go around a hill? And what happens half a step past the trained weights?",
               "이 직선을 따라 손실이 끝까지 줄어들까요, 아니면 학습이 언덕을 돌아가야 할까요? 학습된 "
               "가중치를 반 걸음 지나치면 어떻게 될까요?");
    const gf_arch archs[LS_ARCHS] = {GF_ARCH_PLAIN, GF_ARCH_RESNET};
    for (int a = 0; a < LS_ARCHS; a++) {
        const int rc = view_net(ls, su, archs[a], alpha, coords, &v[a]);
        if (rc != 0)
            return rc;
    }
    tell_line(ls, su, v);
    return tell_plane(ls, su, v);
}

int ls_step_sharpness(lesson *ls, const ls_setup *su, const ls_net *v)
{
    const double mu = v[0].momentum, e0 = (2 + 2 * mu) / v[0].lr0,
                 e1 = (2 + 2 * mu) / v[0].lr_end;
    lesson_say(ls,
               "How sharply the loss curves is measured by the Hessian's eigenvalue of largest "
               "magnitude, over the first %zu training images (it can be negative: then the loss "
               "curves down most strongly along its direction). Cohen et al. (2021) found that "
               "full-batch training pushes it up until it reaches the edge of stability, 2 / lr "
               "for gradient descent and (2 + 2 momentum) / lr with momentum (here %.1f): %.4g "
               "at the first learning rate %g, %.4g at the last, %g.",
               "손실이 얼마나 가파르게 휘는지는 절댓값이 가장 큰 헤시안 고윳값으로 잽니다(처음 %zu장의 "
               "학습 이미지. 음수일 수도 있는데, 그때는 그 방향으로 손실이 가장 강하게 아래로 휩니다). Cohen 연구진(2021)은 전체 배치 학습이 이 값을 안정성의 경계, 경사 하강법에서는 "
               "2 / lr, 모멘텀(여기서는 %.1f)이 있으면 (2 + 2 momentum) / lr까지 밀어 올린다는 것을 "
               "보았습니다. 그 경계는 %.4g(첫 학습률 %g), %.4g(마지막 학습률 %g)입니다.",
               su->hess_images, mu, e0, v[0].lr0, e1, v[0].lr_end);
    int rc = lesson_code(ls, "hvp",
                         "The Hessian is never formed: power iteration needs only products H v, "
                         "and each is a central difference of two gradients (float64, the step "
                         "scaled by ||v||; the test checks it against the exact Hessian of a "
                         "small net):",
                         "헤시안을 직접 만들지 않습니다. 거듭제곱 반복에는 곱 H v만 필요하고, 그 곱은 "
                         "그래디언트 두 개의 중심 차분입니다(float64, 간격은 ||v||로 나눔. 테스트가 작은 "
                         "네트워크의 정확한 헤시안과 비교합니다).");
    if (rc != 0)
        return rc;
    lesson_ask(ls,
               "Step 2 measured how fast the loss climbs past the trained weights. Which net "
               "ends sharper after training? Will either stay above the edge of the "
               "first learning rate, %.4g?",
               "2단계에서 학습된 가중치를 지난 뒤 손실이 얼마나 빨리 오르는지 보았습니다. 학습 뒤 어느 "
               "네트워크가 더 날카로울까요? 첫 학습률의 경계 %.4g보다 큰 채로 남는 것이 있을까요?",
               e0);
    lesson_pre(ls, "%-12s %12s %12s %14s %14s", "net", "at init", "trained", "edge lr first",
               "edge lr last");
    for (int a = 0; a < LS_ARCHS; a++)
        lesson_pre(ls, "%-12s %12.4g %12.4g %14.4g %14.4g", v[a].name, v[a].lam0, v[a].lam1,
                   e0, e1);
    const int sharper = fabs(v[0].lam1) >= fabs(v[1].lam1) ? 0 : 1;
    char nm[96];
    lesson_josa(ls, nm, sizeof nm, v[sharper].name, "이/가");
    lesson_answer(ls,
                  "%s ends sharper: %.4g against %.4g, %.3g times as large. At initialization "
                  "the two were %.4g (%s) and %.4g (%s). After training, %s.",
                  "%s 더 날카롭게 끝납니다. %.4g 대 %.4g, 곧 %.3g배입니다. 초기화 시점의 값: %.4g(%s), "
                  "%.4g(%s). 학습 뒤에는 %s.",
                  nm, v[sharper].lam1, v[1 - sharper].lam1,
                  fabs(v[sharper].lam1 / v[1 - sharper].lam1), v[0].lam0, v[0].name, v[1].lam0,
                  v[1].name,
                  fabs(v[0].lam1) > e0 && fabs(v[1].lam1) > e0
                      ? LESSON_T(ls, "both lie above the first rate's edge: the last rates are "
                                     "small enough to let them",
                                 "둘 다 첫 학습률의 경계보다 큽니다. 마지막 학습률이 그만큼 작아서 "
                                 "허용됩니다")
                  : fabs(v[sharper].lam1) > e0
                      ? LESSON_T(ls, "only the sharper one lies above the first rate's edge, "
                                     "allowed by the smaller rates at the end",
                                 "더 날카로운 쪽만 첫 학습률의 경계보다 큽니다. 끝의 작은 학습률이 "
                                 "그것을 허용합니다")
                      : LESSON_T(ls, "both lie below the first rate's edge",
                                 "둘 다 첫 학습률의 경계 아래에 있습니다"));
    return 0;
}
