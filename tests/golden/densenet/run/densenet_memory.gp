# densenet_memory.gp: redraws densenet_memory.png and densenet_memory.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot densenet_memory.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'densenet_memory.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Tape memory of one training step against depth (batch 2)', 'growth rate and widths as trained; the ResNet at the largest 6n+2 depth not above each DenseNet depth') noenhanced
set logscale xy
set xlabel 'depth (weight layers)'
set ylabel 'tape memory of one training step (MiB, the arena)'
set grid xtics ytics mxtics mytics lc '#dddddd'
set key top left Left reverse opaque box lc '#cccccc'
set xrange [7.27273:17.6]
set yrange [0.0416667:0.46875]
set xtics (10, 20, 50, 100, 200, 500, 1000)
plot 'memory.tsv' skip 1 using 2:(strcol(1) eq 'densenet-naive' ? column(6) : NaN) with linespoints lw 2 pt 7 lc '#e6a100' title 'densenet-bc-10-k4, naive storage', \
     'memory.tsv' skip 1 using 2:(strcol(1) eq 'densenet-shared' ? column(6) : NaN) with linespoints lw 2 pt 7 lc '#c0392b' title 'densenet-bc-10-k4, shared storage', \
     'memory.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(6) : NaN) with linespoints lw 2 pt 7 lc '#2e86c1' title 'cnn-resnet at depths 6n + 2 (trained: cnn-resnet-8)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'densenet_memory.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Tape memory of one training step against depth (batch 2)', 'growth rate and widths as trained; the ResNet at the largest 6n+2 depth not above each DenseNet depth') noenhanced
set logscale xy
set xlabel 'depth (weight layers)'
set ylabel 'tape memory of one training step (MiB, the arena)'
set grid xtics ytics mxtics mytics lc '#dddddd'
set key top left Left reverse opaque box lc '#cccccc'
set xrange [7.27273:17.6]
set yrange [0.0416667:0.46875]
set xtics (10, 20, 50, 100, 200, 500, 1000)
plot 'memory.tsv' skip 1 using 2:(strcol(1) eq 'densenet-naive' ? column(6) : NaN) with linespoints lw 2 pt 7 lc '#e6a100' title 'densenet-bc-10-k4, naive storage', \
     'memory.tsv' skip 1 using 2:(strcol(1) eq 'densenet-shared' ? column(6) : NaN) with linespoints lw 2 pt 7 lc '#c0392b' title 'densenet-bc-10-k4, shared storage', \
     'memory.tsv' skip 1 using 2:(strcol(1) eq 'resnet' ? column(6) : NaN) with linespoints lw 2 pt 7 lc '#2e86c1' title 'cnn-resnet at depths 6n + 2 (trained: cnn-resnet-8)'
unset output
