/* 01-highway-steps.c: lesson 01, Steps 1, 3 and 4 (main and Step 2: 01-highway.c).
 *
 *   Step 1  one pre-activation block: dL/dx_0 = s + J_F^T s, and s is dL/dx_1 exactly;
 *   Step 3  zero branches: dL/dx_0 == dL/dx_B bit for bit (and where resnet's ReLU cuts);
 *   Step 4  He init: plain stays level, residual stacks grow toward the input;
 *           the per-block split says why.
 */
#include "01-highway.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------ */

/* -1 vanishes, +1 grows, 0 within one decade (r = log10 ||g_0|| / ||g_B||). */
static int trend(double r) { return r < -1.0 ? -1 : r > 1.0 ? 1 : 0; }

static const char *verdict(const lesson *ls, double r)
{
    return trend(r) < 0   ? LESSON_T(ls, "vanishes toward the input",
                                     "입력 쪽으로 갈수록 사라집니다")
           : trend(r) > 0 ? LESSON_T(ls, "grows toward the input", "입력 쪽으로 갈수록 커집니다")
                          : LESSON_T(ls, "stays within one decade", "한 자릿수 안에서 유지됩니다");
}

static gf_tensor *param(gf_stack *s, int slot) { return slot < 0 ? NULL : &s->params.slot[slot].t; }

/* A stack built from a seed and run once, forward and backward, with its
 * probes: the way gf_gradnorm_run does it, but keeping the tensors. */
typedef struct run {
    gf_stack *stack;
    gf_tape *tape;
    gf_recorder rec;
    gsl_rng *rng;
    int *labels;
} run;

static void run_release(run *r)
{
    gf_tape_free(r->tape);
    gf_recorder_release(&r->rec);
    gf_stack_free(r->stack);
    gsl_rng_free(r->rng);
    free(r->labels);
}

static int run_once(run *r, const gf_stack_config *c, const setup *su, size_t batch,
                    unsigned long seed)
{
    *r = (run){.stack = gf_stack_alloc(c), .tape = gf_tape_alloc(0),
               .rng = gsl_rng_alloc(gsl_rng_mt19937), .labels = malloc(batch * sizeof(int))};
    gf_recorder_init(&r->rec);
    if (!r->stack || !r->tape || !r->rng || !r->labels)
        return -1;
    gsl_rng_set(r->rng, seed); /* the seed draws the weights, then the batch */
    gf_tensor *x = gf_tape_input(r->tape, batch, c->in_dim);
    if (!x || gf_stack_init_weights(r->stack, r->rng) != 0 ||
        gf_dataset_sample(&su->data, r->rng, batch, x->v, r->labels) != 0)
        return -1;
    gf_tensor *logits = gf_stack_forward(r->stack, r->tape, x, 1, &r->rec);
    gf_tensor *loss = gf_softmax_xent(r->tape, logits, r->labels);
    return loss && gf_tape_backward(r->tape, loss) == 0 ? 0 : -1;
}

/* ---- Step 1: one block -------------------------------------------------- */

/* What Step 1 measured (numbers only): log2 norms at the block's ends. */
typedef struct block_facts {
    size_t width, batch, entries, same; /* entries of dL/dx_0; equal to s + J_F^T s bit for bit */
    double worst;                       /* largest relative difference */
    double log2_up, log2_skip, log2_branch, log2_total; /* dL/dx_1, s, J_F^T s, dL/dx_0 */
    double cos;                         /* cos(s, J_F^T s) */
    double ratio, total;                /* ||J_F^T s|| / ||s||, ||dL/dx_0|| / ||s|| */
    int bitwise;                        /* all entries equal (memcmp) */
} block_facts;

/* One block run with its probes, then the branch alone on a second tape
 * backward from dL/dx_1: s + J_F^T s against the engine's dL/dx_0.
 * 0, or the exit status after a message. */
