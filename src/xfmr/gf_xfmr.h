/* gf_xfmr.h: a small decoder-only transformer (the model family
 * "transformer"), byte-level text data, and the measurements of the
 * residual stream (syllabus section 8).
 *
 * Tokens are rows (gf_core.h): B sequences of T tokens at width d are a
 * (B*T) x d tensor. Through the model interface (gf_model.h) the input x is
 * B x T, token ids stored as doubles; the logits are (B*T) x vocab and the
 * loss at every position is gf_softmax_xent with the B*T next tokens.
 *
 * A layer has two sub-layers on the residual stream, attention and the MLP:
 *   Attn(x) = c_proj(attention(c_attn x)),   MLP(x) = c_proj(gelu(c_fc x)), 4d wide
 *   preln     h = x + Attn(LN1 x),           y = h + MLP(LN2 h);  head: lm_head(ln_f x_L)
 *   postln    h = LN1(x + Attn x),           y = LN2(h + MLP h);  head: lm_head(x_L)
 *   deepnorm  h = LN1(alpha x + Attn x),     y = LN2(alpha h + MLP h), and the values
 *             (the V rows of c_attn), c_proj, c_fc and mlp.c_proj start times beta
 *   rezero    h = x + a1 Attn(x),            y = h + a2 MLP(h), a1 = a2 = 0 at start, no LN
 * Embeddings x_0 = wte[id] + wpe[t]. Initialization: Linear weights Xavier
 * uniform, biases 0 (as Xiong et al. 2020 analyse); wte, wpe N(0, 1)
 * (nn.Embedding's default); LN weight 1, bias 0; lm_head has no bias.
 *
 * State-dict names are GPT-2's without the "transformer." prefix: wte, wpe,
 * h.{i}.ln_1, h.{i}.attn.c_attn, h.{i}.attn.c_proj, h.{i}.ln_2,
 * h.{i}.mlp.c_fc, h.{i}.mlp.c_proj, ln_f, lm_head (+ h.{i}.alpha_attn,
 * h.{i}.alpha_mlp for rezero). Weights use nn.Linear's (out, in) layout,
 * not GPT-2's Conv1D (in, out): tools/torch_check.py loads an export with
 * strict=True.
 */
#ifndef GF_XFMR_H
#define GF_XFMR_H

#include "model/gf_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the model ---------------------------------------------------------- */

typedef enum { GF_XFMR_PRELN, GF_XFMR_POSTLN, GF_XFMR_DEEPNORM, GF_XFMR_REZERO,
               GF_XFMR_COUNT } gf_xfmr_kind;
extern const char *const gf_xfmr_kind_names[]; /* "preln", "postln", "deepnorm", "rezero", NULL */

typedef struct gf_xfmr_config {
    gf_xfmr_kind kind;
    int layers, heads;
    size_t width, context, vocab;
    double eps; /* LayerNorm's, 1e-5 */
} gf_xfmr_config;

/* preln, 6 layers, width 128, 4 heads, context 64, vocabulary 256. */
gf_xfmr_config gf_xfmr_config_default(void);
int gf_xfmr_config_check(const gf_xfmr_config *c, char *why, size_t size);

/* DeepNorm's constants for a decoder-only model of N layers (Wang et al.
 * 2022, Table 1): alpha = (2N)^(1/4) on the residual, beta = (8N)^(-1/4) on
 * the initial sub-layer weights. 1 for the other kinds. */
double gf_xfmr_alpha(const gf_xfmr_config *c);
double gf_xfmr_beta(const gf_xfmr_config *c);

typedef struct gf_xfmr_layer {
    gf_linear_slots c_attn, attn_proj, c_fc, mlp_proj;
    int ln1_w, ln1_b, ln2_w, ln2_b; /* -1 for rezero */
    int alpha_attn, alpha_mlp;      /* rezero only, else -1 */
} gf_xfmr_layer;

typedef struct gf_xfmr {
    gf_xfmr_config cfg;
    gf_params params;
    int wte, wpe, lnf_w, lnf_b, lm_head; /* lnf: preln only, else -1 */
    gf_xfmr_layer *layer;
    size_t T; /* tokens per sequence of the last stem (the model interface's pieces) */
} gf_xfmr;

extern const gf_model_type gf_model_transformer;

/* The network alone (the family's calls): NULL with a reason; fresh weights
 * from rng (same seed, same bytes), 0 or -1. */
gf_xfmr *gf_xfmr_alloc(const gf_xfmr_config *c, char *why, size_t size);
void gf_xfmr_free(gf_xfmr *m);
int gf_xfmr_init(gf_xfmr *m, gsl_rng *rng);

