/* test_dense.h: the dense op's finite-difference builders, shared with
 * test_ops.c's table of every op. */
#ifndef TEST_DENSE_H
#define TEST_DENSE_H

#include "test_util.h"

#include <gsl/gsl_randist.h>

void tu_dense_setup_train(tu_fd *c, gsl_rng *r);
void tu_dense_setup_eval(tu_fd *c, gsl_rng *r);
gf_tensor *tu_dense_build_train(gf_tape *t, tu_fd *c);
gf_tensor *tu_dense_build_eval(gf_tape *t, tu_fd *c);
void tu_dense_setup_restore(tu_fd *c, gsl_rng *r);
gf_tensor *tu_dense_build_restore(gf_tape *t, tu_fd *c);

#endif
