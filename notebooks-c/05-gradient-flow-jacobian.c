/* 05-gradient-flow-jacobian.c: lesson 05, Step 1 (main: 05-gradient-flow.c).
 *
 * Block Jacobians J_l = dx_{l+1}/dx_l and the end-to-end dx_B/dx_0 of a plain,
 * a resnet and a preact stack at one sample (gf_jacobians_compute), their
 * singular values (gf_singular_values_fast), and the figure of the spectra
 * (spectra.tsv, this file's recipe spectra_body).
 */
#include "05-gradient-flow.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Singular values of the d x d matrix a into sv (descending); 0 or -1. */
static int svd(const double *a, size_t d, double *sv)
{
    return gf_singular_values_fast(a, d, d, sv);
}

/* The stats of j's block and end-to-end Jacobians into st (sv: d scratch). */
static int jac_stats_of(const gf_jacobians *j, size_t d, double *sv, jac_stats *st)
{
    st->d = d;
    st->blocks = j->blocks;
    for (int l = 0; l < j->blocks; l++) {
        if (svd(j->block + (size_t)l * d * d, d, sv) != 0)
            return -1;
        double ss = 0.0;
        for (size_t i = 0; i < d; i++)
            ss += sv[i] * sv[i];
        st->blk_hi += sv[0] / j->blocks;
        st->blk_lo += sv[d - 1] / j->blocks;
        st->blk_rms += sqrt(ss / (double)d) / j->blocks;
        if (l == j->blocks / 2)
            memcpy(st->sv_block, sv, d * sizeof *sv);
    }
    if (svd(j->end, d, st->sv_end) != 0)
        return -1;
    st->e_max = st->sv_end[0];
    st->e_min = st->sv_end[d - 1];
    for (size_t i = 0; i < d; i++)
        st->rank += st->sv_end[i] > 1e-10 * st->sv_end[0];
    return 0;
}

static int jac_measure(lesson *ls, const setup *su, gf_arch arch, jac_stats *st)
{
    gf_stack_config c = gf_stack_config_default();
    c.arch = arch;
    c.depth = su->depth;
    c.width = su->jwidth;
    c.in_dim = su->data.dim;
    c.classes = su->data.classes;
    c.init = GF_INIT_TORCH;
    char why[512];
    const size_t d = su->jwidth;
    gf_model *s = gf_model_alloc(&gf_model_mlp, &c, why, sizeof why);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *sv = malloc(d * sizeof *sv);
    gf_jacobians j;
    memset(&j, 0, sizeof j);
    memset(st, 0, sizeof *st);
    st->sv_block = malloc(d * sizeof *st->sv_block);
    st->sv_end = malloc(d * sizeof *st->sv_end);
    int rc = 0;
    if (!s || !rng || !sv || !st->sv_block || !st->sv_end)
        rc = lesson_fail(ls, LESSON_RUNTIME, "out of memory for the network");
    if (rc == 0) {
        gsl_rng_set(rng, 1);
        if (gf_model_init(s, rng) != 0)
            rc = lesson_fail(ls, LESSON_RUNTIME, "cannot initialize the network");
    }
    if (rc == 0 && gf_jacobians_compute(s, su->data.x, &j, why, sizeof why) != 0)
        rc = lesson_fail(ls, LESSON_RUNTIME, "%s", why);
    if (rc == 0 && jac_stats_of(&j, d, sv, st) != 0)
        rc = lesson_fail(ls, LESSON_RUNTIME, "the SVD of a Jacobian failed");
    gf_jacobians_release(&j);
    free(sv);
    gsl_rng_free(rng);
    gf_model_free(s);
    return rc;
}

/* ---- the figure: sorted singular values, the middle block and end to end ---- */

typedef struct spectra_fig {
    char title[160], subtitle[200];
    int block;            /* the block drawn */
    double lo, hi;        /* log10 range of the values drawn */
    int zeros[N_ARCHS][2]; /* numerically zero values (not drawn): block, end */
} spectra_fig;