/* What a traced forward pass keeps (arrays of the caller, 2L + 1 and 2L
 * entries): stream[k] is the stream after k sub-layers (stream[0] = x_0,
 * stream[2l + 2] = x_{l+1}); write[k] is sub-layer k's output F (before
 * the residual sum; rezero: a F). */
typedef struct gf_xfmr_trace {
    gf_tensor **stream, **write;
} gf_xfmr_trace;

/* Logits ((B*T) x vocab) of the B x T tokens ids; tr may be NULL. */
gf_tensor *gf_xfmr_forward(gf_xfmr *m, gf_tape *tape, const int *ids, size_t B, size_t T,
                           gf_xfmr_trace *tr);
/* Layer l on the stream x ((B*T) x d, T tokens per sequence), traced into tr
 * (may be NULL) at sub-layers 2l and 2l + 1. */
gf_tensor *gf_xfmr_layer_forward(gf_xfmr *m, gf_tape *tape, int l, gf_tensor *x, size_t T,
                                 gf_xfmr_trace *tr);
/* The head on a stream tensor: lm_head(ln_f x) for preln, lm_head(x) otherwise. */
gf_tensor *gf_xfmr_head(gf_xfmr *m, gf_tape *tape, gf_tensor *x);

/* Save one step of m (a "transformer" model) for PyTorch: the model, the
 * B x T ids ("input") and next tokens ("labels"), the mean cross-entropy
 * ("loss" in the metadata) and every parameter's gradient ("grad.<name>");
 * tools/torch_check.py checks it. 0, or -1 with a reason. */
int gf_xfmr_export_step(gf_model *m, const int *ids, const int *next, size_t B, size_t T,
                        const char *path, char *why, size_t size);

/* ---- text ------------------------------------------------------------------ */

/* Byte-level: a token is a byte, the vocabulary all 256 (any byte of any
 * file encodes, the held-out part may hold bytes the training part lacks,
 * and a model reads every text). */
typedef struct gf_text {
    unsigned char *bytes;
    size_t n, split; /* training: [0, split), held out: [split, n) (the last 10 %) */
    char source[256];
} gf_text;

/* Read a UTF-8 text file (path) or, for NULL, the files of
 * /usr/share/common-licenses in sorted order (symbolic links skipped).
 * Refuses an empty, unreadable or binary file (NUL bytes or invalid UTF-8)
 * and a text with fewer than 10 (context + 1) bytes in either part: -1 with
 * a one-line reason. */
int gf_text_load(gf_text *t, const char *path, size_t context, char *why, size_t size);
void gf_text_release(gf_text *t);
/* 1 when b[0..n) is valid UTF-8 without NUL bytes. */
int gf_text_is_utf8(const unsigned char *b, size_t n);
/* B windows of T + 1 bytes from the training (held = 0) or held-out part:
 * ids (B*T) and next tokens (B*T). Random starts from rng; rng NULL: evenly
 * spaced starts (a fixed evaluation set). */
void gf_text_batch(const gf_text *t, int held, gsl_rng *rng, size_t B, size_t T, int *ids,
                   int *next);
/* The synthetic copy task (tests): each sequence is k random tokens in
 * [2, vocab), the separator 1, the same k tokens again (T = 2k + 1); the
 * targets are the next tokens (the last one: the separator). The first k
 * targets are random, the last k + 1 predictable by copying. */
void gf_copy_batch(gsl_rng *rng, size_t B, size_t k, size_t vocab, int *ids, int *next);

/* ---- measurements ------------------------------------------------------------ *
 * Sub-layer k = 2l (attention of layer l) or 2l + 1 (its MLP); stream point
 * k = 0 .. 2L is the stream after k sub-layers. */

/* One step at the current weights on the B x T ids: the mean cross-entropy,
 * per sub-layer the Frobenius norm of its weights' gradient (attention:
 * c_attn and c_proj; MLP: c_fc and c_proj, together; 2L entries) and per
 * stream point ||dL/dx|| (2L + 1). 0, or -1 with a reason. */
int gf_xfmr_grads(gf_xfmr *m, gf_tape *tape, const int *ids, const int *next, size_t B,
                  size_t T, double *loss, double *sub_grad, double *stream_grad, char *why,
                  size_t size);

/* The residual stream on the B x T ids: per stream point the RMS over tokens
 * of the token's norm ||x|| (2L + 1); per sub-layer the ratio ||F(x)|| /
 * ||x|| of its write to the stream it reads (Frobenius over the batch; 2L)
 * and the cosine between its write and the next sub-layer's (2L - 1; the
 * Frobenius inner product over the batch). 0, or -1 with a reason. */
int gf_xfmr_stream(gf_xfmr *m, gf_tape *tape, const int *ids, size_t B, size_t T,
                   double *norm, double *ratio, double *cosine, char *why, size_t size);

