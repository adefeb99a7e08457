/* 08-transformer.c: lesson 08, the Transformer's residual connections and
 * the residual stream (syllabus section 8).
 *
 *   Step 1  the identity path: a Pre-LN model whose sub-layers write zero,
 *           and ReZero at a = 0, leave the stream unchanged bit for bit;
 *   Step 2  gradients at initialization: the last layer's gradient against
 *           depth under Pre-LN and Post-LN, against Xiong et al.'s exponents;
 *   Step 3  training with and without warm-up at one learning rate;
 *   Step 4  the stream itself: its norm, each write relative to it, and the
 *           logit lens after training (Steps 2-4: 08-transformer-steps.c).
 *
 * Every number printed is measured by the run (gf_xfmr_run, src/xfmr/).
 */
#include "08-transformer.h"

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

static void intro(lesson *ls)
{
    lesson_say(ls,
               "Syllabus section 8 (residual connections in the Transformer) ends the course "
               "where residual connections are used most today. Every sub-layer of a "
               "Transformer, attention and the MLP, sits on a residual connection, and the sum "
               "that runs through the model, the residual stream, is what every sub-layer "
               "reads and writes. Read lesson 01 first (the residual add y = x + F(x) in code "
               "and in the gradient).",
               "강의 노트 8절(Transformer에서의 잔차 연결)은 오늘날 잔차 연결(residual connection)이 "
               "가장 많이 쓰이는 곳에서 강의를 마칩니다. Transformer의 서브레이어(어텐션과 MLP)는 모두 "
               "잔차 연결 위에 있고, 모델을 관통하는 합인 잔차 스트림(residual stream)을 모든 서브레이어가 "
               "읽고 씁니다. 1강(코드와 그래디언트로 본 잔차 덧셈 y = x + F(x))을 먼저 읽으세요.");
}

static int step_identity(lesson *ls)
{
    lesson_say(ls,
               "In a Pre-LN transformer every sub-layer reads a normalized copy of the stream "
               "and adds its result back; the stream itself is never normalized on the way:",
               "Pre-LN 트랜스포머에서 서브레이어는 스트림을 정규화한 사본을 읽고 결과를 다시 "
               "더합니다. 스트림 자체는 도중에 정규화되지 않습니다.");
    lesson_math(ls, "x <- x + Attn(LN(x)),   x <- x + MLP(LN(x))",
                "x \\leftarrow x + \\mathrm{Attn}(\\mathrm{LN}(x)), \\qquad "
                "x \\leftarrow x + \\mathrm{MLP}(\\mathrm{LN}(x))");
    int rc = lesson_code(ls, "preln-step",
                         "In gradflow, one sub-layer step of Pre-LN and of ReZero (x + a F(x), "
                         "no LayerNorm, a = 0 at the start); `f` is the branch's write:",
                         "gradflow에서 Pre-LN과 ReZero(x + a F(x), LayerNorm 없음, 시작할 때 "
                         "a = 0)의 서브레이어 한 단계입니다. `f`가 가지(branch)의 쓰기입니다.");
    if (rc != 0)
        return rc;
    lesson_ask(ls,
               "Set the output projection of every sub-layer of a 4-layer Pre-LN model to zero. "
               "How far will the stream move over its 8 sub-layers? And ReZero at a = 0?",
               "4층 Pre-LN 모델의 모든 서브레이어의 출력 사영을 0으로 둡니다. 8개 서브레이어를 지나며 "
               "스트림은 얼마나 움직일까요? a = 0인 ReZero는요?");
    const double pre = identity_gap(GF_XFMR_PRELN, 1), rez = identity_gap(GF_XFMR_REZERO, 0),
                 live = identity_gap(GF_XFMR_PRELN, 0);
    if (isnan(pre) || isnan(rez) || isnan(live))
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    lesson_answer(ls,
                  "The largest change of any entry is %g for Pre-LN and %g for ReZero. %s With "
                  "its weights the same model moves the stream by up to %.3g: the skip carries "
                  "x, the branches add corrections.",
                  "어느 성분이든 가장 큰 변화는 Pre-LN %g, ReZero %g입니다. %s 가중치가 있으면 같은 "
                  "모델이 스트림을 최대 %.3g만큼 움직입니다. 스킵이 x를 나르고 가지는 보정을 더합니다.",
                  pre, rez,
                  pre == 0.0 && rez == 0.0
                      ? LESSON_T(ls, "Both are the identity bit for bit: x + 0 = x exactly.",
                                 "둘 다 비트 단위까지 항등입니다. x + 0 = x가 정확히 성립합니다.")
                      : LESSON_T(ls, "Not exactly the identity: a rounding difference remains.",
                                 "정확한 항등은 아닙니다. 반올림 차이가 남습니다."),
                  live);
    return 0;
}