static int measure_block(lesson *ls, const setup *su, block_facts *f)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = GF_ARCH_PREACT;
    c.depth = 4; /* stem, one block of two Linear, head */
    c.width = su->block_width;
    const size_t n = su->block_batch, w = c.width, size = n * w;
    run r;
    gf_tape *alone = gf_tape_alloc(0);
    double *g0 = malloc(size * sizeof *g0), *g1 = malloc(size * sizeof *g1),
           *b = malloc(size * sizeof *b), *sum = malloc(size * sizeof *sum);
    int rc = LESSON_RUNTIME;
    if (run_once(&r, &c, su, n, 1) != 0 || !alone || !g0 || !g1 || !b || !sum) {
        lesson_fail(ls, LESSON_RUNTIME, "step 1: building or running the block failed");
        goto done;
    }
    const gf_probe_record *r0 = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 0),
                          *r1 = gf_recorder_find(&r.rec, GF_PROBE_BLOCK, 1);
    gf_tensor_grad_export(r0->tensor, g0);
    gf_tensor_grad_export(r1->tensor, g1);

    /* The branch alone, on its own tape, backward from dL/dx_1: J_F^T dL/dx_1. */
    const gf_block_slots *blk = &r.stack->block[0];
    gf_tensor *xa = gf_tape_input(alone, n, w);
    if (!xa) {
        lesson_fail(ls, LESSON_RUNTIME, "step 1: out of memory");
        goto done;
    }
    memcpy(xa->v, r0->tensor->v, size * sizeof(double));
    xa->flags |= GF_REQUIRES_GRAD;
    gf_tensor *u = gf_relu(alone, xa);
    gf_tensor *h = gf_relu(alone, gf_linear(alone, u, param(r.stack, blk->fc1.weight),
                                            param(r.stack, blk->fc1.bias)));
    gf_tensor *out = gf_linear(alone, h, param(r.stack, blk->fc2.weight),
                             param(r.stack, blk->fc2.bias));
    if (!out || gf_tape_backward_from(alone, out, g1) != 0) {
        lesson_fail(ls, LESSON_RUNTIME, "step 1: backward through the branch alone failed");
        goto done;
    }
    gf_tensor_grad_export(xa, b);
    size_t same = 0;
    double worst = 0.0;
    for (size_t i = 0; i < size; i++) {
        sum[i] = g1[i] + b[i];
        same += memcmp(&sum[i], &g0[i], sizeof(double)) == 0;
        if (g0[i] != 0.0)
            worst = fmax(worst, fabs(sum[i] - g0[i]) / fabs(g0[i]));
    }
    *f = (block_facts){.width = w, .batch = n, .entries = size, .same = same, .worst = worst,
                       .log2_up = r1->log2_frob, .log2_skip = r0->log2_skip,
                       .log2_branch = r0->log2_branch, .log2_total = r0->log2_frob,
                       .cos = r0->cos_skip_branch,
                       .ratio = exp2(r0->log2_branch - r0->log2_skip),
                       .total = exp2(r0->log2_frob - r0->log2_skip),
                       .bitwise = memcmp(sum, g0, size * sizeof(double)) == 0};

    rc = 0;
done:
    gf_tape_free(alone);
    run_release(&r);
    free(g0);
    free(g1);
    free(b);
    free(sum);
    return rc;
}

