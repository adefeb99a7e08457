/* test_util.h: helpers shared by the CUnit suites: random fills, norms and a
 * central-difference gradient checker that drives the tape like a user would.
 *
 * The checker works on "leaves": inputs that need a gradient, either bound
 * parameters (gf_tensor_bind over the leaf's own buffers) or tensors made
 * on the tape each time (gf_tape_input with GF_REQUIRES_GRAD). A build
 * function reads the leaves with tu_fd_get and returns either a 1 x 1 loss or,
 * when a cotangent `seed` is set, any tensor: the scalar checked is then
 * L = <seed, out> and backward runs through gf_tape_backward_from.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include "gradflow.h"

#include <CUnit/CUnit.h>
#include <gsl/gsl_rng.h>
#include <stddef.h>

/* Arena chunk for test tapes: small, since the library's default (64 MiB) is
 * filled byte by byte under meson's MALLOC_PERTURB_. */
enum { TU_CHUNK = 1 << 20 };

/* ---- numbers ----------------------------------------------------------- */

gsl_rng *tu_rng(unsigned long seed);
void tu_fill_uniform(double *x, size_t n, gsl_rng *r, double lo, double hi);
void tu_fill_gauss(double *x, size_t n, gsl_rng *r, double sd);
/* |x| uniform in [lo, hi] with a random sign: for relu, away from its kink. */
void tu_fill_away_from_zero(double *x, size_t n, gsl_rng *r, double lo, double hi);
double tu_norm(const double *x, size_t n);
/* ||a - b|| / max(1e-8, ||a|| + ||b||) over the whole vector. */
double tu_rel_err(const double *a, const double *b, size_t n);
/* A fixed pseudo-random value in [-1, 1] for index i (targets, projections). */
double tu_fixed(size_t i);

/* L = mse(y, t) with t a fixed pseudo-random target (no gradient): reduces
 * any tensor to a scalar loss that depends on every entry. */
gf_tensor *tu_mse_fixed(gf_tape *tape, gf_tensor *y);

/* ---- finite differences -------------------------------------------------- */

enum { TU_MAX_LEAVES = 8 };

typedef struct tu_leaf {
    char name[24];
    size_t n, d;
    double *v;       /* values (perturbed in place by the checker) */
    double *g;       /* analytic gradient, exported at true scale */
    double *pg;      /* bound leaves: the parameter's gradient buffer */
    int on_tape;     /* 1: gf_tape_input each build; 0: a bound parameter */
    gf_tensor bound;
    gf_tensor *cur;  /* the tensor used by the last build */
} tu_leaf;

typedef struct tu_fd tu_fd;
typedef gf_tensor *(*tu_build_fn)(gf_tape *tape, tu_fd *c);

struct tu_fd {
    tu_leaf leaf[TU_MAX_LEAVES];
    int n_leaves;
    tu_build_fn build;
    const double *seed;  /* NULL: the build returns a 1 x 1 loss */
    double aux[64];      /* builder-specific numbers (batch-norm statistics, ...) */
    int iaux[64];        /* builder-specific integers (labels) */
    double s;            /* builder-specific scalar */
};

void tu_fd_init(tu_fd *c, tu_build_fn build);
/* Declare a leaf (values zero); its index. */
int tu_fd_leaf(tu_fd *c, const char *name, size_t n, size_t d, int on_tape);
void tu_fd_release(tu_fd *c);
/* Declare a leaf and fill it uniformly in [lo, hi) from r. */
void tu_fd_uniform_leaf(tu_fd *c, gsl_rng *r, const char *name, size_t n, size_t d, int on_tape,
                        double lo, double hi);
/* A Linear's leaves, uniform in [-1, 1): x (n x in, on the tape), W (out x in) and b (1 x out). */
void tu_fd_linear_leaves(tu_fd *c, gsl_rng *r, size_t n, size_t in, size_t out);
/* A batch norm's leaves: x (n x d, on the tape; value p belongs to feature
 * p % feat, which gets its own offset and scale), gamma and beta (1 x feat);
 * the running mean at aux[0], variance at aux[16], count at aux[32]: random
 * when eval, else 0 and 1. */
