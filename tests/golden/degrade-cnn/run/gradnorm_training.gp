# gradnorm_training.gp: redraws gradnorm_training.png and gradnorm_training.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot gradnorm_training.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'gradnorm_training.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title 'Gradient norm per depth during training (synthetic, seed 1): early steps light, late steps dark' noenhanced
set xlabel 'block boundary l  (x_0 = stem output)' noenhanced
set ylabel '||dL/dx_l||_F  (log scale)' noenhanced
set yrange [-2.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set xrange [0:3]
set grid xtics ytics lc '#dddddd'
set key top right Left reverse samplen 2 spacing 0.9 opaque
set title 'cnn-plain-8' noenhanced
plot 'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-plain-8' && column(4) == 1 && column(5) == 0 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#9ecae1' lw 2 pt 7 ps 0.4 title 'step 0 (initialization)', \
     'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-plain-8' && column(4) == 1 && column(5) == 7 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#08306b' lw 2 pt 7 ps 0.4 title 'step 7 (epoch 1)'
set title 'cnn-resnet-8' noenhanced
plot 'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-resnet-8' && column(4) == 1 && column(5) == 0 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#9ecae1' lw 2 pt 7 ps 0.4 title 'step 0 (initialization)', \
     'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-resnet-8' && column(4) == 1 && column(5) == 7 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#08306b' lw 2 pt 7 ps 0.4 title 'step 7 (epoch 1)'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'gradnorm_training.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title 'Gradient norm per depth during training (synthetic, seed 1): early steps light, late steps dark' noenhanced
set xlabel 'block boundary l  (x_0 = stem output)' noenhanced
set ylabel '||dL/dx_l||_F  (log scale)' noenhanced
set yrange [-2.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set xrange [0:3]
set grid xtics ytics lc '#dddddd'
set key top right Left reverse samplen 2 spacing 0.9 opaque
set title 'cnn-plain-8' noenhanced
plot 'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-plain-8' && column(4) == 1 && column(5) == 0 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#9ecae1' lw 2 pt 7 ps 0.4 title 'step 0 (initialization)', \
     'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-plain-8' && column(4) == 1 && column(5) == 7 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#08306b' lw 2 pt 7 ps 0.4 title 'step 7 (epoch 1)'
set title 'cnn-resnet-8' noenhanced
plot 'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-resnet-8' && column(4) == 1 && column(5) == 0 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#9ecae1' lw 2 pt 7 ps 0.4 title 'step 0 (initialization)', \
     'gradnorm_training.tsv' skip 1 using 9:(strcol(1) eq 'cnn-resnet-8' && column(4) == 1 && column(5) == 7 && strcol(8) eq 'block' ? column(10) : NaN) with linespoints lc '#08306b' lw 2 pt 7 ps 0.4 title 'step 7 (epoch 1)'
unset multiplot
unset output
