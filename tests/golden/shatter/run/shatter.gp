# shatter.gp: redraws shatter.png and shatter.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot shatter.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'shatter.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,3 title 'Shattered gradients: d output / d input across 32 points in [-2, 2], width 16, seed 1' noenhanced
set xrange [-2:2]
set xtics 1
set grid xtics ytics lc '#dddddd'
unset key
set xlabel 'input x'
set format y '%g'
set title font ',11'
set tics font ',9'
set ylabel 'd output / d x'
set title sprintf("%s\n%s", 'plain-2 (one hidden layer)', 'lag-1 autocorrelation 0.871') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'plain-2' ? column(3) : NaN) with lines lc '#c0392b' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'plain-6-bn', 'lag-1 autocorrelation 0.303') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'plain-6-bn' ? column(3) : NaN) with lines lc '#2e86c1' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'resnet-6', 'lag-1 autocorrelation 0.884') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'resnet-6' ? column(3) : NaN) with lines lc '#16a085' lw 1.2
set ylabel 'd output / d x'
set title sprintf("%s\n%s", 'll-4', 'lag-1 autocorrelation 1.000') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'll-4' ? column(3) : NaN) with lines lc '#8e44ad' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'brown-noise (reference)', 'lag-1 autocorrelation 0.896') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'brown-noise' ? column(3) : NaN) with lines lc '#6d4c41' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'white-noise (reference)', 'lag-1 autocorrelation 0.213') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'white-noise' ? column(3) : NaN) with lines lc '#9e9e9e' lw 1.2
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'shatter.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,3 title 'Shattered gradients: d output / d input across 32 points in [-2, 2], width 16, seed 1' noenhanced
set xrange [-2:2]
set xtics 1
set grid xtics ytics lc '#dddddd'
unset key
set xlabel 'input x'
set format y '%g'
set title font ',11'
set tics font ',9'
set ylabel 'd output / d x'
set title sprintf("%s\n%s", 'plain-2 (one hidden layer)', 'lag-1 autocorrelation 0.871') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'plain-2' ? column(3) : NaN) with lines lc '#c0392b' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'plain-6-bn', 'lag-1 autocorrelation 0.303') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'plain-6-bn' ? column(3) : NaN) with lines lc '#2e86c1' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'resnet-6', 'lag-1 autocorrelation 0.884') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'resnet-6' ? column(3) : NaN) with lines lc '#16a085' lw 1.2
set ylabel 'd output / d x'
set title sprintf("%s\n%s", 'll-4', 'lag-1 autocorrelation 1.000') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'll-4' ? column(3) : NaN) with lines lc '#8e44ad' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'brown-noise (reference)', 'lag-1 autocorrelation 0.896') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'brown-noise' ? column(3) : NaN) with lines lc '#6d4c41' lw 1.2
set ylabel ''
set title sprintf("%s\n%s", 'white-noise (reference)', 'lag-1 autocorrelation 0.213') noenhanced
plot 'shatter.tsv' skip 1 using 2:(strcol(1) eq 'white-noise' ? column(3) : NaN) with lines lc '#9e9e9e' lw 1.2
unset multiplot
unset output