void tu_fd_bn_leaves(tu_fd *c, gsl_rng *r, size_t n, size_t d, size_t feat, int eval);
/* The batch-norm state over the leaves and aux of tu_fd_bn_leaves. */
gf_bn_state tu_fd_bn_state(gf_tape *t, tu_fd *c);
/* The tensor of leaf i for this build. */
gf_tensor *tu_fd_get(gf_tape *tape, tu_fd *c, int i);
/* Reset the tape, build, and return the scalar checked (NaN on failure). */
double tu_fd_value(gf_tape *tape, tu_fd *c);
/* Reset, build, backward; export every leaf's gradient into leaf[i].g. 0 or -1. */
int tu_fd_analytic(gf_tape *tape, tu_fd *c);
/* Central differences of leaf i into out (leaf values restored). */
void tu_fd_numeric(gf_tape *tape, tu_fd *c, int i, double h, double *out);
/* Analytic against numeric for every leaf: the worst relative error
 * (tu_rel_err per leaf); leaves over tol are reported on stderr with label. */
double tu_fd_check(gf_tape *tape, tu_fd *c, double h, double tol, const char *label);

/* A builder of the ops suite's finite-difference table: the op's name in
 * gf_ops[], what the case covers, a setup declaring the leaves, the build. */
typedef struct tu_op_case {
    const char *op;
    const char *variant;
    void (*setup)(tu_fd *c, gsl_rng *r);
    tu_build_fn build;
} tu_op_case;

/* The image ops' cases (test_conv.c), checked with the others by the ops suite. */
extern const tu_op_case tu_image_op_cases[];
extern const int tu_n_image_op_cases;

/* A finite-difference case: its random numbers, its tape (TU_CHUNK) and c. */
typedef struct tu_fd_case {
    gsl_rng *r;
    gf_tape *tape;
    tu_fd c;
} tu_fd_case;
/* r = tu_rng(seed), a new tape, c initialized with build; close frees all three. */
void tu_fd_case_open(tu_fd_case *k, unsigned long seed, tu_build_fn build);
void tu_fd_case_close(tu_fd_case *k);

/* ---- stacks ------------------------------------------------------------ */

/* One forward and backward pass of a stack on a random Gaussian batch with
 * random labels, with a recorder. */
typedef struct tu_run {
    gf_stack *s;
    gf_tape *tape;
    gf_recorder rec;
    gsl_rng *rng;
    gf_tensor *x, *logits, *loss; /* of the last step */
    double *xv;                    /* the input batch (batch x in_dim) */
    size_t batch;
    int *labels;
} tu_run;

int tu_run_stack(tu_run *r, const gf_stack_config *c, unsigned long seed, size_t batch,
                 int training);
/* The same with a tape of the given arena chunk size (0: the default). */
int tu_run_stack_chunk(tu_run *r, const gf_stack_config *c, unsigned long seed, size_t batch,
                       int training, size_t chunk_bytes);
/* Forward, loss and backward again on the same stack, input and labels. */
int tu_run_step(tu_run *r, int training);
void tu_run_release(tu_run *r);
/* A small stack configuration for the tests (in_dim 12, 5 classes). */
gf_stack_config tu_small_config(gf_arch arch, int depth, size_t width);
/* The default configuration with these sizes. */
gf_stack_config tu_config(gf_arch arch, int depth, size_t width, size_t in_dim, size_t classes);

/* ---- files ------------------------------------------------------------- */

/* mkdtemp under $TMPDIR (or /tmp) into buf; 0 or -1. */
int tu_make_temp_dir(char *buf, size_t size, const char *tag);
/* rm -r of a folder made by tu_make_temp_dir (files and folders inside). */
void tu_remove_tree(const char *path);
/* The whole file in a malloc'd buffer (NUL-terminated); NULL if unreadable. */
char *tu_read_file(const char *path, size_t *len);
int tu_file_exists(const char *path);
/* Entries of a folder other than . and .. */
int tu_count_entries(const char *dir);
/* Entries whose name contains needle. */
int tu_count_matching(const char *dir, const char *needle);

#endif
