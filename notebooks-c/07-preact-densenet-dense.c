/* 07-preact-densenet-dense.c: lesson 07, Part B: DenseNet's concatenation.
 *
 * A DenseNet at initialization, stored the shared way, with the library's
 * connection sink (gf_densenet_set_sink): the gradient each layer sends back
 * to every earlier feature map of its block through its input. Then the
 * cost of a training step (gf_model_cost_of: trainable values, the tape's
 * memory) of DenseNets of several depths stored naively and shared, and of
 * cnn-resnets of about the same depth.
 */
#include "07-preact-densenet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const MEM_WHAT[3] = {"resnet", "densenet-naive", "densenet-shared"};

static gf_stack_config net_config(const pd_setup *su, gf_arch arch, int depth)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.depth = depth;
    c.in_dim = su->data.dim;
    c.classes = su->data.classes;
    c.width_mult = arch == GF_ARCH_CNN_RESNET ? 1.0 : su->growth / 12.0;
    return c;
}

/* A fresh net of config c (memory: the DenseNet's storage), weights from seed 1. */
static gf_model *fresh(const gf_stack_config *c, gf_dense_memory memory, char *why, size_t size)
{
    gf_family_config fc;
    if (gf_arch_config(c, &fc, why, size) != 0)
        return NULL;
    if (c->arch == GF_ARCH_DENSENET || c->arch == GF_ARCH_DENSENET_BC)
        fc.densenet.memory = memory;
    return gf_model_alloc_seeded(gf_arch_types[c->arch].family, &fc, 1, why, size);
}

/* ---- the gradient through every connection ---------------------------------------- */

static void connection_rows(FILE *f, const void *ctx)
{
    const pd_dense_facts *d = ctx;
    const int M = d->layers + 2;
    for (int b = 0; b < 3; b++)
        for (int l = 1; l < M; l++)
            for (int s = 0; s < l; s++) {
                fprintf(f, "%d\t%d\t%d", b + 1, l, s);
                gf_tsv_put(f, d->conn[b][l * M + s] * GF_LOG10_2);
                fputc('\n', f);
            }
}

/* Block 1's (and for the input width, block 2's) summary of the connection norms. */
static void conn_stats(pd_dense_facts *f)
{
    const int n = f->layers, M = n + 2;
    const double *c0 = f->conn[0];
    f->conn_first = c0[(n + 1) * M + 0] * GF_LOG10_2;
    f->conn_last = c0[(n + 1) * M + n] * GF_LOG10_2;
    f->conn_lo = INFINITY;
    f->conn_hi = -INFINITY;
    double near = 0.0, far = 0.0;
    int k = 0;
    for (int l = 1; l <= n + 1; l++)
        for (int s = 0; s < l; s++) {
            f->conn_lo = fmin(f->conn_lo, c0[l * M + s] * GF_LOG10_2);
            f->conn_hi = fmax(f->conn_hi, c0[l * M + s] * GF_LOG10_2);
        }
    for (int l = 3; l <= n + 1; l++, k++) {
        near += c0[l * M + l - 1] * GF_LOG10_2;
        far += c0[l * M] * GF_LOG10_2;
    }
    double spread = 0.0;
    for (int l = 2; l <= n + 1; l++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int s = 0; s < l; s++) {
            lo = fmin(lo, c0[l * M + s]);
            hi = fmax(hi, c0[l * M + s]);
        }
        spread += (hi - lo) * GF_LOG10_2;
    }
    f->row_spread = spread / n;
    const double *c1 = f->conn[1];
    double gap = 0.0;
    for (int l = 2; l <= n + 1; l++) {
        double rest = 0.0;
        for (int s = 1; s < l; s++)
            rest += c1[l * M + s];
        gap += (c1[l * M] - rest / (l - 1)) * GF_LOG10_2;
    }
    f->input_gap = gap / n;
    f->col_fall = (c0[1 * M] - c0[n * M]) * GF_LOG10_2;
    f->near_mean = k ? near / k : NAN;
    f->far_mean = k ? far / k : NAN;
}

