/* 06-landscape.h: what the parts of lesson 06 share (06-landscape.c calls the
 * parts; the parts never call it). */
#ifndef LESSON_06_LANDSCAPE_H
#define LESSON_06_LANDSCAPE_H

#include "lesson.h"

enum { LS_NETS = 3, LS_TARGETS = 2, LS_ARCHS = 2, LS_PATH = 36 };

typedef struct ls_setup {
    int blocks, depth, epochs, grid;
    long steps;
    size_t ntrain, width, samples, id_width, hess_images;
    gf_dataset train, test;
    const char *data_name;
} ls_setup;

/* Step 1: [target][net], nets plain, resnet, resnet-zero. */
typedef struct ls_id_table {
    gf_identity_result r[LS_TARGETS][LS_NETS];
} ls_id_table;

/* One trained net and what the lesson measures of it. path[i] is the loss at
 * a = (i - 5) / 20, so path[5] is theta_0 and path[25] theta_T. */
typedef struct ls_net {
    char name[GF_NET_NAME_MAX];
    double path[LS_PATH], surf_max, nonconvex, lam0, lam1, lr0, lr_end, momentum;
    double *surf;
} ls_net;

extern const char *const ls_net_names[LS_NETS];

/* Step 1 (06-landscape-identity.c): train, ask, tell, draw. 0 or the status. */
int ls_step_identity(lesson *ls, const ls_setup *su, ls_id_table *t);
/* Steps 2 and 3 (06-landscape-surface.c): the line, the plane, the curvature. */
int ls_step_landscape(lesson *ls, const ls_setup *su, ls_net *v);
int ls_step_sharpness(lesson *ls, const ls_setup *su, const ls_net *v);

#endif
