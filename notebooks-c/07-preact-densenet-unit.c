/* 07-preact-densenet-unit.c: lesson 07, Part A: the post-activation unit
 * (cnn-resnet, He et al. 2015) against the pre-activation unit (cnn-preact,
 * He et al. 2016) at initialization.
 *
 * gf_gradnorm_run measures both at every depth (probes at every block
 * boundary with the skip / branch split); the deepest resnet is then run
 * again with the same seed and batch (gradnorm's: the seed draws the weights,
 * then the batch) to count the entries the ReLU after the sum switches off.
 */
#include "07-preact-densenet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const gf_arch ARCHS[PD_ARCHS] = {GF_ARCH_CNN_RESNET, GF_ARCH_CNN_PREACT};
static const char *const ARCH_NAMES[PD_ARCHS] = {"cnn-resnet", "cnn-preact"};

/* Blocks of a cnn with B blocks whose skip is the identity: not the first
 * block of stages 2 and 3 (option A there subsamples and pads channels). */
static int identity_skip(int l, int B) { return l != B / 3 && l != 2 * B / 3; }

static gf_stack_config base_config(const pd_setup *su, int depth)
{
    gf_stack_config c = gf_stack_config_default();
    c.depth = depth;
    c.in_dim = su->data.dim;
    c.classes = su->data.classes;
    c.width_mult = su->width_mult;
    return c;
}

/* The split of the deepest depth: the skip term of x_l against dL/dx_{l+1}
 * (its source), and the branch term against the skip term. */
static void split_stats(const gf_gradnorm_result *res, int seeds, pd_unit_facts *f)
{
    const int B = res->blocks;
    f->blocks_measured = 0;
    for (int l = 0; l < B; l++)
        f->blocks_measured += identity_skip(l, B);
    for (int a = 0; a < PD_ARCHS; a++) {
        double kept = 0.0, br = 0.0, lo = INFINITY;
        int n = 0;
        for (int s = 0; s < seeds; s++)
            for (int l = 0; l < B; l++) {
                const gf_probe_record *x = gf_gradnorm_block(res, a, s, l),
                                      *y = gf_gradnorm_block(res, a, s, l + 1);
                if (!identity_skip(l, B) || !x || !y || !x->has_split)
                    continue;
                const double k = exp2(x->log2_skip - y->log2_frob);
                kept += k;
                lo = fmin(lo, k);
                br += (x->log2_branch - x->log2_skip) * GF_LOG10_2;
                n++;
            }
        f->kept[a] = n ? kept / n : NAN;
        f->kept_min[a] = lo;
        f->branch[a] = n ? br / n : NAN;
    }
}

/* The deepest cnn-resnet again, seed by seed: the fraction of the entries of
 * x_l + F(x_l) that the ReLU after the sum sets to zero (where relu' = 0). */
