/* 07-preact-densenet.c: lesson 07, the pre-activation unit and DenseNet
 * (syllabus sections 6 and 7), measured at initialization on He et al.'s
 * convolutional nets and Huang et al.'s DenseNet.
 *
 *   Part A (07-preact-densenet-unit.c)  cnn-resnet against cnn-preact: the
 *           ReLU after the sum, the skip / branch split, depth
 *   Part B (07-preact-densenet-dense.c) DenseNet: the gradient through every
 *           concatenated connection, parameters, memory naive and shared
 *
 * Every number printed is measured or computed by the run.
 */
#include "07-preact-densenet.h"

#include <math.h>
#include <string.h>

static const lesson_info INFO = LESSON_INFO(
    PD_SLUG, "Lesson 07: the pre-activation unit and DenseNet",
    "7강: 사전 활성화 단위와 DenseNet",
    "Measures, at initialization, what the ReLU after the sum of the original ResNet unit\n"
    "does to the gradient on the skip path (against the pre-activation unit), and in a\n"
    "DenseNet the gradient through every concatenated connection, the parameter count\n"
    "against a ResNet, and the memory of naive and shared storage.",
    "초기화 시점에서 원래 ResNet 단위의 합 뒤 ReLU가 스킵 경로의 그래디언트에 하는 일을\n"
    "사전 활성화 단위와 비교해 재고, DenseNet에서 이어 붙인 연결마다 지나가는 그래디언트,\n"
    "ResNet과의 파라미터 수, naive와 shared 저장의 메모리를 잽니다.");

static void intro(lesson *ls, const pd_setup *su)
{
    lesson_say(ls,
               "Syllabus sections 6 (Pre-activation ResNet) and 7 (DenseNet: connecting every "
               "layer). Lesson 01 showed the residual connection y = x + F(x) as a highway for "
               "the gradient; lesson 05 saw, in MLP stacks, that the ReLU after the sum costs "
               "the Jacobian rank. Here the nets are convolutional, as in the papers: He et "
               "al.'s CIFAR ResNets (depth 6n + 2, three stages of 16, 32 and 64 filters x %g) "
               "and Huang et al.'s DenseNet (growth rate k = %d). The images are %zux%zu "
               "synthetic ones with one channel: at initialization only their statistics "
               "matter, and every step of the lesson is a forward and backward pass of an "
               "untrained net.",
               "강의 노트 6절(Pre-Activation ResNet)과 7절(DenseNet: 모든 층을 연결)입니다. "
               "1강에서는 잔차 연결(residual connection) y = x + F(x)를 그래디언트의 고속도로로 "
               "보았고, 5강에서는 MLP 스택에서 합 뒤의 ReLU가 야코비안의 계수(rank)를 깎는 것을 "
               "보았습니다. 여기서는 논문처럼 합성곱 네트워크를 씁니다. He et al.의 CIFAR "
               "ResNet(깊이 6n + 2, 필터 16, 32, 64개 x %g의 세 단계)과 Huang et al.의 "
               "DenseNet(성장률 k = %d)입니다. 이미지는 채널 하나의 %zux%zu 합성 이미지입니다. "
               "초기화 시점에는 통계만 중요하고, 강의의 모든 단계는 학습하지 않은 네트워크의 "
               "순전파와 역전파 한 번입니다.",
               su->width_mult, su->growth, su->side, su->side);
    lesson_math(ls, "post-activation (He et al. 2015):   x_{l+1} = relu(x_l + F(x_l))",
                "x_{l+1} = \\mathrm{relu}(x_l + F(x_l))");
    lesson_math(ls, "pre-activation (He et al. 2016):    x_{l+1} = x_l + F(x_l),  "
                    "F = conv(relu(BN(conv(relu(BN(x))))))",
                "x_{l+1} = x_l + F(x_l), \\quad F = \\mathrm{conv}(\\mathrm{relu}(\\mathrm{BN}("
                "\\mathrm{conv}(\\mathrm{relu}(\\mathrm{BN}(x))))))");
    lesson_math(ls, "DenseNet (Huang et al. 2017):       y_l = H_l([x_0, y_1, ..., y_{l-1}])",
                "y_l = H_l([x_0, y_1, \\ldots, y_{l-1}])");
}

