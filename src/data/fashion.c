/* fashion.c: Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), read from the
 * IDX files of Debian's dataset-fashion-mnist package. */
#include "data/gf_data.h"
#include "io/gf_io.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seeds the shuffle that fixes the order of the training images: the same
 * subset in every run, whatever the run's own seed. */
#define FASHION_ORDER_SEED 20160101UL
enum { FASHION_CLASSES = 10 };

const char *const gf_fashion_classes[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
                                          NULL};

/* Training images and labels, then test images and labels. */
static const char *const files[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                     "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

int gf_fashion_available(const char *dir)
{
    char path[GF_PATH_MAX];
    for (int i = 0; i < 4; i++)
        if (gf_path_join(path, sizeof path, dir, files[i]) != 0 || access(path, R_OK) != 0)
            return 0;
    return 1;
}

/* One split: n images (n x rows x columns) and their n labels. */
typedef struct split {
    char images_path[GF_PATH_MAX], labels_path[GF_PATH_MAX];
    gf_idx images, labels;
} split;

static void split_release(split *s)
{
    gf_idx_release(&s->images);
    gf_idx_release(&s->labels);
}

/* Read and check a split: rank 3 images, rank 1 labels, as many of each,
 * every label a class. 0 or -1 (s released). */
static int split_read(split *s, const char *dir, const char *const names[2], char *why,
                      size_t size)
{
    if (gf_path_join(s->images_path, sizeof s->images_path, dir, names[0]) != 0 ||
        gf_path_join(s->labels_path, sizeof s->labels_path, dir, names[1]) != 0) {
        snprintf(why, size, "%s: path too long", dir);
        return -1;
    }
    if (gf_idx_read(&s->images, s->images_path, why, size) != 0 ||
        gf_idx_read(&s->labels, s->labels_path, why, size) != 0)
        return split_release(s), -1;
    const gf_idx *im = &s->images, *lb = &s->labels;
    int bad = 1;
    if (im->rank != 3)
        snprintf(why, size, "%s: rank %d, but images have rank 3 (count x rows x columns)",
                 s->images_path, im->rank);
    else if (lb->rank != 1)
        snprintf(why, size, "%s: rank %d, but labels have rank 1", s->labels_path, lb->rank);
    else if (lb->dims[0] != im->dims[0])
        snprintf(why, size, "%s holds %zu images but %s holds %zu labels", s->images_path,
                 im->dims[0], s->labels_path, lb->dims[0]);
    else
        bad = 0;
    for (size_t i = 0; !bad && i < lb->count; i++)
        if (lb->data[i] >= FASHION_CLASSES) {
            snprintf(why, size, "%s: label %d of image %zu is not a class (0 to %d)",
                     s->labels_path, lb->data[i], i, FASHION_CLASSES - 1);
            bad = 1;
        }
    if (bad)
        split_release(s);
    return bad ? -1 : 0;
}

static int check_sizes(const split *tr, const split *te, size_t ntrain, size_t ntest, char *why,
                       size_t size)
{
    if (te->images.dims[1] != tr->images.dims[1] || te->images.dims[2] != tr->images.dims[2])
        snprintf(why, size, "%s: images of %zu x %zu, but the training images are %zu x %zu",
                 te->images_path, te->images.dims[1], te->images.dims[2], tr->images.dims[1],
                 tr->images.dims[2]);
    else if (ntrain < 1 || ntrain > tr->images.dims[0])
        snprintf(why, size, "ntrain %zu is out of range (1 to %zu training images)", ntrain,
                 tr->images.dims[0]);
    else if (ntest > te->images.dims[0])
        snprintf(why, size, "ntest %zu is out of range (0 to %zu test images)", ntest,
                 te->images.dims[0]);
    else
        return 0;
    return -1;
}

/* The fixed order: 0..n-1 shuffled by an rng with its own seed; NULL if out of memory. */
static size_t *fixed_order(size_t n)
{
    size_t *order = malloc(n * sizeof *order);
    gsl_rng *rng = gf_rng_alloc(FASHION_ORDER_SEED);
    if (order && rng) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        gsl_ran_shuffle(rng, order, n, sizeof *order);
    } else {
        free(order);
        order = NULL;
    }
    gsl_rng_free(rng);
    return order;
}