static int count_zeroed(lesson *ls, const pd_setup *su, int depth, pd_unit_facts *f)
{
    gf_stack_config c = base_config(su, depth);
    c.arch = GF_ARCH_CNN_RESNET;
    char why[512];
    gf_model *m = gf_arch_model_alloc(&c, why, sizeof why);
    gf_tape *tape = gf_tape_alloc(0);
    gf_recorder rec;
    gf_recorder_init(&rec);
    const size_t in = su->data.dim;
    double *xb = malloc(su->batch * in * sizeof *xb), *d = NULL;
    int *labels = malloc(su->batch * sizeof *labels), rc = 0;
    if (!m || !tape || !xb || !labels) {
        rc = lesson_fail(ls, LESSON_RUNTIME, "%s", m ? "out of memory" : why);
        goto out;
    }
    const int B = gf_model_blocks(m);
    double zero = 0.0, lo = INFINITY, hi = -INFINITY;
    int n = 0;
    for (int s = 0; s < su->seeds && rc == 0; s++) {
        gsl_rng *rng = gf_rng_alloc(1 + (unsigned long)s); /* gradnorm's seed0 = 1 */
        gf_model_init(m, rng);
        gf_dataset_sample(&su->data, rng, su->batch, xb, labels);
        gsl_rng_free(rng);
        gf_tape_reset(tape);
        gf_tensor *x = gf_tape_input(tape, su->batch, in);
        if (x)
            memcpy(x->v, xb, su->batch * in * sizeof *xb);
        gf_tensor *z = x ? gf_model_forward(m, tape, x, &rec, NULL) : NULL;
        if (!z) {
            rc = lesson_fail(ls, LESSON_RUNTIME, "cnn-resnet forward: %s", gf_tape_error(tape));
            break;
        }
        for (int l = 0; l < B; l++) {
            const gf_tensor *y = gf_recorder_find(&rec, GF_PROBE_BLOCK, l + 1)->tensor;
            const size_t count = gf_tensor_size(y);
            double *dd = realloc(d, count * sizeof *d);
            if (!dd) {
                rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory");
                break;
            }
            d = dd;
            gf_model_post_derivative(m, l, y->v, d, count);
            size_t zeros = 0;
            for (size_t i = 0; i < count; i++)
                zeros += d[i] == 0.0;
            const double fr = (double)zeros / (double)count;
            zero += fr;
            lo = fmin(lo, fr);
            hi = fmax(hi, fr);
            n++;
        }
    }
    f->zero_frac = n ? zero / n : NAN;
    f->zero_min = lo;
    f->zero_max = hi;
out:
    free(d);
    free(xb);
    free(labels);
    gf_recorder_release(&rec);
    gf_tape_free(tape);
    gf_model_free(m);
    return rc;
}

