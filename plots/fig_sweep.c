/* fig_sweep.c: the heat maps of `gradflow sweep` with their theory lines. */
#include "plots/gf_plot.h"

int gf_fig_sweep_map_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_sweep_map *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    gf_plot_begin(out, term, f->title, f->subtitle);
    fprintf(out, "set xrange [%g:%g]\nset yrange [%g:%g]\n", f->xlo, f->xhi, f->ylo, f->yhi);
    fputs("set xlabel ", out);
    gf_plot_quote(out, f->xlabel);
    fputs("\nset ylabel ", out);
    gf_plot_quote(out, f->ylabel);
    fputs("\nset tics out nomirror\nset key below center horizontal Left reverse samplen 3 "
          "noenhanced\n", out);
    const char *sep = "plot ";
    if (rich) {
        fputs(f->diverging ? "set palette defined (0 '#2166ac', 0.25 '#67a9cf', 0.5 '#f7f7f7', "
                             "0.75 '#ef8a62', 1 '#b2182b')\n"
                           : "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', "
                             "3 '#5ec962', 4 '#fde725')\n",
              out);
        fprintf(out, "set cbrange [%g:%g]\nset cblabel ", f->cblo, f->cbhi);
        gf_plot_quote(out, f->cblabel);
        fprintf(out, "\nplot '%s' skip 1 using 1:2:($3 > %g ? %g : $3 < %g ? %g : $3) "
                     "with image notitle",
                f->data, f->cbhi, f->cbhi, f->cblo, f->cblo);
        sep = ", \\\n     ";
    }
    if (f->line) {
        fprintf(out, "%s'%s' skip 1 using %d:%d with lines lc '#000000' lw %s ", sep, f->line,
                f->line_x, f->line_y, rich ? "3.5" : "1");
        gf_plot_key(out, f->line_title);
        sep = ", \\\n     ";
    }
    if (f->boundary) {
        fprintf(out, "%s'%s' skip 1 using 1:2 with linespoints lc '%s' lw 2 dt (6,4) pt 7 "
                     "ps 1.2 ",
                sep, f->boundary, f->diverging ? "#00a651" : "#ff2d95");
        gf_plot_key(out, f->boundary_title);
        sep = ", \\\n     ";
    }
    return gf_plot_end(out, sep);
}
