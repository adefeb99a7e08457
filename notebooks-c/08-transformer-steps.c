/* 08-transformer-steps.c: lesson 08, Steps 2-4 from one gf_xfmr_run: the
 * last layer's gradient against depth under Pre-LN and Post-LN, training with
 * and without warm-up, the residual stream and the logit lens. */
#include "08-transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double xf_seed_mean(const double *x, int seeds, size_t stride)
{
    double s = 0.0;
    int n = 0;
    for (int k = 0; k < seeds; k++)
        if (isfinite(x[(size_t)k * stride]))
            s += x[(size_t)k * stride], n++;
    return n ? s / n : NAN;
}

double xf_slope_mean(const gf_xfmr_result *r, int i)
{
    double v[16];
    const int n = r->spec.seeds < 16 ? r->spec.seeds : 16;
    for (int k = 0; k < n; k++)
        v[k] = gf_xfmr_slope(r, i, k);
    return xf_seed_mean(v, n, 1);
}

double xf_tail_loss(const gf_xfmr_result *r, int i, int w)
{
    const size_t S = (size_t)r->spec.seeds, N = (size_t)r->spec.steps, n = N / 10 ? N / 10 : 1;
    double tail[16];
    for (size_t k = 0; k < S && k < 16; k++) {
        tail[k] = 0;
        for (size_t t = N - n; t < N; t++)
            tail[k] += r->curve[(((size_t)i * 2 + (size_t)w) * S + k) * N + t] / (double)n;
    }
    return xf_seed_mean(tail, S < 16 ? (int)S : 16, 1);
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
                 xf_slope_mean(r, i), i ? "0" : "-1/2");
    const gf_xfmr_spec *s = &r->spec;
    const gf_fig_xfmr f = {.subtitle = "", .kinds = kinds, .n_kinds = 2, .layers = s->layers,
                           .n_layers = s->n_layers, .slope_keys = key, .train_kinds = kinds,
                           .n_train = 2, .train_layers = s->train_layers, .seeds = s->seeds,
                           .steps = s->steps, .warmup = s->warmup, .lr = s->lr,
                           .unigram = r->unigram};
    return lesson_figure(ls, "", name, body, &f, 0, en, ko);
}

