# split.gp: redraws split.png and split.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot split.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'split.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,1 title 'Skip / branch split of dL/dx_l per residual block: 6 layers, init torch, norm none' noenhanced
set lmargin 12
set rmargin 34
set ylabel 'norm of each term  (log scale)' noenhanced
unset xlabel
set format x ''
set yrange [-3.05:0.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set grid xtics ytics lc '#dddddd'
set key outside right top Left reverse samplen 3
set xrange [0:1]
set xtics 1
plot 'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(3) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.5 title 'resnet: skip term s', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(4) : NaN) with linespoints lc '#1f77b4' lw 2 dt 2 pt 6 ps 0.5 title 'resnet: branch term J_F^T s', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(3) : NaN) with linespoints lc '#2ca02c' lw 2 pt 7 ps 0.5 title 'preact: skip term s', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(4) : NaN) with linespoints lc '#2ca02c' lw 2 dt 2 pt 6 ps 0.5 title 'preact: branch term J_F^T s'
set format x '%g'
set xlabel 'block l  (dL/dx_l = s + J_F^T s,  s = gradient through the identity)' noenhanced
set ylabel 'cos(skip, branch)' noenhanced
set yrange [-1.05:1.05]
set ytics 0.5
set format y '%g'
unset mytics
plot 'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(6) : NaN):(strcol(1) eq 'resnet' ? column(7) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.18 noborder title 'resnet: min-max over seeds', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(5) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.5 title 'resnet: mean cosine', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(6) : NaN):(strcol(1) eq 'preact' ? column(7) : NaN) with filledcurves fc '#2ca02c' fs transparent solid 0.18 noborder title 'preact: min-max over seeds', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(5) : NaN) with linespoints lc '#2ca02c' lw 2 pt 7 ps 0.5 title 'preact: mean cosine'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'split.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,1 title 'Skip / branch split of dL/dx_l per residual block: 6 layers, init torch, norm none' noenhanced
set lmargin 12
set rmargin 34
set ylabel 'norm of each term  (log scale)' noenhanced
unset xlabel
set format x ''
set yrange [-3.05:0.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set grid xtics ytics lc '#dddddd'
set key outside right top Left reverse samplen 3
set xrange [0:1]
set xtics 1
plot 'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(3) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.5 title 'resnet: skip term s', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(4) : NaN) with linespoints lc '#1f77b4' lw 2 dt 2 pt 6 ps 0.5 title 'resnet: branch term J_F^T s', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(3) : NaN) with linespoints lc '#2ca02c' lw 2 pt 7 ps 0.5 title 'preact: skip term s', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(4) : NaN) with linespoints lc '#2ca02c' lw 2 dt 2 pt 6 ps 0.5 title 'preact: branch term J_F^T s'
set format x '%g'
set xlabel 'block l  (dL/dx_l = s + J_F^T s,  s = gradient through the identity)' noenhanced
set ylabel 'cos(skip, branch)' noenhanced
set yrange [-1.05:1.05]
set ytics 0.5
set format y '%g'
unset mytics
plot 'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(6) : NaN):(strcol(1) eq 'resnet' ? column(7) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.18 noborder title 'resnet: min-max over seeds', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(5) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.5 title 'resnet: mean cosine', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(6) : NaN):(strcol(1) eq 'preact' ? column(7) : NaN) with filledcurves fc '#2ca02c' fs transparent solid 0.18 noborder title 'preact: min-max over seeds', \
     'split_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(5) : NaN) with linespoints lc '#2ca02c' lw 2 pt 7 ps 0.5 title 'preact: mean cosine'
unset multiplot
unset output
