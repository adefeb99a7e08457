/* 02-degradation-read.c: lesson 02, Steps 2-5: what the measured errors,
 * curves and gradient norms say (main, the intro and Step 1: 02-degradation.c).
 *
 *   Step 2  training error against test error (degradation, not overfitting?);
 *   Step 3  the curves, epoch by epoch (figure 1, the library's recipe);
 *   Step 4  the residual nets: does the skip remove or shrink the depth gap?
 *   Step 5  ||dL/dx_0|| / ||dL/dx_B|| at the first and last probed step, and
 *           the gradient norm per depth during training (figure 2).
 *
 * Every sentence that states an outcome is chosen by the numbers it reports.
 */
#include "02-degradation.h"

#include <math.h>

/* ---- reading the result --------------------------------------------------- */

const gf_grid_net *dg_run(const gf_grid_result *res, int arch, int depth)
{
    for (int i = 0; i < res->n_runs; i++)
        if (res->runs[i].arch == ARCHS[arch] && res->runs[i].depth == depth &&
            res->runs[i].seed == res->spec.seed0)
            return &res->runs[i];
    return NULL;
}

/* Errors (percent) after epoch e (0-based), mean over the seeds that reached it. */
static int curve(const gf_grid_result *res, int arch, int depth, int e, double *train,
                 double *test)
{
    int n = 0;
    *train = *test = 0.0;
    for (int i = 0; i < res->n_runs; i++) {
        const gf_grid_net *r = &res->runs[i];
        if (r->arch != ARCHS[arch] || r->depth != depth || e >= r->epochs_done)
            continue;
        *train += 100.0 * r->hist[e].train_err;
        *test += 100.0 * r->hist[e].test_err;
        n++;
    }
    *train = n ? *train / n : NAN;
    *test = n ? *test / n : NAN;
    return n;
}

/* The last probed step of run r, or -1. */
static long last_probe(const gf_grid_net *r)
{
    return r->n_probes ? r->probes[r->n_probes - 1].step : -1;
}

void dg_read(const gf_grid_result *res, const setup *su, reading *rd)
{
    for (int a = 0; a < N_ARCHS; a++) {
        for (int k = 0; k < 2; k++) {
            double tsd, esd;
            gf_grid_final(res, ARCHS[a], su->depths[k], &rd->train[a][k], &tsd,
                             &rd->test[a][k], &esd, &rd->done[a][k]);
            rd->train[a][k] *= 100.0;
            rd->test[a][k] *= 100.0;
            const gf_grid_net *r = dg_run(res, a, su->depths[k]);
            rd->g_first[a][k] = rd->g_last[a][k] = NAN;
            rd->step_last[a][k] = -1;
            if (r && gf_grid_gradient_ends(r, &rd->g_first[a][k], &rd->g_last[a][k]) == 0)
                rd->step_last[a][k] = last_probe(r);
            else
                rd->g_last[a][k] = NAN;
        }
        rd->gap[a] = rd->done[a][SHALLOW] && rd->done[a][DEEP]
                         ? rd->train[a][DEEP] - rd->train[a][SHALLOW]
                         : NAN;
    }
}

/* ---- Step 2: training error against test error ---------------------------- */

/* When the deep plain net ends near chance: say so, against the syllabus' table. */
static void near_chance(lesson *ls, const setup *su, const reading *rd)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    const double ts = rd->train[PLAIN][SHALLOW], td = rd->train[PLAIN][DEEP];
    const double chance = 100.0 * (1.0 - 1.0 / (double)su->train.classes);
        if (td > 0.6 * chance)
            lesson_say(ls,
                       "Say it plainly: plain-%d has barely learned at all. %.2f%% is closer to "
                       "the %.0f%% of guessing than to plain-%d's %.2f%%. That is a far harsher "
                       "failure than in the table of the syllabus' section 1, where 56 layers "
                       "trained 1.5 points worse than 20. Step 5 finds where it starts: the "
                       "gradient of the untrained deep plain net.",
                       "분명히 말해 두면, plain-%d는 거의 배우지 못했습니다. %.2f%%는 무작위 추측의 "
                       "%.0f%%에 가깝고 plain-%d의 %.2f%%와는 거리가 멉니다. 강의 노트 1절의 표에서 56층이 "
                       "20층보다 1.5%%p 나빴던 것보다 훨씬 심한 실패입니다. 5단계에서 그 출발점, 학습 "
                       "전 깊은 plain 네트워크의 그래디언트를 봅니다.",
                       d, td, chance, s, ts);
}

