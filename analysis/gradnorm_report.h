/* gradnorm_report.h: what `gradflow gradnorm` shows of a run: its figures and
 * the summary on stdout. */
#ifndef CLI_GRADNORM_REPORT_H
#define CLI_GRADNORM_REPORT_H

#include "run.h"

/* gradnorm.{gp,png,svg} and, with a residual architecture, split.{gp,png,svg};
 * figures of an earlier run that this one does not redraw are removed, so no
 * stale picture sits beside new data. 0, or CLI_EXIT_RUNTIME after a message
 * (a missing gnuplot is a warning). */
int gradnorm_figures(cli_run *r, const gf_gradnorm_result *res, const gf_stack_config *cfg,
                     long batch);

/* The table of decades per architecture, what it means, and the files written. */
void gradnorm_summary(const gf_gradnorm_result *res, const gf_stack_config *cfg, long batch,
                      const char *dir, int drawn);

#endif