static void summary(lesson *ls, const gf_xfmr_result *r)
{
    const size_t S = (size_t)r->spec.seeds, Lt = (size_t)r->spec.train_layers;
    lesson_heading(ls, "What to take away", "정리");
    lesson_say(ls,
               "- A Pre-LN sub-layer is x + F(LN(x)): with F = 0 the model is the identity, bit "
               "for bit.\n"
               "- The last layer's gradient against depth: fitted slope %.2f under Pre-LN "
               "(theory -1/2), %.2f under Post-LN (theory 0).\n"
               "- Warm-up at lr %g: Post-LN %.3f with, %.3f without; Pre-LN %.3f with, %.3f "
               "without.\n"
               "- The logit lens of the trained Pre-LN model agrees with the final prediction "
               "on %.0f %% of bytes halfway.",
               "- Pre-LN 서브레이어는 x + F(LN(x))입니다. F = 0이면 모델은 비트 단위까지 항등입니다.\n"
               "- 깊이에 따른 마지막 층 그래디언트: 회귀 직선의 경사(slope)는 Pre-LN %.2f(이론 -1/2), "
               "Post-LN %.2f(이론 0).\n"
               "- 학습률 %g에서 워밍업: Post-LN은 있을 때 %.3f, 없을 때 %.3f. Pre-LN은 있을 때 %.3f, "
               "없을 때 %.3f.\n"
               "- 학습된 Pre-LN 모델의 logit lens는 절반 지점에서 %.0f %%의 바이트에서 최종 예측과 "
               "같습니다.",
               xf_slope_mean(r, 0), xf_slope_mean(r, 1), r->spec.lr, xf_tail_loss(r, 1, 1),
               xf_tail_loss(r, 1, 0), xf_tail_loss(r, 0, 1), xf_tail_loss(r, 0, 0),
               100 * xf_seed_mean(r->lens + Lt + 1 + Lt / 2, (int)S, 2 * (Lt + 1)));
}

