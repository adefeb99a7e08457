/* load.c: which data an experiment trains on: Fashion-MNIST when asked for
 * or installed, else the default synthetic set split into training and test
 * parts. Apart from dataset.c, which fashion.c and synthetic.c build on. */
#include "data/gf_data.h"

#include <stdio.h>
#include <string.h>

const char *const gf_data_names[] = {"auto", "fashion", "synthetic", NULL};

int gf_data_load(gf_data_kind kind, const char *dir, size_t ntrain, size_t ntest,
                 gf_dataset *train, gf_dataset *test, const char **name, char *why, size_t size)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (kind == GF_DATA_AUTO)
        kind = gf_fashion_available(dir) ? GF_DATA_FASHION : GF_DATA_SYNTHETIC;
    if (kind == GF_DATA_FASHION) {
        *name = "Fashion-MNIST";
        return gf_fashion_load(train, test, dir, ntrain, ntest, why, size);
    }
    *name = "synthetic";
    gf_dataset all;
    int rc = gf_synthetic_default(&all, ntrain + ntest);
    if (rc == 0) {
        rc = gf_dataset_slice(train, &all, 0, ntrain) | gf_dataset_slice(test, &all, ntrain, ntest);
        gf_dataset_release(&all);
    }
    if (rc != 0) {
        gf_dataset_release(train);
        gf_dataset_release(test);
        snprintf(why, size, "out of memory making the synthetic set");
    }
    return rc ? -1 : 0;
}