/* value[v] = (v / 255 - mean) / sd for each pixel value v, with the mean and
 * the population sd of all pixels of the images order[0..n). A pixel takes
 * one of 256 values, so the histogram gives both in 256 terms. */
static void standardizer(double value[256], const split *tr, const size_t *order, size_t n)
{
    const size_t dim = tr->images.dims[1] * tr->images.dims[2];
    size_t hist[256] = {0};
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = tr->images.data + order[i] * dim;
        for (size_t j = 0; j < dim; j++)
            hist[p[j]]++;
    }
    const double m = (double)(n * dim);
    double mean = 0.0, var = 0.0;
    for (int v = 0; v < 256; v++)
        mean += (double)hist[v] * (v / 255.0);
    mean /= m;
    for (int v = 0; v < 256; v++)
        var += (double)hist[v] * (v / 255.0 - mean) * (v / 255.0 - mean);
    const double sd = var > 0.0 ? sqrt(var / m) : 1.0; /* one value only: just centre */
    for (int v = 0; v < 256; v++)
        value[v] = (v / 255.0 - mean) / sd;
}

/* ds = the images order[0..n) of s (file order when order is NULL), each
 * pixel v mapped to value[v]. n = 0 leaves ds zeroed. 0 or -1. */
static int to_dataset(gf_dataset *ds, const split *s, const size_t *order, size_t n,
                      const double value[256])
{
    if (n == 0)
        return 0;
    const size_t dim = s->images.dims[1] * s->images.dims[2];
    ds->x = malloc(n * dim * sizeof *ds->x);
    ds->y = malloc(n * sizeof *ds->y);
    if (!ds->x || !ds->y)
        return -1;
    ds->n = n;
    ds->dim = dim;
    ds->classes = FASHION_CLASSES;
    for (size_t i = 0; i < n; i++) {
        const size_t k = order ? order[i] : i;
        const unsigned char *p = s->images.data + k * dim;
        for (size_t j = 0; j < dim; j++)
            ds->x[i * dim + j] = value[p[j]];
        ds->y[i] = s->labels.data[k];
    }
    return 0;
}

int gf_fashion_load(gf_dataset *train, gf_dataset *test, const char *dir, size_t ntrain,
                    size_t ntest, char *why, size_t size)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (!gf_fashion_available(dir)) {
        snprintf(why, size,
                 "Fashion-MNIST not found in %s (install Debian's dataset-fashion-mnist package: "
                 "apt-get install dataset-fashion-mnist, or give --data-dir)",
                 dir);
        return -1;
    }
    split tr, te;
    memset(&tr, 0, sizeof tr);
    memset(&te, 0, sizeof te);
    size_t *order = NULL;
    int rc = -1;
    if (split_read(&tr, dir, files, why, size) == 0 &&
        split_read(&te, dir, files + 2, why, size) == 0 &&
        check_sizes(&tr, &te, ntrain, ntest, why, size) == 0) {
        if ((order = fixed_order(tr.images.dims[0])) != NULL) {
            double value[256];
            standardizer(value, &tr, order, ntrain);
            if (to_dataset(train, &tr, order, ntrain, value) == 0 &&
                to_dataset(test, &te, NULL, ntest, value) == 0)
                rc = 0;
        }
        if (rc != 0)
            snprintf(why, size, "out of memory loading Fashion-MNIST from %s", dir);
    }
    free(order);
    split_release(&tr);
    split_release(&te);
    if (rc != 0) {
        gf_dataset_release(train);
        gf_dataset_release(test);
    }
    return rc;
}
