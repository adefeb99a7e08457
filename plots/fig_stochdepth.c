/* fig_stochdepth.c: being written. */
#include "plots/gf_plot.h"

typedef int gf_fig_stochdepth_placeholder;