int dg_step_errors(lesson *ls, const setup *su, const reading *rd)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    const double ts = rd->train[PLAIN][SHALLOW], td = rd->train[PLAIN][DEEP],
                 es = rd->test[PLAIN][SHALLOW], ed = rd->test[PLAIN][DEEP], gap = rd->gap[PLAIN];
    if (isnan(gap)) {
        lesson_say(ls,
                   "A plain net did not finish training, so the two depths cannot be compared "
                   "here (the message below the table says which one, and why).",
                   "plain 네트워크 하나가 학습을 끝내지 못해 두 깊이를 비교할 수 없습니다(어느 "
                   "것이 왜 멈췄는지는 표 아래의 메시지에 있습니다).");
        return 0;
    }
    lesson_say(ls,
               "First the two plain nets, on the images they were trained on: plain-%d ends at "
               "%.2f%% training error, plain-%d at %.2f%%, a difference of %+.2f points. For "
               "scale, guessing among %zu classes gives %.0f%%.",
               "먼저 두 plain 네트워크를 학습에 쓴 이미지에서 비교합니다. 최종 학습 오차는 "
               "plain-%d에서 %.2f%%, plain-%d에서 %.2f%%로, 차이는 %+.2f%%p입니다. 참고로 "
               "%zu개 클래스 중 하나를 무작위로 고르면(무작위 추측 수준, chance) 오차는 "
               "%.0f%%입니다.",
               s, ts, d, td, gap, su->train.classes,
               100.0 * (1.0 - 1.0 / (double)su->train.classes));
    if (gap > DG_TOL) {
        char why[512];
        if (ed - td < es - ts)
            dg_fmt(ls, why, sizeof why,
                   "The deeper net has the smaller gap between the two. It does not overfit; it "
                   "underfits: it has not even learned its training set as well as the "
                   "shallower net did.",
                   "두 오차의 차이는 오히려 깊은 네트워크 쪽이 작습니다. 과적합이 아니라 "
                   "과소적합입니다. 학습 데이터조차 얕은 네트워크만큼 익히지 못했습니다.");
        else
            dg_fmt(ls, why, sizeof why,
                   "The deeper net also has the larger gap between the two, but that cannot "
                   "explain its higher training error: overfitting lowers the training error, it "
                   "never raises it.",
                   "두 오차의 차이도 깊은 네트워크 쪽이 크지만, 그것으로 더 높은 학습 오차를 "
                   "설명할 수는 없습니다. 과적합은 학습 오차를 낮추지, 높이지 않습니다.");
        lesson_say(ls,
                   "The deeper net is worse at the very task it was optimized for: that is "
                   "degradation. Could it be overfitting instead? An overfit net fits its "
                   "training images well and new images badly: a low training error, and a "
                   "test error well above it. Here plain-%d's test error is %.2f%%, %+.2f "
                   "points from its training error; plain-%d's is %.2f%%, %+.2f points from its "
                   "own. %s",
                   "더 깊은 네트워크가 자신이 최적화한 바로 그 과제에서 더 나쁩니다. 이것이 성능 "
                   "저하입니다. 혹시 과적합은 아닐까요? 과적합된 네트워크는 학습 이미지는 잘 "
                   "맞추고 새 이미지는 틀립니다. 학습 오차는 낮고, 테스트 오차는 그보다 한참 "
                   "높습니다. 여기서 plain-%d의 테스트 오차는 %.2f%%로 자기 학습 오차와 "
                   "%+.2f%%p 차이이고, plain-%d에서는 %.2f%%로 %+.2f%%p 차이입니다. %s",
                   d, ed, ed - td, s, es, es - ts, why);
        near_chance(ls, su, rd);
    } else if (gap < -DG_TOL) {
        lesson_say(ls,
                   "Here the deeper plain net trains better: no degradation at this size and "
                   "budget. Its test error is %.2f%%, against %.2f%% for plain-%d. Look for "
                   "degradation in the larger runs of \"Try it\" below.",
                   "이번에는 더 깊은 plain 네트워크가 오히려 더 잘 학습됩니다. 이 크기와 "
                   "학습량에서는 성능 저하가 나타나지 않았습니다. 테스트 오차는 %.2f%%, 얕은 쪽은 "
                   "%.2f%%(plain-%d)입니다. 아래 \"직접 해 보기\"의 더 큰 실험에서 성능 저하를 "
                   "찾아보세요.",
                   ed, es, s);
    } else {
        lesson_say(ls,
                   "The two are within %.0f point of each other: at this size and budget the "
                   "extra layers neither help nor hurt the training error, and a difference this "
                   "small could come from the seed alone. Test errors: %.2f%% and %.2f%%.",
                   "두 값의 차이는 %.0f%%p 이내입니다. 이 크기와 학습량에서는 늘어난 층이 학습 "
                   "오차를 낮추지도 높이지도 않았고, 이 정도 차이는 시드만 바꿔도 생길 수 "
                   "있습니다. 테스트 오차는 %.2f%%와 %.2f%%입니다.",
                   DG_TOL, es, ed);
    }
    return 0;
}