/* spectra.tsv: arch kind index sv zero (kind: block, end; zero: below the rank
 * tolerance 1e-10 sigma_max, numerically zero, not drawn); 0, or the exit status. */
static int write_spectra(lesson *ls, const gf_facts *f, spectra_fig *fig)
{
    char path[GF_PATH_MAX];
    gf_atomic at;
    FILE *out;
    if (gf_path_join(path, sizeof path, ls->opt.out, "spectra.tsv") != 0 ||
        !(out = gf_atomic_open(&at, path)))
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s/spectra.tsv", ls->opt.out);
    fig->lo = INFINITY;
    fig->hi = -INFINITY;
    fputs("arch\tkind\tindex\tsv\tzero\n", out);
    for (int a = 0; a < N_ARCHS; a++)
        for (int k = 0; k < 2; k++) {
            const double *sv = k ? f->st[a].sv_end : f->st[a].sv_block;
            for (size_t i = 0; i < f->st[a].d; i++) {
                const int zero = !(sv[i] > 1e-10 * sv[0]); /* as the rank counts */
                fprintf(out, "%s\t%s\t%zu\t%.6e\t%d\n", gf_arch_names[ARCHS[a]],
                        k ? "end" : "block", i + 1, sv[i], zero);
                fig->zeros[a][k] += zero;
                if (!zero) {
                    fig->lo = fmin(fig->lo, log10(sv[i]));
                    fig->hi = fmax(fig->hi, log10(sv[i]));
                }
            }
        }
    if (ferror(out)) {
        gf_atomic_abort(&at);
        return lesson_fail(ls, LESSON_RUNTIME, "cannot write %s", path);
    }
    return gf_atomic_commit(&at) == 0 ? 0 : lesson_fail(ls, LESSON_RUNTIME, "cannot write %s", path);
}

static void spectra_panel(FILE *out, const spectra_fig *f, int k, const char *title)
{
    const char *kind = k ? "end" : "block";
    fprintf(out, "set title '%s' noenhanced\n", title);
    const char *sep = "plot ";
    for (int a = 0; a < N_ARCHS; a++) {
        const char *arch = gf_arch_names[ARCHS[a]];
        fprintf(out, "%s'spectra.tsv' skip 1 using 3:(strcol(1) eq '%s' && strcol(2) eq '%s' && "
                     "column(5) == 0 ? column(4) : NaN) with linespoints lc '%s' lw 2 pt 7 ps 0.5 "
                     "title '%s (%d zero)'",
                sep, arch, kind, gf_plot_color(arch), arch, f->zeros[a][k]);
        sep = ", \\\n     ";
    }
    fputs(", 1 with lines lc '#000000' lw 1.5 dt (8,5) title 'sigma = 1'\n", out);
}

