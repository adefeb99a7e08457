# phase.gp: redraws phase.png and phase.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot phase.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'phase.png'
set datafile separator "\t"
set title sprintf("%s\n%s\n%s", 'Order-to-chaos phase diagram of a deep tanh net at initialization (mean field, infinite width)', 'colour: the depth scale ξ_c of correlations; black: χ_1 = σ_w^2 E[tanh''(h)^2] = 1; dashed: depth = 6 ξ_c (Schoenholz et al. 2017)', 'bottom row σ_b^2 = 0: q* = 0, there ξ_c is the limit σ_b^2 → 0+ (degenerate); outside the plot (σ_w^2, σ_b^2): torch (0.333, 0.0026)') noenhanced
set xrange [0.5:4]
set yrange [0:0.5]
set xlabel 'σ_w^2 = fan_{in} Var(w)'
set ylabel 'σ_b^2 = Var(b)'
set tics out nomirror
set key below center horizontal Left reverse maxcols 3 samplen 3 noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set cbrange [0:3]
set cbtics ('1' 0, '10' 1, '100' 2, '≥ 1000' 3)
set cblabel 'ξ_c: depth scale of correlations (layers, log scale)'
set style textbox opaque noborder
set label 1 'ordered: χ_1 < 1, gradients vanish' at graph 0.015, 0.965 left front tc '#ffffff'
set label 2 'chaotic: χ_1 > 1, gradients explode' at graph 0.985, 0.6 right front tc '#ffffff'
plot 'phase.tsv' skip 1 using 1:2:(column(15) > 3 ? 3 : column(15) < 0 ? 0 : column(15)) with image notitle, \
     'band.tsv' skip 1 every ::0::11 using 4:3 with filledcurves closed fc '#ff2d95' fs transparent solid 0.12 noborder notitle, \
     'band.tsv' skip 1 every ::0::5 using 4:3 with lines lc '#ff2d95' lw 2.5 dt (8,5) title 'depth 56 = 6 ξ_c: edges of its trainable band', \
     'band.tsv' skip 1 every ::6::11 using 4:3 with lines lc '#ff2d95' lw 2.5 dt (8,5) notitle, \
     'band.tsv' skip 1 every ::12::23 using 4:3 with filledcurves closed fc '#ff8c00' fs transparent solid 0.12 noborder notitle, \
     'band.tsv' skip 1 every ::12::17 using 4:3 with lines lc '#ff8c00' lw 2.5 dt (8,5) title 'depth 110 = 6 ξ_c: edges of its trainable band', \
     'band.tsv' skip 1 every ::18::23 using 4:3 with lines lc '#ff8c00' lw 2.5 dt (8,5) notitle, \
     'critical.tsv' skip 1 using 2:1 with lines lc '#000000' lw 3.5 title 'χ_1 = 1: the critical line (order to chaos)', \
     'theory_points.tsv' skip 1 using 2:3 with points pt 7 ps 1.4 lc '#000000' title 'points of theory_points.tsv', \
     'theory_points.tsv' skip 1 using 2:3:1 with labels boxed left offset 1, 0.9 font ',11' notitle
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'phase.svg'
set datafile separator "\t"
set title sprintf("%s\n%s\n%s", 'Order-to-chaos phase diagram of a deep tanh net at initialization (mean field, infinite width)', 'colour: the depth scale ξ_c of correlations; black: χ_1 = σ_w^2 E[tanh''(h)^2] = 1; dashed: depth = 6 ξ_c (Schoenholz et al. 2017)', 'bottom row σ_b^2 = 0: q* = 0, there ξ_c is the limit σ_b^2 → 0+ (degenerate); outside the plot (σ_w^2, σ_b^2): torch (0.333, 0.0026)') noenhanced
set xrange [0.5:4]
set yrange [0:0.5]
set xlabel 'σ_w^2 = fan_{in} Var(w)'
set ylabel 'σ_b^2 = Var(b)'
set tics out nomirror
set key below center horizontal Left reverse maxcols 3 samplen 3 noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set cbrange [0:3]
set cbtics ('1' 0, '10' 1, '100' 2, '≥ 1000' 3)
set cblabel 'ξ_c: depth scale of correlations (layers, log scale)'
set style textbox opaque noborder
set label 1 'ordered: χ_1 < 1, gradients vanish' at graph 0.015, 0.965 left front tc '#ffffff'
set label 2 'chaotic: χ_1 > 1, gradients explode' at graph 0.985, 0.6 right front tc '#ffffff'
plot 'phase.tsv' skip 1 using 1:2:(column(15) > 3 ? 3 : column(15) < 0 ? 0 : column(15)) with image notitle, \
     'band.tsv' skip 1 every ::0::11 using 4:3 with filledcurves closed fc '#ff2d95' fs transparent solid 0.12 noborder notitle, \
     'band.tsv' skip 1 every ::0::5 using 4:3 with lines lc '#ff2d95' lw 2.5 dt (8,5) title 'depth 56 = 6 ξ_c: edges of its trainable band', \
     'band.tsv' skip 1 every ::6::11 using 4:3 with lines lc '#ff2d95' lw 2.5 dt (8,5) notitle, \
     'band.tsv' skip 1 every ::12::23 using 4:3 with filledcurves closed fc '#ff8c00' fs transparent solid 0.12 noborder notitle, \
     'band.tsv' skip 1 every ::12::17 using 4:3 with lines lc '#ff8c00' lw 2.5 dt (8,5) title 'depth 110 = 6 ξ_c: edges of its trainable band', \
     'band.tsv' skip 1 every ::18::23 using 4:3 with lines lc '#ff8c00' lw 2.5 dt (8,5) notitle, \
     'critical.tsv' skip 1 using 2:1 with lines lc '#000000' lw 3.5 title 'χ_1 = 1: the critical line (order to chaos)', \
     'theory_points.tsv' skip 1 using 2:3 with points pt 7 ps 1.4 lc '#000000' title 'points of theory_points.tsv', \
     'theory_points.tsv' skip 1 using 2:3:1 with labels boxed left offset 1, 0.9 font ',11' notitle
unset output