/* ---- Step 3: the curves ---------------------------------------------------- */

/* Where the schedule cut the learning rate, read from the rates the trainer used. */
static void tell_schedule(lesson *ls, const setup *su, const gf_grid_result *res)
{
    const int s = su->depths[SHALLOW];
    /* the steps of the schedule, from the rates the trainer used */
    const gf_grid_net *r = dg_run(res, PLAIN, s);
    int cuts[GF_SCHED_MAX_MILESTONES], nc = 0;
    for (int e = 1; r && e < r->epochs_done && nc < GF_SCHED_MAX_MILESTONES; e++)
        if (r->hist[e].lr < r->hist[e - 1].lr)
            cuts[nc++] = e + 1;
    if (nc == 2)
        lesson_say(ls,
                   "During epochs %d and %d the schedule cuts the learning rate by a factor of "
                   "%g; where a curve takes a step down, look there.",
                   "학습률은 %d번째와 %d번째 에폭에서 각각 %g분의 1로 줄어듭니다. 곡선이 계단처럼 "
                   "내려가는 곳이 있다면 그 자리입니다.",
                   cuts[0], cuts[1], 1.0 / res->spec.train.sched.gamma);
}

int dg_step_curves(lesson *ls, const setup *su, const gf_grid_result *res,
                   const gf_degrade_figs *figs, const reading *rd)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP], E = res->spec.train.epochs;
    lesson_say(ls,
               "Figure 1 follows the same four nets epoch by epoch: training error solid, test "
               "error dashed, plain nets on the left, residual nets on the right.",
               "그림 1은 같은 네트워크 네 개를 에폭마다 보여 줍니다. 실선은 학습 오차, 점선은 "
               "테스트 오차이고, 왼쪽은 plain 네트워크, 오른쪽은 잔차 네트워크입니다.");
    int rc = lesson_figure(ls, "", "degradation", gf_fig_curves_body, &figs->curves, 1,
                           "Training (solid) and test (dashed) error per epoch; plain nets left, "
                           "residual nets right",
                           "에폭별 학습 오차(실선)와 테스트 오차(점선); 왼쪽 plain, 오른쪽 잔차 "
                           "네트워크");
    if (rc != 0 || isnan(rd->gap[PLAIN]))
        return rc;
    /* the deep plain net against the shallow one, epoch by epoch */
    int above = 0, n = 0, reach = -1, best_e = 0;
    double best = INFINITY, s1 = NAN, hug = 0.0;
    for (int e = 0; e < E; e++) {
        double trs, tes, trd, ted;
        if (!curve(res, PLAIN, s, e, &trs, &tes) || !curve(res, PLAIN, d, e, &trd, &ted))
            break;
        n++;
        above += trd > trs;
        if (e == 0)
            s1 = trs;
        if (trd < best) {
            best = trd;
            best_e = e + 1;
        }
        if (reach < 0 && trd <= s1)
            reach = e + 1;
        hug = fmax(hug, fabs(ted - trd));
    }
    char where[256], pace[512], why[256] = "";
    if (above == n)
        dg_fmt(ls, where, sizeof where,
               "The plain-%d curve lies above the plain-%d curve at every one of the %d epochs.",
               "plain-%d의 학습 곡선은 plain-%d보다 %d 에폭 내내 위에 있습니다.", d, s, n);
    else
        dg_fmt(ls, where, sizeof where,
               "The plain-%d curve lies above the plain-%d curve at %d of the %d epochs.",
               "plain-%d의 학습 곡선은 plain-%d보다 %d번 위에 있습니다(전체 %d 에폭 중).", d,
               s, above, n);
    if (reach < 0)
        dg_fmt(ls, pace, sizeof pace,
               "Its best training error in all %d epochs, %.2f%% (epoch %d), is still worse "
               "than what plain-%d reached after its first epoch, %.2f%%.",
               "%d 에폭 동안 가장 좋았던 학습 오차도 %.2f%%(%d 에폭째)로, plain-%d의 첫 에폭 "
               "학습 오차 %.2f%%보다 나쁩니다.",
               n, best, best_e, s, s1);
    else if (reach > 1)
        dg_fmt(ls, pace, sizeof pace,
               "It needs %d epochs to reach the training error plain-%d had after one (%.2f%%).",
               "%d 에폭이 지나서야 plain-%d의 첫 에폭 학습 오차(%.2f%%)에 이릅니다.",
               reach, s, s1);
    else
        dg_fmt(ls, pace, sizeof pace,
               "After one epoch it is already at %.2f%%, no worse than plain-%d's %.2f%%.",
               "첫 에폭 뒤에 이미 %.2f%%로, plain-%d의 %.2f%%보다 나쁘지 않습니다.", best, s, s1);
    if (rd->gap[PLAIN] > DG_TOL)
        dg_fmt(ls, why, sizeof why,
               " Whatever holds the deep plain net back shows on the training set already, not "
               "only on new data.",
               " 깊은 plain 네트워크의 발목을 잡는 것이 무엇이든, 그것은 새 데이터에서만이 아니라 "
               "학습 데이터에서 이미 드러납니다.");
    lesson_say(ls,
               "%s %s Its dashed test curve stays within %.2f points of its solid training curve "
               "at every epoch.%s",
               "%s %s 깊은 쪽의 점선(테스트)은 모든 에폭에서 실선(학습)과 %.2f%%p 안에 붙어 "
               "있습니다.%s",
               where, pace, hug, why);
    tell_schedule(ls, su, res);
    return 0;
}

