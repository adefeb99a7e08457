/* fig_paths.c: being written. */
#include "plots/gf_plot.h"

typedef int gf_fig_paths_placeholder;
