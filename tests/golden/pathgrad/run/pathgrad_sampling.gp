# pathgrad_sampling.gp: redraws pathgrad_sampling.png and pathgrad_sampling.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot pathgrad_sampling.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'pathgrad_sampling.png'
set datafile separator "\t"
set multiplot layout 1,2 title sprintf("%s\n%s", 'Veit''s sampling estimate of ||g_k|| against the exact value', 'points: C(B,k) x ||mean of the sampled path gradients|| (not panel (c)''s C(B,k) x mean ||path||); bars: +-1 se (to the bottom: the interval holds 0)') noenhanced
set xrange [-0.5:2.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set grid xtics ytics lc '#dddddd'
set key below horizontal Left reverse samplen 1.5 width -2
set ylabel '||g_k||  (log scale)'
set yrange [-1.05:2.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set title 'init: se < ||g_k|| / 2 at 0 of 1 lengths'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#d35400' title 'exact ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(12) > -1e300 ? column(12) : NaN):(column(13) < column(12) - 1e-9 ? column(12) + log10(1 - 10**(column(13) - column(12))) : -50.4633):(column(12) + log10(1 + 10**(column(13) - column(12)))) with yerrorbars pt 7 ps 0.8 lw 1.2 lc 'black' title 'sampled estimate +- 1 se', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(13) > -1e300 ? column(13) : NaN) with points pt 2 ps 0.9 lc '#7f8c8d' title 'its standard error'
set title 'trained: se < ||g_k|| / 2 at 0 of 1 lengths'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#1f77b4' title 'exact ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(12) > -1e300 ? column(12) : NaN):(column(13) < column(12) - 1e-9 ? column(12) + log10(1 - 10**(column(13) - column(12))) : -50.4633):(column(12) + log10(1 + 10**(column(13) - column(12)))) with yerrorbars pt 7 ps 0.8 lw 1.2 lc 'black' title 'sampled estimate +- 1 se', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(13) > -1e300 ? column(13) : NaN) with points pt 2 ps 0.9 lc '#7f8c8d' title 'its standard error'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'pathgrad_sampling.svg'
set datafile separator "\t"
set multiplot layout 1,2 title sprintf("%s\n%s", 'Veit''s sampling estimate of ||g_k|| against the exact value', 'points: C(B,k) x ||mean of the sampled path gradients|| (not panel (c)''s C(B,k) x mean ||path||); bars: +-1 se (to the bottom: the interval holds 0)') noenhanced
set xrange [-0.5:2.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set grid xtics ytics lc '#dddddd'
set key below horizontal Left reverse samplen 1.5 width -2
set ylabel '||g_k||  (log scale)'
set yrange [-1.05:2.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set title 'init: se < ||g_k|| / 2 at 0 of 1 lengths'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#d35400' title 'exact ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(12) > -1e300 ? column(12) : NaN):(column(13) < column(12) - 1e-9 ? column(12) + log10(1 - 10**(column(13) - column(12))) : -50.4633):(column(12) + log10(1 + 10**(column(13) - column(12)))) with yerrorbars pt 7 ps 0.8 lw 1.2 lc 'black' title 'sampled estimate +- 1 se', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(13) > -1e300 ? column(13) : NaN) with points pt 2 ps 0.9 lc '#7f8c8d' title 'its standard error'
set title 'trained: se < ||g_k|| / 2 at 0 of 1 lengths'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#1f77b4' title 'exact ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(12) > -1e300 ? column(12) : NaN):(column(13) < column(12) - 1e-9 ? column(12) + log10(1 - 10**(column(13) - column(12))) : -50.4633):(column(12) + log10(1 + 10**(column(13) - column(12)))) with yerrorbars pt 7 ps 0.8 lw 1.2 lc 'black' title 'sampled estimate +- 1 se', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(13) > -1e300 ? column(13) : NaN) with points pt 2 ps 0.9 lc '#7f8c8d' title 'its standard error'
unset multiplot
unset output