/* ---- Step 4: the residual nets ------------------------------------------------ */

/* Optimizer steps that run r took. */
static long last_step(const gf_grid_net *r)
{
    return r && r->epochs_done ? r->hist[r->epochs_done - 1].step : 0;
}

/* The sentence on the depth gap once the skip is added, into buf (left
 * empty when the plain nets' gap is unknown); steps: the deep resnet's. */
static void gap_verdict(lesson *ls, const setup *su, const reading *rd, long steps, char *buf,
                        size_t size)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    const double gp = rd->gap[PLAIN], gr = rd->gap[RESNET];
    if (!isnan(gp) && gp > DG_TOL) {
        if (gr < -DG_TOL)
            dg_fmt(ls, buf, size,
                   "The depth gap is gone, and reversed: the deeper residual net trains better "
                   "than the shallower one, by %.2f points. With the skip, the extra layers pay "
                   "off.",
                   "깊이에 따른 차이가 사라졌을 뿐 아니라 뒤집혔습니다. 깊은 잔차 네트워크가 얕은 "
                   "쪽보다 %.2f%%p 더 잘 학습됩니다. 스킵이 있으면 늘어난 층이 제 몫을 합니다.",
                   -gr);
        else if (gr <= DG_TOL)
            dg_fmt(ls, buf, size,
                   "The depth gap is gone: the two residual nets end within %.0f point of each "
                   "other, where the plain nets were %.2f points apart.",
                   "깊이에 따른 차이가 사라졌습니다. 두 잔차 네트워크는 %.0f%%p 안에서 끝납니다. "
                   "plain 네트워크가 %.2f%%p나 벌어졌던 것과 대조적입니다.",
                   DG_TOL, gp);
        else if (gr < gp)
            dg_fmt(ls, buf, size,
                   "The skip shrinks the depth gap from %.2f points (plain) to %.2f, %.1f times "
                   "smaller, but does not remove it in this budget: resnet-%d still trains "
                   "slower than resnet-%d after %ld steps. He et al. trained far longer, and "
                   "their deeper ResNets ended ahead of the shallower ones; whether that happens "
                   "here with more epochs is one of the experiments in \"Try it\".",
                   "스킵은 깊이에 따른 차이를 %.2f%%p(plain)에서 %.2f%%p로, %.1f배 줄입니다. "
                   "하지만 이 학습량에서는 없애지 못합니다. resnet-%d 쪽이 여전히 resnet-%d보다 "
                   "느리게 학습됩니다(%ld 스텝 학습 후). He 연구진은 훨씬 오래 학습했고, 거기서는 "
                   "깊은 ResNet이 얕은 쪽을 앞섰습니다. 여기서도 에폭을 늘리면 그렇게 되는지는 "
                   "\"직접 해 보기\"의 실험 가운데 하나입니다.",
                   gp, gr, gp / gr, d, s, steps);
        else
            dg_fmt(ls, buf, size,
                   "The skip does not shrink the gap here: %.2f points for the residual nets "
                   "against %.2f for the plain ones.",
                   "여기서는 스킵이 차이를 줄이지 못합니다. 잔차 네트워크는 %.2f%%p, plain "
                   "네트워크는 %.2f%%p 차이입니다.",
                   gr, gp);
    } else if (!isnan(gp)) {
        dg_fmt(ls, buf, size,
               "The plain nets showed no degradation in this run, so there was no depth gap for "
               "the skip to close.",
               "이번 실행에서는 plain 네트워크에 성능 저하가 없었으므로, 스킵이 메울 깊이 "
               "차이도 없었습니다.");
    }
}

