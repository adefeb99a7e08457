/* template.h: the trainer a checkpoint of the reference run loads into.
 * The reference run (fuzz/README.md, tests/regress/) is
 *   gradflow degrade --ntrain 500 --epochs 1 -d 4 -w 2 --data synthetic -a plain,resnet
 * and its checkpoints (plain-4, resnet-4, seed 1) are the fuzzers' seeds and
 * the base of the regression files; the template has its configuration, so
 * a mutated checkpoint reaches every part of gf_trainer_load. Shared by the
 * fuzz targets and the regression suite (tests/test_regress.c). */
#ifndef GF_FUZZ_TEMPLATE_H
#define GF_FUZZ_TEMPLATE_H

#include "gradflow.h"

typedef struct fuzz_template {
    gf_dataset train;
    gf_model *net;
    gf_trainer *t;
} fuzz_template;

/* 0, or -1 with a reason (everything released). */
int fuzz_template_make(fuzz_template *tp, gf_arch arch, char *why, size_t size);
void fuzz_template_free(fuzz_template *tp);

#endif
