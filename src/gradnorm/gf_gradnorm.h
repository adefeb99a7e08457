/* gf_gradnorm.h: the gradient-norm experiment (`gradflow gradnorm`, the
 * lessons, `gradflow hanin` with the cross-entropy).
 *
 * For each architecture and seed: build the stack (a model of the family
 * "mlp", through gf_model), initialize it from the seed, draw a batch of the synthetic set, run forward (batch norm in
 * training mode unless told otherwise), the mean cross-entropy and backward
 * with probes everywhere, and keep every probe's norms (as log2) and every
 * parameter's norms.
 */
#ifndef GF_GRADNORM_H
#define GF_GRADNORM_H

#include "data/gf_data.h"
#include "nn/gf_nn.h"
#include "probe/gf_probe.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_gradnorm_spec {
    gf_stack_config base;       /* arch is taken from archs[] */
    const gf_arch *archs;
    int n_archs;
    int seeds;
    unsigned long seed0;        /* seed k is seed0 + k: weights and batch */
    size_t batch;
    int bn_eval;                /* batch norm with running statistics */
    const gf_dataset *data;     /* inputs in_dim = data->dim, classes = data->classes */
    const char *save;           /* safetensors path (first seed of each arch), or NULL */
    const char *load;           /* the weights from this file (a gradflow save, or a bare
                                   state_dict of the net base and archs[0] describe; one
                                   arch), the seeds drawing batches only; NULL: from seeds */
    void (*progress)(void *ctx, int done, int total);
    void *progress_ctx;
} gf_gradnorm_spec;

typedef struct gf_gradnorm_probe {
    int arch, seed;             /* index into archs[], seed offset k */
    gf_probe_record rec;        /* tensor pointer cleared */
} gf_gradnorm_probe;

typedef struct gf_gradnorm_param {
    int arch, seed, slot;
    char name[64];
    size_t numel;
    double log2_grad, log2_value; /* -inf for zero; NaN grad for buffers */
} gf_gradnorm_param;

typedef struct gf_gradnorm_result {
    gf_gradnorm_spec spec;
    int blocks;
    gf_gradnorm_probe *probe;   /* every probe, in (arch, seed, record) order */
    size_t n_probes;
    gf_gradnorm_param *param;
    size_t n_params;
    double *loss;               /* [arch * seeds + seed] */
    double *theory;             /* [arch * blocks + l]: predicted log10 block gains, or NaN */
    char (*theory_why)[128];    /* [arch]: why there is no prediction ("" when there is one) */
} gf_gradnorm_result;

/* Run the experiment; 0, or -1 with a one-line reason. */
int gf_gradnorm_run(const gf_gradnorm_spec *spec, gf_gradnorm_result *res, char *why,
                    size_t size);
void gf_gradnorm_release(gf_gradnorm_result *res);

/* The block-boundary record of (arch, seed, block), or NULL. */
const gf_probe_record *gf_gradnorm_block(const gf_gradnorm_result *res, int arch, int seed,
                                         int block);

/* Over seeds at one block boundary: mean, min and max of log10 ||dL/dx||. */
void gf_gradnorm_block_stats(const gf_gradnorm_result *res, int arch, int block, double *mean,
                             double *min, double *max);

/* Write gradnorm.tsv, gradnorm_mean.tsv, probes.tsv, params.tsv and, when a
 * residual architecture ran, split_mean.tsv into dir. 0, or -1 with reason. */
int gf_gradnorm_write(const gf_gradnorm_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
