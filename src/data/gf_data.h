/* gf_data.h: datasets (synthetic, Fashion-MNIST) and which one an experiment
 * loads (load.c). The built-in synthetic set needs no download.
 *
 * Synthetic classification: class c has a centre mu_c ~ N(0, s^2 I) in
 * `dim` dimensions; a sample of class c is mu_c + N(0, I). Labels are
 * balanced; every feature is then standardized to mean 0, variance 1 over
 * the whole set. Same seed, same bytes.
 */
#ifndef GF_DATA_H
#define GF_DATA_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_dataset {
    size_t n, dim, classes;
    double *x; /* n x dim, row-major */
    int *y;    /* n labels in [0, classes) */
} gf_dataset;

/* separation is s above (1.5 gives a set that is learnable but not trivial). */
int gf_synthetic_make(gf_dataset *ds, size_t n, size_t dim, size_t classes, double separation,
                      unsigned long seed);

/* The commands' built-in set: GF_SYNTH_DIM features, GF_SYNTH_CLASSES classes,
 * separation GF_SYNTH_SEPARATION, data seed GF_SYNTH_SEED (GF_SYNTH_TEXT says so
 * in a manifest). gf_synthetic_default(ds, n) makes n samples of it. */
#define GF_SYNTH_DIM 32
#define GF_SYNTH_CLASSES 10
#define GF_SYNTH_SEPARATION 1.5
#define GF_SYNTH_SEED 0
#define GF_SYNTH_TEXT "synthetic Gaussian mixture, separation 1.5, data seed 0, standardized"
int gf_synthetic_default(gf_dataset *ds, size_t n);

/* Independent random streams from one user seed: stream k of seed s is seeded
 * with s * GF_SEED_PRIME + k (a prime multiplier keeps (s, k) pairs apart). */
#define GF_SEED_PRIME 1000003ul
static inline unsigned long gf_seed_stream(unsigned long seed, unsigned long k)
{
    return seed * GF_SEED_PRIME + k;
}
/* A Mersenne Twister (mt19937) seeded with seed; NULL if out of memory. */
gsl_rng *gf_rng_alloc(unsigned long seed);
void gf_dataset_release(gf_dataset *ds);

/* Copy `batch` distinct samples drawn by rng into x (batch x dim) and y. */
int gf_dataset_sample(const gf_dataset *ds, gsl_rng *rng, size_t batch, double *x, int *y);

/* Copy the samples idx[0..n) (each < ds->n) into x (n x dim) and y. */
void gf_dataset_gather(const gf_dataset *ds, const size_t *idx, size_t n, double *x, int *y);

/* dst = count samples of src from `first` on (a copy; count 0 gives an empty
 * set with src's dim and classes); 0, or -1 (dst zeroed) when they run past
 * the end or memory runs out. dst is overwritten, not released. */
int gf_dataset_slice(gf_dataset *dst, const gf_dataset *src, size_t first, size_t count);

/* ---- Fashion-MNIST ------------------------------------------------------- */

/* Where Debian's dataset-fashion-mnist package puts the four files
 * train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
 * t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz. */
#define GF_FASHION_DIR "/usr/share/datasets/fashion-mnist"

enum { GF_FASHION_NTRAIN = 60000, GF_FASHION_NTEST = 10000 }; /* the images it has */

extern const char *const gf_fashion_classes[]; /* "T-shirt/top", ..., "Ankle boot"; NULL-ended */

/* 1 when dir holds the four files (readable), else 0. */
int gf_fashion_available(const char *dir);

/* Load 28 x 28 images as 784 features and labels 0..9. The training set is
 * the first ntrain of the 60,000 training images taken in a fixed order (a
 * shuffle with its own seed, the same in every run, so a subset has every
 * class in proportion); the test set is the first ntest of the 10,000 test
 * images, never trained on. Pixels are scaled to [0, 1] and standardized
 * with the mean and standard deviation of the training subset (one scalar
 * each, applied to both sets). ntrain is 1 to 60,000; ntest 0 (test left
 * zeroed) to 10,000. 0, or -1 (both zeroed) with a one-line reason in why: a
 * missing file names the package to install. */
int gf_fashion_load(gf_dataset *train, gf_dataset *test, const char *dir, size_t ntrain,
                    size_t ntest, char *why, size_t size);

/* ---- which data an experiment trains on (load.c) ---- */

typedef enum { GF_DATA_AUTO, GF_DATA_FASHION, GF_DATA_SYNTHETIC } gf_data_kind;
extern const char *const gf_data_names[]; /* "auto", "fashion", "synthetic", NULL */

/* The training and test sets of an experiment (load.c): Fashion-MNIST from
 * dir (AUTO: when installed), else the default synthetic set
 * (gf_synthetic_default; its last ntest samples held out). *name is
 * "Fashion-MNIST" or "synthetic". 0, or -1 with a reason. */
int gf_data_load(gf_data_kind kind, const char *dir, size_t ntrain, size_t ntest,
                 gf_dataset *train, gf_dataset *test, const char **name, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
