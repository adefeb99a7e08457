/* gf_probe.h: instrumentation. A probe observes the final gradient dL/dx of
 * one tensor during backward and writes its norms into a recorder.
 *
 * A probe is not a node: it is the tensor's gf_observer (gf_core.h), which
 * the backward driver calls once the tensor's gradient is complete, just
 * before the node that made the tensor runs. The forward pass does no extra
 * work. The probe sits above the core and uses only its public API.
 *
 * Norms are kept as log2 so they stay exact beyond the range of a double; the
 * probe also renormalizes the gradient it sees by an exact power of two
 * (moving the difference into the tensor's scale exponent), which keeps a
 * vanishing gradient away from subnormal numbers.
 *
 * Skip / branch split. For a residual block x_{l+1} = x_l + F(x_l) (or the
 * post-activation form relu(F(x_l) + x_l)), dL/dx_l = s + b, where the skip
 * term s is the gradient arriving through the identity (the gradient of the
 * sum node) and the branch term b = J_F^T s came back through F. A probe on
 * x_l given the sum node as skip source measures ||s||, ||b|| = ||g - s|| and
 * cos(s, b) in the same pass.
 */
#ifndef GF_PROBE_H
#define GF_PROBE_H

#include "core/gf_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gf_probe_kind {
    GF_PROBE_BLOCK = 0, /* x_l: a block boundary (x_0 is the stem output) */
    GF_PROBE_FC1_IN,    /* input of the first Linear of block l */
    GF_PROBE_FC2_IN,    /* input of the second Linear of block l */
} gf_probe_kind;

typedef struct gf_probe_record {
    gf_probe_kind kind;
    int block;
    const gf_tensor *tensor;   /* valid until the tape is reset */
    int observed;              /* 1 once backward has reached it */
    size_t n, d;
    double log2_frob;          /* log2 ||dL/dx||_F over the batch; -inf if zero */
    double log2_sample_mean;   /* log2 of the mean over samples of ||dL/dx_i|| */
    double log2_rms;           /* log2 ||dL/dx||_F / sqrt(n d) */
    int has_split;
    double log2_skip, log2_branch; /* norms of the skip and branch terms */
    double cos_skip_branch;        /* NaN when either term is zero */
} gf_probe_record;

typedef struct gf_recorder {
    gf_probe_record *rec;
    size_t n, cap;
    gf_arena *probes;          /* the probes themselves: kept off the tape, so the
                                  tape's memory layout is the same without them */
} gf_recorder;

/* log10(2): turns a log2 into a log10. */
#define GF_LOG10_2 0.30102999566398119521

/* log10 of a norm kept as log2 (records keep log2: exact beyond a double's range). */
static inline double gf_log10_of_log2(double log2x) { return log2x * GF_LOG10_2; }

void gf_recorder_init(gf_recorder *r);
void gf_recorder_release(gf_recorder *r);
/* Forget the records and the probes, keep the memory. Tensors probed before
 * still point at their probes: reset their tape too before using them again
 * (gf_stack_forward clears the recorder; run one forward per tape reset). */
void gf_recorder_clear(gf_recorder *r);

/* Put a probe on t and append its record; skip_src may be NULL. The probe
 * lives until gf_recorder_clear. Returns the record's index, or -1 (out of
 * memory, or t already carries an observer that is not a probe). */
long gf_probe_attach(gf_recorder *r, gf_tensor *t, gf_probe_kind kind, int block,
                     const gf_tensor *skip_src);

/* The record for (kind, block), or NULL. */
const gf_probe_record *gf_recorder_find(const gf_recorder *r, gf_probe_kind kind, int block);

/* Name of a record in state_dict style: "x.3", "blocks.3.fc1.input". */
void gf_probe_name(const gf_probe_record *rec, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