int xf_step_gradients(lesson *ls, const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const int L0 = s->layers[0], L1 = s->layers[s->n_layers - 1];
    lesson_say(ls,
               "Where the LayerNorm stands decides how the gradient flows. Post-LN normalizes "
               "after the sum, so the skip itself passes through every LayerNorm on the way "
               "down:",
               "LayerNorm의 위치가 그래디언트의 흐름을 정합니다. Post-LN은 합 뒤에서 정규화하므로, "
               "스킵 자체가 내려가는 길에 모든 LayerNorm을 지납니다.");
    int rc = lesson_code(ls, "postln-step",
                         "Post-LN (and DeepNorm, which scales the skip by alpha): LN(x + F(x)).",
                         "Post-LN(스킵에 alpha를 곱하는 DeepNorm도 같음): LN(x + F(x)).");
    if (rc != 0)
        return rc;
    lesson_say(ls,
               "Xiong et al. (2020) show that at initialization the gradient of the last layer's "
               "weights does not depend on the depth L under Post-LN and shrinks like "
               "1/sqrt(L) under Pre-LN. The lesson measures it at depths %d to %d, width %zu, "
               "%d seeds, one batch of %zu windows of %zu bytes, and fits a straight line to "
               "log ||grad|| against log L.",
               "Xiong 연구진(2020)은 초기화 시점에 마지막 층 가중치의 그래디언트가 Post-LN에서는 "
               "깊이 L과 무관하고 Pre-LN에서는 1/sqrt(L)처럼 줄어든다고 보였습니다. 여기서는 깊이 "
               "%d에서 %d까지, 폭 %zu, 시드 %d개, 창 %zu개(각 %zu바이트)로 된 배치 하나로 재고, log L에 "
               "대한 log ||grad||에 직선을 맞춥니다.",
               L0, L1, s->width, s->seeds, s->batch, s->context);
    lesson_ask(ls,
               "Going from %d to %d layers, by what factor should the last layer's gradient "
               "change under Pre-LN, and under Post-LN, if the theory holds at this small size?",
               "층이 %d개에서 %d개로 늘면, 이 작은 크기에서도 이론이 맞는다면 마지막 층의 그래디언트는 "
               "Pre-LN과 Post-LN에서 각각 몇 배가 될까요?",
               L0, L1);
    for (int i = 0; i < 2; i++) {
        const double sl = xf_slope_mean(r, i), th = i ? 0.0 : -0.5, ratio = (double)L1 / L0;
        lesson_answer(ls,
                      "%s: fitted slope %.2f (theory %.1f): from %d to %d layers the gradient "
                      "changes %.2f times (theory %.2f); %s.",
                      "%s: 회귀 직선의 경사(slope) %.2f(이론 %.1f). %d층에서 %d층으로 가면 "
                      "그래디언트가 %.2f배가 됩니다(이론 %.2f배). %s.",
                      i ? "Post-LN" : "Pre-LN", sl, th, L0, L1, pow(ratio, sl), pow(ratio, th),
                      fabs(sl - th) < 0.1
                          ? LESSON_T(ls, "close to the theory", "이론에 가깝습니다")
                          : LESSON_T(ls, "a departure from the asymptotic value at these small "
                                         "widths and depths (exercise 2 goes deeper)",
                                     "작은 폭과 깊이에서 점근값과 어긋납니다(연습 2에서 더 깊이 "
                                     "가 봅니다)"));
    }
    lesson_say(ls, "%s", "%s",
               xf_slope_mean(r, 0) < xf_slope_mean(r, 1)
                   ? LESSON_T(ls, "The order agrees with the theory: Pre-LN's slope lies below "
                                  "Post-LN's.",
                              "순서는 이론과 같습니다. Pre-LN의 경사가 Post-LN보다 낮습니다.")
                   : LESSON_T(ls, "Even the order differs from the theory here: Pre-LN's slope "
                                  "is not below Post-LN's.",
                              "여기서는 순서마저 이론과 다릅니다. Pre-LN의 경사가 Post-LN보다 낮지 "
                              "않습니다."));
    return figure(ls, r, "xfmr_slope", gf_fig_xfmr_slope_body,
                  "The last layer's MLP gradient against depth, log-log (every seed, and their "
                  "mean)",
                  "깊이에 따른 마지막 층 MLP 그래디언트, 로그-로그(시드별 점과 평균)");
}

/* What warm-up did for kind i: the no-warm-up loss against the warm-up one. */
static const char *warmup_verdict(const lesson *ls, double with, double without)
{
    if (!isfinite(without))
        return LESSON_T(ls, "without warm-up the loss is not finite: training diverged",
                        "워밍업 없이는 손실이 유한하지 않습니다. 학습이 발산했습니다");
    if (without > with + 0.05)
        return LESSON_T(ls, "without warm-up it ends higher", "워밍업이 없으면 더 높게 끝납니다");
    if (without < with - 0.05)
        return LESSON_T(ls, "without warm-up it ends lower: at this rate warm-up only "
                            "spends steps",
                        "워밍업이 없으면 더 낮게 끝납니다. 이 학습률에서 워밍업은 스텝만 씁니다");
    return LESSON_T(ls, "with or without warm-up it ends within 0.05",
                    "워밍업이 있든 없든 0.05 안에서 끝납니다");
}

