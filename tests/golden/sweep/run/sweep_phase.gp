# sweep_phase.gp: redraws sweep_phase.png and sweep_phase.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot sweep_phase.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'sweep_phase.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Measured phase diagram: log10 ||dL/dx_0|| / ||dL/dx_B|| at initialization', 'plain tanh-6, width 8, batch 16, mean over 2 seeds; x_B → x_0 in decades (red: grows toward the input)') noenhanced
set xrange [0.25:2.75]
set yrange [-0.05:0.15]
set xlabel 'σ_w^2 = fan_{in} Var(w)'
set ylabel 'σ_b^2 = Var(b)'
set tics out nomirror
set key below center horizontal Left reverse samplen 3 noenhanced
set palette defined (0 '#2166ac', 0.25 '#67a9cf', 0.5 '#f7f7f7', 0.75 '#ef8a62', 1 '#b2182b')
set cbrange [-2:2]
set cblabel 'log10 gradient ratio x_0 / x_B (decades)'
plot 'sweep_phase.tsv' skip 1 using 1:2:($3 > 2 ? 2 : $3 < -2 ? -2 : $3) with image notitle, \
     'sweep_critical.tsv' skip 1 using 2:1 with lines lc '#000000' lw 3.5 title 'mean field: χ_1 = 1 (gradflow theory''s critical line)', \
     'sweep_boundary.tsv' skip 1 using 1:2 with linespoints lc '#00a651' lw 2 dt (6,4) pt 7 ps 1.2 title 'measured: where the ratio crosses 1 (0 decades)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'sweep_phase.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Measured phase diagram: log10 ||dL/dx_0|| / ||dL/dx_B|| at initialization', 'plain tanh-6, width 8, batch 16, mean over 2 seeds; x_B → x_0 in decades (red: grows toward the input)') noenhanced
set xrange [0.25:2.75]
set yrange [-0.05:0.15]
set xlabel 'σ_w^2 = fan_{in} Var(w)'
set ylabel 'σ_b^2 = Var(b)'
set tics out nomirror
set key below center horizontal Left reverse samplen 3 noenhanced
set palette defined (0 '#2166ac', 0.25 '#67a9cf', 0.5 '#f7f7f7', 0.75 '#ef8a62', 1 '#b2182b')
set cbrange [-2:2]
set cblabel 'log10 gradient ratio x_0 / x_B (decades)'
plot 'sweep_phase.tsv' skip 1 using 1:2:($3 > 2 ? 2 : $3 < -2 ? -2 : $3) with image notitle, \
     'sweep_critical.tsv' skip 1 using 2:1 with lines lc '#000000' lw 3.5 title 'mean field: χ_1 = 1 (gradflow theory''s critical line)', \
     'sweep_boundary.tsv' skip 1 using 1:2 with linespoints lc '#00a651' lw 2 dt (6,4) pt 7 ps 1.2 title 'measured: where the ratio crosses 1 (0 decades)'
unset output
