# autocorr.gp: redraws autocorr.png and autocorr.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot autocorr.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'autocorr.png'
set datafile separator "\t"
set datafile missing 'nan'
set title 'Autocorrelation of the gradient along the grid (lag 1 = neighbouring points, 0.129 apart)' noenhanced
set xrange [0:8]
set yrange [*:1.05]
set grid xtics ytics lc '#dddddd'
set xlabel 'lag (grid points)'
set ylabel 'autocorrelation of d output / d x'
set key outside right top Left reverse samplen 3 noenhanced
set xzeroaxis lt -1 lc '#888888'
plot 'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'plain-2' ? column(3) : NaN) with lines lc '#c0392b' lw 2.2  title 'plain-2 (one hidden layer)', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'plain-6-bn' ? column(3) : NaN) with lines lc '#2e86c1' lw 2.2  title 'plain-6-bn', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'resnet-6' ? column(3) : NaN) with lines lc '#16a085' lw 2.2  title 'resnet-6', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'll-4' ? column(3) : NaN) with lines lc '#8e44ad' lw 2.2  title 'll-4', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'brown-noise' ? column(3) : NaN) with lines lc '#6d4c41' lw 1.5 dt (6,4) title 'brown-noise (reference)', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'white-noise' ? column(3) : NaN) with lines lc '#9e9e9e' lw 1.5 dt (6,4) title 'white-noise (reference)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'autocorr.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title 'Autocorrelation of the gradient along the grid (lag 1 = neighbouring points, 0.129 apart)' noenhanced
set xrange [0:8]
set yrange [*:1.05]
set grid xtics ytics lc '#dddddd'
set xlabel 'lag (grid points)'
set ylabel 'autocorrelation of d output / d x'
set key outside right top Left reverse samplen 3 noenhanced
set xzeroaxis lt -1 lc '#888888'
plot 'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'plain-2' ? column(3) : NaN) with lines lc '#c0392b' lw 2.2  title 'plain-2 (one hidden layer)', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'plain-6-bn' ? column(3) : NaN) with lines lc '#2e86c1' lw 2.2  title 'plain-6-bn', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'resnet-6' ? column(3) : NaN) with lines lc '#16a085' lw 2.2  title 'resnet-6', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'll-4' ? column(3) : NaN) with lines lc '#8e44ad' lw 2.2  title 'll-4', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'brown-noise' ? column(3) : NaN) with lines lc '#6d4c41' lw 1.5 dt (6,4) title 'brown-noise (reference)', \
     'autocorr.tsv' skip 1 using 2:(strcol(1) eq 'white-noise' ? column(3) : NaN) with lines lc '#9e9e9e' lw 1.5 dt (6,4) title 'white-noise (reference)'
unset output