static void summary(lesson *ls, const pd_setup *su, const pd_unit_facts *u,
                    const pd_dense_facts *d)
{
    char r[96], p[96], rj[64], to[16], toj[32];
    const int last = su->n_depths - 1;
    snprintf(to, sizeof to, "%d", su->mem_depths[su->n_mem - 1]);
    lesson_josa(ls, toj, sizeof toj, to, "으로/로");
    lesson_heading(ls, "What to take away", "정리");
    lesson_change(ls, r, sizeof r, u->change[last][0]);
    lesson_change(ls, p, sizeof p, u->change[last][1]);
    lesson_say(ls,
               "1. The ReLU after the sum sits on the skip path: in cnn-resnet it switched off "
               "%.1f %% of the entries and the skip term kept %.3f of the gradient per block; in "
               "cnn-preact the skip term is the whole gradient (%.3f). At depth %d, from x_B "
               "to x_0, the first %s, the second %s.",
               "1. 합 뒤의 ReLU는 스킵 경로 위에 있습니다. cnn-resnet에서 성분의 %.1f %%를 끄고 "
               "블록마다 스킵 항이 그래디언트의 %.3f만 남겼습니다. cnn-preact에서는 스킵 항이 "
               "그래디언트 전체입니다(%.3f). 깊이 %d에서 x_B부터 x_0까지 앞의 것은 %s. 뒤의 "
               "것은 %s.",
               100.0 * u->zero_frac, u->kept[0], u->kept[1], su->depths[last], r, p);
    lesson_say(ls,
               "2. In a DenseNet every earlier feature map is one step from every later layer: "
               "the gradients of block 1's connections span %.2f decades. %s has %zu trainable "
               "values, %s %zu. Stored naively its memory grew %.1f times from depth %d to %s, "
               "shared %.1f times.",
               "2. DenseNet에서는 앞의 모든 특성 맵이 뒤의 모든 층에서 한 걸음 거리입니다. 블록 "
               "1의 연결을 지나는 그래디언트는 %.2f자리 안에 있습니다. %s의 학습 가능한 값은 "
               "%zu개, %s %zu개입니다. naive로 저장한 메모리는 %.1f배가 되었고(깊이 %d에서 %s), "
               "shared로 저장한 메모리는 %.1f배가 되었습니다.",
               d->conn_hi - d->conn_lo, d->dense_name, d->dense_params,
               lesson_josa(ls, rj, sizeof rj, d->resnet_name, "은/는"), d->resnet_params,
               d->naive_ratio, su->mem_depths[0], toj, d->shared_ratio);
}

/* The DenseNet the exercises train (gradflow densenet --quick): small enough for a minute. */
enum { PD_TRAIN_DEPTH = 16 };

static void exercises(lesson *ls, const pd_setup *su)
{
    char cmd[512];
    lesson_exercises(ls);
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " degrade --arch cnn-resnet,cnn-preact --quick "
             "--out runs/l07-degrade");
    lesson_try(ls, cmd,
               "Train both units (depths 8 and 20, about a minute). At initialization the "
               "pre-activation net's gradient changed more from x_B to x_0; does it train "
               "worse, or better, as He et al. 2016 found for deep nets? Compare the training "
               "errors in table.md, and remember how short and small the run is.",
               "두 단위를 학습시킵니다(깊이 8과 20, 1분쯤). 초기화 시점에는 사전 활성화 "
               "네트워크의 그래디언트가 x_B에서 x_0까지 더 크게 변했습니다. 학습은 더 나쁠까요, "
               "아니면 He et al. 2016이 깊은 네트워크에서 본 것처럼 더 나을까요? table.md의 학습 "
               "오차를 비교하되, 실행이 짧고 네트워크가 작다는 점을 기억하세요.");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " gradnorm --arch cnn-resnet,cnn-preact --depth %d "
             "--width-mult %g --batch %zu --seeds %d --input-dim %zu --samples 512 --bn-eval "
             "--out runs/l07-bn-eval", su->depths[su->n_depths - 1], su->width_mult, su->batch,
             su->seeds, su->data.dim);
    lesson_try(ls, cmd,
               "Batch norm with running statistics (evaluation mode) instead of the batch's "
               "own: at initialization the running mean is 0 and the variance 1, so nothing "
               "is normalized. What happens to the gradient of each unit now?",
               "배치 자신의 통계 대신 이동 통계(평가 모드)로 배치 정규화를 합니다. 초기화 "
               "시점의 이동 평균은 0, 분산은 1이라 아무것도 정규화되지 않습니다. 이제 두 "
               "단위의 그래디언트는 어떻게 될까요?");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " gradnorm --arch cnn-resnet,cnn-preact --depth %d "
             "--width-mult %g --batch %zu --seeds %d --input-dim %zu --samples 512 "
             "--zero-init-residual --out runs/l07-zero", su->depths[su->n_depths - 1],
             su->width_mult, su->batch, su->seeds, su->data.dim);
    lesson_try(ls, cmd,
               "Zero the last layer of every branch (resnet: bn2's gamma, preact: conv2). The "
               "pre-activation net becomes the identity from x_0 to x_B, and so does the "
               "post-activation net's forward pass, relu(x + 0) = x for x >= 0. Which net's "
               "gradient is now the same at x_0 and x_B? (Look at the entries where x is "
               "exactly 0: what is relu' there?)",
               "모든 가지의 마지막 층을 0으로 둡니다(resnet: bn2의 gamma, preact: conv2). 사전 "
               "활성화 네트워크는 x_0에서 x_B까지 항등 함수가 되고, 사후 활성화 네트워크의 "
               "순전파도 x >= 0에서 relu(x + 0) = x라 그렇습니다. 이제 x_0과 x_B에서 "
               "그래디언트가 같은 쪽은? (x가 정확히 0인 성분을 보세요. 거기서 relu'는 "
               "얼마일까요?)");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " densenet --quick --dense densenet --depth %d "
             "--growth %d --out runs/l07-densenet", PD_TRAIN_DEPTH, su->growth);
    lesson_try(ls, cmd,
               "Train a DenseNet of depth 16 (small, so that it trains in a minute or two) "
               "briefly beside a cnn-resnet and compare the "
               "connections after training (connections.png) with the map at initialization "
               "above, and the reuse map (reuse.png: the mean |w| from each source to each "
               "layer). Which connections did training strengthen?",
               "깊이 16의 DenseNet(1~2분 안에 학습되도록 작게)을 cnn-resnet과 함께 잠깐 "
               "학습시키고, 학습 뒤의 연결"
               "(connections.png)을 위의 초기화 시점 지도와, 그리고 재사용 지도(reuse.png: 각 "
               "출처에서 각 층으로 가는 평균 |w|)와 비교하세요. 학습이 어느 연결을 키웠나요?");
    snprintf(cmd, sizeof cmd, LESSON_GRADFLOW " densenet --quick --dense densenet --depth %d "
             "--growth %d --out runs/l07-k%d", PD_TRAIN_DEPTH, 2 * su->growth, 2 * su->growth);
    lesson_try(ls, cmd,
               "Twice the growth rate. A layer's weights are (channels in) x k x 9 and its "
               "input grows by k per layer: predict the factor for the parameters and for the "
               "memory (nets.tsv, memory.tsv), then compare with the run of exercise 4.",
               "성장률을 두 배로. 층의 가중치는 (입력 채널) x k x 9개이고 입력은 층마다 k씩 "
               "늡니다. 파라미터와 메모리(nets.tsv, memory.tsv)가 몇 배가 될지 예측한 뒤 "
               "연습 4의 실행과 비교하세요.");
}

