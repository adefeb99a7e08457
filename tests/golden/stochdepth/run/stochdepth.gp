# stochdepth.gp: redraws stochdepth.png and stochdepth.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot stochdepth.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'stochdepth.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Stochastic depth on synthetic: 6 layers whole and with blocks dropped (linear, p_last 0.5)', '256 training images, width 8, norm batch, init he, sgd lr 0.1, batch 32') noenhanced
set xlabel 'epoch'
set ylabel 'error (%)'
set xrange [0:2]
<volatile>
set xtics 1
set grid xtics ytics lc '#dddddd'
set title 'error: training (solid), test (dashed)' noenhanced
set key below center horizontal Left reverse samplen 3 maxcols 2
plot 'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with linespoints lc '#e6a100' lw 2.5 dt 1 pt 7 ps 0.6 title 'resnet-6 training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(9) : NaN) with linespoints lc '#e6a100' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'resnet-6 test', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6-sd' ? 100 * column(6) : NaN) with linespoints lc '#c0392b' lw 2.5 dt 1 pt 7 ps 0.6 title 'resnet-6-sd training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6-sd' ? 100 * column(9) : NaN) with linespoints lc '#c0392b' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'resnet-6-sd test'
set title 'time per epoch, and the time the rule expects' noenhanced
set ylabel 'seconds of training steps per epoch'
set xrange [0.5:2.5]
<volatile>
set key below center horizontal Left reverse samplen 3 maxcols 2
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'stochdepth.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Stochastic depth on synthetic: 6 layers whole and with blocks dropped (linear, p_last 0.5)', '256 training images, width 8, norm batch, init he, sgd lr 0.1, batch 32') noenhanced
set xlabel 'epoch'
set ylabel 'error (%)'
set xrange [0:2]
<volatile>
set xtics 1
set grid xtics ytics lc '#dddddd'
set title 'error: training (solid), test (dashed)' noenhanced
set key below center horizontal Left reverse samplen 3 maxcols 2
plot 'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with linespoints lc '#e6a100' lw 2.5 dt 1 pt 7 ps 0.6 title 'resnet-6 training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(9) : NaN) with linespoints lc '#e6a100' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'resnet-6 test', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6-sd' ? 100 * column(6) : NaN) with linespoints lc '#c0392b' lw 2.5 dt 1 pt 7 ps 0.6 title 'resnet-6-sd training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6-sd' ? 100 * column(9) : NaN) with linespoints lc '#c0392b' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'resnet-6-sd test'
set title 'time per epoch, and the time the rule expects' noenhanced
set ylabel 'seconds of training steps per epoch'
set xrange [0.5:2.5]
<volatile>
set key below center horizontal Left reverse samplen 3 maxcols 2
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
<volatile>
unset multiplot
unset output