static int measure_unit(lesson *ls, const pd_setup *su, pd_unit_facts *f)
{
    for (int i = 0; i < su->n_depths; i++) {
        gf_gradnorm_spec spec = {.base = base_config(su, su->depths[i]), .archs = ARCHS,
                                 .n_archs = PD_ARCHS, .seeds = su->seeds, .seed0 = 1,
                                 .batch = su->batch, .data = &su->data};
        char why[512], sub[64], path[GF_PATH_MAX];
        if (gf_gradnorm_run(&spec, &f->res[i], why, sizeof why) != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        snprintf(sub, sizeof sub, "units-depth%d", su->depths[i]);
        if (lesson_dir(ls, sub, path, sizeof path) != 0)
            return LESSON_RUNTIME;
        if (gf_gradnorm_write(&f->res[i], path, why, sizeof why) != 0)
            return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
        for (int a = 0; a < PD_ARCHS; a++) {
            double first, last, lo, hi;
            gf_gradnorm_block_stats(&f->res[i], a, 0, &first, &lo, &hi);
            gf_gradnorm_block_stats(&f->res[i], a, f->res[i].blocks, &last, &lo, &hi);
            f->change[i][a] = first - last;
        }
    }
    split_stats(&f->res[su->n_depths - 1], su->seeds, f);
    return count_zeroed(ls, su, su->depths[su->n_depths - 1], f);
}

void pd_unit_release(pd_unit_facts *f, int n)
{
    for (int i = 0; i < n; i++)
        gf_gradnorm_release(&f->res[i]);
}

/* ---- the story ----------------------------------------------------------------- */

static int tell_code(lesson *ls)
{
    lesson_say(ls,
               "Both units are built by one function of the library, `branch` in "
               "`src/model/cnn_forward.c`. The pre-activation unit starts with batch norm and "
               "ReLU and ends with a convolution; the post-activation unit ends with batch norm:",
               "두 단위(unit)는 라이브러리의 한 함수, `src/model/cnn_forward.c`의 `branch`가 "
               "만듭니다. 사전 활성화(pre-activation) 단위는 배치 정규화와 ReLU로 시작해서 "
               "합성곱으로 끝나고, 사후 활성화(post-activation) 단위는 배치 정규화로 끝납니다.");
    int rc = lesson_code(ls, "preact-branch", "The branch F of both units:",
                         "두 단위의 가지(branch) F:");
    if (rc)
        return rc;
    lesson_say(ls,
               "The difference that matters is where the sum goes. cnn-preact adds and stops "
               "(`gf_add`); cnn-resnet adds and applies a ReLU in the same op (`gf_add_relu`):",
               "중요한 차이는 합이 어디로 가는가입니다. cnn-preact는 더하고 끝나며(`gf_add`), "
               "cnn-resnet은 더한 뒤 같은 연산 안에서 ReLU를 씌웁니다(`gf_add_relu`).");
    return lesson_code(ls, "unit-add", "The addition of the skip S x and the branch f:",
                       "스킵 S x와 가지 f의 덧셈:");
}

static void tell_zeroed(lesson *ls, const pd_setup *su, const pd_unit_facts *f)
{
    const int depth = su->depths[su->n_depths - 1];
    lesson_math(ls, "post-activation:  dL/dx_l = D_l (dL/dx_{l+1}) + J_F^T D_l (dL/dx_{l+1}),"
                    "  D_l = diag(relu'(x_l + F(x_l)))",
                "\\frac{\\partial L}{\\partial x_l} = D_l\\,g_{l+1} + J_F^\\top D_l\\,g_{l+1},"
                "\\quad D_l = \\mathrm{diag}\\,\\mathrm{relu}'(x_l + F(x_l))");
    lesson_ask(ls,
               "In cnn-resnet the skip term of dL/dx_l is not dL/dx_{l+1} but D_l times it: "
               "wherever x_l + F(x_l) is negative, the ReLU after the sum zeroes the gradient "
               "on the skip path too. At initialization x_l is the output of a ReLU (never "
               "negative) and F(x_l) ends with batch norm (mean 0, variance 1 per channel). "
               "Will D_l zero half of the entries, more, or fewer? And in cnn-preact?",
               "cnn-resnet에서 dL/dx_l의 스킵 항은 dL/dx_{l+1}이 아니라 거기에 D_l을 곱한 "
               "것입니다. x_l + F(x_l)이 음수인 곳에서는 합 뒤의 ReLU가 스킵 경로의 "
               "그래디언트까지 0으로 만듭니다. 초기화 시점에 x_l은 ReLU의 출력(음수가 "
               "아님)이고 F(x_l)은 배치 정규화로 끝납니다(채널마다 평균 0, 분산 1). D_l은 "
               "성분의 절반을 0으로 만들까요, 그보다 많이, 아니면 적게? cnn-preact에서는요?");
    const int half = f->zero_frac < 0.5;
    lesson_answer(ls,
                  "Measured in cnn-resnet-%d (%d seeds, every block): D_l zeroes %.1f %% of the "
                  "entries on average (%.1f %% to %.1f %% by block), %s On the %d blocks with an "
                  "identity skip the skip term keeps %.3f of the norm of dL/dx_{l+1} on average "
                  "(the worst block %.3f). In cnn-preact nothing follows the sum: the skip term "
                  "keeps %.3f of it, the whole gradient.",
                  "cnn-resnet-%d에서 잰 값(시드 %d개, 모든 블록): D_l은 성분의 평균 %.1f %%를 "
                  "0으로 만듭니다(블록별 %.1f %% ~ %.1f %%). %s 항등 스킵을 가진 블록 %d개에서 "
                  "스킵 항은 dL/dx_{l+1} 노름의 평균 %.3f만 남깁니다(가장 나쁜 블록 %.3f). "
                  "cnn-preact에서는 합 뒤에 아무것도 없어서 스킵 항이 그 %.3f, 곧 그래디언트 "
                  "전체를 남깁니다.",
                  depth, su->seeds, 100.0 * f->zero_frac, 100.0 * f->zero_min,
                  100.0 * f->zero_max,
                  half ? LESSON_T(ls, "fewer than half: x_l >= 0 pushes the sum to the right.",
                                  "절반보다 적습니다. x_l >= 0이 합을 오른쪽으로 밉니다.")
                       : LESSON_T(ls, "at least half, although x_l >= 0 pushes the sum to the "
                                      "right.",
                                  "x_l >= 0이 합을 오른쪽으로 미는데도 절반 이상입니다."),
                  f->blocks_measured, f->kept[0], f->kept_min[0], f->kept[1]);
    lesson_say(ls,
               "So the post-activation unit's \"highway\" has tolls: every block lets only part "
               "of the gradient through its identity path. The branch term is added to what is "
               "left: log10 ||branch|| / ||skip|| averages %.2f in cnn-resnet and %.2f in "
               "cnn-preact (0 would be two terms of one size).",
               "그러니 사후 활성화 단위의 \"고속도로\"에는 요금소가 있습니다. 블록마다 항등 "
               "경로로 그래디언트의 일부만 지나갑니다. 남은 것에 가지 항이 더해집니다. "
               "log10 ||가지|| / ||스킵||의 평균은 cnn-resnet에서 %.2f, cnn-preact에서 %.2f입니다"
               "(0이면 두 항의 크기가 같습니다).",
               lesson_decades(f->branch[0]), lesson_decades(f->branch[1]));
}

static void tell_depth(lesson *ls, const pd_setup *su, const pd_unit_facts *f)
{
    const int last = su->n_depths - 1;
    char r[96], p[96];
    lesson_ask(ls,
               "Batch norm rescales every block's input, so neither net's gradient can vanish "
               "the way a plain stack's does. With depth, which of the two changes more "
               "between x_B and x_0: the unit that thins the skip gradient at every block, or "
               "the unit that passes it whole and adds the branch on top?",
               "배치 정규화가 블록마다 입력의 크기를 맞추므로 두 네트워크 모두 plain 스택처럼 "
               "그래디언트가 사라지지는 않습니다. 깊어질수록 x_B와 x_0 사이에서 더 크게 변하는 "
               "쪽은 어느 것일까요? 블록마다 스킵 그래디언트를 깎는 단위일까요, 그대로 넘기고 "
               "가지를 더하는 단위일까요?");
    lesson_pre(ls, "log10(||dL/dx_0|| / ||dL/dx_B||), mean of %d seeds: negative = shrinks",
               su->seeds);
    lesson_pre(ls, "%5s %6s   %10s %10s", "depth", "blocks", "cnn-resnet", "cnn-preact");
    for (int i = 0; i < su->n_depths; i++)
        lesson_pre(ls, "%5d %6d   %10.2f %10.2f", su->depths[i], f->res[i].blocks,
                   lesson_decades(f->change[i][0]), lesson_decades(f->change[i][1]));
    lesson_change(ls, r, sizeof r, f->change[last][0]);
    lesson_change(ls, p, sizeof p, f->change[last][1]);
    const double dr = f->change[last][0], dp = f->change[last][1];
    lesson_answer(ls,
                  "At depth %d the gradient of cnn-resnet %s from x_B to x_0, that of cnn-preact "
                  "%s: %s. In the pre-activation unit dL/dx_l is dL/dx_{l+1} itself plus a "
                  "branch term; in the post-activation unit the first term is thinned by D_l at "
                  "every block before the branch term is added.",
                  "깊이 %d에서 cnn-resnet의 그래디언트는 x_B에서 x_0까지 %s. cnn-preact의 "
                  "그래디언트는 %s. %s 사전 활성화 단위에서 dL/dx_l은 dL/dx_{l+1} 그 자체에 가지 "
                  "항을 더한 것이고, 사후 활성화 단위에서는 첫째 항이 블록마다 D_l로 깎인 뒤에 "
                  "가지 항이 더해집니다.",
                  su->depths[last], r, p,
                  fabs(dp) > fabs(dr) ? LESSON_T(ls, "the pre-activation net changes more",
                                                 "사전 활성화 네트워크가 더 크게 변합니다.")
                                      : LESSON_T(ls, "the post-activation net changes more",
                                                 "사후 활성화 네트워크가 더 크게 변합니다."));
    if (dr > 0 && dp > 0)
        lesson_say(ls,
                   "Both grow toward the input rather than vanish: with batch norm in training "
                   "mode a gradient at initialization grows with depth (Yang et al. 2019; "
                   "lesson 02 measures it in trained MLP stacks). The pre-activation unit does "
                   "not make the gradient smaller; it passes it on whole.",
                   "둘 다 사라지지 않고 입력 쪽으로 커집니다. 학습 모드의 배치 정규화가 있으면 "
                   "초기화 시점의 그래디언트는 깊이와 함께 커집니다(Yang et al. 2019; 2강이 MLP "
                   "스택에서 잽니다). 사전 활성화 단위는 그래디언트를 줄이지 않고 그대로 "
                   "넘깁니다.");
}

static int draw_unit(lesson *ls, const pd_setup *su, const pd_unit_facts *f)
{
    const int i = su->n_depths - 1;
    const gf_gradnorm_result *res = &f->res[i];
    static const int theory[PD_ARCHS] = {0, 0};
    char title[160], subtitle[256], sub[64], cap_en[256], cap_ko[256];
    snprintf(title, sizeof title, "Gradient norm per block at initialization: depth %d (%d "
             "blocks)", su->depths[i], res->blocks);
    snprintf(subtitle, sizeof subtitle, "%zux%zu synthetic images, batch %zu, %d seeds, width "
             "x%g, batch norm in training mode", su->side, su->side, su->batch, su->seeds,
             su->width_mult);
    gf_fig_gradnorm fig = {.title = title, .subtitle = subtitle, .archs = ARCH_NAMES,
                           .theory = theory, .n_archs = PD_ARCHS, .xmax = res->blocks,
                           .ymin = INFINITY, .ymax = -INFINITY};
    for (int a = 0; a < PD_ARCHS; a++)
        for (int l = 0; l <= res->blocks; l++) {
            double mean, lo, hi;
            gf_gradnorm_block_stats(res, a, l, &mean, &lo, &hi);
            fig.ymin = fmin(fig.ymin, lo);
            fig.ymax = fmax(fig.ymax, hi);
        }
    snprintf(sub, sizeof sub, "units-depth%d", su->depths[i]);
    snprintf(cap_en, sizeof cap_en, "||dL/dx_l|| at every block boundary of cnn-resnet and "
             "cnn-preact, depth %d, at initialization (band: min to max over seeds)",
             su->depths[i]);
    snprintf(cap_ko, sizeof cap_ko, "cnn-resnet과 cnn-preact의 블록 경계마다 잰 ||dL/dx_l||, "
             "깊이 %d, 초기화 시점 (띠: 시드별 최소~최대)", su->depths[i]);
    int rc = lesson_figure(ls, sub, "gradnorm", gf_fig_gradnorm_body, &fig, 1, cap_en, cap_ko);
    if (rc)
        return rc;
    snprintf(title, sizeof title, "Skip and branch terms of dL/dx_l per block: depth %d",
             su->depths[i]);
    for (size_t k = 0; k < res->n_probes; k++) { /* the terms reach below the norms */
        const gf_probe_record *p = &res->probe[k].rec;
        if (p->has_split && isfinite(p->log2_branch) && isfinite(p->log2_skip)) {
            fig.ymin = fmin(fig.ymin, fmin(p->log2_branch, p->log2_skip) * GF_LOG10_2);
            fig.ymax = fmax(fig.ymax, fmax(p->log2_branch, p->log2_skip) * GF_LOG10_2);
        }
    }
    return lesson_figure(ls, sub, "split", gf_fig_split_body, &fig, 0,
                         "The two terms of dL/dx_l per block, mean over seeds: the skip term "
                         "(through the identity) and the branch term (through F)",
                         "블록마다 dL/dx_l의 두 항(시드 평균): 항등 경로로 온 스킵 항과 F를 "
                         "거쳐 온 가지 항");
}

int pd_part_unit(lesson *ls, const pd_setup *su, pd_unit_facts *f)
{
    int rc = tell_code(ls);
    if (rc == 0)
        rc = measure_unit(ls, su, f);
    if (rc)
        return rc;
    tell_zeroed(ls, su, f);
    tell_depth(ls, su, f);
    return draw_unit(ls, su, f);
}
