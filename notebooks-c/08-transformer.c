/* 08-transformer.c: lesson 08, the Transformer's residual connections and
 * the residual stream (syllabus section 8).
 *
 *   Step 1  the identity path: a Pre-LN model whose sub-layers write zero,
 *           and ReZero at a = 0, leave the stream unchanged bit for bit;
 *   Step 2  gradients at initialization: the last layer's gradient against
 *           depth under Pre-LN and Post-LN, against Xiong et al.'s exponents;
 *   Step 3  training with and without warm-up at one learning rate;
 *   Step 4  the stream itself: its norm, each write relative to it, and the
 *           logit lens after training.
 *
 * Every number printed is measured by the run (gf_xfmr_run, src/xfmr/).
 */
#include "lesson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const lesson_info INFO = LESSON_INFO(
    "08-transformer", "Lesson 08: the Transformer's residual stream", "8강: Transformer의 잔차 스트림",
    "Builds small decoder-only transformers on the bytes of the Debian licenses: the\n"
    "identity path of Pre-LN and ReZero, the last layer's gradient against depth under\n"
    "Pre-LN and Post-LN, training with and without warm-up, the residual stream and\n"
    "the logit lens.",
    "데비안 라이선스 문서의 바이트로 작은 디코더 트랜스포머를 만들어, Pre-LN과 ReZero의\n"
    "항등 경로, Pre-LN과 Post-LN에서 깊이에 따른 마지막 층 그래디언트, 워밍업 유무에 따른\n"
    "학습, 잔차 스트림과 logit lens를 봅니다.");

/* Step 1: max |x_k - x_0| over the stream of a model whose writes are zero. */
static double identity_gap(gf_xfmr_kind kind, int zero_projections)
{
    gf_xfmr_config c = gf_xfmr_config_default();
    c.kind = kind, c.layers = 4, c.width = 32, c.heads = 4, c.context = 16;
    char why[256];
    gf_xfmr *m = gf_xfmr_alloc(&c, why, sizeof why);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gf_tape *tape = gf_tape_alloc(1 << 22);
    double gap = NAN;
    if (m && r && tape) {
        gf_xfmr_init(m, r);
        for (int l = 0; zero_projections && l < c.layers; l++) {
            const int s[4] = {m->layer[l].attn_proj.weight, m->layer[l].attn_proj.bias,
                              m->layer[l].mlp_proj.weight, m->layer[l].mlp_proj.bias};
            for (int k = 0; k < 4; k++) {
                gf_slot *sl = &m->params.slot[s[k]];
                memset(sl->t.v, 0, sl->rows * sl->cols * sizeof(double));
            }
        }
        int ids[32];
        for (int i = 0; i < 32; i++)
            ids[i] = (int)gsl_rng_uniform_int(r, 256);
        gf_tensor *stream[9], *write[8];
        gf_xfmr_trace tr = {stream, write};
        if (gf_xfmr_forward(m, tape, ids, 2, 16, &tr)) {
            gap = 0.0;
            for (int k = 1; k <= 8; k++)
                for (size_t i = 0; i < 32 * 32; i++)
                    gap = fmax(gap, fabs(stream[k]->v[i] - stream[0]->v[i]));
        }
    }
    gf_tape_free(tape);
    gsl_rng_free(r);
    gf_xfmr_free(m);
    return gap;
}