/* The probe's split of dL/dx_0 and the entry-by-entry check. */
static void tell_block(lesson *ls, const block_facts *f)
{
    char a[32], s1[32], s2[32], s3[32];
    lesson_say(ls,
               "Take one pre-activation block, x_1 = x_0 + F(x_0) with "
               "`F(x) = W2 relu(W1 relu(x) + b1) + b2` (width %zu, a batch of %zu samples, "
               "PyTorch's default initialization), with a linear head and the mean "
               "cross-entropy on top. Backward through the block splits dL/dx_0 into two "
               "terms: the skip term s, which is the upstream gradient dL/dx_1 passed on by "
               "the identity, and the branch term J_F^T s, which came back through both Linear "
               "layers. The probe on x_0 measured:",
               "사전 활성화(pre-activation) 블록 하나를 봅시다. x_1 = x_0 + F(x_0)이고 "
               "`F(x) = W2 relu(W1 relu(x) + b1) + b2`입니다(폭 %zu, 배치 %zu개, PyTorch 기본 "
               "초기화). 그 위에 선형 출력층과 평균 교차 엔트로피 손실을 얹었습니다. 역전파로 "
               "블록을 통과하면 dL/dx_0은 두 항으로 나뉩니다. 하나는 항등 경로가 그대로 넘겨준 "
               "위쪽 그래디언트 dL/dx_1, 곧 스킵 항 s이고, 다른 하나는 두 Linear 층을 거쳐 "
               "돌아온 가지 항 J_F^T s입니다. x_0에 단 프로브가 잰 값은 다음과 같습니다.",
               f->width, f->batch);
    lesson_pre(ls, "||dL/dx_1||       %-10s  %s", lesson_pow2_text(a, sizeof a, f->log2_up),
               LESSON_T(ls, "upstream gradient (probe on x_1)", "위쪽 그래디언트 (x_1의 프로브)"));
    lesson_pre(ls, "||s||             %-10s  %s", lesson_pow2_text(s1, sizeof s1, f->log2_skip),
               LESSON_T(ls, "skip term", "스킵 항"));
    lesson_pre(ls, "||J_F^T s||       %-10s  = %.3f ||s||   %s",
               lesson_pow2_text(s2, sizeof s2, f->log2_branch), f->ratio, LESSON_T(ls, "branch term", "가지 항"));
    lesson_pre(ls, "cos(s, J_F^T s)   %-+10.3f  %s", f->cos,
               LESSON_T(ls, "cosine of the angle between them", "두 항 사이 각의 코사인"));
    lesson_pre(ls, "||dL/dx_0||       %-10s  = %.3f ||s||   %s",
               lesson_pow2_text(s3, sizeof s3, f->log2_total), f->total,
               LESSON_T(ls, "= ||s + J_F^T s||", "= ||s + J_F^T s||"));
    if (f->bitwise)
        lesson_say(ls,
                   "The probe's ||s|| is ||dL/dx_1|| itself. To check the claim entry by entry, I "
                   "ran the branch F alone on a second tape, started its backward pass from "
                   "dL/dx_1, and added the result to dL/dx_1. The sum equals the engine's dL/dx_0 "
                   "in all %zu entries, bit for bit (memcmp): the skip term is the upstream "
                   "gradient, not scaled, not masked, not even rounded. That identity is the "
                   "\"+1\".",
                   "프로브가 잰 ||s||는 ||dL/dx_1|| 그 자체입니다. 원소 하나하나까지 확인하려고 "
                   "가지 F만 두 번째 테이프에서 따로 돌려 dL/dx_1에서 역전파를 시작하고, 그 결과를 "
                   "dL/dx_1에 더했습니다. 이 합은 엔진이 계산한 dL/dx_0과 %zu개 원소 모두 비트 단위까지 "
                   "같습니다(memcmp). 스킵 항은 위쪽 그래디언트 그대로입니다. 크기가 바뀌지도, "
                   "일부가 잘리지도, 반올림되지도 않습니다. 이 항등 변환이 바로 \"+1\"입니다.",
                   f->entries);
    else
        lesson_say(ls,
                   "To check the split entry by entry, I ran the branch F alone on a second tape, "
                   "started its backward pass from dL/dx_1 and added the result to dL/dx_1: %zu of "
                   "%zu entries equal the engine's dL/dx_0 bit for bit, and the largest relative "
                   "difference is %.1e.",
                   "분해를 원소 단위로 확인하려고 가지 F만 두 번째 테이프에서 따로 돌려 dL/dx_1에서 "
                   "역전파를 시작하고 그 결과를 dL/dx_1에 더했습니다. %zu개 원소(전체 %zu개)가 "
                   "엔진의 dL/dx_0과 비트 단위까지 같고, 가장 큰 상대 오차는 %.1e입니다.",
                   f->same, f->entries, f->worst);
    lesson_say(ls,
               "The branch term is %.2f times as long as the skip term and the cosine between "
               "them is %+.3f, so together they are %.3f times as long as s. For the gradient "
               "at x_0 to vanish, the branch would have to cancel s exactly: same length, opposite "
               "direction.",
               "가지 항의 길이는 스킵 항의 %.2f배이고 두 항 사이의 코사인은 %+.3f입니다. 그래서 "
               "둘을 더한 길이는 s의 %.3f배입니다. x_0에서 그래디언트가 사라지려면 가지 항이 s를 "
               "정확히 상쇄해야 합니다. 길이는 같고 방향은 정반대여야 하죠.",
               f->ratio, f->cos, f->total);
}