/* The lesson itself, between lesson_start and lesson_end (lesson_main). */
static int teach(lesson *ls)
{
    pd_setup su = ls->opt.quick
        ? (pd_setup){.depths = {8, 20}, .n_depths = 2, .seeds = 2, .batch = 16,
                     .width_mult = 0.5, .side = 16, .dense_depth = 16, .growth = 12,
                     .mem_depths = {10, 16, 22}, .n_mem = 3, .mem_batch = 4}
        : (pd_setup){.depths = {20, 56, 110}, .n_depths = 3, .seeds = 3, .batch = 32,
                     .width_mult = 0.5, .side = 28, .dense_depth = 40, .growth = 12,
                     .mem_depths = {16, 28, 40, 52, 64}, .n_mem = 5, .mem_batch = 2};
    pd_unit_facts u;
    pd_dense_facts d;
    memset(&u, 0, sizeof u);
    memset(&d, 0, sizeof d);
    if (gf_synthetic_make(&su.data, 512, su.side * su.side, 10, 1.5, 0) != 0)
        return lesson_fail(ls, LESSON_RUNTIME, "out of memory making the synthetic set");
    json_object_set_new(ls->settings, "experiment",
        json_pack("{s:[i,i,i], s:i, s:I, s:f, s:i, s:i, s:I, s:i, s:s}",
                  "depths", su.depths[0], su.depths[1], su.depths[su.n_depths - 1],
                  "seeds", su.seeds, "batch", (json_int_t)su.batch, "width_mult", su.width_mult,
                  "dense_depth", su.dense_depth, "growth", su.growth,
                  "mem_batch", (json_int_t)su.mem_batch, "seed0", 1,
                  "data", "synthetic Gaussian mixture images, 512 samples, 10 classes, "
                          "separation 1.5, data seed 0"));
    intro(ls, &su);
    int rc;
    lesson_heading(ls, "Part A. The ReLU after the sum", "A부. 합 뒤의 ReLU");
    if ((rc = pd_part_unit(ls, &su, &u)) != 0)
        goto out;
    lesson_heading(ls, "Part B. DenseNet: concatenation instead of addition",
                   "B부. DenseNet: 덧셈 대신 연결");
    if ((rc = pd_part_dense(ls, &su, &d)) != 0)
        goto out;
    summary(ls, &su, &u, &d);
    exercises(ls, &su);
out:
    pd_unit_release(&u, su.n_depths);
    pd_dense_release(&d);
    gf_dataset_release(&su.data);
    return rc;
}

int main(int argc, char **argv) { return lesson_main(argc, argv, &INFO, teach); }