static void exercises(lesson *ls, const gf_xfmr_spec *s)
{
    char base[384], cmd[512];
    lesson_exercises(ls);
    snprintf(base, sizeof base, LESSON_GRADFLOW " transformer --kind preln,postln --width %zu "
             "--context %zu --batch %zu --train-layers %d --train-width %zu --train-batch %zu "
             "--steps %ld --warmup %ld --lr %g", s->width, s->context, s->batch, s->train_layers,
             s->train_width, s->train_batch, s->steps, s->warmup, s->lr);
    snprintf(cmd, sizeof cmd, "%s --layers %d,%d,%d --seeds 8 --out runs/l08-seeds", base,
             s->layers[0], s->layers[1], s->layers[2]);
    lesson_try(ls, cmd,
               "Eight seeds instead of the lesson's. How wide is the spread of each slope? Does "
               "it cover the theory's value?",
               "강의보다 많은 시드 여덟 개. 각 경사의 퍼짐은 얼마나 넓을까요? 이론값을 포함할까요?");
    snprintf(cmd, sizeof cmd, "%s --layers %d,%d,%d,%d --seeds %d --out runs/l08-deep", base,
             s->layers[0], s->layers[1], s->layers[2], 2 * s->layers[2], s->seeds);
    lesson_try(ls, cmd,
               "One depth more, twice the deepest. The theory is asymptotic: does the slope move "
               "toward -1/2 and 0?",
               "가장 깊은 것의 두 배인 깊이를 하나 더합니다. 이론은 점근적입니다. 경사가 -1/2과 0 "
               "쪽으로 움직일까요?");
    snprintf(cmd, sizeof cmd, "%s --layers %d,%d,%d --seeds %d --sweep 3e-3,1e-2,3e-2,1e-1 "
             "--out runs/l08-sweep", base, s->layers[0], s->layers[1], s->layers[2], s->seeds);
    lesson_try(ls, cmd,
               "Larger learning rates without warm-up (the sweep table in the summary). At which "
               "rate does each kind diverge first?",
               "워밍업 없이 더 큰 학습률(요약의 sweep 표). 각 종류는 어느 학습률에서 먼저 발산할까요?");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " transformer --kind preln,postln,deepnorm,rezero "
             "--width %zu --context %zu --batch %zu --layers %d,%d,%d --seeds %d --train-kind "
             "deepnorm,rezero --train-layers %d --train-width %zu --train-batch %zu --steps %ld "
             "--warmup %ld --lr %g --out runs/l08-repairs", s->width, s->context, s->batch,
             s->layers[0], s->layers[1], s->layers[2], s->seeds, s->train_layers, s->train_width,
             s->train_batch, s->steps, s->warmup, s->lr);
    lesson_try(ls, cmd,
               "The two repairs: DeepNorm (Post-LN with the skip scaled up) and ReZero. Where do "
               "their slopes fall, and do they need warm-up?",
               "두 가지 보완책: DeepNorm(스킵을 키운 Post-LN)과 ReZero. 경사는 어디에 놓이고, 워밍업이 "
               "필요할까요?");
}

static int teach(lesson *ls)
{
    intro(ls);
    lesson_heading(ls, "Step 1. The identity path", "1단계. 항등 경로");
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
    json_object_set_new(ls->settings, "experiment",
                        json_pack("{s:[i,i,i], s:I, s:I, s:I, s:i, s:i, s:I, s:I, s:f}",
                                  "layers", s.layers[0], s.layers[1], s.layers[2], "width",
                                  (json_int_t)s.width, "context", (json_int_t)s.context,
                                  "batch", (json_int_t)s.batch, "seeds", s.seeds,
                                  "train_layers", s.train_layers, "steps", (json_int_t)s.steps,
                                  "warmup", (json_int_t)s.warmup, "lr", s.lr));
    gf_xfmr_result r;
    fflush(stdout);
    rc = gf_xfmr_run(&s, &r, why, sizeof why) != 0 || lesson_dir(ls, "", dir, sizeof dir) != 0 ||
                 gf_xfmr_write(&r, dir, why, sizeof why) != 0
             ? lesson_fail(ls, LESSON_RUNTIME, "%s", why)
             : 0;
    json_object_set_new(ls->settings, "text", json_string(text.source));
    gf_text_release(&text);
    if (rc != 0)
        return rc;
    lesson_heading(ls, "Step 2. The gradient at initialization", "2단계. 초기화 시점의 그래디언트");
    if ((rc = xf_step_gradients(ls, &r)) == 0) {
        lesson_heading(ls, "Step 3. Warm-up", "3단계. 워밍업");
        rc = xf_step_training(ls, &r);
    }
    if (rc == 0) {
        lesson_heading(ls, "Step 4. The residual stream", "4단계. 잔차 스트림");
        rc = xf_step_stream(ls, &r);
    }
    if (rc == 0) {
        summary(ls, &r);
        exercises(ls, &s);
    }
    gf_xfmr_result_release(&r);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
