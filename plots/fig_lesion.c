/* fig_lesion.c: being written. */
#include "plots/gf_plot.h"

typedef int gf_fig_lesion_placeholder;