int xf_step_training(lesson *ls, const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    lesson_say(ls,
               "Both kinds (%d layers, width %zu, %d seeds) train with Adam at learning rate %g "
               "for %ld steps, once with a linear warm-up over the first %ld steps and once "
               "without. The number compared is the mean training loss over the last tenth of "
               "the steps (in nats per byte; predicting each byte by its frequency alone, the "
               "unigram entropy, gives %.2f).",
               "두 종류(%d층, 폭 %zu, 시드 %d개)를 Adam(학습률 %g)으로 %ld스텝 학습시킵니다. 한 번은 "
               "처음 %ld스텝 동안 선형 워밍업을 하고, 한 번은 하지 않습니다. 비교하는 값은 마지막 10%% "
               "스텝의 평균 학습 손실입니다(바이트당 nat. 바이트를 빈도만으로 예측하는 유니그램 "
               "엔트로피는 %.2f).",
               s->train_layers, s->train_width, s->seeds, s->lr, s->steps, s->warmup, r->unigram);
    lesson_ask(ls,
               "Xiong et al. explain Post-LN's need for warm-up by its large gradients near the "
               "output at the start. At learning rate %g, which kind will suffer without "
               "warm-up?",
               "Xiong 연구진은 Post-LN이 워밍업을 필요로 하는 까닭을 시작할 때 출력 가까이의 큰 "
               "그래디언트로 설명합니다. 학습률 %g에서 워밍업이 없으면 어느 쪽이 손해를 볼까요?",
               s->lr);
    lesson_pre(ls, "%-7s %10s %12s", "kind", "warm-up", "no warm-up");
    for (int i = 0; i < 2; i++)
        lesson_pre(ls, "%-7s %10.3f %12.3f", i ? "postln" : "preln", xf_tail_loss(r, i, 1),
                   xf_tail_loss(r, i, 0));
    lesson_answer(ls, "Pre-LN: %s (%.3f against %.3f). Post-LN: %s (%.3f against %.3f).",
                  "Pre-LN: %s(%.3f 대 %.3f). Post-LN: %s(%.3f 대 %.3f).",
                  warmup_verdict(ls, xf_tail_loss(r, 0, 1), xf_tail_loss(r, 0, 0)),
                  xf_tail_loss(r, 0, 0), xf_tail_loss(r, 0, 1),
                  warmup_verdict(ls, xf_tail_loss(r, 1, 1), xf_tail_loss(r, 1, 0)),
                  xf_tail_loss(r, 1, 0), xf_tail_loss(r, 1, 1));
    const int bad = xf_tail_loss(r, 1, 0) > xf_tail_loss(r, 1, 1) + 0.05;
    lesson_say(ls, "%s", "%s",
               bad ? LESSON_T(ls, "Post-LN pays for the missing warm-up, as the theory says.",
                              "이론대로 Post-LN이 워밍업이 없는 값을 치릅니다.")
                   : LESSON_T(ls, "At this small size and rate Post-LN trains without warm-up "
                                  "as well: the failure Xiong et al. describe needs larger "
                                  "rates or deeper models (exercise 3 raises the rate).",
                              "이 작은 크기와 학습률에서는 Post-LN도 워밍업 없이 학습됩니다. Xiong "
                              "연구진이 말하는 실패에는 더 큰 학습률이나 더 깊은 모델이 필요합니다(연습 "
                              "3에서 학습률을 올립니다)."));
    return figure(ls, r, "xfmr_training", gf_fig_xfmr_training_body,
                  "Training loss with and without warm-up (mean over the seeds)",
                  "워밍업 유무에 따른 학습 손실(시드 평균)");
}