/* *bitwise: s + J_F^T s, the branch run alone, equals dL/dx_0 (memcmp). */
int hw_step_block(lesson *ls, const setup *su, int *bitwise)
{
    block_facts f;
    int rc = lesson_code(ls, "residual-add",
                         "In gradflow a block is these lines: the branch f, then the sum. For "
                         "preact the sum is `gf_add(tape, in, f)`, x + F(x) as written; the "
                         "original resnet adds and applies its ReLU in one op, `gf_add_relu`; "
                         "plain has no sum at all.",
                         "gradflow에서 블록은 다음 몇 줄입니다. 가지 f를 계산하고 더합니다. preact의 "
                         "합은 식 그대로 `gf_add(tape, in, f)`, 곧 x + F(x)이고, 원래의 resnet은 "
                         "덧셈과 ReLU를 한 연산 `gf_add_relu`로 하며, plain에는 덧셈이 없습니다.");
    if (rc != 0)
        return rc;
    lesson_ask(ls,
               "The backward pass of the sum hands the gradient dy to both of its inputs. So "
               "what is the skip term s at x_0, compared with dL/dx_1? If F is run alone from "
               "dL/dx_1 on a second tape and added to dL/dx_1, how close will the sum be to the "
               "engine's dL/dx_0?",
               "덧셈의 역전파는 그래디언트 dy를 두 입력 모두에 넘깁니다. 그렇다면 x_0의 스킵 항 s는 "
               "dL/dx_1과 비교해 무엇일까요? 두 번째 테이프에서 F만 따로 dL/dx_1로부터 역전파해 "
               "dL/dx_1에 더하면, 그 합은 엔진이 계산한 dL/dx_0과 얼마나 가까울까요?");
    if ((rc = measure_block(ls, su, &f)) != 0)
        return rc;
    tell_block(ls, &f);
    lesson_answer(ls, "%s", "%s",
                  f.bitwise ? LESSON_T(ls, "s is dL/dx_1 itself, and the sum equals dL/dx_0 bit "
                                           "for bit. This is the backward of the sum that did it:",
                                       "s는 dL/dx_1 그 자체이고, 합은 dL/dx_0과 비트 단위까지 "
                                       "같습니다. 그렇게 만든 것이 덧셈의 역전파입니다.")
                            : LESSON_T(ls, "close, but not bit for bit (see above). The backward "
                                           "of the sum:",
                                       "가깝지만 비트 단위로 같지는 않습니다(위 참고). 덧셈의 "
                                       "역전파는 다음과 같습니다."));
    rc = lesson_code(ls, "add-backward",
                     "`gf_grad_begin` gives each input's gradient buffer and `GF_GRAD_LOOP` "
                     "writes dy into it, or adds dy when the buffer already holds a gradient "
                     "(x_l's, from the branch). The same dy, unscaled, for both inputs: that is "
                     "the +1.",
                     "`gf_grad_begin`이 각 입력의 그래디언트 버퍼를 주고, `GF_GRAD_LOOP`가 거기에 "
                     "dy를 쓰거나, 버퍼에 이미 그래디언트(가지에서 온 x_l의 것)가 있으면 dy를 "
                     "더합니다. 두 입력에 크기를 바꾸지 않은 같은 dy, 이것이 +1입니다.");
    *bitwise = f.bitwise;
    return rc;
}

/* ---- Step 3: zero branches ---------------------------------------------- */

typedef struct compare {
    size_t entries, same, cut; /* cut: differ where x_0 = 0 and dL/dx_0 = 0 */
    double worst;              /* largest relative difference */
    int bitwise;
} compare;

static compare compare_ends(const run *r, const setup *su, double *g0, double *gB)
{
    const int B = r->stack->blocks;
    const gf_probe_record *r0 = gf_recorder_find(&r->rec, GF_PROBE_BLOCK, 0),
                          *rB = gf_recorder_find(&r->rec, GF_PROBE_BLOCK, B);
    compare c = {.entries = su->batch * su->width};
    gf_tensor_grad_export(r0->tensor, g0);
    gf_tensor_grad_export(rB->tensor, gB);
    c.bitwise = memcmp(g0, gB, c.entries * sizeof *g0) == 0;
    for (size_t i = 0; i < c.entries; i++) {
        if (memcmp(&g0[i], &gB[i], sizeof *g0) == 0) {
            c.same++;
            continue;
        }
        c.cut += r0->tensor->v[i] == 0.0 && g0[i] == 0.0;
        if (gB[i] != 0.0)
            c.worst = fmax(c.worst, fabs(g0[i] - gB[i]) / fabs(gB[i]));
    }
    return c;
}

