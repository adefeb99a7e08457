/* sweep_report.c: the figures and summary of `gradflow sweep`: the measured
 * phase diagram against the mean-field critical line, trainability against
 * 6 xi_c, and how far the measured boundary lies from the predicted one. */
#include "sweep_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"ok", "diverged", "overflow", "failed", "invalid"};

/* Field k (0-based) of a row, as a number (NaN when absent or not one). */
static double field(const char *row, int k)
{
    for (; k > 0 && row; k--)
        row = (row = strchr(row, '\t')) ? row + 1 : NULL;
    return row ? strtod(row, NULL) : NAN;
}

/* The status of a row: an index into statuses[]. */
static int status_of(const sweep_report *rep, const char *row)
{
    const char *p = row;
    for (int k = 0; k < rep->spec->grid->n_axes && p; k++)
        p = (p = strchr(p, '\t')) ? p + 1 : NULL;
    for (int i = 0; p && i < 5; i++) {
        const size_t n = strlen(statuses[i]);
        if (strncmp(p, statuses[i], n) == 0 && p[n] == '\t')
            return i;
    }
    return 3;
}

/* The index along grid axis a of a cell. */
static int axis_index(const gf_sweep_grid *g, long cell, int a)
{
    for (int i = g->n_axes - 1; i > a; i--)
        cell /= g->axis[i].n;
    return (int)(cell % g->axis[a].n);
}

static int axis_pos(const gf_sweep_grid *g, gf_sweep_key k)
{
    for (int i = 0; i < g->n_axes; i++)
        if (g->axis[i].key == k)
            return i;
    return -1;
}

/* The map of one column over (x, y): mean, sd and count over the other axes'
 * cells (the seeds), failed cells as `fill` (NaN: left out). */
typedef struct map {
    int ax, ay, nx, ny;
    const double *x, *y;
    double *mean, *sd;
    int *n, *bad;
} map;