static int step_identity(lesson *ls)
{
    lesson_heading(ls, "Step 1: the identity path", "1단계: 항등 경로");
    lesson_say(ls,
               "In a Pre-LN transformer every sub-layer reads a normalized copy of the stream "
               "and adds its result back:",
               "Pre-LN 트랜스포머에서 서브레이어는 스트림을 정규화한 사본을 읽고 결과를 다시 "
               "더합니다.");
    lesson_math(ls, "x <- x + Attn(LN(x)),   x <- x + MLP(LN(x))",
                "x \\leftarrow x + \\mathrm{Attn}(\\mathrm{LN}(x)), \\qquad "
                "x \\leftarrow x + \\mathrm{MLP}(\\mathrm{LN}(x))");
    const double pre = identity_gap(GF_XFMR_PRELN, 1), rez = identity_gap(GF_XFMR_REZERO, 0),
                 live = identity_gap(GF_XFMR_PRELN, 0);
    lesson_say(ls,
               "With the output projections of both sub-layers set to zero, a 4-layer Pre-LN "
               "model changes its stream by at most %g after all 8 sub-layers; ReZero (x + a "
               "F(x), a = 0 at the start) by %g. %s With its weights the same model moves the "
               "stream by up to %.3g: the skip carries x, the branches add corrections.",
               "두 서브레이어의 출력 사영을 0으로 두면 4층 Pre-LN 모델은 8개 서브레이어를 지난 뒤 "
               "스트림을 최대 %g만큼 바꿉니다. ReZero(x + a F(x), 시작할 때 a = 0)는 %g입니다. "
               "%s 가중치가 있으면 같은 모델이 스트림을 최대 %.3g만큼 움직입니다. 스킵이 x를 "
               "나르고 가지는 보정을 더합니다.",
               pre, rez,
               pre == 0.0 && rez == 0.0
                   ? LESSON_T(ls, "Both are the identity bit for bit: x + 0 = x exactly.",
                              "둘 다 비트 단위로 항등입니다. x + 0 = x가 정확히 성립합니다.")
                   : LESSON_T(ls, "Not exactly the identity: a rounding difference remains.",
                              "정확한 항등은 아닙니다. 반올림 차이가 남습니다."),
               live);
    return isnan(pre) || isnan(rez) ? lesson_fail(ls, LESSON_RUNTIME, "out of memory") : 0;
}

/* Mean over the seeds of x[k * stride], NaN left out. */
static double seed_mean(const double *x, int seeds, size_t stride)
{
    double s = 0.0;
    int n = 0;
    for (int k = 0; k < seeds; k++)
        if (isfinite(x[(size_t)k * stride]))
            s += x[(size_t)k * stride], n++;
    return n ? s / n : NAN;
}

static double slope_mean(const gf_xfmr_result *r, int i)
{
    double v[16];
    for (int k = 0; k < r->spec.seeds && k < 16; k++)
        v[k] = gf_xfmr_slope(r, i, k);
    return seed_mean(v, r->spec.seeds < 16 ? r->spec.seeds : 16, 1);
}

/* The figures read the TSV files gf_xfmr_write put into the lesson's folder. */
static int figure(lesson *ls, const gf_xfmr_result *r, const char *name, gf_plot_body body,
                  const char *en, const char *ko)
{
    static const char *const kinds[2] = {"preln", "postln"};
    char keys[2][96];
    const char *key[2] = {keys[0], keys[1]};
    for (int i = 0; i < 2; i++)
        snprintf(keys[i], sizeof keys[i], "%s: slope %.2f (theory %s)", kinds[i],
                 slope_mean(r, i), i ? "0" : "-1/2");
    const gf_xfmr_spec *s = &r->spec;
    const gf_fig_xfmr f = {.subtitle = "", .kinds = kinds, .n_kinds = 2, .layers = s->layers,
                           .n_layers = s->n_layers, .slope_keys = key, .train_kinds = kinds,
                           .n_train = 2, .train_layers = s->train_layers, .seeds = s->seeds,
                           .steps = s->steps, .warmup = s->warmup, .lr = s->lr,
                           .unigram = r->unigram};
    return lesson_figure(ls, "", name, body, &f, 0, en, ko);
}