/* " At d layers, ...": the residual against the plain net at the deep depth,
 * into buf (left empty when the plain net did not finish). */
static void deep_verdict(lesson *ls, const setup *su, const reading *rd, char *buf, size_t size)
{
    const int d = su->depths[DEEP];
    if (rd->done[PLAIN][DEEP]) {
        const double diff = rd->train[PLAIN][DEEP] - rd->train[RESNET][DEEP];
        if (diff > DG_TOL)
            dg_fmt(ls, buf, size,
                   " At %d layers, the residual net ends %.2f points below the plain one.",
                   " %d층끼리 비교하면 잔차 네트워크의 학습 오차가 plain 네트워크보다 %.2f%%p "
                   "낮습니다.",
                   d, diff);
        else if (diff < -DG_TOL)
            dg_fmt(ls, buf, size,
                   " At %d layers, the residual net ends %.2f points above the plain one.",
                   " %d층끼리 비교하면 잔차 네트워크의 학습 오차가 plain 네트워크보다 %.2f%%p "
                   "높습니다.",
                   d, -diff);
        else
            dg_fmt(ls, buf, size,
                   " At %d layers, the residual and the plain net end within %.0f point.",
                   " %d층끼리 비교하면 잔차 네트워크와 plain 네트워크의 차이는 %.0f%%p "
                   "이내입니다.",
                   d, DG_TOL);
    }
}

int dg_step_residual(lesson *ls, const setup *su, const gf_grid_result *res,
                     const reading *rd)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    const double gr = rd->gap[RESNET];
    if (isnan(gr)) {
        lesson_say(ls, "A residual net did not finish training, so there is nothing to compare.",
                   "잔차 네트워크 하나가 학습을 끝내지 못해 비교할 것이 없습니다.");
        return 0;
    }
    lesson_say(ls,
               "In a residual block, F = 0 makes the whole block the identity (its input "
               "already comes out of a ReLU, so the ReLU after the sum changes nothing), and "
               "the construction above comes almost for free: the optimizer only has to keep "
               "the branches of the extra blocks small. The right panel of Figure 1 shows "
               "whether that helps. resnet-%d ends at %.2f%% training error, resnet-%d at "
               "%.2f%%: a difference of %+.2f points.",
               "잔차 블록에서는 F = 0이면 블록 전체가 항등 변환이 됩니다(블록의 입력이 이미 "
               "ReLU를 거쳐 나온 값이므로, 덧셈 뒤의 ReLU는 아무것도 바꾸지 않습니다). 앞에서 본 "
               "구성, 즉 늘어난 층이 항등 변환을 하는 해를 거의 공짜로 얻는 셈입니다. 최적화는 "
               "늘어난 블록의 가지를 작게 유지하기만 하면 됩니다. 그것이 실제로 도움이 되는지는 그림 1의 오른쪽 패널에 "
               "있습니다. 최종 학습 오차는 resnet-%d에서 %.2f%%, resnet-%d에서 %.2f%%로, 차이는 "
               "%+.2f%%p입니다.",
               s, rd->train[RESNET][SHALLOW], d, rd->train[RESNET][DEEP], gr);
    char verdict[1024] = "", deep[256] = "";
    gap_verdict(ls, su, rd, last_step(dg_run(res, RESNET, d)), verdict, sizeof verdict);
    deep_verdict(ls, su, rd, deep, sizeof deep);
    if (*verdict || *deep)
        lesson_say(ls, "%s%s", "%s%s", verdict, *verdict ? deep : deep + 1);
    return 0;
}

