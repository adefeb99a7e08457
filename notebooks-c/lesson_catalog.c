/* lesson_catalog.c: the lessons in syllabus order (one list: the index page
 * docs/lessons/README.md and tools/lesson-pages.sh both read it through
 * `lesson-index`). A lesson for a section without one replaces its row. */
#include "lesson.h"

static const char *const TITLE_EN[10] = {
    "",
    "The problem of deep networks: degradation",
    "The formula of the residual connection, y = F(x) + x",
    "View 1: the optimization landscape",
    "View 2: gradient flow",
    "View 3: the ensemble interpretation",
    "Pre-activation ResNet",
    "DenseNet: connecting every layer",
    "Residual connections in the Transformer",
    "Stochastic depth",
};

static const char *const TITLE_KO[10] = {
    "",
    "깊은 네트워크의 문제: 성능 저하",
    "잔차 연결의 수식",
    "관점 1: 최적화 지형",
    "관점 2: 그래디언트 흐름",
    "관점 3: 앙상블 해석",
    "Pre-Activation ResNet",
    "DenseNet: 모든 층을 연결",
    "Transformer에서의 잔차 연결",
    "Stochastic Depth",
};

const char *lesson_section_title(int n, lesson_lang lang)
{
    if (n < 1 || n > 9)
        return "";
    return lang == LESSON_KO ? TITLE_KO[n] : TITLE_EN[n];
}

const lesson_entry lesson_catalog[] = {
    {1, "02-degradation", "",
     "plain and residual stacks trained at depths 20 and 56: training against test error, "
     "the curves, how much of the depth gap the skip removes, and whether the gradient vanishes",
     "깊이 20과 56의 plain 스택과 잔차 스택을 학습시켜 학습 오차와 테스트 오차, 학습 곡선, "
     "스킵이 없애는 깊이 차이, 그래디언트 소실 여부를 봅니다"},
    {2, "01-highway", "02-degradation",
     "one block y = x + F(x) in code and in the gradient: the skip term is dL/dx_{l+1} bit for "
     "bit; plain stacks lose decades, residual stacks do not; zeroed branches; He init",
     "블록 하나 y = x + F(x)를 코드와 그래디언트로 봅니다. 스킵 항은 dL/dx_{l+1}과 비트 단위까지 "
     "같고, plain 스택은 자릿수를 잃고 잔차 스택은 잃지 않습니다. 가지를 0으로 두기, He 초기화"},
    {3, "06-landscape", "01-highway",
     "the identity as the default: plain, residual and zero-branch stacks trained to y = x and "
     "to a teacher; the loss along the line from initialization and over two filter-normalized "
     "directions; the Hessian's largest eigenvalue against the edge of stability",
     "기본값인 항등 변환: plain, 잔차, 가지를 0으로 둔 스택을 y = x와 teacher로 학습시키고, "
     "초기화에서 이어지는 직선과 필터 정규화한 두 방향 위의 손실, 헤시안의 최대 고윳값을 "
     "안정성의 경계와 비교합니다"},
    {4, "01-highway", "02-degradation",
     "(continued) the gradient view: the product of per-layer gains against measured decay, "
     "zeroed branches, He init and where the residual stacks' growth comes from",
     "(이어서) 그래디언트 관점: 층별 이득의 곱과 측정한 감쇠, 0으로 둔 가지, He 초기화와 잔차 "
     "스택이 커지는 까닭"},
    {4, "05-gradient-flow", "01-highway",
     "the Jacobian view at initialization: singular values of block and end-to-end Jacobians, "
     "mean-field chi_1 against measured gradient norms, pre- against post-activation, "
     "fixup / rezero / scaled",
     "초기화 시점의 야코비안 관점: 블록 야코비안과 전체 야코비안의 특이값, 평균장 chi_1과 "
     "측정한 그래디언트 노름, 사전 활성화와 사후 활성화, fixup / rezero / scaled"},
    {5, "03-ensemble", "01-highway",
     "the 2^B paths of a residual stack by length; the gradient split exactly by path length at "
     "initialization and after training; deleting blocks of trained plain and residual nets",
     "잔차 스택의 경로 2^B개를 길이별로 세고, 초기화 시점과 학습 후의 그래디언트를 경로 길이별로 "
     "정확히 나누고, 학습된 plain과 잔차 네트워크에서 블록을 지웁니다"},
    {6, "07-preact-densenet", "01-highway",
     "convolutional nets at initialization: the share of the skip gradient the ReLU after the "
     "sum switches off (cnn-resnet) against the pre-activation unit's clean identity "
     "(cnn-preact), and the gradient across depth",
     "초기화 시점의 합성곱 네트워크: 합 뒤의 ReLU가 끄는 스킵 그래디언트의 몫(cnn-resnet)과 "
     "사전 활성화 단위의 깨끗한 항등 경로(cnn-preact), 깊이에 따른 그래디언트"},
    {7, "07-preact-densenet", "01-highway",
     "(continued) DenseNet's concatenation: the gradient through every connection of a dense "
     "block, parameters against a ResNet of the same depth, memory stored naively (quadratic) "
     "and shared (linear)",
     "(이어서) DenseNet의 연결(concatenation): dense 블록의 연결마다 지나는 그래디언트, 깊이가 "
     "같은 ResNet과의 파라미터 수, naive 저장(제곱)과 shared 저장(선형)의 메모리"},
    {8, "08-transformer", "01-highway",
     "a small decoder-only transformer: Pre-LN x + F(LN(x)) against Post-LN LN(x + F(x)) in "
     "code; the identity path; the last layer's gradient against depth; warm-up; the residual "
     "stream and the logit lens",
     "작은 디코더 트랜스포머: 코드로 본 Pre-LN x + F(LN(x))와 Post-LN LN(x + F(x)), 항등 경로, "
     "깊이에 따른 마지막 층 그래디언트, 워밍업, 잔차 스트림과 logit lens"},
    {9, "04-stochastic-depth", "03-ensemble",
     "survival probabilities and the expected depth; one residual net trained whole and with "
     "blocks dropped: errors, CPU time per epoch, test-time scaling of the branches",
     "생존 확률과 기대 깊이, 잔차 네트워크 하나를 그대로 또 블록을 건너뛰며 학습시킨 오차, "
     "에폭당 CPU 시간, 테스트 때 가지를 줄이는 보정"},
    {0, NULL, NULL, NULL, NULL},
};
