/* style.c: the look every figure shares: the architecture palette, depth
 * colours, log10 axes and the title lines (a title with an optional
 * subtitle, on one line in the terminal). */
#include "plots/gf_plot.h"

#include <math.h>
#include <string.h>

const char *gf_plot_color(const char *arch)
{
    static const struct { const char *arch, *color; } table[] = {
        {"plain", "#d62728"}, {"resnet", "#1f77b4"}, {"preact", "#2ca02c"},
    };
    if (strncmp(arch, "cnn-", 4) == 0) /* a cnn takes the colour of its unit's MLP stack */
        arch += 4;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(table[i].arch, arch) == 0)
            return table[i].color;
    return "#444444";
}

const char *gf_plot_depth_color(int i)
{
    static const char *const colors[] = {"#e6a100", "#c0392b", "#2e86c1", "#16a085",
                                         "#8e44ad", "#7f8c8d", "#d35400", "#1b2631"};
    return colors[(unsigned)i % (sizeof colors / sizeof *colors)];
}

/* Tics every `step` decades, step the smallest whole number giving at most
 * 8 of them; minor tics per decade when step is 1. */
void gf_plot_log10_axis(FILE *out, gf_term term, const char *axis, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = -1;
        hi = 1;
    }
    const double span = hi - lo;
    double step = ceil(span / 8.0);
    if (step < 1)
        step = 1;
    const double a = floor(lo / step) * step, b = ceil(hi / step) * step + (span < 1 ? step : 0);
    fprintf(out, "set %srange [%g:%g]\nset %stics %g\n", axis, a - 0.05 * step, b + 0.05 * step,
            axis, step);
    fprintf(out, "set format %s \"%s\"\n", axis, term == GF_TERM_DUMB ? "1e%g" : "10^{%g}");
    if (step == 1 && term != GF_TERM_DUMB)
        fprintf(out, "set m%stics 10\n", axis);
}

void gf_plot_key(FILE *out, const char *title)
{
    if (title) {
        fputs("title ", out);
        gf_plot_quote(out, title);
    } else {
        fputs("notitle", out);
    }
}

int gf_plot_end(FILE *out, const char *sep)
{
    if (*sep == 'p')
        fputs("plot NaN notitle", out);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

void gf_plot_title_text(FILE *out, gf_term term, const char *title, const char *subtitle)
{
    if (term == GF_TERM_DUMB || !subtitle) {
        gf_plot_quote(out, title);
        return;
    }
    fputs("sprintf(\"%s\\n%s\", ", out);
    gf_plot_quote(out, title);
    fputs(", ", out);
    gf_plot_quote(out, subtitle);
    fputc(')', out);
}

void gf_plot_title(FILE *out, gf_term term, const char *title, const char *subtitle)
{
    fputs("set title ", out);
    gf_plot_title_text(out, term, title, subtitle);
    fputs(" noenhanced\n", out);
}

void gf_plot_multiplot_title(FILE *out, gf_term term, const char *title, const char *subtitle,
                             const char *layout)
{
    fprintf(out, "set multiplot layout %s title ", layout);
    gf_plot_title_text(out, term, title, subtitle);
    fputs(" noenhanced\n", out);
}

/* How every figure reads its TSV files. */
static void tsv_input(FILE *out)
{
    fputs("set datafile separator \"\\t\"\nset datafile missing 'nan'\n", out);
}

void gf_plot_begin(FILE *out, gf_term term, const char *title, const char *subtitle)
{
    tsv_input(out);
    gf_plot_title(out, term, title, subtitle);
}

void gf_plot_multiplot_begin(FILE *out, gf_term term, const char *title, const char *subtitle,
                             const char *layout)
{
    tsv_input(out);
    gf_plot_multiplot_title(out, term, title, subtitle, layout);
}
