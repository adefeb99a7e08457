/* pca.c: a training trajectory on its first two principal directions (Li et
 * al. 2018, Fig. 9), by GSL's SVD of the matrix of snapshots. */
#include "gf_landscape.h"

#include <gsl/gsl_linalg.h>
#include <stdio.h>
#include <stdlib.h>

int gf_land_pca(gf_model *m, const double *snaps, int T, const double *theta_end,
                double *coord, double share[2], char *why, size_t size)
{
    const gf_params *p = gf_model_params(m);
    size_t P = 0;
    for (size_t i = 0; i < p->n_slots; i++)
        if (p->slot[i].kind == GF_SLOT_PARAM)
            P += p->slot[i].rows * p->slot[i].cols;
    if (T < 2 || (size_t)T > P) {
        snprintf(why, size, "a trajectory needs 2 to %zu snapshots, not %d", P, T);
        return -1;
    }
    gsl_matrix *A = gsl_matrix_alloc(P, (size_t)T), *V = gsl_matrix_alloc((size_t)T, (size_t)T);
    gsl_matrix *X = gsl_matrix_alloc((size_t)T, (size_t)T);
    gsl_vector *S = gsl_vector_alloc((size_t)T), *work = gsl_vector_alloc((size_t)T);
    int rc = -1;
    if (!A || !V || !X || !S || !work) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    for (int t = 0; t < T; t++) { /* column t: the trainable entries of theta_t - theta_end */
        const double *th = snaps + (size_t)t * p->size;
        size_t r = 0;
        for (size_t i = 0; i < p->n_slots; i++) {
            const gf_slot *s = &p->slot[i];
            if (s->kind != GF_SLOT_PARAM)
                continue;
            for (size_t j = s->offset; j < s->offset + s->rows * s->cols; j++)
                gsl_matrix_set(A, r++, (size_t)t, th[j] - theta_end[j]);
        }
    }
    if (gsl_linalg_SV_decomp_mod(A, X, V, S, work) != 0) {
        snprintf(why, size, "the SVD of the trajectory failed");
        goto done;
    }
    double total = 0.0;
    for (int k = 0; k < T; k++)
        total += gsl_vector_get(S, (size_t)k) * gsl_vector_get(S, (size_t)k);
    for (int k = 0; k < 2; k++) {
        const double s = gsl_vector_get(S, (size_t)k);
        share[k] = total > 0.0 ? s * s / total : 0.0;
        for (int t = 0; t < T; t++) /* A^T u_k = s_k v_k: snapshot t's coordinate */
            coord[2 * t + k] = s * gsl_matrix_get(V, (size_t)t, (size_t)k);
    }
    rc = 0;
done:
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_matrix_free(X);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return rc;
}
