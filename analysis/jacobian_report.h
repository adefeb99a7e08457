/* jacobian_report.h: what `gradflow jacobian` shows of a run: its figures and
 * the summary on stdout. */
#ifndef CLI_JACOBIAN_REPORT_H
#define CLI_JACOBIAN_REPORT_H

#include "run.h"

/* jacobian_depth.{gp,png,svg} always; with full spectra (and a nonzero
 * value to draw) also jacobian_density.* and block_spectra.*, *spectral = 1;
 * stale ones of an earlier run are removed. batchnorm says how batch norm's
 * statistics were set, for subtitles. 0, or CLI_EXIT_RUNTIME after a message
 * (a missing gnuplot is a warning). */
int jacobian_figures(cli_run *r, const gf_jacobian_result *res, const char *batchnorm,
                     int *spectral);

/* The numbers that tell the story, what they mean, and the files written. */
void jacobian_summary(const gf_jacobian_result *res, const char *dir, const char *batchnorm,
                      int drawn, int spectral);

/* Summary numbers for manifest.json: per arch, dx_B/dx_0 and the blocks. */
json_t *jacobian_manifest_results(const gf_jacobian_result *res);

#endif
