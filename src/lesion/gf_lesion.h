/* gf_lesion.h: lesions of trained nets: blocks deleted or reordered
 * (`gradflow lesion`, the ensemble-view lesson). */
#ifndef GF_LESION_H
#define GF_LESION_H

#include "data/gf_data.h"
#include "model/gf_model.h"
#include "nn/gf_nn.h"

#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- lesions (`gradflow lesion`, the ensemble-view lesson) ---------------- *
 *
 * Veit, Wilber and Belongie (2016, Figs. 3 and 5): a trained net evaluated on
 * a test set with blocks deleted or reordered. A deleted block is the
 * identity, x_{l+1} = x_l: for resnet and preact this removes the branch F
 * (resnet: relu(0 + x_l) = x_l, since x_l >= 0 already), for plain the whole
 * block. Reordering swaps k random pairs of block positions. Evaluation mode
 * throughout: batch norm uses its running statistics, so in a plain net the
 * blocks after a deleted one see inputs their statistics do not describe.
 *
 * The draws depend only on (seed, k, draw, B), so nets of the same depth see
 * the same lesions: row k of the deletions draws from an mt19937 seeded with
 * gf_seed_stream(seed, 2k), row k of the swaps from one seeded with
 * gf_seed_stream(seed, 2k + 1), draw after draw.
 */

/* A net to lesion is a model of any family (gf_model), e.g. from
 * gf_model_open (a training checkpoint or an export), its configuration
 * expected. */

/* Draw k distinct positions of `blocks` to delete (drop[i] = 1), uniformly. */
void gf_lesion_draw_deletion(gsl_rng *rng, int blocks, int k, unsigned char *drop);
/* The block order after k swaps of random pairs of positions, from in order. */
void gf_lesion_draw_swaps(gsl_rng *rng, int blocks, int k, int *order);
/* Kendall's tau between order and 0..n-1: 1 - 4 inversions / (n (n - 1)); 1 for n < 2. */
double gf_kendall_tau(const int *order, int n);

typedef struct gf_lesion_spec {
    const gf_dataset *test;     /* the images evaluated, in evaluation mode */
    int draws;                  /* random draws for every k (>= 1) */
    int max_delete;             /* k = 0..max_delete blocks deleted (<= B) */
    int max_swaps;              /* k = 0..max_swaps pairs swapped (0 when B < 2) */
    unsigned long seed;         /* the draws, >= 1 */
    size_t eval_batch;          /* memory only: the errors do not depend on it */
    void (*progress)(void *ctx, int done, int total); /* after every evaluation */
    void *progress_ctx;
} gf_lesion_spec;

/* Rows k = 0..kmax of random lesions, up to `draws` each. A row whose lesion
 * is the same for every draw (nothing deleted, or everything; no swap) is
 * evaluated once: n[k] = 1. */
typedef struct gf_lesion_set {
    int kmax, draws, blocks;
    int *n;                     /* [kmax + 1]: draws evaluated */
    double *err, *loss, *tau;   /* [(kmax + 1) * draws]: row k, draw j; tau of the order */
    unsigned char *drop;        /* deletions: [(kmax + 1) * draws * blocks], 1 = deleted */
    int *order;                 /* [(kmax + 1) * draws * blocks]: the block run at each position */
} gf_lesion_set;

typedef struct gf_lesion_result {
    gf_lesion_spec spec;
    gf_arch arch;               /* an MLP stack's arch and depth (else plain, 0) */
    int depth, blocks;
    char name[GF_NET_NAME_MAX]; /* "resnet-56" */
    double base_err, base_loss; /* the whole net, no plan */
    double *single_err, *single_loss; /* [blocks]: block b deleted, the rest in order */
    gf_lesion_set del, swap;
    double seconds[3];          /* wall time: single deletions, random deletions, swaps */
} gf_lesion_result;

/* Every lesion of net (its running statistics are not changed). 0, or -1
 * with a reason. */
int gf_lesion_run(gf_model *net, const gf_lesion_spec *spec, gf_lesion_result *res, char *why,
                  size_t size);
void gf_lesion_release(gf_lesion_result *res);

/* Over the draws of row k: mean and sample standard deviation (0 for one
 * draw) of the error, its min and max, and the mean Kendall's tau. */
void gf_lesion_row_stats(const gf_lesion_set *s, int k, double *mean, double *sd, double *min,
                         double *max, double *tau);

/* Over the draws of row k: the quartiles of the error, q[0] the 25th
 * percentile, q[1] the median, q[2] the 75th (linear interpolation between
 * order statistics; NaN when the row has no draw or no memory). */
void gf_lesion_row_quartiles(const gf_lesion_set *s, int k, double q[3]);

/* Write lesion_single.tsv, lesion_delete.tsv, lesion_delete_mean.tsv,
 * lesion_swap.tsv and lesion_swap_mean.tsv for n nets into dir (errors as
 * fractions; the *_mean files: per k the mean, sd, min, max, mean tau and
 * mean loss over the draws, then the error's quartiles). 0, or -1 with a reason. */
int gf_lesion_write(const gf_lesion_result *res, int n, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