int xf_step_stream(lesson *ls, const gf_xfmr_result *r)
{
    const gf_xfmr_spec *s = &r->spec;
    const size_t S = (size_t)s->seeds, Lt = (size_t)s->train_layers, W = 6 * Lt;
    const double *pre0 = r->stream, *pre1 = r->stream + S * W;
    lesson_say(ls,
               "The stream is the bus every sub-layer reads and writes. Under Pre-LN nothing "
               "normalizes the stream itself, so every write adds to it. Its RMS per token goes "
               "from %.2f (the embeddings) to %.2f after %zu layers at initialization, and to "
               "%.2f after training.",
               "스트림은 모든 서브레이어가 읽고 쓰는 버스입니다. Pre-LN에서는 스트림 자체를 정규화하는 "
               "곳이 없어서 쓰기마다 스트림에 더해집니다. 토큰당 RMS는 초기화 시점에 %.2f(임베딩)에서 "
               "시작해 %.2f(%zu층 뒤)까지 바뀌고, 학습 뒤에는 %.2f에 이릅니다.",
               xf_seed_mean(pre0, (int)S, W), xf_seed_mean(pre0 + 2 * Lt, (int)S, W), Lt,
               xf_seed_mean(pre1 + 2 * Lt, (int)S, W));
    int rc = figure(ls, r, "xfmr_stream", gf_fig_xfmr_stream_body,
                    "The stream's norm, each write relative to it, successive writes' cosine",
                    "스트림의 노름, 스트림 대비 각 쓰기의 크기, 연속한 쓰기의 코사인");
    if (rc != 0)
        return rc;
    lesson_say(ls,
               "The logit lens decodes the stream after each layer with the final LN and the "
               "unembedding, as if the model stopped there.",
               "Logit lens는 각 층 뒤의 스트림을 마지막 LN과 언임베딩으로 해독합니다. 모델이 그 "
               "자리에서 멈춘 것처럼 보는 것입니다.");
    lesson_ask(ls,
               "After %zu of the %zu layers of the trained Pre-LN model, on what share of "
               "held-out bytes will the top prediction already be the final one?",
               "학습된 Pre-LN 모델에서 %zu층을 지난 뒤(전체 %zu층), 보지 않은 바이트 중 얼마에서 "
               "최상위 예측이 이미 최종 예측과 같을까요?",
               Lt / 2, Lt);
    const double *lens = r->lens; /* preln, [seed][2 (Lt + 1)] */
    const double a0 = xf_seed_mean(lens + Lt + 1, (int)S, 2 * (Lt + 1)),
                 ah = xf_seed_mean(lens + Lt + 1 + Lt / 2, (int)S, 2 * (Lt + 1));
    lesson_answer(ls,
                  "%.0f %% after the embeddings alone, %.0f %% halfway (after %zu of %zu "
                  "layers): %s",
                  "임베딩만 지났을 때 %.0f %%, 절반에서 %.0f %%(%zu/%zu층 뒤). %s",
                  100 * a0, 100 * ah, Lt / 2, Lt,
                  ah > 0.5 ? LESSON_T(ls, "the stream holds most of the answer before the last "
                                          "layers write.",
                                      "마지막 층들이 쓰기 전에 스트림이 답의 대부분을 이미 담고 "
                                      "있습니다.")
                           : LESSON_T(ls, "the later layers still change most predictions.",
                                      "뒤쪽 층들이 여전히 예측 대부분을 바꿉니다."));
    const size_t K = 2 * (Lt + 1); /* one seed's row: loss per layer, then agreement */
    const double ap = xf_seed_mean(lens + S * K + Lt + 1 + Lt / 2, (int)S, K),
                 loss_end = xf_seed_mean(lens + Lt, (int)S, K);
    lesson_say(ls,
               "Post-LN's stream, renormalized after every sub-layer, agrees with its final "
               "prediction on %.0f %% halfway. Pre-LN's held-out loss after the last layer is "
               "%.2f nats per byte against the unigram entropy %.2f: %s",
               "매 서브레이어 뒤에 다시 정규화되는 Post-LN의 스트림은 절반에서 최종 예측과 같은 비율이 "
               "%.0f %%입니다. Pre-LN의 마지막 층 뒤 보지 않은 데이터 손실은 바이트당 %.2f nat이고 "
               "유니그램 엔트로피는 %.2f입니다. %s",
               100 * ap, loss_end, r->unigram,
               loss_end < r->unigram
                   ? LESSON_T(ls, "the model predicts new text better than byte frequencies do.",
                              "모델이 새 텍스트를 바이트 빈도보다 잘 예측합니다.")
                   : LESSON_T(ls, "on new text these short runs do no better than byte "
                                  "frequencies (Step 3's numbers are the loss on the windows "
                                  "the model trained on).",
                              "새 텍스트에서는 이 짧은 학습이 바이트 빈도보다 낫지 않습니다(3단계의 "
                              "값은 모델이 학습한 창에서의 손실입니다)."));
    return figure(ls, r, "xfmr_lens", gf_fig_xfmr_lens_body,
                  "The logit lens: agreement with the final prediction and loss per layer",
                  "Logit lens: 층별 최종 예측과의 일치율과 손실");
}
