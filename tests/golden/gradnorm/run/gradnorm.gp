# gradnorm.gp: redraws gradnorm.png and gradnorm.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot gradnorm.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'gradnorm.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Gradient norm per depth at initialization: 6 layers (2 blocks)', 'width 8, batch 16, init torch, norm none, act relu, 2 seeds; loss = mean cross-entropy') noenhanced
set xlabel 'block boundary l   (x_0 = stem output, x_B = input of the head)' noenhanced
set ylabel '||dL/dx_l||_F  (log scale)' noenhanced
set yrange [-3.05:0.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set grid xtics ytics mytics lc '#dddddd'
set key below center horizontal Left reverse maxcols 3 samplen 3
set xrange [0:2]
set xtics 1
plot 'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'plain' ? column(5) : NaN):(strcol(1) eq 'plain' ? column(6) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.18 noborder title 'plain: min-max over seeds', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'plain' ? column(4) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.6 pi 1 title 'plain (geometric mean)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(5) : NaN):(strcol(1) eq 'resnet' ? column(6) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.18 noborder title 'resnet: min-max over seeds', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(4) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.6 pi 1 title 'resnet (geometric mean)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(5) : NaN):(strcol(1) eq 'preact' ? column(6) : NaN) with filledcurves fc '#2ca02c' fs transparent solid 0.18 noborder title 'preact: min-max over seeds', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(4) : NaN) with linespoints lc '#2ca02c' lw 2 pt 7 ps 0.6 pi 1 title 'preact (geometric mean)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'plain' ? column(7) : NaN) with lines lc '#000000' lw 1.5 dt (6,4) title 'plain: product of per-layer gains (theory)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(7) : NaN) with lines lc '#08519c' lw 1.5 dt (6,4) title 'resnet: mean-field recursion (theory)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(7) : NaN) with lines lc '#006d2c' lw 1.5 dt (6,4) title 'preact: mean-field recursion (theory)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'gradnorm.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Gradient norm per depth at initialization: 6 layers (2 blocks)', 'width 8, batch 16, init torch, norm none, act relu, 2 seeds; loss = mean cross-entropy') noenhanced
set xlabel 'block boundary l   (x_0 = stem output, x_B = input of the head)' noenhanced
set ylabel '||dL/dx_l||_F  (log scale)' noenhanced
set yrange [-3.05:0.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set grid xtics ytics mytics lc '#dddddd'
set key below center horizontal Left reverse maxcols 3 samplen 3
set xrange [0:2]
set xtics 1
plot 'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'plain' ? column(5) : NaN):(strcol(1) eq 'plain' ? column(6) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.18 noborder title 'plain: min-max over seeds', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'plain' ? column(4) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.6 pi 1 title 'plain (geometric mean)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(5) : NaN):(strcol(1) eq 'resnet' ? column(6) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.18 noborder title 'resnet: min-max over seeds', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(4) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.6 pi 1 title 'resnet (geometric mean)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(5) : NaN):(strcol(1) eq 'preact' ? column(6) : NaN) with filledcurves fc '#2ca02c' fs transparent solid 0.18 noborder title 'preact: min-max over seeds', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(4) : NaN) with linespoints lc '#2ca02c' lw 2 pt 7 ps 0.6 pi 1 title 'preact (geometric mean)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'plain' ? column(7) : NaN) with lines lc '#000000' lw 1.5 dt (6,4) title 'plain: product of per-layer gains (theory)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(7) : NaN) with lines lc '#08519c' lw 1.5 dt (6,4) title 'resnet: mean-field recursion (theory)', \
     'gradnorm_mean.tsv' skip 1 using 2:(strcol(1) eq 'preact' ? column(7) : NaN) with lines lc '#006d2c' lw 1.5 dt (6,4) title 'preact: mean-field recursion (theory)'
unset output