static int step_gradients(lesson *ls, const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    lesson_heading(ls, "Step 2: the gradient at initialization", "2단계: 초기화 시점의 그래디언트");
    lesson_say(ls,
               "Where the LayerNorm stands decides how the gradient flows. Post-LN normalizes "
               "after the sum, LN(x + F(x)); Pre-LN before the sub-layer. Xiong et al. (2020) "
               "show that at initialization the gradient of the last layer's weights does not "
               "depend on the depth L under Post-LN and shrinks like 1/sqrt(L) under Pre-LN. "
               "Here: width %zu, %d seeds, one batch of %zu windows of %zu bytes.",
               "LayerNorm의 위치가 그래디언트의 흐름을 정합니다. Post-LN은 합 뒤에서 LN(x + F(x))로 "
               "정규화하고, Pre-LN은 서브레이어 앞에서 정규화합니다. Xiong 연구진(2020)은 초기화 "
               "시점에 마지막 층 가중치의 그래디언트가 Post-LN에서는 깊이 L과 무관하고 Pre-LN에서는 "
               "1/sqrt(L)처럼 줄어든다고 보였습니다. 여기서는 폭 %zu, 시드 %d개, %zu개 창(각 %zu "
               "바이트)으로 된 배치 하나를 씁니다.",
               s->width, s->seeds, s->batch, s->context);
    for (int i = 0; i < 2; i++) {
        const double sl = slope_mean(r, i), th = i ? 0.0 : -0.5;
        lesson_say(ls, "%s: fitted slope of log ||grad|| against log L: %.2f (theory %.1f; %s).",
                   "%s: log L에 대한 log ||grad||의 기울기 %.2f (이론 %.1f, %s).",
                   i ? "Post-LN" : "Pre-LN", sl, th,
                   fabs(sl - th) < 0.1 ? LESSON_T(ls, "close to it", "이론에 가깝습니다")
                                       : LESSON_T(ls, "a finite-size departure at these small "
                                                      "widths and depths",
                                                  "작은 폭과 깊이에서 생기는 유한 크기 차이입니다"));
    }
    return figure(ls, r, "xfmr_slope", gf_fig_xfmr_slope_body,
                  "The last layer's MLP gradient against depth (every seed, and their mean)",
                  "깊이에 따른 마지막 층 MLP 그래디언트(시드별 점과 평균)");
}

static int step_training(lesson *ls, const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, N = (size_t)s->steps;
    lesson_heading(ls, "Step 3: warm-up", "3단계: 워밍업");
    lesson_say(ls,
               "Both kinds (%d layers, width %zu) train with Adam at learning rate %g, once "
               "with a linear warm-up over %ld steps and once without. Mean training loss of "
               "the last tenth of %ld steps (the unigram entropy of the text is %.2f):",
               "두 종류(%d층, 폭 %zu)를 Adam, 학습률 %g로 한 번은 %ld스텝의 선형 워밍업과 함께, "
               "한 번은 워밍업 없이 학습시킵니다. %ld스텝 중 마지막 10%%의 평균 학습 손실입니다"
               "(텍스트의 유니그램 엔트로피는 %.2f).",
               s->train_layers, s->train_width, s->lr, s->warmup, s->steps, r->unigram);
    for (int i = 0; i < 2; i++)
        for (int w = 1; w >= 0; w--) {
            double tail[16];
            const size_t n = N / 10 ? N / 10 : 1;
            for (size_t k = 0; k < S && k < 16; k++) {
                tail[k] = 0;
                for (size_t t = N - n; t < N; t++)
                    tail[k] += r->curve[(((size_t)i * 2 + (size_t)w) * S + k) * N + t] / n;
            }
            lesson_pre(ls, "%-7s %-12s %.3f", i ? "postln" : "preln",
                       w ? "warm-up" : "no warm-up", seed_mean(tail, (int)S, 1));
        }
    return figure(ls, r, "xfmr_training", gf_fig_xfmr_training_body,
                  "Training loss with and without warm-up", "워밍업 유무에 따른 학습 손실");
}