/* The logit lens: the stream after each layer l = 0 .. L decoded by the
 * head (gf_xfmr_head): per l the mean cross-entropy against next and the
 * fraction of tokens whose top prediction equals the final layer's (L + 1
 * entries each). 0, or -1 with a reason. */
int gf_xfmr_logit_lens(gf_xfmr *m, gf_tape *tape, const int *ids, const int *next, size_t B,
                       size_t T, double *loss, double *agree, char *why, size_t size);

/* Short training on text: Adam (betas 0.9, 0.999) at lr, a linear warm-up
 * from 0 over `warmup` steps (0: none), then constant; batches of B random
 * training windows of T tokens from rng. curve[s] is the training loss of
 * step s (steps entries; NaN after a divergence). Returns the step at which
 * the loss stopped being finite, or -1; -2 on an error (why). */
typedef struct gf_xfmr_train_spec {
    long steps, warmup;
    size_t B, T;
    double lr;
} gf_xfmr_train_spec;
long gf_xfmr_train(gf_xfmr *m, const gf_text *text, const gf_xfmr_train_spec *s, gsl_rng *rng,
                   double *curve, char *why, size_t size);
/* The mean cross-entropy over the held-out part: windows evenly spaced. */
double gf_xfmr_eval(gf_xfmr *m, gf_tape *tape, const gf_text *text, size_t B, size_t T);

/* The entropy (nats) of the training part's byte frequencies: the loss of
 * a model that learned the unigram statistics and nothing else. */
double gf_text_unigram_entropy(const gf_text *t);

/* ---- the experiment of `gradflow transformer` ----------------------------------- */

enum { GF_XFMR_MAX_DEPTHS = 8, GF_XFMR_MAX_LRS = 8 };

typedef struct gf_xfmr_spec {
    const gf_text *text;
    int kinds[GF_XFMR_COUNT], n_kinds;             /* at initialization */
    int layers[GF_XFMR_MAX_DEPTHS], n_layers;      /* depths at initialization */
    size_t width, context, batch;                  /* batch: B sequences of context tokens */
    int heads, seeds;
    unsigned long seed0;                           /* seed k: seed0 + k (weights and batches) */
    int train_kinds[GF_XFMR_COUNT], n_train_kinds; /* trained: warm-up, sweep, stream, lens */
    int train_layers;
    size_t train_width, train_batch;
    long steps, warmup, sweep_steps;
    double lr, sweep[GF_XFMR_MAX_LRS];
    int n_sweep;
    void (*progress)(void *ctx, int done, int total);
    void *ctx;
} gf_xfmr_spec;

/* Arrays flattened in the order of their index comments; Lm = the deepest
 * of spec.layers, Lt = spec.train_layers, S = spec.seeds. */
typedef struct gf_xfmr_result {
    gf_xfmr_spec spec;
    double unigram;
    double *sub_grad;    /* [kind][depth][seed][2 Lm]: sub-layer weight gradients at init */
    double *stream_grad; /* [kind][depth][seed][2 Lm + 1]: ||dL/dx|| at init */
    double *init_loss;   /* [kind][depth][seed] */
    double *curve;       /* [train kind][warm-up 0/1][seed][step] training loss */
    long *diverged;      /* [train kind][warm-up][seed]: the step, or -1 */
    double *held;        /* [train kind][warm-up][seed]: held-out loss after training */
    double *sweep_loss;  /* [train kind][lr][seed]: training loss, mean of the last tenth */
    long *sweep_div;     /* [train kind][lr][seed] */
    double *stream;      /* [train kind][init 0 / trained 1][seed][6 Lt]: norms (2Lt + 1),
                            ratios (2Lt), cosines (2Lt - 1) */
    double *lens;        /* [train kind][seed][2 (Lt + 1)]: loss per layer, then agreement */
} gf_xfmr_result;

/* Run every measurement of spec. 0, or -1 with a reason (res released). */
int gf_xfmr_run(const gf_xfmr_spec *spec, gf_xfmr_result *res, char *why, size_t size);
void gf_xfmr_result_release(gf_xfmr_result *res);
/* The least-squares slope of log ||grad|| of the last layer's MLP weights
 * against log L over the depths, for seed k of kind index i (NaN when a
 * gradient is 0, as ReZero's at a = 0). */
double gf_xfmr_slope(const gf_xfmr_result *res, int i, int k);
/* Write grad_init.tsv, slope.tsv, training.tsv, sweep.tsv, stream.tsv and
 * lens.tsv into dir. 0, or -1 with a reason. */
int gf_xfmr_write(const gf_xfmr_result *res, const char *dir, char *why, size_t size);

#ifdef __cplusplus
}
#endif
#endif