static int map_make(map *m, const sweep_report *rep, gf_sweep_key kx, gf_sweep_key ky, int col,
                    double fill)
{
    const gf_sweep_grid *g = rep->spec->grid;
    m->ax = axis_pos(g, kx);
    m->ay = axis_pos(g, ky);
    m->nx = g->axis[m->ax].n;
    m->ny = g->axis[m->ay].n;
    m->x = g->axis[m->ax].v;
    m->y = g->axis[m->ay].v;
    const size_t n = (size_t)m->nx * (size_t)m->ny;
    m->mean = calloc(n, sizeof *m->mean);
    m->sd = calloc(n, sizeof *m->sd);
    m->n = calloc(n, sizeof *m->n);
    m->bad = calloc(n, sizeof *m->bad);
    if (!m->mean || !m->sd || !m->n || !m->bad)
        return -1;
    for (long c = 0; c < rep->rows->n; c++) {
        const size_t at = (size_t)axis_index(g, c, m->ay) * (size_t)m->nx +
                          (size_t)axis_index(g, c, m->ax);
        const char *row = rep->rows->row[c];
        const int status = status_of(rep, row);
        double v = status == 0 ? field(row, g->n_axes + col) : NAN;
        if (!isfinite(v)) { /* a failed net counts as fill; an invalid cell was no net */
            m->bad[at]++;
            v = strcmp(statuses[status], "invalid") == 0 ? NAN : fill;
        }
        if (isfinite(v)) {
            m->mean[at] += v;
            m->sd[at] += v * v;
            m->n[at]++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const double k = m->n[i], s = m->mean[i];
        m->mean[i] = k > 0 ? s / k : NAN;
        m->sd[i] = k > 1 ? sqrt(fmax(0.0, (m->sd[i] - s * s / k) / (k - 1))) : NAN;
    }
    return 0;
}

static void map_free(map *m)
{
    free(m->mean);
    free(m->sd);
    free(m->n);
    free(m->bad);
}

/* The figure's axes: kx and ky in the grid, every other key but seed fixed. */
static int fits(sweep_report *rep, gf_sweep_key kx, gf_sweep_key ky)
{
    const gf_sweep_grid *g = rep->spec->grid;
    if (axis_pos(g, kx) < 0 || axis_pos(g, ky) < 0)
        return 0;
    for (int i = 0; i < g->n_axes; i++)
        if (g->axis[i].key != kx && g->axis[i].key != ky && g->axis[i].key != GF_SWEEP_SEED &&
            g->axis[i].n > 1) {
            snprintf(rep->why_none, sizeof rep->why_none, "no figure: %s takes %d values (a "
                     "figure needs it fixed)", gf_sweep_key_names[g->axis[i].key], g->axis[i].n);
            return 0;
        }
    return 1;
}

/* ---- tables ----------------------------------------------------------------------- */

typedef struct table_ctx {
    const map *m;
    const sweep_report *rep;
    const double *a, *b, *c; /* the line tables' columns */
    int n;
} table_ctx;

static void map_rows(FILE *f, const void *ctx)
{
    const table_ctx *t = ctx;
    const map *m = t->m;
    for (int j = 0; j < m->ny; j++)
        for (int i = 0; i < m->nx; i++) {
            const int at = j * m->nx + i;
            fprintf(f, "%.10g\t%.10g", m->x[i], m->y[j]);
            gf_tsv_put(f, m->mean[at]);
            gf_tsv_put(f, m->sd[at]);
            fprintf(f, "\t%d\t%d\n", m->n[at], m->bad[at]);
        }
}

static void line_rows(FILE *f, const void *ctx)
{
    const table_ctx *t = ctx;
    for (int i = 0; i < t->n; i++) {
        fprintf(f, "%.10g", t->a[i]);
        gf_tsv_put(f, t->b[i]);
        if (t->c)
            gf_tsv_put(f, t->c[i]);
        fputc('\n', f);
    }
}

static int write_table(const char *dir, const char *name, const char *cols, gf_rows_fn rows,
                       const table_ctx *t, char *why, size_t size)
{
    const gf_named_file f = {name, cols, rows};
    return gf_write_all_in(dir, &f, 1, t, why, size);
}

/* The edges of a map's cells along one axis. */
static void edges(const double *v, int n, double *lo, double *hi)
{
    const double half = n > 1 ? 0.5 * (v[n - 1] - v[0]) / (n - 1) : 0.5;
    *lo = v[0] - half;
    *hi = v[n - 1] + half;
}

/* How far the measured boundary lies from theory's: sum |d|, sum d, max |d|
 * over n points. */
typedef struct distances {
    double sum, signed_sum, max;
    int n;
} distances;

static void distance_add(distances *d, double x)
{
    d->sum += fabs(x), d->signed_sum += x, d->max = fmax(d->max, fabs(x));
    d->n++;
}

/* The distances and the grid step into rep; then, unless rc or a missing
 * line buffer says the analysis failed, the map's table and the measured
 * boundary's (t), named and headed by file[0] and file[1]. */
static int put_boundary(sweep_report *rep, const distances *d, const table_ctx *t, int rc,
                        const char *const file[2][2], const char *dir, char *why, size_t size)
{
    const map *m = t->m;
    rep->boundary_n = d->n;
    rep->dist_mean = d->n ? d->sum / d->n : NAN;
    rep->dist_signed = d->n ? d->signed_sum / d->n : NAN;
    rep->dist_max = d->n ? d->max : NAN;
    rep->step = m->nx > 1 ? (m->x[m->nx - 1] - m->x[0]) / (m->nx - 1) : NAN;
    if (rc != 0 || !t->a) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    rc = write_table(dir, file[0][0], file[0][1], map_rows, t, why, size);
    return rc == 0 ? write_table(dir, file[1][0], file[1][1], line_rows, t, why, size) : rc;
}

/* ---- the phase diagram -------------------------------------------------------------- */

enum { LINE_N = 201 };

/* Per sb2: the first sw2 where the seeds' mean decades x_B -> x_0 crosses 0
 * going up (linear between grid points), against chi_1 = 1 there. */
static int phase(sweep_report *rep, const char *dir, char *why, size_t size)
{
    map m = {0};
    int rc = map_make(&m, rep, GF_SWEEP_SW2, GF_SWEEP_SB2, 4, NAN);
    double lo, hi, ylo, yhi;
    edges(m.x, m.nx, &lo, &hi);
    edges(m.y, m.ny, &ylo, &yhi);
    double *a = malloc(3 * LINE_N * sizeof *a), *b = a ? a + LINE_N : NULL;
    double *c = a ? b + LINE_N : NULL;
    distances dist = {0};
    for (int j = 0; rc == 0 && a && j < m.ny; j++) {
        double cross = NAN, crit = NAN;
        for (int i = 0; i + 1 < m.nx && isnan(cross); i++) {
            const double u = m.mean[j * m.nx + i], v = m.mean[j * m.nx + i + 1];
            if (u < 0 && v >= 0)
                cross = m.x[i] + (0 - u) * (m.x[i + 1] - m.x[i]) / (v - u);
        }
        if (isnan(cross) || gf_meanfield_critical_sw2((gf_act)rep->act, m.y[j], &crit) != 0)
            continue;
        a[dist.n] = cross, b[dist.n] = m.y[j], c[dist.n] = crit;
        distance_add(&dist, cross - crit);
    }
    static const char *const file[2][2] = {
        {"sweep_phase.tsv", "sw2\tsb2\tdecades_mean\tdecades_sd\tcells\tfailed"},
        {"sweep_boundary.tsv", "sw2_measured\tsb2\tsw2_critical"}};
    table_ctx t = {.m = &m, .rep = rep, .a = a, .b = b, .c = c, .n = dist.n};
    rc = put_boundary(rep, &dist, &t, rc, file, dir, why, size);
    if (rc == 0) {
        for (int k = 0; k < LINE_N; k++) { /* chi_1 = 1 across the plot */
            b[k] = fmax(0.0, ylo + (yhi - ylo) * k / (LINE_N - 1));
            if (gf_meanfield_critical_sw2((gf_act)rep->act, b[k], &a[k]) != 0)
                a[k] = NAN;
        }
        t = (table_ctx){.a = b, .b = a, .n = LINE_N};
        rc = write_table(dir, "sweep_critical.tsv", "sb2\tsw2_critical", line_rows, &t, why, size);
    }
    free(a);
    map_free(&m);
    return rc;
}

/* ---- trainability ------------------------------------------------------------------- */

/* Per sw2: the deepest grid depth whose seeds' mean accuracy reaches halfway
 * from chance to the grid's best, against 6 xi_c at that sw2. */
static int trainability(sweep_report *rep, const char *dir, char *why, size_t size)
{
    map m = {0};
    const double chance = 1.0 / (double)rep->spec->classes;
    int rc = map_make(&m, rep, GF_SWEEP_SW2, GF_SWEEP_DEPTH, 4, chance);
    const gf_sweep_point p0 = gf_sweep_point_of(rep->spec, 0);
    rep->fixed = p0.sb2;
    double best = chance;
    for (int i = 0; rc == 0 && i < m.nx * m.ny; i++)
        best = isfinite(m.mean[i]) ? fmax(best, m.mean[i]) : best;
    rep->acc_threshold = best > chance ? chance + 0.5 * (best - chance) : NAN; /* NaN: none
                                                                                   trained */
    double *a = malloc(3 * LINE_N * sizeof *a), *b = a ? a + LINE_N : NULL;
    double *c = a ? b + LINE_N : NULL;
    double lo, hi;
    distances dist = {0};
    int nb = 0;
    for (int i = 0; rc == 0 && a && i < m.nx && i < LINE_N; i++) {
        int deepest = -1;
        for (int j = 0; j < m.ny; j++)
            if (m.mean[j * m.nx + i] >= rep->acc_threshold &&
                (deepest < 0 || m.y[j] > m.y[deepest]))
                deepest = j;
        gf_meanfield mf;
        const double six = gf_meanfield_point((gf_act)rep->act, m.x[i], rep->fixed, &mf) == 0
                               ? 6.0 * mf.xi_c : NAN;
        if (deepest < 0)
            continue;
        a[nb] = m.x[i], b[nb] = m.y[deepest], c[nb] = six;
        nb++;
        double ymax = m.y[0];
        for (int j = 1; j < m.ny; j++)
            ymax = fmax(ymax, m.y[j]);
        if (m.y[deepest] >= ymax) { /* every depth trains: the edge lies past the grid */
            rep->boundary_censored++;
            continue;
        }
        if (!(six > 0) || !isfinite(six))
            continue;
        distance_add(&dist, log10(m.y[deepest] / six));
    }
    static const char *const file[2][2] = {
        {"sweep_train.tsv", "sw2\tdepth\taccuracy_mean\taccuracy_sd\tcells\tfailed"},
        {"sweep_trainable.tsv", "sw2\tdepth_trainable\tsix_xi_c"}};
    table_ctx t = {.m = &m, .a = a, .b = b, .c = c, .n = nb};
    rc = put_boundary(rep, &dist, &t, rc, file, dir, why, size);
    if (rc == 0) {
        edges(m.x, m.nx, &lo, &hi);
        for (int j = 0; j < LINE_N; j++) {
            gf_meanfield mf;
            a[j] = lo + (hi - lo) * j / (LINE_N - 1);
            b[j] = gf_meanfield_point((gf_act)rep->act, a[j], rep->fixed, &mf) == 0
                       ? fmin(6.0 * mf.xi_c, 1e6) : NAN;
        }
        t = (table_ctx){.a = a, .b = b, .n = LINE_N};
        rc = write_table(dir, "sweep_xi.tsv", "sw2\tsix_xi_c", line_rows, &t, why, size);
    }
    free(a);
    map_free(&m);
    return rc;
}

int sweep_analyse(sweep_report *rep, const char *dir, char *why, size_t size)
{
    for (long c = 0; c < rep->rows->n; c++)
        rep->by_status[status_of(rep, rep->rows->row[c])]++;
    const gf_sweep_point p0 = gf_sweep_point_of(rep->spec, 0);
    rep->act = p0.act;
    if (rep->spec->measure == GF_SWEEP_GRADNORM && fits(rep, GF_SWEEP_SW2, GF_SWEEP_SB2)) {
        rep->kind = 1;
        rep->fixed = p0.depth;
        return phase(rep, dir, why, size);
    }
    if (rep->spec->measure == GF_SWEEP_TRAIN && fits(rep, GF_SWEEP_SW2, GF_SWEEP_DEPTH)) {
        rep->kind = 2;
        return trainability(rep, dir, why, size);
    }
    return 0;
}

/* ---- figures, summary, manifest ----------------------------------------------------- */

/* The colour range of the phase map: symmetric, whole decades, 1 to 10. */
static double phase_cb(const sweep_report *rep)
{
    double m = 1.0;
    for (long c = 0; c < rep->rows->n; c++) {
        const double v = field(rep->rows->row[c], rep->spec->grid->n_axes + 4);
        if (isfinite(v))
            m = fmax(m, fabs(v));
    }
    return fmin(ceil(m), 10.0);
}

int sweep_figures(cli_run *r, const sweep_report *rep)
{
    if (rep->kind == 0)
        return 0;
    const gf_sweep_grid *g = rep->spec->grid;
    const gf_sweep_axis *ax = gf_sweep_grid_axis(g, GF_SWEEP_SW2);
    const gf_sweep_axis *ay = gf_sweep_grid_axis(g, rep->kind == 1 ? GF_SWEEP_SB2 : GF_SWEEP_DEPTH);
    const gf_sweep_axis *as = gf_sweep_grid_axis(g, GF_SWEEP_SEED);
    const gf_sweep_point p0 = gf_sweep_point_of(rep->spec, 0);
    char sub[256];
    gf_fig_sweep_map f = {.xlabel = "σ_w^2 = fan_{in} Var(w)"};
    edges(ax->v, ax->n, &f.xlo, &f.xhi);
    edges(ay->v, ay->n, &f.ylo, &f.yhi);
    if (rep->kind == 1) {
        const double cb = phase_cb(rep);
        snprintf(sub, sizeof sub, "%s %s-%d, width %ld, batch %ld, mean over %d seed%s; "
                 "x_B → x_0 in decades (red: grows toward the input)",
                 gf_arch_names[p0.arch], gf_act_names[p0.act], p0.depth, p0.width,
                 rep->spec->batch, as ? as->n : 1, as && as->n > 1 ? "s" : "");
        f.title = "Measured phase diagram: log10 ||dL/dx_0|| / ||dL/dx_B|| at initialization";
        f.ylabel = "σ_b^2 = Var(b)";
        f.cblabel = "log10 gradient ratio x_0 / x_B (decades)";
        f.cblo = -cb, f.cbhi = cb, f.diverging = 1;
        f.data = "sweep_phase.tsv", f.line = "sweep_critical.tsv", f.line_x = 2, f.line_y = 1;
        f.line_title = "mean field: χ_1 = 1 (gradflow theory's critical line)";
        f.boundary = "sweep_boundary.tsv";
        f.boundary_title = "measured: where the ratio crosses 1 (0 decades)";
    } else {
        snprintf(sub, sizeof sub, "%s %s, width %ld, σ_b² = %g, SGD lr %g momentum %g, %ld "
                 "steps of %ld; mean over %d seed%s (diverged: chance)",
                 gf_arch_names[p0.arch], gf_act_names[p0.act], p0.width, rep->fixed, p0.lr,
                 rep->spec->momentum, p0.steps, rep->spec->batch, as ? as->n : 1,
                 as && as->n > 1 ? "s" : "");
        f.title = "Trainability: training accuracy after a fixed number of steps";
        f.ylabel = "depth (weight layers)";
        f.cblabel = "training accuracy";
        f.cblo = 1.0 / (double)rep->spec->classes, f.cbhi = 1.0;
        f.data = "sweep_train.tsv", f.line = "sweep_xi.tsv", f.line_x = 1, f.line_y = 2;
        f.line_title = "mean field: depth = 6 ξ_c (Schoenholz et al. 2017)";
        f.boundary = "sweep_trainable.tsv";
        f.boundary_title = "measured: deepest depth at least halfway from chance to the best";
    }
    f.subtitle = sub;
    const char *name = rep->kind == 1 ? "sweep_phase" : "sweep_train";
    int status = cli_run_figure(r, name, gf_fig_sweep_map_body, &f);
    if (status == 0)
        status = cli_run_terminal(r, gf_fig_sweep_map_body, &f, 100, 32);
    return status;
}

/* The boundary's distance from theory, in words. */
static void boundary_lines(const sweep_report *rep)
{
    if (rep->kind == 1) {
        printf("  measured boundary: per sigma_b^2, the sigma_w^2 where the seeds' mean "
               "log10(||dL/dx_0|| / ||dL/dx_B||)\n    crosses 0 going up (linear between grid "
               "points); predicted: chi_1 = 1 (mean field, %s)\n", gf_act_names[rep->act]);
        if (rep->boundary_n == 0) {
            printf("    no crossing found on the grid\n");
            return;
        }
        printf("    distance |sw2 measured - sw2 critical| over %d value%s of sigma_b^2: mean "
               "%.3f, max %.3f\n    (mean signed %+.3f; the grid's sw2 step is %g)\n",
               rep->boundary_n, rep->boundary_n == 1 ? "" : "s", rep->dist_mean, rep->dist_max,
               rep->dist_signed, rep->step);
        return;
    }
    if (isnan(rep->acc_threshold)) {
        printf("  measured boundary: none; no cell trained above chance (%.3f)\n",
               1.0 / (double)rep->spec->classes);
        return;
    }
    printf("  measured boundary: per sigma_w^2, the deepest grid depth whose seeds' mean "
           "accuracy is at least\n    %.3f (halfway from chance to the best cell); predicted: "
           "depth = 6 xi_c at sigma_b^2 = %g\n", rep->acc_threshold, rep->fixed);
    if (rep->boundary_n > 0)
        printf("    distance |log10(depth measured / 6 xi_c)| over %d value%s of sigma_w^2: "
               "mean %.3f (a factor %.2f),\n    max %.3f (a factor %.2f); mean signed %+.3f\n",
               rep->boundary_n, rep->boundary_n == 1 ? "" : "s", rep->dist_mean,
               pow(10.0, rep->dist_mean), rep->dist_max,
               pow(10.0, rep->dist_max), rep->dist_signed);
    else
        printf("    no value of sigma_w^2 has an edge inside the grid\n");
    if (rep->boundary_censored > 0)
        printf("    %d value%s of sigma_w^2 train at every depth of the grid: the edge lies "
               "deeper (left out)\n", rep->boundary_censored,
               rep->boundary_censored == 1 ? "" : "s");
}

void sweep_summary(const cli_run *r, const sweep_report *rep)
{
    const gf_sweep_rows *rw = rep->rows;
    const gf_sweep_grid *g = rep->spec->grid;
    printf("gradflow sweep: %s over", gf_sweep_measure_names[rep->spec->measure]);
    for (int i = 0; i < g->n_axes; i++)
        printf("%s %s (%d)", i ? " x" : "", gf_sweep_key_names[g->axis[i].key], g->axis[i].n);
    printf(": %ld cells\n", rw->n);
    printf("  rows:");
    for (int i = 0; i < 5; i++)
        if (rep->by_status[i])
            printf(" %ld %s", rep->by_status[i], statuses[i]);
    putchar('\n');
    int shown = 0;
    for (long c = 0; c < rw->n && shown < 5; c++)
        if (status_of(rep, rw->row[c]) != 0) {
            const char *reason = strrchr(rw->row[c], '\t');
            printf("    cell %ld: %s\n", c, reason ? reason + 1 : "");
            shown++;
        }
    if (rep->kind)
        boundary_lines(rep);
    else if (*rep->why_none)
        printf("  %s\n", rep->why_none);
    if (rw->resumed)
        printf("  %ld rows kept from an interrupted run (--resume)\n", rw->resumed);
    printf("  wrote %s/sweep.tsv, timing.tsv, state.tsv, manifest.json%s\n", r->dir,
           rep->kind == 1 ? (cli_run_drawn(r) ? ", sweep_phase.png (.svg/.gp) and its tables"
                                              : ", sweep_phase.gp and its tables")
           : rep->kind == 2 ? (cli_run_drawn(r) ? ", sweep_train.png (.svg/.gp) and its tables"
                                                : ", sweep_train.gp and its tables")
                            : "");
}

json_t *sweep_describe(const sweep_report *rep)
{
    json_t *a = json_object(), *st = json_object();
    for (int i = 0; i < 5; i++)
        json_object_set_new(st, statuses[i], json_integer(rep->by_status[i]));
    json_object_set_new(a, "rows_by_status", st);
    if (rep->kind == 0)
        return a;
    json_object_set_new(a, "figure", json_string(rep->kind == 1 ? "phase" : "trainability"));
    json_object_set_new(a, "boundary", json_string(
        rep->kind == 1 ? "per sb2: the sw2 where the seeds' mean decades x_B -> x_0 crosses 0 "
                         "going up (linear between grid points); against chi_1 = 1; distance "
                         "|sw2 measured - sw2 critical|"
                       : "per sw2: the deepest grid depth whose seeds' mean accuracy reaches "
                         "halfway from chance to the best cell; against 6 xi_c; distance "
                         "|log10(depth / 6 xi_c)| (edges at the deepest grid depth left out)"));
    json_object_set_new(a, "boundary_points", json_integer(rep->boundary_n));
    json_object_set_new(a, "distance_mean", cli_json_number(rep->dist_mean));
    json_object_set_new(a, "distance_max", cli_json_number(rep->dist_max));
    json_object_set_new(a, "distance_signed_mean", cli_json_number(rep->dist_signed));
    if (rep->kind == 2) {
        json_object_set_new(a, "accuracy_threshold", cli_json_number(rep->acc_threshold));
        json_object_set_new(a, "censored", json_integer(rep->boundary_censored));
    }
    return a;
}