static int step_stream(lesson *ls, const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, Lt = (size_t)s->train_layers, W = 6 * Lt;
    lesson_heading(ls, "Step 4: the residual stream", "4단계: 잔차 스트림");
    const double *pre0 = r->stream, *pre1 = r->stream + S * W;
    lesson_say(ls,
               "The stream is the bus every sub-layer reads and writes. Under Pre-LN its RMS "
               "norm per token goes from %.2f (the embeddings) to %.2f after %zu layers at "
               "initialization, and to %.2f after training.",
               "스트림은 모든 서브레이어가 읽고 쓰는 버스입니다. Pre-LN에서 토큰당 RMS 노름은 "
               "초기화 시점에 %.2f(임베딩)에서 %.2f(%zu층 뒤)로, 학습 뒤에는 %.2f로 바뀝니다.",
               seed_mean(pre0, (int)S, W), seed_mean(pre0 + 2 * Lt, (int)S, W), Lt,
               seed_mean(pre1 + 2 * Lt, (int)S, W));
    int rc = figure(ls, r, "xfmr_stream", gf_fig_xfmr_stream_body,
                    "The stream's norm, each write relative to it, successive writes' cosine",
                    "스트림의 노름, 스트림 대비 각 쓰기의 크기, 연속한 쓰기의 코사인");
    const double *lens = r->lens; /* preln, [seed][2 (Lt + 1)] */
    const double a0 = seed_mean(lens + Lt + 1, (int)S, 2 * (Lt + 1)),
                 ah = seed_mean(lens + Lt + 1 + Lt / 2, (int)S, 2 * (Lt + 1));
    lesson_say(ls,
               "The logit lens decodes the stream after each layer with the final LN and the "
               "unembedding. For the trained Pre-LN model the top prediction agrees with the "
               "final one on %.0f%% of held-out bytes after the embeddings alone and on %.0f%% "
               "halfway (after %zu of %zu layers).",
               "Logit lens는 각 층 뒤의 스트림을 마지막 LN과 언임베딩으로 해독합니다. 학습된 "
               "Pre-LN 모델에서 최상위 예측이 최종 예측과 같은 비율은 임베딩만 지났을 때 %.0f%%, "
               "절반에서 %.0f%%(%zu/%zu층 뒤)입니다.",
               100 * a0, 100 * ah, Lt / 2, Lt);
    return rc ? rc : figure(ls, r, "xfmr_lens", gf_fig_xfmr_lens_body, "The logit lens",
                            "Logit lens");
}

static int teach(lesson *ls)
{
    int rc = step_identity(ls);
    if (rc)
        return rc;
    gf_text text;
    char why[512], dir[4096];
    if (gf_text_load(&text, NULL, 64, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    const int q = ls->opt.quick;
    gf_xfmr_spec s = {.text = &text, .kinds = {GF_XFMR_PRELN, GF_XFMR_POSTLN}, .n_kinds = 2,
                      .layers = {2, 4, 8}, .n_layers = 3, .width = q ? 32 : 64,
                      .context = q ? 32 : 64, .batch = q ? 2 : 4, .heads = 4,
                      .seeds = q ? 2 : 3, .seed0 = 1,
                      .train_kinds = {GF_XFMR_PRELN, GF_XFMR_POSTLN}, .n_train_kinds = 2,
                      .train_layers = 4, .train_width = q ? 32 : 64, .train_batch = q ? 4 : 8,
                      .steps = q ? 30 : 150, .warmup = q ? 10 : 40, .lr = 3e-3};
    if (!q)
        s.layers[0] = 4, s.layers[1] = 8, s.layers[2] = 16;
    gf_xfmr_result r;
    fflush(stdout);
    rc = gf_xfmr_run(&s, &r, why, sizeof why) != 0 || lesson_dir(ls, "", dir, sizeof dir) != 0 ||
                 gf_xfmr_write(&r, dir, why, sizeof why) != 0
             ? lesson_fail(ls, LESSON_RUNTIME, "%s", why)
             : 0;
    json_object_set_new(ls->settings, "text", json_string(text.source));
    gf_text_release(&text);
    if (rc == 0)
        rc = step_gradients(ls, &r);
    if (rc == 0)
        rc = step_training(ls, &r);
    if (rc == 0)
        rc = step_stream(ls, &r);
    gf_xfmr_result_release(&r);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
