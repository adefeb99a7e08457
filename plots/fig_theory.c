/* fig_theory.c: the mean-field phase diagram of `gradflow theory`. */
#include "plots/gf_plot.h"

#include <string.h>

/* Band edges: one colour per depth, visible on the colour map. */
static const char *band_color(int d)
{
    static const char *const colors[] = {"#ff2d95", "#ff8c00", "#ffffff", "#000000"};
    return colors[(unsigned)d % (sizeof colors / sizeof *colors)];
}

/* One edge (rows a..b of band.tsv) as a line. */
static void edge(FILE *out, int a, int b, const char *color, const char *key)
{
    fprintf(out, ", \\\n     'band.tsv' skip 1 every ::%d::%d using 4:3 with lines lc '%s' lw 2.5 "
                 "dt (8,5) ",
            a, b, color);
    if (key)
        fprintf(out, "title '%s'", key);
    else
        fputs("notitle", out);
}

/* The lines of a note (parts separated by "; "), one label each under y. */
static void note_lines(FILE *out, const char *note, double y)
{
    for (int k = 0; note && *note; k++) {
        const char *end = strstr(note, "; ");
        const int n = end ? (int)(end - note) : (int)strlen(note);
        fprintf(out, "set label %d '%.*s' at graph 0.985, %g right front tc '#333333'\n", 10 + k,
                n, note, y - 0.05 * (k + 1));
        note = end ? end + 2 : note + n;
    }
}

int gf_fig_phase_body(FILE *out, gf_term term, const void *ctx)
{
    const gf_fig_phase *f = ctx;
    const int rich = term != GF_TERM_DUMB;
    fputs("set datafile separator \"\\t\"\n", out); /* 'nan' stays NaN: a transparent pixel */
    if (rich && (f->bottom_note || f->outside_note)) { /* a third line: the notes */
        fputs("set title sprintf(\"%s\\n%s\\n%s\", ", out);
        gf_plot_quote(out, f->title);
        fputs(", ", out);
        gf_plot_quote(out, f->subtitle);
        fprintf(out, ", '%s%s%s') noenhanced\n", f->bottom_note ? f->bottom_note : "",
                f->bottom_note && f->outside_note ? "; " : "",
                f->outside_note ? f->outside_note : "");
    } else {
        gf_plot_title(out, term, f->title, f->subtitle);
    }
    fprintf(out, "set xrange [%g:%g]\nset yrange [%g:%g]\n", f->xlo, f->xhi, f->ylo, f->yhi);
    fputs(rich ? "set xlabel 'σ_w^2 = fan_{in} Var(w)'\nset ylabel 'σ_b^2 = Var(b)'\n"
               : "set xlabel 'sigma_w^2 = fan_in Var(w)'\nset ylabel 'sigma_b^2 = Var(b)'\n",
          out);
    fputs("set tics out nomirror\nset key below center horizontal Left reverse maxcols 3 "
          "samplen 3 noenhanced\n",
          out);
    if (rich) {
        /* viridis; xi_c from 1 to 1000 layers, clipped */
        fputs("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', "
              "4 '#fde725')\n"
              "set cbrange [0:3]\nset cbtics ('1' 0, '10' 1, '100' 2, '≥ 1000' 3)\n"
              "set cblabel 'ξ_c: depth scale of correlations (layers, log scale)'\n"
              "set style textbox opaque noborder\n",
              out);
        fputs("set label 1 'ordered: χ_1 < 1, gradients vanish' at graph 0.015, 0.965 left "
              "front tc '#ffffff'\n",
              out);
        const char *side = f->chaotic ? "chaotic: χ_1 > 1, gradients explode"
                                      : "χ_1 > 1: gradients explode";
        fputs("set label 2 ", out);
        gf_plot_quote(out, side);
        fprintf(out, " at graph 0.985, 0.6 right front tc '%s'\n",
                f->chaos_note ? "#333333" : "#ffffff");
        note_lines(out, f->chaos_note, 0.6);
        fputs("plot 'phase.tsv' skip 1 using 1:2:(column(15) > 3 ? 3 : column(15) < 0 ? 0 : "
              "column(15)) with image notitle",
              out);
    } else {
        fputs("plot 'critical.tsv' skip 1 using 2:1 with lines title 'chi_1 = 1'", out);
    }
    for (int d = 0; d < f->n_depths; d++) {
        const int a = f->band_first[d], nl = f->band_left[d], nr = f->band_right[d];
        char key[96];
        snprintf(key, sizeof key, "depth %g = 6 %s: %s", f->depths[d], rich ? "ξ_c" : "xi_c",
                 nr > 0 ? "edges of its trainable band"
                        : "left edge of its band (no edge past χ_1 = 1)");
        if (nl + nr == 0)
            continue;
        if (rich && nl > 0 && nr > 0)
            fprintf(out, ", \\\n     'band.tsv' skip 1 every ::%d::%d using 4:3 with filledcurves "
                         "closed fc '%s' fs transparent solid 0.12 noborder notitle",
                    a, a + nl + nr - 1, band_color(d));
        if (nl > 0)
            edge(out, a, a + nl - 1, band_color(d), key);
        if (nr > 0)
            edge(out, a + nl, a + nl + nr - 1, band_color(d), nl > 0 ? NULL : key);
    }
    if (rich)
        fprintf(out, ", \\\n     'critical.tsv' skip 1 using 2:1 with lines lc '#000000' lw 3.5 "
                     "title 'χ_1 = 1: the critical line%s'",
                f->chaotic ? " (order to chaos)" : "");
    if (f->n_points > 0) {
        fprintf(out, ", \\\n     'theory_points.tsv' skip 1 using 2:3 with points pt 7 ps %s "
                     "lc '#000000' title 'points of theory_points.tsv'",
                rich ? "1.4" : "1");
        if (rich)
            fputs(", \\\n     'theory_points.tsv' skip 1 using 2:3:1 with labels boxed left "
                  "offset 1, 0.9 font ',11' notitle",
                  out);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