/* Step 3 for the original resnet: which entries its ReLU on the highway cut. */
static void tell_resnet_cut(lesson *ls, int depth, const compare *cmp)
{
    const compare res = *cmp;
    lesson_say(ls,
               "The original ResNet adds before its last ReLU, x_{l+1} = relu(x_l + F(x_l)), so "
               "even with zero branches that ReLU sits on the highway. The same comparison at "
               "depth %d: %zu of the %zu entries of dL/dx_0 equal dL/dx_B bit for bit.",
               "원래 ResNet은 마지막 ReLU 앞에서 더합니다. x_{l+1} = relu(x_l + F(x_l))이므로 "
               "가지가 0이어도 그 ReLU는 고속도로 위에 남습니다. 깊이 %d에서 같은 비교를 하면 "
               "dL/dx_0의 원소 중 %zu개(전체 %zu개)가 dL/dx_B와 비트 단위까지 같습니다.",
               depth, res.same, res.entries);
    if (res.same < res.entries && res.cut == res.entries - res.same)
        lesson_say(ls,
                   "The other %zu are all entries where x_0 = 0, and there dL/dx_0 is "
                   "0: a ReLU passes gradient only where its input is positive. The "
                   "pre-activation layout takes that ReLU off the highway; lesson 05 measures what "
                   "this changes (the rank of the end-to-end Jacobian).",
                   "나머지 %zu개는 모두 x_0 = 0인 원소이고, 거기서 dL/dx_0은 0입니다. ReLU는 "
                   "입력이 양수인 곳으로만 그래디언트를 흘려보내기 때문입니다. 사전 활성화 구조는 "
                   "이 ReLU를 고속도로 밖으로 옮깁니다. 그것이 무엇을 바꾸는지는 5강에서 잽니다"
                   "(전체 야코비안의 계수(rank)).",
                   res.entries - res.same);
    else if (res.same < res.entries)
        lesson_say(ls,
                   "Of the other %zu, %zu are entries where x_0 = 0 and dL/dx_0 = 0 (the ReLU "
                   "passes gradient only where its input is positive).",
                   "나머지 %zu개 가운데 %zu개는 x_0 = 0이고 dL/dx_0 = 0인 원소입니다(ReLU는 입력이 "
                   "양수인 곳으로만 그래디언트를 흘려보냅니다).",
                   res.entries - res.same, res.cut);
}

