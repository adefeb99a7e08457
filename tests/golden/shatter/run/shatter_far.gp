# shatter_far.gp: redraws shatter_far.png and shatter_far.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot shatter_far.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'shatter_far.png'
set datafile separator "\t"
set datafile missing 'nan'
set title 'Correlation of d output / d x at inputs 2 apart (x and x + 2), over the grid and 2 seeds (mean +- s.e.)' noenhanced
set yrange [-1.05:1.05]
set xrange [0:6.24]
set xlabel 'depth L (weight layers)' noenhanced
set ylabel 'correlation of g(x) and g(x + half the grid)' noenhanced
set grid xtics ytics lc '#dddddd'
set label 1 '0: uncorrelated, as for independent ReLU patterns at the two inputs (shattered)' at graph 0.01, graph 0.03 left font ',9' tc '#666666'
set key at graph 0.98, graph 0.9 right top Left reverse maxrows 4 samplen 2.5 opaque box lc '#cccccc' font ',10' noenhanced
plot 'depth.tsv' skip 1 using 2:(strcol(1) eq 'plain-bn' ? column(10) : NaN):11 with yerrorlines lc '#c0392b' lw 2 pt 7 ps 0.8 title 'plain-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'resnet-bn' ? column(10) : NaN):11 with yerrorlines lc '#2e86c1' lw 2 pt 7 ps 0.8 title 'resnet-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'll' ? column(10) : NaN):11 with yerrorlines lc '#16a085' lw 2 pt 7 ps 0.8 title 'll', \
     0 with lines lc '#000000' lw 1 notitle, \
     0.35355339059327373 with lines lc '#aaaaaa' lw 1 dt 3 title 'white noise, by chance (2 s.e.)', \
     -0.35355339059327373 with lines lc '#aaaaaa' lw 1 dt 3 notitle
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'shatter_far.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title 'Correlation of d output / d x at inputs 2 apart (x and x + 2), over the grid and 2 seeds (mean +- s.e.)' noenhanced
set yrange [-1.05:1.05]
set xrange [0:6.24]
set xlabel 'depth L (weight layers)' noenhanced
set ylabel 'correlation of g(x) and g(x + half the grid)' noenhanced
set grid xtics ytics lc '#dddddd'
set label 1 '0: uncorrelated, as for independent ReLU patterns at the two inputs (shattered)' at graph 0.01, graph 0.03 left font ',9' tc '#666666'
set key at graph 0.98, graph 0.9 right top Left reverse maxrows 4 samplen 2.5 opaque box lc '#cccccc' font ',10' noenhanced
plot 'depth.tsv' skip 1 using 2:(strcol(1) eq 'plain-bn' ? column(10) : NaN):11 with yerrorlines lc '#c0392b' lw 2 pt 7 ps 0.8 title 'plain-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'resnet-bn' ? column(10) : NaN):11 with yerrorlines lc '#2e86c1' lw 2 pt 7 ps 0.8 title 'resnet-bn', \
     'depth.tsv' skip 1 using 2:(strcol(1) eq 'll' ? column(10) : NaN):11 with yerrorlines lc '#16a085' lw 2 pt 7 ps 0.8 title 'll', \
     0 with lines lc '#000000' lw 1 notitle, \
     0.35355339059327373 with lines lc '#aaaaaa' lw 1 dt 3 title 'white noise, by chance (2 s.e.)', \
     -0.35355339059327373 with lines lc '#aaaaaa' lw 1 dt 3 notitle
unset output
