# shatter_depth.gp: redraws shatter_depth.png and shatter_depth.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot shatter_depth.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'shatter_depth.png'
set datafile separator "\t"
set datafile missing 'nan'
set title 'Lag-1 autocorrelation of d output / d x against depth (mean of 2 seeds +- s.e.)' noenhanced
set logscale y
set yrange [0.01:1.5]
set xrange [0:6.24]
set samples 400
set label 1 'means at or below 0 cannot be drawn on a log scale' at graph 0.01, graph 0.03 left font ',9' tc '#666666'
set format y '10^{%L}'
set xlabel 'depth L (weight layers; plain-2 and resnet-2 are one hidden layer)' noenhanced
set ylabel 'lag-1 autocorrelation of d output / d x'
set grid xtics ytics lc '#dddddd'
set key below center horizontal Left reverse maxrows 3 samplen 2.5 font ',10' noenhanced
plot 'depth.tsv' skip 1 using 2:(strcol(1) eq 'plain-bn' && column(4) > 0 ? column(4) : NaN):(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : column(4) / 10):(column(4) + column(6)) with yerrorlines lc '#c0392b' lw 2 pt 7 ps 0.8 title 'plain-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'resnet-bn' && column(4) > 0 ? column(4) : NaN):(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : column(4) / 10):(column(4) + column(6)) with yerrorlines lc '#2e86c1' lw 2 pt 7 ps 0.8 title 'resnet-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'll' && column(4) > 0 ? column(4) : NaN):(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : column(4) / 10):(column(4) + column(6)) with yerrorlines lc '#16a085' lw 2 pt 7 ps 0.8 title 'll', \
     (x >= 4 ? 0.67883835181946672 * sqrt(4.0 / x) : NaN) with lines lc '#000000' lw 1.5 dt (2,3) title '1/sqrt(L) through resnet-bn at L = 4 (Balduzzi: resnets)', \
     0.25 with lines lc '#aaaaaa' lw 1 dt 3 title 'white noise, by chance (2 s.e.)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'shatter_depth.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title 'Lag-1 autocorrelation of d output / d x against depth (mean of 2 seeds +- s.e.)' noenhanced
set logscale y
set yrange [0.01:1.5]
set xrange [0:6.24]
set samples 400
set label 1 'means at or below 0 cannot be drawn on a log scale' at graph 0.01, graph 0.03 left font ',9' tc '#666666'
set format y '10^{%L}'
set xlabel 'depth L (weight layers; plain-2 and resnet-2 are one hidden layer)' noenhanced
set ylabel 'lag-1 autocorrelation of d output / d x'
set grid xtics ytics lc '#dddddd'
set key below center horizontal Left reverse maxrows 3 samplen 2.5 font ',10' noenhanced
plot 'depth.tsv' skip 1 using 2:(strcol(1) eq 'plain-bn' && column(4) > 0 ? column(4) : NaN):(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : column(4) / 10):(column(4) + column(6)) with yerrorlines lc '#c0392b' lw 2 pt 7 ps 0.8 title 'plain-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'resnet-bn' && column(4) > 0 ? column(4) : NaN):(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : column(4) / 10):(column(4) + column(6)) with yerrorlines lc '#2e86c1' lw 2 pt 7 ps 0.8 title 'resnet-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'll' && column(4) > 0 ? column(4) : NaN):(column(4) - column(6) > column(4) / 10 ? column(4) - column(6) : column(4) / 10):(column(4) + column(6)) with yerrorlines lc '#16a085' lw 2 pt 7 ps 0.8 title 'll', \
     (x >= 4 ? 0.67883835181946672 * sqrt(4.0 / x) : NaN) with lines lc '#000000' lw 1.5 dt (2,3) title '1/sqrt(L) through resnet-bn at L = 4 (Balduzzi: resnets)', \
     0.25 with lines lc '#aaaaaa' lw 1 dt 3 title 'white noise, by chance (2 s.e.)'
unset output