int hw_step_zero(lesson *ls, const setup *su, int *bitwise)
{
    const int depth = su->depths[su->n_depths - 1];
    gf_stack_config c = gf_stack_config_default();
    c.depth = depth;
    c.width = su->width;
    c.zero_branch = 1;
    const size_t size = su->batch * su->width;
    run r[2] = {{0}, {0}};
    double *g0 = malloc(size * sizeof *g0), *gB = malloc(size * sizeof *gB);
    int rc = LESSON_RUNTIME;
    c.arch = GF_ARCH_PREACT;
    const int ok_pre = g0 && gB && run_once(&r[0], &c, su, su->batch, 1) == 0;
    c.arch = GF_ARCH_RESNET;
    if (!ok_pre || run_once(&r[1], &c, su, su->batch, 1) != 0) {
        lesson_fail(ls, LESSON_RUNTIME, "step 3: building or running the stacks failed");
        goto done;
    }
    const compare pre = compare_ends(&r[0], su, g0, gB);
    const double w_grad = gf_params_grad_log2(&r[0].stack->params,
                                              r[0].stack->block[0].fc2.weight);
    const compare res = compare_ends(&r[1], su, g0, gB);
    *bitwise = pre.bitwise;
    const int B = r[0].stack->blocks;
    char a[32];
    lesson_say(ls,
               "Zero the last Linear of every branch (gradflow's `zero_branch` option, the "
               "\"zero-init residual\" trick) and F_l = 0 in every block. A pre-activation stack "
               "is then the identity from x_0 to x_B, and the formula above reduces to "
               "dL/dx_0 = dL/dx_B. I built one at depth %d (%d blocks, width %zu, batch %zu) "
               "and exported both gradients, %zu doubles each.",
               "모든 가지의 마지막 Linear를 0으로 만들면(gradflow의 `zero_branch` 옵션, 이른바 "
               "\"zero-init residual\") 모든 블록에서 F_l = 0이 됩니다. 그러면 사전 활성화 스택은 "
               "x_0에서 x_B까지 항등 함수이고, 위 식은 dL/dx_0 = dL/dx_B로 줄어듭니다. 깊이 %d인 "
               "스택을 하나 만들어(블록 %d개, 폭 %zu, 배치 %zu) 두 그래디언트를 내보냈습니다. "
               "각각 double %zu개입니다.",
               depth, B, su->width, su->batch, size);
    lesson_ask(ls,
               "Will dL/dx_0 equal dL/dx_B exactly, after %d blocks "
               "of floating-point arithmetic? And for the original resnet, whose ReLU sits "
               "after the sum?",
               "부동소수점 연산을 블록 %d개 거친 뒤에도 dL/dx_0이 "
               "dL/dx_B와 정확히 같을까요? 합 뒤에 ReLU가 있는 원래의 resnet은 어떨까요?",
               B);
    if (pre.bitwise)
        lesson_say(ls,
                   "`memcmp` finds them identical, bit for bit: %d blocks, and not one rounding on "
                   "the way. Zeroed does not mean frozen, though: the zeroed weight "
                   "`blocks.0.fc2.weight` still receives a gradient of norm %s, so the first "
                   "training step moves it off zero.",
                   "`memcmp`로 비교하면 비트 단위까지 똑같습니다. 블록 %d개를 지나는 동안 반올림 한 번 "
                   "없었다는 뜻입니다. 그렇다고 멈춰 있는 것은 아닙니다. 0으로 만든 가중치 "
                   "`blocks.0.fc2.weight`도 노름 %s의 그래디언트를 받으므로, 첫 학습 단계에서 곧바로 "
                   "0을 벗어납니다.",
                   B, lesson_pow2_text(a, sizeof a, w_grad));
    else
        lesson_say(ls,
                   "`memcmp` finds %zu of %zu entries identical; the largest relative difference "
                   "is %.1e. The zeroed weight `blocks.0.fc2.weight` receives a gradient of norm "
                   "%s.",
                   "`memcmp`로 비교하면 %zu개 원소(전체 %zu개)가 같고, 가장 큰 상대 오차는 %.1e입니다. "
                   "0으로 만든 가중치 `blocks.0.fc2.weight`가 받는 그래디언트의 노름은 %s입니다.",
                   pre.same, pre.entries, pre.worst, lesson_pow2_text(a, sizeof a, w_grad));
    tell_resnet_cut(ls, depth, &res);
    rc = 0;
done:
    run_release(&r[0]);
    run_release(&r[1]);
    free(g0);
    free(gB);
    return rc;
}

/* ---- Step 4: where the growth comes from --------------------------------- */

/* Over the blocks of one architecture (mean over seeds):
 *   log10 ||g_0|| - log10 ||g_B|| = sum_l log10 ||s_l + b_l|| / ||s_l||     (branch)
 *                                 + sum_l log10 ||s_l|| / ||g_{l+1}||      (ReLU cut)
 * exactly (the sum telescopes); for preact s_l = g_{l+1}, so the cut is 0. */
typedef struct split_sum {
    double r, cos, branch, cut;
} split_sum;

static split_sum split_of(const gf_gradnorm_result *res, int a)
{
    split_sum s = {0};
    int n = 0, nc = 0;
    for (int k = 0; k < res->spec.seeds; k++)
        for (int l = 0; l < res->blocks; l++) {
            const gf_probe_record *rl = gf_gradnorm_block(res, a, k, l),
                                  *rn = gf_gradnorm_block(res, a, k, l + 1);
            s.branch += (rl->log2_frob - rl->log2_skip) * GF_LOG10_2;
            s.cut += (rl->log2_skip - rn->log2_frob) * GF_LOG10_2;
            s.r += exp2(rl->log2_branch - rl->log2_skip);
            n++;
            if (!isnan(rl->cos_skip_branch)) {
                s.cos += rl->cos_skip_branch;
                nc++;
            }
        }
    s.branch /= res->spec.seeds;
    s.cut /= res->spec.seeds;
    s.r /= n;
    s.cos = nc ? s.cos / nc : NAN;
    return s;
}

