/* test_seq.h: the finite-difference builders of the sequence ops
 * (test_seq.c), listed in test_ops.c's table of every op. */
#ifndef TEST_SEQ_H
#define TEST_SEQ_H

#include "test_util.h"

void seq_setup_embedding(tu_fd *c, gsl_rng *r);
gf_tensor *seq_build_embedding(gf_tape *t, tu_fd *c);
void seq_setup_position(tu_fd *c, gsl_rng *r);
gf_tensor *seq_build_position(gf_tape *t, tu_fd *c);
void seq_setup_gelu(tu_fd *c, gsl_rng *r);
gf_tensor *seq_build_gelu(gf_tape *t, tu_fd *c);
void seq_setup_attention(tu_fd *c, gsl_rng *r);
gf_tensor *seq_build_attention_causal(gf_tape *t, tu_fd *c);
gf_tensor *seq_build_attention_full(gf_tape *t, tu_fd *c);
gf_tensor *seq_build_attention_block(gf_tape *t, tu_fd *c);

#endif
