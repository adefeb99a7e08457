# pathgrad.gp: redraws pathgrad.png and pathgrad.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot pathgrad.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'pathgrad.png'
set datafile separator "\t"
set multiplot layout 2,2 title sprintf("%s\n%s", 'Gradient by path length (Veit et al. 2016, Fig. 6): resnet-6 (width 8, norm batch, init he), 2 blocks, 2^2 paths', 'dL/dx_0 (16 images) = g_0 + ... + g_2, g_k: paths through k branches; 4 sampled paths per length; trained 1 epoch: test error 90.6%') noenhanced
set xrange [-0.5:2.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set grid xtics ytics lc '#dddddd'
set style fill solid 0.5
set key below horizontal Left reverse samplen 2 maxcols 2 width -3
set title '(a) path-length distribution'
set ylabel 'fraction of the 2^B paths' noenhanced
set yrange [0:*]
set format y '%g'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' ? column(4) : NaN) with boxes fs solid 0.5 noborder lc '#5d6d7e' title 'fraction of paths, Binomial(2, 1/2)'
set title '(b) gradient per path: ||g_k|| / C(B,k); sampled: mean ||path||'
set ylabel '||g_k|| / C(B, k)  (log scale)'
set yrange [-1.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(7) > -1e300 ? column(7) : NaN) with lines lw 2.5 lc '#d35400' title 'init: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(16) > -1e300 ? column(16) : NaN):(column(17) < column(16) - 1e-9 ? column(16) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(16) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#d35400' notitle, \
     NaN with points pt 6 ps 0.9 lc '#d35400' title 'init: sampled: mean ||path||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(7) > -1e300 ? column(7) : NaN) with lines lw 2.5 lc '#1f77b4' title 'trained: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(16) > -1e300 ? column(16) : NaN):(column(17) < column(16) - 1e-9 ? column(16) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(16) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#1f77b4' notitle, \
     NaN with points pt 6 ps 0.9 lc '#1f77b4' title 'trained: sampled: mean ||path||'
set title '(c) total per length ||g_k|| = (a) x (b) x 2^B; Veit: C(B,k) x mean ||path||'
set ylabel '||g_k||  (log scale)'
set yrange [-1.05:2.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#d35400' title 'init: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(18) > -1e300 ? column(18) : NaN):(column(17) < column(16) - 1e-9 ? column(18) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(18) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#d35400' notitle, \
     NaN with points pt 6 ps 0.9 lc '#d35400' title 'init: Veit: C(B,k) x mean ||path||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#1f77b4' title 'trained: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(18) > -1e300 ? column(18) : NaN):(column(17) < column(16) - 1e-9 ? column(18) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(18) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#1f77b4' notitle, \
     NaN with points pt 6 ps 0.9 lc '#1f77b4' title 'trained: Veit: C(B,k) x mean ||path||'
set title '(d) where the gradient lies: cumulative shares up to length k'
set ylabel 'share of lengths 0..k'
set yrange [0:1.02]
set ytics 0.2
unset mytics
set format y '%g'
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 3 lc '#7f8c8d'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(9) > -1e300 ? column(9) : NaN) with linespoints lw 2.5 pt 7 ps 0.4 lc '#d35400' title 'init: of sum_k ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(9) > -1e300 ? column(9) : NaN) with linespoints lw 2.5 pt 7 ps 0.4 lc '#1f77b4' title 'trained: of sum_k ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' ? column(5) : NaN) with lines lw 2 dt (6,3) lc '#5d6d7e' title 'of the paths'
unset arrow 1
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'pathgrad.svg'
set datafile separator "\t"
set multiplot layout 2,2 title sprintf("%s\n%s", 'Gradient by path length (Veit et al. 2016, Fig. 6): resnet-6 (width 8, norm batch, init he), 2 blocks, 2^2 paths', 'dL/dx_0 (16 images) = g_0 + ... + g_2, g_k: paths through k branches; 4 sampled paths per length; trained 1 epoch: test error 90.6%') noenhanced
set xrange [-0.5:2.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set grid xtics ytics lc '#dddddd'
set style fill solid 0.5
set key below horizontal Left reverse samplen 2 maxcols 2 width -3
set title '(a) path-length distribution'
set ylabel 'fraction of the 2^B paths' noenhanced
set yrange [0:*]
set format y '%g'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' ? column(4) : NaN) with boxes fs solid 0.5 noborder lc '#5d6d7e' title 'fraction of paths, Binomial(2, 1/2)'
set title '(b) gradient per path: ||g_k|| / C(B,k); sampled: mean ||path||'
set ylabel '||g_k|| / C(B, k)  (log scale)'
set yrange [-1.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(7) > -1e300 ? column(7) : NaN) with lines lw 2.5 lc '#d35400' title 'init: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(16) > -1e300 ? column(16) : NaN):(column(17) < column(16) - 1e-9 ? column(16) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(16) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#d35400' notitle, \
     NaN with points pt 6 ps 0.9 lc '#d35400' title 'init: sampled: mean ||path||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(7) > -1e300 ? column(7) : NaN) with lines lw 2.5 lc '#1f77b4' title 'trained: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(16) > -1e300 ? column(16) : NaN):(column(17) < column(16) - 1e-9 ? column(16) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(16) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#1f77b4' notitle, \
     NaN with points pt 6 ps 0.9 lc '#1f77b4' title 'trained: sampled: mean ||path||'
set title '(c) total per length ||g_k|| = (a) x (b) x 2^B; Veit: C(B,k) x mean ||path||'
set ylabel '||g_k||  (log scale)'
set yrange [-1.05:2.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#d35400' title 'init: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(18) > -1e300 ? column(18) : NaN):(column(17) < column(16) - 1e-9 ? column(18) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(18) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#d35400' notitle, \
     NaN with points pt 6 ps 0.9 lc '#d35400' title 'init: Veit: C(B,k) x mean ||path||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(6) > -1e300 ? column(6) : NaN) with lines lw 2.5 lc '#1f77b4' title 'trained: exact', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(18) > -1e300 ? column(18) : NaN):(column(17) < column(16) - 1e-9 ? column(18) + log10(1 - 10**(column(17) - column(16))) : -50.4633):(column(18) + log10(1 + 10**(column(17) - column(16)))) with yerrorbars pt 6 ps 0.9 lw 1.2 lc '#1f77b4' notitle, \
     NaN with points pt 6 ps 0.9 lc '#1f77b4' title 'trained: Veit: C(B,k) x mean ||path||'
set title '(d) where the gradient lies: cumulative shares up to length k'
set ylabel 'share of lengths 0..k'
set yrange [0:1.02]
set ytics 0.2
unset mytics
set format y '%g'
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 3 lc '#7f8c8d'
plot 'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' && column(9) > -1e300 ? column(9) : NaN) with linespoints lw 2.5 pt 7 ps 0.4 lc '#d35400' title 'init: of sum_k ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'trained' && column(9) > -1e300 ? column(9) : NaN) with linespoints lw 2.5 pt 7 ps 0.4 lc '#1f77b4' title 'trained: of sum_k ||g_k||', \
     'pathgrad.tsv' skip 1 using 2:(strcol(1) eq 'init' ? column(5) : NaN) with lines lw 2 dt (6,3) lc '#5d6d7e' title 'of the paths'
unset arrow 1
unset multiplot
unset output