void hw_tell_he(lesson *ls, const setup *su)
{
    const double fan_var = gf_init_weight_var(GF_INIT_HE, su->width, su->width) * (double)su->width;
    const double relu2 = gf_theory_gauss_expect(GF_ACT_RELU, 1.0, 1);
    lesson_say(ls,
               "PyTorch's default is not the only choice. He et al. picked Var(w) = 2/fan_in to "
               "make up for what the ReLU removes: fan_in · Var(w) = %.2f times "
               "E[relu'(h)^2] = %.2f gives %.2f per layer, so theory predicts no decay at all.",
               "PyTorch 기본값만 있는 것은 아닙니다. He 연구진은 ReLU가 깎아 내는 몫을 메우려고 "
               "Var(w) = 2/fan_in을 골랐습니다. fan_in · Var(w) = %.2f, E[relu'(h)^2] = %.2f이고 "
               "둘을 곱하면 층당 %.2f이니, 이론상 그래디언트는 전혀 줄지 않습니다.",
               fan_var, relu2, fan_var * relu2);
    lesson_ask(ls,
               "With He init, what will the plain stack's gradient do from x_B to x_0? A residual "
               "block passes dL/dx_{l+1} on and adds its branch's term on top; with branches as "
               "strong as He init makes them, what will the residual stacks do?",
               "He 초기화에서 plain 스택의 그래디언트는 x_B에서 x_0까지 어떻게 될까요? 잔차 블록은 "
               "dL/dx_{l+1}을 그대로 넘기고 그 위에 가지 항을 더합니다. He 초기화로 가지가 이만큼 "
               "강하면 잔차 스택은 어떻게 될까요?");
}

/* The residual stacks' growth, block by block: the branch's share and the ReLU's cut. */
static void tell_split(lesson *ls, const setup *su, const sweep *torch, const sweep *he)
{
    const int i = su->n_depths - 1, depth = su->depths[i], B = he->res[i].blocks;
    lesson_say(ls,
               "Where does the residual growth come from? Write ||dL/dx_0|| / ||dL/dx_B|| as a "
               "product over blocks. Each block contributes ||s + J_F^T s|| / ||s||, what its "
               "branch adds, and for resnet also ||s_l|| / ||dL/dx_{l+1}||, what the ReLU on the "
               "highway removes (for preact this factor is exactly 1). Summed over the %d blocks "
               "at depth %d, in decades, mean over seeds:",
               "잔차 스택의 그래디언트가 커지는 까닭은 무엇일까요? ||dL/dx_0|| / ||dL/dx_B||를 "
               "블록별 인수의 곱으로 써 봅시다. 블록마다 가지가 더하는 몫 ||s + J_F^T s|| / ||s||가 "
               "있고, resnet에는 고속도로 위의 ReLU가 깎는 몫 ||s_l|| / ||dL/dx_{l+1}||가 하나 더 "
               "있습니다(preact에서는 이 인수가 정확히 1입니다). 블록 %d개(깊이 %d)에 걸쳐 모두 "
               "더하면 다음과 같습니다(단위는 자릿수, 시드 평균).",
               B, depth);
    lesson_pre(ls, "%-6s %-7s %13s %8s %8s %9s %8s", "init", "arch", "||J_F^Ts||/||s||", "cos",
               "branch", "ReLU cut", "total");
    split_sum sp[2][2];
    const sweep *sw[2] = {torch, he};
    for (int k = 0; k < 2; k++)
        for (int a = RESNET; a <= PREACT; a++) {
            const split_sum s = sp[k][a - RESNET] = split_of(&sw[k]->res[i], a);
            lesson_pre(ls, "%-6s %-7s %16.3f %+8.3f %+8.2f %+9.2f %+8.2f",
                       gf_init_names[sw[k]->init], gf_arch_names[ARCHS[a]], s.r, s.cos,
                       lesson_decades(s.branch), lesson_decades(s.cut),
                       lesson_decades(s.branch + s.cut));
        }
    const split_sum pt = sp[0][1], ph = sp[1][1];
    lesson_say(ls,
               "With PyTorch's default init the branch term is on average %.2f times the skip "
               "term and a pre-activation block multiplies the gradient by %.3f; with He init it "
               "is %.2f times, the factor is %.3f, and over %d blocks that compounds to %+.2f "
               "decades. The highway guarantees that dL/dx_B reaches x_0 as one term of "
               "dL/dx_0, whatever the weights. It does not keep the size of the sum in check: "
               "the branches add on top, block after block, and the pre-activation layout "
               "does not change that (it is the stack that grew above). What does is smaller "
               "branches: Step 3 showed the extreme, zero, and lesson 05 measures fixup, rezero "
               "and 1/sqrt(B) scaling; exercise 4 below tries batch norm.",
               "PyTorch 기본 초기화에서는 가지 항이 평균적으로 스킵 항의 %.2f배이고, 사전 활성화 "
               "블록 하나가 그래디언트를 %.3f배로 만듭니다. He 초기화에서는 %.2f배, 블록당 "
               "%.3f배이고, 블록 %d개를 지나며 쌓이면 %+.2f자리가 됩니다. 고속도로가 보장하는 "
               "것은, 가중치가 어떻든 dL/dx_B가 dL/dx_0의 한 항으로 x_0까지 도착한다는 "
               "사실입니다. 합 전체의 크기까지 붙잡아 주지는 않습니다. 블록마다 가지 항이 그 "
               "위에 계속 더해지고, 사전 활성화 구조도 이것을 바꾸지 못합니다(위에서 커진 것이 "
               "바로 그 스택입니다). 바꾸는 것은 가지를 작게 만드는 방법입니다. 3단계가 그 극단인 "
               "0을 보여 주었고, 5강은 fixup, rezero, 1/sqrt(B) 축소를 잽니다. 배치 정규화는 아래 "
               "연습 4에서 해 봅니다.",
               pt.r, pow(10.0, pt.branch / B), ph.r, pow(10.0, ph.branch / B), B,
               lesson_decades(ph.branch + ph.cut));
}