static int spectra_body(FILE *out, gf_term term, const void *ctx)
{
    const spectra_fig *f = ctx;
    char left[96];
    gf_plot_multiplot_begin(out, term, f->title, f->subtitle, "1,2");
    fputs("set logscale y\nset xlabel 'index i (sorted, largest first)'\n"
          "set ylabel 'singular value sigma_i' noenhanced\nset grid lc '#dddddd'\n"
          "set key right center\n", out);
    fprintf(out, "set format y \"%s\"\nset yrange [%g:%g]\n",
            term == GF_TERM_DUMB ? "1e%T" : "10^{%T}", pow(10.0, floor(f->lo) - 0.2),
            pow(10.0, ceil(f->hi) + 0.2));
    snprintf(left, sizeof left, "block Jacobian J_%d = dx_%d/dx_%d", f->block, f->block + 1,
             f->block);
    spectra_panel(out, f, 0, left);
    spectra_panel(out, f, 1, "end to end: dx_B/dx_0");
    fputs("unset multiplot\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- Step 1 ------------------------------------------------------------------- */

static const char *near_one(const lesson *ls, const jac_stats *r, const jac_stats *q)
{
    const int near = fabs(r->blk_rms - 1) < 0.5 && fabs(q->blk_rms - 1) < 0.5;
    return near ? LESSON_T(ls, "both close to 1: the identity dominates each block",
                           "둘 다 1에 가깝습니다. 즉 블록마다 항등 변환이 지배적입니다")
                : LESSON_T(ls, "not both near 1", "둘 다 1에 가깝지는 않습니다");
}

static const char *conditioned(const lesson *ls, double cond)
{
    return cond < 1e3 ? LESSON_T(ls, "well conditioned", "잘 조건화되어(well-conditioned) 있습니다")
                      : LESSON_T(ls, "poorly conditioned", "조건이 나쁩니다(ill-conditioned)");
}

static const char *rank_reading(const lesson *ls, const jac_stats *r)
{
    return r->rank < (int)r->d
               ? LESSON_T(ls, "it is singular: some directions never reach the input",
                          "그래서 특이 행렬(singular matrix)이 됩니다. 어떤 방향은 입력까지 가지 "
                          "못합니다")
               : LESSON_T(ls, "here no direction is lost", "여기서는 잃는 방향이 없습니다");
}

static void tell_jacobian(lesson *ls, const gf_facts *f)
{
    const jac_stats *p = &f->st[PLAIN], *r = &f->st[RESNET], *q = &f->st[PREACT];
    char num[32], rms[48], cond[32];
    snprintf(num, sizeof num, "%.3f", p->blk_rms);
    lesson_pre(ls, "%-7s %9s %9s %9s   %11s %11s %6s", "arch", "blk min", "blk rms", "blk max",
               "end max", "end min", "rank");
    for (int a = 0; a < N_ARCHS; a++) {
        const jac_stats *s = &f->st[a];
        lesson_pre(ls, "%-7s %9.3f %9.3f %9.3f   %11.3e %11.3e %3d/%zu", gf_arch_names[ARCHS[a]],
                   s->blk_lo, s->blk_rms, s->blk_hi, s->e_max, s->e_min, s->rank, s->d);
    }
    lesson_answer(ls,
                  "The block columns are averages over the %d blocks. A plain block's singular "
                  "values have root mean square %s, next to the %.3f of lesson 01's per-layer "
                  "gain, squared for two layers. The residual blocks' rms is %.3f for resnet and "
                  "%.3f for preact: %s.",
                  "블록 열은 블록 %d개의 평균입니다. plain 블록 특이값의 제곱평균제곱근(rms)은 %s, "
                  "1강의 층별 노름 이득을 두 층만큼 곱한 값 %.3f에 가깝습니다. 잔차 블록의 rms는 "
                  "resnet %.3f, preact %.3f입니다. %s.",
                  p->blocks, lesson_josa(ls, rms, sizeof rms, num, "으로/로"), f->chi[0], r->blk_rms,
                  q->blk_rms, near_one(ls, r, q));
    snprintf(cond, sizeof cond, "%.3g", q->e_max / q->e_min);
    lesson_say(ls,
               "End to end, the preact stack has condition number sigma_max/sigma_min = %s "
               "(full rank, %d of %zu): %s. The plain stack's largest singular value is %.3g: "
               "its Jacobian has %s. The resnet stack keeps rank %d of %zu: the ReLU after each "
               "sum zeroes every row whose unit is off (D_l), and %s.",
               "끝에서 끝까지 보면 preact 스택의 조건수 sigma_max/sigma_min은 %s이고 계수(rank)는 "
               "%d/%zu로 꽉 찬 계수입니다. %s. plain 스택의 가장 큰 특이값은 %.3g이므로 "
               "야코비안이 %s. resnet 스택의 계수는 %d/%zu입니다. 합 뒤의 ReLU가 꺼진 유닛의 행을 "
               "0으로 만들기 때문이며(D_l), %s.",
               cond, q->rank, q->d, conditioned(ls, q->e_max / q->e_min), p->e_max,
               p->e_max < 1e-2 ? LESSON_T(ls, "collapsed toward zero", "0 쪽으로 무너졌습니다")
                               : LESSON_T(ls, "not collapsed", "무너지지 않았습니다"),
               r->rank, r->d, rank_reading(ls, r));
}

int gfl_step_jacobian(lesson *ls, const setup *su, gf_facts *f)
{
    lesson_say(ls,
               "The backward pass multiplies the gradient by the transposed Jacobian of every "
               "block, so how a signal survives depth is decided by the singular values of those "
               "Jacobians. Take one sample and stacks of depth %d (blocks of width %zu) with "
               "PyTorch's default init, and compute every block Jacobian J_l = dx_{l+1}/dx_l and "
               "the end-to-end Jacobian dx_B/dx_0.",
               "역전파는 블록마다 야코비안의 전치를 그래디언트에 곱합니다. 그러니 신호가 깊이를 "
               "버티는지는 그 야코비안들의 특이값이 정합니다. 샘플 하나와 PyTorch 기본 초기화로 "
               "만든 깊이 %d(블록 폭 %zu)의 스택에서 모든 블록 야코비안 J_l = dx_{l+1}/dx_l과 전체 "
               "야코비안 dx_B/dx_0을 계산합니다.",
               su->depth, su->jwidth);
    lesson_math(ls, "resnet: J_l = D_l (I + dF_l/dx),  preact: J_l = I + dF_l/dx,  plain: J_l = dF_l/dx",
                "\\text{resnet: } J_l = D_l (I + \\partial F_l/\\partial x),\\quad "
                "\\text{preact: } J_l = I + \\partial F_l/\\partial x,\\quad "
                "\\text{plain: } J_l = \\partial F_l/\\partial x");
    lesson_ask(ls,
               "Lesson 01 found that one Linear-ReLU layer with this init multiplies the "
               "gradient's squared norm by %.4f. What root-mean-square singular value do you "
               "expect for a plain block of two such layers? And for a residual block, I + dF/dx, "
               "whose branch is that plain block?",
               "1강에서 이 초기화의 Linear-ReLU 층 하나는 그래디언트 제곱 노름을 %.4f배로 "
               "만들었습니다. 그런 층 두 개로 된 plain 블록의 특이값 제곱평균제곱근(rms)은 얼마일까요? "
               "그 plain 블록을 가지(branch)로 가진 잔차 블록 I + dF/dx는요?",
               f->chi[0]);
    for (int a = 0; a < N_ARCHS; a++) {
        int rc = jac_measure(ls, su, ARCHS[a], &f->st[a]);
        if (rc != 0)
            return rc;
    }
    tell_jacobian(ls, f);
    spectra_fig fig = {.block = f->st[PLAIN].blocks / 2};
    snprintf(fig.title, sizeof fig.title, "Singular values of the Jacobians at initialization, "
             "depth %d", su->depth);
    snprintf(fig.subtitle, sizeof fig.subtitle, "width %zu, one sample, seed 1, torch init, relu, "
             "no norm; values below 1e-10 sigma_max (numerically zero) not drawn, counted in the key",
             su->jwidth);
    const int rc = write_spectra(ls, f, &fig);
    if (rc != 0)
        return rc;
    return lesson_figure(ls, "", "spectra", spectra_body, &fig, 0,
                         "Sorted singular values of the middle block's Jacobian (left) and of the "
                         "end-to-end Jacobian (right), per architecture; dashed: sigma = 1.",
                         "가운데 블록 야코비안(왼쪽)과 전체 야코비안(오른쪽)의 특이값을 크기 순으로, "
                         "구조별로 그렸습니다. 파선: sigma = 1.");
}

void gfl_release(gf_facts *f)
{
    for (int a = 0; a < N_ARCHS; a++) {
        free(f->st[a].sv_block);
        free(f->st[a].sv_end);
        f->st[a].sv_block = f->st[a].sv_end = NULL;
    }
}
