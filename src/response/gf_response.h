/* gf_response.h: the responses of the 3x3 layers of trained conv nets (He et
 * al. 2016, section 4.2 and Fig. 7: "Analysis of Layer Responses") and the
 * size of each residual branch against its input (`gradflow responses`).
 *
 * A 3x3 layer's response is the output of the batch norm that follows its
 * conv, before the addition and the ReLU: in cnn-plain and cnn-resnet every
 * conv has one (the stem's bn1, each block's bn1 and bn2). It is read from
 * the tape: the batch-norm nodes whose input is a conv node's output, in
 * creation order (no second copy of the forward pass). Batch norm runs in
 * evaluation mode (running statistics), so the numbers do not depend on how
 * the evaluation set is cut into chunks.
 *
 *   sd_k    = the standard deviation of all N * H * W * C values of layer k's
 *             response over the N evaluation images (population sd);
 *   ratio_l = mean over the images i of ||F_l(x_l)_i|| / ||x_l,i||, with
 *             F_l the branch of residual unit l (cnn-resnet: its bn2 output,
 *             the response of the unit's second conv) and x_l its input.
 * He et al.'s claim: residual responses are smaller than plain ones, and
 * smaller in deeper nets; the branches learn a small correction to the
 * identity (ratio well below 1).
 */
#ifndef GF_RESPONSE_H
#define GF_RESPONSE_H

#include "data/gf_data.h"
#include "model/gf_model.h"
#include "nn/gf_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One net's measurement. */
typedef struct gf_response_net {
    char name[GF_NET_NAME_MAX];   /* "cnn-resnet-20" */
    gf_arch arch;                 /* GF_ARCH_CNN_PLAIN or GF_ARCH_CNN_RESNET */
    int depth, epochs;            /* epochs trained (-1: unknown) */
    long seed;
    int layers, blocks;           /* 1 + 2 blocks 3x3 layers; blocks residual units */
    double *sd;                   /* [layers]: sd of each response, forward order */
    double *ratio;                /* [blocks]: mean ||F|| / ||x_l||; NaN for a plain net */
    unsigned char *down;          /* [blocks]: 1 where the unit downsamples (option A skip) */
    size_t samples;
} gf_response_net;

/* Measure net (a cnn-plain or cnn-resnet; its running statistics are not
 * changed; left in evaluation mode) over all of data, `chunk` images per
 * pass (memory only). out's name, seed, epochs are the caller's to set.
 * 0, or -1 with a reason. */
int gf_response_measure(gf_model *net, const gf_dataset *data, size_t chunk,
                        gf_response_net *out, char *why, size_t size);
void gf_response_net_release(gf_response_net *r);

/* Every net of a run, and their files:
 *   responses.tsv         net arch depth seed layer name sd   (forward order)
 *   responses_mean.tsv    net arch depth layer seeds sd_mean sd_sd sd_min sd_max
 *   responses_sorted.tsv  net arch depth rank seeds sd_mean sd_sd sd_min sd_max
 *                         (each seed's sds sorted from large to small, then over seeds)
 *   ratio.tsv             net depth seed unit stage down ratio   (residual nets)
 *   ratio_mean.tsv        net depth unit stage down seeds ratio_mean ratio_sd ratio_min ratio_max
 * Nets of the same name are seeds of one net. */
typedef struct gf_response_result {
    gf_response_net *nets;
    int n;
} gf_response_result;

int gf_response_write(const gf_response_result *res, const char *dir, char *why, size_t size);
void gf_response_release(gf_response_result *res);

/* Over the nets named `name`: mean, sd (n - 1; 0 for one), min and max of
 * the k-th value of what (sd when ratio is 0, else ratio); sorted: each net's
 * sds sorted from large to small first. The count, 0 when none has a k-th. */
int gf_response_stats(const gf_response_result *res, const char *name, int k, int ratio,
                      int sorted, double st[4]);

#ifdef __cplusplus
}
#endif
#endif