int hw_step_he(lesson *ls, const setup *su, const sweep *torch, const sweep *he)
{
    const int i = su->n_depths - 1, depth = su->depths[i];
    lesson_say(ls, "The same experiment with He initialization, log10(||dL/dx_0|| / ||dL/dx_B||):",
               "He 초기화로 같은 실험을 한 log10(||dL/dx_0|| / ||dL/dx_B||)는 다음과 같습니다.");
    hw_sweep_table(ls, su, he);
    const double plain = he->change[i][PLAIN], res = he->change[i][RESNET],
                 pre = he->change[i][PREACT];
    char c[3][64];
    lesson_answer(ls,
                  "The plain stack's gradient now %s: at depth %d it %s (theory %.2f). From x_B "
                  "to x_0 resnet's gradient %s and preact's %s: %s",
                  "이제 plain 스택의 그래디언트는 %s. 깊이 %d에서 %s(이론값 %.2f). x_B에서 x_0까지 "
                  "resnet의 그래디언트는 %s. preact의 그래디언트는 %s. %s",
                  verdict(ls, plain), depth, lesson_change(ls, c[0], sizeof c[0], plain),
                  lesson_decades(he->theory[i]), lesson_change(ls, c[1], sizeof c[1], res),
                  lesson_change(ls, c[2], sizeof c[2], pre),
                  trend(res) == trend(pre)
                      ? LESSON_T(ls, "both residual stacks behave alike.",
                                 "두 잔차 스택이 같은 방향으로 움직입니다.")
                      : LESSON_T(ls, "the two residual stacks go different ways.",
                                 "두 잔차 스택이 서로 다르게 움직입니다."));
    if (fabs(plain) <= 1.0)
        lesson_say(ls,
                   "So with He initialization the gradient of a plain ReLU stack does not vanish "
                   "at initialization: whatever makes deep plain networks hard to train, it is "
                   "not only a gradient that vanishes at the start.",
                   "즉 He 초기화를 하면 plain ReLU 스택의 그래디언트는 초기화 시점에 사라지지 "
                   "않습니다. 깊은 plain 네트워크를 학습하기 어려운 이유가 시작 시점의 그래디언트 "
                   "소실만은 아니라는 뜻입니다.");
    tell_split(ls, su, torch, he);
    return 0;
}