/* ---- Step 5: the gradients ------------------------------------------------------ */

/* A log10 ratio as "10^+1.23"; "0" when the numerator is zero, "n/a" if unknown. */
const char *dg_ratio_text(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "n/a");
    else if (isinf(v))
        snprintf(buf, size, "%s", v < 0 ? "0" : "inf");
    else
        snprintf(buf, size, "10^%+.2f", v);
    return buf;
}

/* log10 of the gain per weight layer that a log10 ratio over a depth works out to. */
static double per_layer(double ratio, int depth) { return ratio / (double)(depth - 2); }

/* The reading of the deep plain net's gradient at the end of training. */
static void read_last(lesson *ls, const setup *su, const reading *rd, char *buf, size_t size)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    const double g1 = rd->g_last[PLAIN][DEEP], gp = rd->gap[PLAIN];
    char then[768] = "";
    if (fabs(g1) < 1.0 && gp > DG_TOL)
        dg_fmt(ls, then, sizeof then,
               " Yet this net's training error is %.2f points higher than plain-%d's. The "
               "gradient that reaches its first layers is not too small, so vanishing gradients "
               "alone do not explain this degradation. That is how He et al. read their own "
               "plain nets; they suspected instead that deep plain nets converge far more "
               "slowly, for reasons a gradient norm does not show.",
               " 그런데도 이 네트워크의 학습 오차는 %.2f%%p 더 높습니다(plain-%d 대비). 첫 층에 "
               "도착하는 그래디언트가 작지 않으니, 그래디언트 소실만으로는 이 성능 저하를 설명할 "
               "수 없습니다. He 연구진도 자신들의 plain 네트워크를 이렇게 읽었고, 대신 깊은 plain "
               "네트워크는 수렴이 훨씬 느린 것이라고 추측했습니다. 그 이유는 그래디언트 노름에 "
               "드러나지 않습니다.",
               gp, s);
    else if (g1 <= -1.0 && gp > DG_TOL)
        dg_fmt(ls, then, sizeof then,
               " In this run, then, the gradient does fade by the end of training, and "
               "vanishing may be part of this degradation, unlike in He et al.'s nets.",
               " 이번 실행에서는 학습이 끝날 무렵 그래디언트가 실제로 약해지므로, He 연구진의 "
               "네트워크와 달리 소실이 이 성능 저하의 원인 가운데 하나일 수 있습니다.");
    if (fabs(g1) < 1.0)
        dg_fmt(ls, buf, size,
               "At the last step, plain-%d's gradient at x_0 is 10^%+.2f times the one at x_B: "
               "within one decade, so nothing vanishes on the way to the first layers.%s",
               "마지막 스텝에서 plain-%d의 x_0 그래디언트는 x_B의 10^%+.2f배입니다. 한 자릿수 "
               "안이므로, 첫 층까지 가는 동안 사라지는 것은 없습니다.%s",
               d, g1, then);
    else if (isinf(g1) && g1 < 0)
        dg_fmt(ls, buf, size,
               "At the last step, plain-%d's gradient at x_0 is exactly zero: nothing reaches "
               "the first layers any more.%s",
               "마지막 스텝에서 plain-%d의 x_0 그래디언트는 정확히 0입니다. 첫 층에는 아무것도 "
               "도착하지 않습니다.%s",
               d, then);
    else if (g1 <= -1.0)
        dg_fmt(ls, buf, size,
               "At the last step, plain-%d's gradient shrinks toward the input: x_0 gets "
               "10^%+.2f of what x_B gets.%s",
               "마지막 스텝에서 plain-%d의 그래디언트는 입력 쪽으로 갈수록 줄어듭니다. x_0의 "
               "그래디언트는 x_B의 10^%+.2f배입니다.%s",
               d, g1, then);
    else
        dg_fmt(ls, buf, size,
               "At the last step, plain-%d's gradient still grows toward the input: x_0 gets "
               "10^%+.2f times what x_B gets.",
               "마지막 스텝에서도 plain-%d의 그래디언트는 입력 쪽으로 커집니다. x_0의 "
               "그래디언트는 x_B의 10^%+.2f배입니다.",
               d, g1);
}