/* One training-mode pass of the first batch with the sink set; block 1's summary. */
static int measure_connections(lesson *ls, const pd_setup *su, pd_dense_facts *f)
{
    char why[512];
    const gf_stack_config c = net_config(su, GF_ARCH_DENSENET, su->dense_depth);
    gf_model *m = fresh(&c, GF_DENSE_SHARED, why, sizeof why);
    if (!m)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    gf_model_name(m, f->dense_name, sizeof f->dense_name);
    gf_densenet_plan plan;
    gf_densenet_plan_of(gf_model_config(m), &plan);
    for (int b = 0; b < 3; b++)
        f->in_ch[b] = plan.in[b];
    const int n = f->layers = gf_model_blocks(m) / 3, M = n + 2;
    for (int b = 0; b < 3; b++) {
        f->conn[b] = malloc((size_t)(M * M) * sizeof(double));
        for (int i = 0; f->conn[b] && i < M * M; i++)
            f->conn[b][i] = NAN;
    }
    gf_tape *tape = gf_tape_alloc(0);
    gf_tensor *x = tape && f->conn[2] ? gf_tape_input(tape, su->batch, su->data.dim) : NULL;
    int rc = 0;
    if (x) {
        memcpy(x->v, su->data.x, su->batch * su->data.dim * sizeof *x->v);
        gf_densenet_set_sink(gf_model_net(m), f->conn);
        gf_tensor *z = gf_model_forward(m, tape, x, NULL, NULL);
        if (gf_tape_backward(tape, gf_softmax_xent(tape, z, su->data.y)) != 0)
            rc = lesson_fail(ls, LESSON_RUNTIME, "DenseNet pass: %s", gf_tape_error(tape));
        gf_densenet_set_sink(gf_model_net(m), NULL);
    } else {
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory");
    }
    gf_tape_free(tape);
    gf_model_free(m);
    if (rc)
        return rc;
    conn_stats(f);
    static const gf_named_file file = {"connections.tsv", "block\tlayer\tsource\tlog10_grad_norm",
                                       connection_rows};
    if (gf_write_all_in(ls->opt.out, &file, 1, f, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    return 0;
}

static void tell_connections(lesson *ls, const pd_setup *su, const pd_dense_facts *f)
{
    const int n = f->layers, M = n + 2;
    lesson_ask(ls,
               "Layer l of a dense block reads [x_0, y_1, ..., y_{l-1}], so its input gradient "
               "splits into one slice per earlier feature map: a direct connection, one "
               "step long, from every earlier layer to every later one. At initialization, "
               "will a layer send more gradient to its neighbour y_{l-1} than to the block's "
               "input x_0, or about the same?",
               "dense 블록의 l번째 층은 [x_0, y_1, ..., y_{l-1}]을 읽으므로, 입력 그래디언트가 "
               "앞선 특성 맵마다 한 조각씩 나뉩니다. 앞의 모든 층에서 뒤의 모든 층으로 가는 "
               "길이 1의 직접 연결입니다. 초기화 시점에 한 층은 바로 앞 y_{l-1}에 블록 입력 "
               "x_0보다 그래디언트를 더 많이 보낼까요, 아니면 비슷하게 보낼까요?");
    lesson_pre(ls, "%s, block 1: log10 ||dL/d(source) through layer l's input||", f->dense_name);
    char line[1024];
    int at = snprintf(line, sizeof line, "%-8s", "l \\ s");
    for (int s = 0; s <= n && at < (int)sizeof line - 8; s++)
        at += snprintf(line + at, sizeof line - (size_t)at, "%7d", s);
    lesson_pre(ls, "%s", line);
    for (int l = 1; l <= n + 1; l++) {
        at = l <= n ? snprintf(line, sizeof line, "%-8d", l)
                    : snprintf(line, sizeof line, "%-8s", "trans.");
        for (int s = 0; s < l && at < (int)sizeof line - 8; s++)
            at += snprintf(line + at, sizeof line - (size_t)at, "%7.2f",
                           lesson_decades(f->conn[0][l * M + s] * GF_LOG10_2));
        lesson_pre(ls, "%s", line);
    }
    char last[48], lastj[64];
    snprintf(last, sizeof last, "%.2f", lesson_decades(f->conn_last));
    lesson_josa(ls, lastj, sizeof lastj, last, "을/를");
    lesson_answer(ls,
                  "For layers 3 to %d and the transition, the slice for the neighbour y_{l-1} "
                  "averages %.2f and the slice for x_0 %.2f (log10); every connection of block 1 "
                  "lies between %.2f and %.2f, within %.2f decades. The transition sends %.2f to "
                  "x_0 and %s to y_%d. No connection is a long path: what reaches x_0 from the "
                  "end of the block went through one BN-ReLU-conv, not %d of them.",
                  "3번째부터 %d번째 층과 전이층(transition)에서 바로 앞 y_{l-1}로 가는 조각은 평균 "
                  "%.2f, x_0으로 가는 조각은 %.2f입니다(log10). 블록 1의 모든 연결이 %.2f에서 "
                  "%.2f 사이, %.2f자리 안에 있습니다. 전이층은 x_0에 %.2f, 마지막 층의 출력에 %s "
                  "보냅니다(y_%d). 어떤 연결도 긴 경로가 아닙니다. 블록 끝에서 x_0에 닿는 "
                  "그래디언트는 BN-ReLU-합성곱 %d개가 아니라 하나만 거쳤습니다.",
                  n, lesson_decades(f->near_mean), lesson_decades(f->far_mean),
                  lesson_decades(f->conn_lo), lesson_decades(f->conn_hi),
                  f->conn_hi - f->conn_lo, lesson_decades(f->conn_first),
                  lastj, n, n);
    const double gap = f->near_mean - f->far_mean;
    lesson_say(ls,
               fabs(gap) < 0.3
                   ? "About the same (%.2f decades apart): the concatenation gives the oldest "
                     "feature map as direct a line to the loss as the newest. In a ResNet, "
                     "x_0 reaches the end of a stage only through the sum of all the blocks in "
                     "between."
                   : "Not the same: the neighbour's slice differs from x_0's by %.2f decades, "
                     "although both are one step long.",
               fabs(gap) < 0.3
                   ? "거의 같습니다(%.2f자리 차이). 연결(concatenation) 덕분에 가장 오래된 특성 "
                     "맵도 가장 새 것만큼 손실에 곧바로 이어집니다. ResNet에서 x_0은 그 사이 "
                     "모든 블록의 합을 거쳐서만 단계의 끝에 닿습니다."
                   : "같지 않습니다. 둘 다 길이 1인데도 바로 앞 층의 조각과 x_0의 조각이 "
                     "%.2f자리 다릅니다.",
               fabs(gap));
    lesson_say(ls,
               "What does vary is the sender. Within one row (one layer l) the slices differ by "
               "%.2f decades on average; down the first column, the slice for x_0 is %.2f "
               "decades smaller through layer %d than through layer 1. %s",
               "달라지는 것은 보내는 쪽입니다. 한 행(층 l 하나) 안에서 조각들은 평균 %.2f자리 "
               "다르고, 첫 열에서 x_0으로 가는 조각은 층 1을 거칠 때보다 마지막 층을 거칠 때 "
               "%.2f자리 작습니다(층 %d). %s",
               f->row_spread, f->col_fall, n,
               f->row_spread < fabs(f->col_fall)
                   ? LESSON_T(ls, "A later layer reads more channels and sends a smaller "
                                  "gradient to each, but it treats old and new features alike.",
                              "뒤의 층은 더 많은 채널을 읽고 채널마다 더 작은 그래디언트를 "
                              "보내지만, 오래된 특성과 새 특성을 똑같이 대합니다.")
                   : LESSON_T(ls, "Here the rows vary as much as the columns.",
                              "여기서는 행 안의 차이가 열을 따라가는 차이만큼 큽니다."));
    (void)su;
}

/* Why column 0 of blocks 2 and 3 stands out: the width of the block input. */
static void tell_input_width(lesson *ls, const pd_setup *su, const pd_dense_facts *f)
{
    const double expect = 0.5 * log10((double)f->in_ch[1] / su->growth);
    lesson_say(ls,
               "In the figure below, column s = 0 of dense blocks 2 and 3 stands out. Part of it "
               "is width, not distance: the input of block 2 has %zu channels and that of block "
               "3 %zu, against k = %d for every layer's output, and a slice's norm grows with the "
               "square root of its channels. For block 2 that predicts log10 sqrt(%zu / %d) = "
               "%.2f decades; the measured gap to the other slices of a row averages %.2f.",
               "아래 그림에서 dense 블록 2와 3의 s = 0 열이 눈에 띕니다. 그 일부는 거리가 아니라 "
               "폭 때문입니다. 블록 2의 입력은 %zu채널, 블록 3의 입력은 %zu채널이고 층마다의 "
               "출력은 k = %d채널인데, 조각의 노름은 채널 수의 제곱근에 비례해 커집니다. "
               "블록 2에서 이 예측은 log10 sqrt(%zu / %d) = %.2f자리이고, 같은 행의 다른 "
               "조각과 잰 차이는 평균 %.2f자리입니다.",
               f->in_ch[1], f->in_ch[2], su->growth, f->in_ch[1], su->growth, expect,
               f->input_gap);
    if (fabs(f->input_gap - expect) > 0.1)
        lesson_say(ls,
                   "The width does not explain all of it. A likely reason for the rest, not "
                   "measured here: batch norm's backward divides each channel's gradient by "
                   "that channel's standard deviation, and the block input, the output of the "
                   "transition's 2x2 average pooling, need not vary as much as a new layer's "
                   "output.",
                   "폭만으로 다 설명되지는 않습니다. 나머지의 그럴듯한 이유는(여기서 재지는 "
                   "않았습니다) 배치 정규화의 역전파가 채널마다 그래디언트를 그 채널의 표준편차로 "
                   "나눈다는 점입니다. 블록 입력은 전이층의 2x2 평균 풀링 출력이라 새 층의 "
                   "출력만큼 흩어져 있지 않을 수 있습니다.");
}

static int draw_connections(lesson *ls, const pd_setup *su, const pd_dense_facts *f)
{
    double lo = INFINITY, hi = -INFINITY;
    const int M = f->layers + 2;
    for (int b = 0; b < 3; b++)
        for (int l = 1; l < M; l++)
            for (int s = 0; s < l; s++) {
                lo = fmin(lo, f->conn[b][l * M + s] * GF_LOG10_2);
                hi = fmax(hi, f->conn[b][l * M + s] * GF_LOG10_2);
            }
    char title[160], subtitle[256];
    snprintf(title, sizeof title, "%s at initialization: the gradient through every "
             "concatenated connection", f->dense_name);
    snprintf(subtitle, sizeof subtitle, "log10 ||dL/d(source s)|| through the input of layer l; "
             "%zux%zu synthetic images, batch %zu, training-mode batch norm, seed 1",
             su->side, su->side, su->batch);
    gf_fig_dense_map fig = {.title = title, .subtitle = subtitle, .file = "connections.tsv",
                            .cblabel = "log10 gradient norm", .column = 4,
                            .layers = f->layers, .cbmin = lo, .cbmax = hi,
                            .last_label = {"trans. 1", "trans. 2", "norm5"}};
    return lesson_figure(ls, "", "connections", gf_fig_dense_map_body, &fig, 0,
                         "The gradient each later layer l (row) sends back to each earlier feature "
                         "map s (column) of its dense block, at initialization",
                         "dense 블록에서 뒤의 층 l(행)이 앞의 특성 맵 s(열)로 돌려보내는 "
                         "그래디언트, 초기화 시점");
}

/* ---- parameters and memory ------------------------------------------------------------ */

static void memory_rows(FILE *f, const void *ctx)
{
    const pd_dense_facts *d = ctx;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < d->n_mem; i++) {
            const gf_dense_mem *m = &d->mem[i];
            if (strcmp(m->what, MEM_WHAT[k]) != 0)
                continue;
            fprintf(f, "%s\t%d\t%zu\t%zu\t%zu", m->what, m->depth, m->params, d->mem_batch,
                    m->bytes);
            gf_tsv_put(f, (double)m->bytes / 1048576.0);
            fputc('\n', f);
        }
}

/* The cost of one training step of net `what` at depth (the ResNet: the
 * largest 6n + 2 not above it) into f->mem. */
static int mem_point(lesson *ls, const pd_setup *su, int what, int depth, pd_dense_facts *f)
{
    char why[512];
    const gf_arch a = what ? GF_ARCH_DENSENET : GF_ARCH_CNN_RESNET;
    const int d = what ? depth : (depth - 2) / 6 * 6 + 2;
    const gf_stack_config c = net_config(su, a, d);
    gf_model *m = fresh(&c, what == 1 ? GF_DENSE_NAIVE : GF_DENSE_SHARED, why, sizeof why);
    gf_model_cost cost;
    if (!m || gf_model_cost_of(m, su->mem_batch, 1, &cost, why, sizeof why) != 0) {
        gf_model_free(m);
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    }
    if (depth == su->dense_depth && what != 1)
        gf_model_name(m, what ? f->dense_name : f->resnet_name, GF_NET_NAME_MAX);
    if (depth == su->dense_depth)
        *(what ? &f->dense_params : &f->resnet_params) = cost.params;
    f->mem[f->n_mem++] = (gf_dense_mem){.what = MEM_WHAT[what], .depth = d,
                                        .params = cost.params, .bytes = cost.tape_bytes};
    gf_model_free(m);
    return 0;
}

/* MiB per added layer between points i and j of `what`. */
static double step_of(const pd_dense_facts *f, int what, int i, int j)
{
    const gf_dense_mem *a = &f->mem[3 * i + what], *b = &f->mem[3 * j + what];
    return ((double)b->bytes - (double)a->bytes) / 1048576.0 / (b->depth - a->depth);
}

static int measure_memory(lesson *ls, const pd_setup *su, pd_dense_facts *f)
{
    f->n_mem = 0;
    f->mem_batch = su->mem_batch;
    for (int i = 0; i < su->n_mem; i++)
        for (int what = 0; what < 3; what++) {
            int rc = mem_point(ls, su, what, su->mem_depths[i], f);
            if (rc)
                return rc;
        }
    char why[512];
    const gf_stack_config bc = net_config(su, GF_ARCH_DENSENET_BC, su->dense_depth);
    gf_model *m = fresh(&bc, GF_DENSE_SHARED, why, sizeof why);
    gf_model_cost cost;
    if (!m || gf_model_cost_of(m, su->mem_batch, 1, &cost, why, sizeof why) != 0) {
        gf_model_free(m);
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    }
    gf_model_name(m, f->bc_name, sizeof f->bc_name);
    f->bc_params = cost.params;
    gf_model_free(m);
    const int L = su->n_mem - 1;
    f->naive_ratio = (double)f->mem[3 * L + 1].bytes / (double)f->mem[1].bytes;
    f->shared_ratio = (double)f->mem[3 * L + 2].bytes / (double)f->mem[2].bytes;
    f->naive_step0 = step_of(f, 1, 0, 1);
    f->naive_step1 = step_of(f, 1, L - 1, L);
    f->shared_step0 = step_of(f, 2, 0, 1);
    f->shared_step1 = step_of(f, 2, L - 1, L);
    static const gf_named_file file = {"memory.tsv", "net\tdepth\tparams\tbatch\ttape_bytes\t"
                                       "tape_mib", memory_rows};
    if (gf_write_all_in(ls->opt.out, &file, 1, f, why, sizeof why) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    return 0;
}

static void tell_params(lesson *ls, const pd_setup *su, const pd_dense_facts *f)
{
    char rj[64], dj[64], why[256];
    gf_family_config fc;
    const gf_stack_config rc = net_config(su, GF_ARCH_CNN_RESNET, 20);
    const size_t c3 = gf_arch_config(&rc, &fc, why, sizeof why) == 0 ? 4 * fc.cnn.filters : 0;
    lesson_ask(ls,
               "A ResNet layer of stage 3 maps %zu channels to %zu with a 3x3 kernel: %zu "
               "weights. A DenseNet layer adds only k = %d new channels, however many it reads. "
               "Which net of about %d weight layers has more parameters: %s or %s?",
               "ResNet의 3단계 층 하나는 3x3 커널로 %zu채널을 %zu채널로 바꿉니다. 가중치 "
               "%zu개입니다. DenseNet의 층은 몇 채널을 읽든 새 채널을 k = %d개만 더합니다. "
               "가중치 층이 %d개쯤인 두 네트워크 %s %s 중 파라미터가 더 많은 쪽은?",
               c3, c3, 9 * c3 * c3, su->growth, su->dense_depth,
               lesson_josa(ls, rj, sizeof rj, f->resnet_name, "과/와"), f->dense_name);
    const double r = (double)f->dense_params / (double)f->resnet_params,
                 rbc = (double)f->bc_params / (double)f->resnet_params;
    lesson_answer(ls,
                  "%s has %zu trainable values, %s %zu: %.2f times the ResNet's. The bottleneck "
                  "version %s (a 1x1 convolution to 4k channels before each 3x3, transitions "
                  "that halve the channels) has %zu: %.2f times.",
                  "%s의 학습 가능한 값은 %zu개, %s %zu개로 ResNet의 %.2f배입니다. 병목 판 %s"
                  "(3x3 앞에 4k채널로 가는 1x1 합성곱, 채널을 절반으로 줄이는 전이층)는 %zu개로 "
                  "%.2f배입니다.",
                  f->resnet_name, f->resnet_params,
                  lesson_josa(ls, dj, sizeof dj, f->dense_name, "은/는"), f->dense_params, r,
                  f->bc_name,
                  f->bc_params, rbc);
    lesson_say(ls,
               r < 1.0 ? "At the same depth the DenseNet is the smaller net: its layers are "
                         "narrow (k channels out) and reuse what the block already computed."
                       : "At the same depth the plain DenseNet is not the smaller net: the 3x3 "
                         "convolution of layer l reads every channel before it, so its weights "
                         "grow with l. The syllabus' \"parameter efficiency\" is Huang et al.'s "
                         "claim of accuracy per parameter, against ResNets much deeper and "
                         "wider than these; a count at equal depth cannot show it, training "
                         "can (exercise 4).",
               r < 1.0 ? "같은 깊이에서 DenseNet이 더 작은 네트워크입니다. 층이 좁고(출력 "
                         "k채널) 블록이 이미 계산한 것을 재사용합니다."
                       : "같은 깊이에서 보통 DenseNet은 더 작은 네트워크가 아닙니다. l번째 층의 "
                         "3x3 합성곱이 앞의 모든 채널을 읽으므로 가중치가 l과 함께 늡니다. 강의 "
                         "노트의 \"파라미터 효율\"은 Huang et al.이 주장한 파라미터당 정확도이고, "
                         "비교 대상은 이것보다 훨씬 깊고 넓은 ResNet입니다. 같은 깊이에서 센 "
                         "개수로는 보일 수 없고 학습으로 보입니다(연습 4).");
}

static void tell_memory(lesson *ls, const pd_setup *su, const pd_dense_facts *f)
{
    const int L = su->n_mem - 1, d0 = su->mem_depths[0], d1 = su->mem_depths[L];
    char to[16], toj[32];
    snprintf(to, sizeof to, "%d", d1);
    lesson_josa(ls, toj, sizeof toj, to, "으로/로");
    lesson_ask(ls,
               "Stored naively, layer l of a block keeps its own copy of the concatenation of l "
               "feature maps (and its batch norm and ReLU outputs) for backward. When the depth "
               "goes from %d to %s, by how much will a training step's memory grow, naive and "
               "shared (one buffer per pass for the BN-ReLU output, recomputed in backward)?",
               "그대로(naive) 저장하면 블록의 l번째 층이 특성 맵 l개를 이어 붙인 사본(그리고 "
               "배치 정규화와 ReLU의 출력)을 역전파를 위해 따로 둡니다. 깊이가 %d에서 %s "
               "늘면 학습 한 단계의 메모리는 naive와 shared(BN-ReLU 출력을 패스마다 버퍼 "
               "하나에 두고 역전파에서 다시 계산)에서 각각 얼마나 늘까요?",
               d0, toj);
    lesson_pre(ls, "tape memory of one training step, batch %zu (MiB)", su->mem_batch);
    char group[48];
    snprintf(group, sizeof group, "DenseNet, k = %d", su->growth);
    lesson_pre(ls, "%-31s | %s", group, "cnn-resnet, largest 6n + 2 <= depth");
    lesson_pre(ls, "%5s %7s %7s %9s | %5s %7s %9s", "depth", "naive", "shared", "params", "depth",
               "MiB", "params");
    for (int i = 0; i < su->n_mem; i++) {
        const gf_dense_mem *m = &f->mem[3 * i];
        lesson_pre(ls, "%5d %7.1f %7.1f %9zu | %5d %7.1f %9zu", m[1].depth,
                   (double)m[1].bytes / 1048576.0, (double)m[2].bytes / 1048576.0, m[1].params,
                   m[0].depth, (double)m[0].bytes / 1048576.0, m[0].params);
    }
    lesson_answer(ls,
                  "From depth %d to %s (%.1f times the depth) the naive DenseNet's memory grows "
                  "%.1f times and the shared one's %.1f times. Each added layer cost %.2f MiB "
                  "naive at the first interval and %.2f MiB at the last; shared, %.2f and %.2f "
                  "MiB. %s",
                  "깊이 %d에서 %s(깊이 %.1f배) naive DenseNet의 메모리는 %.1f배, shared는 "
                  "%.1f배가 됩니다. 층 하나를 더할 때 드는 메모리는 naive에서 첫 구간 %.2f MiB, "
                  "마지막 구간 %.2f MiB이고, shared에서 %.2f MiB와 %.2f MiB입니다. %s",
                  d0, toj, (double)d1 / d0, f->naive_ratio, f->shared_ratio, f->naive_step0,
                  f->naive_step1, f->shared_step0, f->shared_step1,
                  f->naive_step1 > 1.3 * f->naive_step0 && f->shared_step1 < 1.3 * f->shared_step0
                      ? LESSON_T(ls, "Naive memory grows faster than the depth (quadratic in "
                                     "the layers of a block); shared memory grows with it.",
                                 "naive 메모리는 깊이보다 빨리(블록의 층 수의 제곱으로) 늘고, "
                                 "shared 메모리는 깊이에 비례해 늡니다.")
                      : LESSON_T(ls, "At these depths the two curves do not yet separate the "
                                     "way the formulas say; try the full run or deeper nets.",
                                 "이 깊이에서는 두 곡선이 공식대로 갈라지지 않습니다. 전체 "
                                 "실행이나 더 깊은 네트워크로 해 보세요."));
}

static int draw_memory(lesson *ls, const pd_setup *su, const pd_dense_facts *f)
{
    static const char *const nets[3] = {"densenet-naive", "densenet-shared", "resnet"};
    char title[160], subtitle[256], labels[3][96];
    const char *lab[3] = {labels[0], labels[1], labels[2]};
    snprintf(labels[0], sizeof labels[0], "DenseNet k=%d, naive storage", su->growth);
    snprintf(labels[1], sizeof labels[1], "DenseNet k=%d, shared storage", su->growth);
    snprintf(labels[2], sizeof labels[2], "cnn-resnet at depth 6n + 2");
    snprintf(title, sizeof title, "Tape memory of one training step against depth");
    snprintf(subtitle, sizeof subtitle, "batch %zu, %zux%zu images, the tape's arena (64 KiB "
             "chunks)", su->mem_batch, su->side, su->side);
    gf_fig_dense_memory fig = {.title = title, .subtitle = subtitle, .nets = nets, .labels = lab,
                               .n_nets = 3, .xmin = INFINITY, .ymin = INFINITY};
    for (int i = 0; i < f->n_mem; i++) {
        const double mib = (double)f->mem[i].bytes / 1048576.0;
        fig.xmin = fmin(fig.xmin, f->mem[i].depth);
        fig.xmax = fmax(fig.xmax, f->mem[i].depth);
        fig.ymin = fmin(fig.ymin, mib);
        fig.ymax = fmax(fig.ymax, mib);
    }
    return lesson_figure(ls, "", "memory", gf_fig_dense_memory_body, &fig, 1,
                         "Memory of one training step: DenseNet stored naively and shared, and "
                         "the ResNet (log-log axes: slope 1 is linear growth, slope 2 quadratic)",
                         "학습 한 단계의 메모리: naive와 shared로 저장한 DenseNet, ResNet "
                         "(로그-로그 축: 직선의 경사가 1이면 선형 증가, 2이면 제곱 증가)");
}

int pd_part_dense(lesson *ls, const pd_setup *su, pd_dense_facts *f)
{
    int rc = lesson_code(ls, "dense-concat",
                         "A dense layer, as the library's model interface runs it: the new "
                         "features y_l = H_l(x_l) are computed from the block state x_l and "
                         "concatenated to it, x_{l+1} = [x_l, y_l]:",
                         "모델 인터페이스가 실행하는 dense 층: 블록 상태 x_l에서 새 특성 "
                         "y_l = H_l(x_l)을 계산하고 그 뒤에 이어 붙입니다. x_{l+1} = [x_l, y_l].");
    if (rc || (rc = measure_connections(ls, su, f)) != 0)
        return rc;
    tell_connections(ls, su, f);
    tell_input_width(ls, su, f);
    if ((rc = draw_connections(ls, su, f)) != 0)
        return rc;
    lesson_heading(ls, "Parameters and memory", "파라미터와 메모리");
    if ((rc = measure_memory(ls, su, f)) != 0)
        return rc;
    tell_params(ls, su, f);
    rc = lesson_code(ls, "dense-shared",
                     "Shared storage: gf_dense_bnrelu reads the feature maps where they lie and "
                     "writes BN-ReLU of their concatenation into one scratch per pass; "
                     "gf_dense_restore recomputes it in backward:",
                     "shared 저장: gf_dense_bnrelu가 특성 맵을 제자리에서 읽어 그 연결의 "
                     "BN-ReLU를 패스마다 스크래치 하나에 쓰고, gf_dense_restore가 역전파에서 "
                     "다시 계산합니다:");
    if (rc)
        return rc;
    tell_memory(ls, su, f);
    return draw_memory(ls, su, f);
}

void pd_dense_release(pd_dense_facts *f)
{
    for (int b = 0; b < 3; b++)
        free(f->conn[b]);
}