/* The reading at initialization: growth toward the input, and Yang et al. */
static void read_init(lesson *ls, const setup *su, const reading *rd)
{
    const int s = su->depths[SHALLOW], d = su->depths[DEEP];
    const double g0 = rd->g_first[PLAIN][DEEP], g1 = rd->g_last[PLAIN][DEEP],
                 g0s = rd->g_first[PLAIN][SHALLOW];
    if (!(g0 > 1.0)) {
        lesson_say(ls,
                   "At step 0, plain-%d's gradient changes by a factor of 10^%+.2f from x_B to "
                   "x_0: no explosion in this run, although Yang et al. (2019, \"A mean field "
                   "theory of batch normalization\") showed that in deep fully connected "
                   "networks with batch normalization the gradient grows exponentially with "
                   "depth at initialization.",
                   "0번째 스텝에서 plain-%d의 그래디언트는 x_B에서 x_0까지 10^%+.2f배 변합니다. "
                   "이번 실행에서는 폭발이 없었습니다. 하지만 Yang 연구진(2019, \"A mean field "
                   "theory of batch normalization\")은 배치 정규화를 쓴 깊은 완전 연결 "
                   "네트워크에서 초기화 시점의 그래디언트가 깊이에 따라 지수적으로 커진다는 것을 "
                   "보였습니다.",
                   d, g0);
        return;
    }
    const double rdeep = per_layer(g0, d), rs = per_layer(g0s, s);
    char same[256] = "", tame[512] = "";
    if (rs > 0 && fabs(rdeep - rs) <= 0.25 * fmax(rdeep, rs))
        dg_fmt(ls, same, sizeof same,
               " About the same gain per layer at both depths: the growth is exponential in "
               "depth.",
               " 두 깊이에서 층당 배율이 거의 같습니다. 즉 깊이에 대해 지수적으로 커집니다.");
    lesson_say(ls,
               "At step 0 the picture is the opposite of vanishing: plain-%d's gradient grows "
               "toward the input by %.2f decades, a gain of %.3f per weight layer; plain-%d's "
               "grows by %.2f decades, %.3f per layer.%s",
               "0번째 스텝에서는 소실과 정반대입니다. plain-%d의 그래디언트는 입력 쪽으로 "
               "%.2f자리 커지고, 가중치 층 하나당 %.3f배입니다. plain-%d에서는 %.2f자리, 층당 "
               "%.3f배입니다.%s",
               d, g0, pow(10.0, rdeep), s, g0s, pow(10.0, rs), same);
    if (fabs(g1) < g0)
        dg_fmt(ls, tame, sizeof tame,
               " Training tames it: by the last step the ratio is down to 10^%+.2f. Yang et al. "
               "also saw the gradients settle once optimization starts; Figure 2 shows the "
               "probed steps in between.",
               " 학습이 시작되면 폭발은 가라앉습니다. 마지막 스텝에서 비는 10^%+.2f까지 "
               "내려옵니다. Yang 연구진도 최적화가 시작되면 그래디언트가 안정된다는 것을 "
               "관찰했습니다. 그 사이의 기록 스텝은 그림 2에 있습니다.",
               g1);
    lesson_say(ls,
               "This is a known result. Yang et al. (2019, \"A mean field theory of batch "
               "normalization\") showed that in fully connected networks with batch "
               "normalization, like these, the gradient explodes exponentially with depth at "
               "initialization, and that no choice of initialization or activation removes it: "
               "batch normalization itself is the cause.%s",
               "이미 알려진 결과입니다. Yang 연구진(2019, \"A mean field theory of batch "
               "normalization\")은 배치 정규화를 쓴 완전 연결 네트워크(바로 이런 네트워크)에서 "
               "초기화 시점의 그래디언트가 깊이에 따라 지수적으로 폭발하며, 초기화나 활성화 "
               "함수를 어떻게 골라도 없앨 수 없다는 것을 보였습니다. 원인은 배치 정규화 "
               "자체입니다.%s",
               tame);
}

int dg_step_gradients(lesson *ls, const setup *su, const gf_grid_result *res,
                      const gf_degrade_figs *figs, const reading *rd)
{
    const int d = su->depths[DEEP];
    lesson_say(ls,
               "If deeper plain nets train worse, the first suspect is what lesson 01 measured: "
               "a gradient that shrinks layer by layer on its way back, so that the first layers "
               "barely learn. He et al. ruled this out for their plain nets: they used batch "
               "normalization, which keeps the signal in every layer at a healthy scale, and "
               "checked that the backward gradients had healthy norms too. The trainer here "
               "recorded ||dL/dx_l|| at every block boundary (on that step's training batch, "
               "before the update). Below, the ratio of the gradient at x_0 (the stem's output) "
               "to the one at x_B (the head's input) at the first and at the last probed step, "
               "as a power of ten; a negative exponent means the gradient shrinks toward the "
               "input. The last column turns the ratio at step 0 into a gain per weight layer.",
               "깊은 plain 네트워크가 더 나쁘게 학습된다면, 먼저 의심할 것은 1강에서 잰 "
               "그래디언트 소실(기울기 소실)입니다. 그래디언트가 입력 쪽으로 돌아가며 층마다 "
               "줄어들어 앞쪽 층이 거의 배우지 못하는 것이죠. He 연구진은 자신들의 plain 네트워크에서 이 가능성을 "
               "배제했습니다. 배치 정규화로 모든 층의 신호 크기를 적당하게 유지했고, 역전파되는 "
               "그래디언트의 노름도 정상임을 확인했습니다. 여기서도 학습기가 블록 경계마다 "
               "||dL/dx_l||를 기록했습니다(그 스텝의 학습 배치에서, 가중치를 갱신하기 전에). 아래 "
               "표는 x_0(stem의 출력)과 x_B(출력층의 입력)에서 잰 그래디언트의 비를 첫 번째와 "
               "마지막 기록 스텝에서 10의 거듭제곱으로 나타낸 것입니다. 지수가 음수면 입력 쪽으로 "
               "갈수록 줄어든다는 뜻입니다. 마지막 열은 0번째 스텝의 비를 가중치 층 하나당 "
               "배율로 환산한 값입니다.");
    char last_head[32];
    snprintf(last_head, sizeof last_head, "step %ld", rd->step_last[PLAIN][DEEP]);
    lesson_pre(ls, "%-10s %6s %10s %12s %11s", "net", "blocks", "step 0", last_head,
               "gain/layer");
    for (int a = 0; a < N_ARCHS; a++)
        for (int k = 0; k < 2; k++) {
            const int depth = su->depths[k];
            char name[24], f[24], l[24];
            snprintf(name, sizeof name, "%s-%d", gf_arch_names[ARCHS[a]], depth);
            dg_ratio_text(f, sizeof f, rd->g_first[a][k]);
            dg_ratio_text(l, sizeof l, rd->g_last[a][k]);
            lesson_pre(ls, "%-10s %6d %10s %12s %11.3f", name, (depth - 2) / 2, f, l,
                       pow(10.0, per_layer(rd->g_first[a][k], depth)));
        }
    if (isnan(rd->g_first[PLAIN][DEEP]) || isnan(rd->g_last[PLAIN][DEEP])) {
        lesson_say(ls, "plain-%d has no gradient records at two steps; nothing to read.",
                   "plain-%d에는 두 스텝의 그래디언트 기록이 없어 읽을 것이 없습니다.", d);
        return 0;
    }
    char last[1536];
    read_last(ls, su, rd, last, sizeof last);
    lesson_say(ls, "%s", "%s", last);
    read_init(ls, su, rd);
    const double g0 = rd->g_first[PLAIN][DEEP], r0 = rd->g_first[RESNET][DEEP],
                 r1 = rd->g_last[RESNET][DEEP];
    if (!isnan(r0) && !isnan(r1))
        lesson_say(ls, "resnet-%d: 10^%+.2f at step 0 and 10^%+.2f at the last step%s",
                   "resnet-%d의 비는 0번째 스텝에서 10^%+.2f, 마지막 스텝에서 10^%+.2f%s", d, r0, r1,
                   r0 < g0 ? LESSON_T(ls, "; at initialization it grows less than the plain "
                                          "net's.",
                                      "입니다. 초기화 시점에 커지는 폭이 plain 네트워크보다 "
                                      "작습니다.")
                           : LESSON_T(ls, ".", "입니다."));
    char cap_en[256], cap_ko[256];
    snprintf(cap_en, sizeof cap_en,
             "||dL/dx_l|| at every block boundary of the %d-layer nets, from step 0 (light) to "
             "the last step (dark); seed %ld",
             d, res->spec.seed0);
    snprintf(cap_ko, sizeof cap_ko,
             "%d층 네트워크의 블록 경계마다 잰 ||dL/dx_l||, 0번째 스텝(연한 색)부터 마지막 "
             "스텝(진한 색)까지; 시드 %ld",
             d, res->spec.seed0);
    return lesson_figure(ls, "", "gradnorm_training", gf_fig_training_norms_body, &figs->norms,
                         0, cap_en, cap_ko);
}
