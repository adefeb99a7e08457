# degradation.gp: redraws degradation.png and degradation.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot degradation.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'degradation.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Degradation on synthetic: training error (solid) and test error (dashed)', '256 training images, cnn: 2/4/8 filters, He init (fan_out), batch norm, relu, sgd lr 0.1, batch 32; mean of 2 seeds, band: min-max') noenhanced
set xlabel 'epoch'
set ylabel 'error (%)'
set xrange [0:1]
set yrange [0:100]
set xtics 1
set grid xtics ytics lc '#dddddd'
set title 'plain nets' noenhanced
set key below center horizontal Left reverse samplen 3 maxcols 2
plot 'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(7) : NaN):(strcol(1) eq 'cnn-plain-8' ? 100 * column(8) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.18 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(10) : NaN):(strcol(1) eq 'cnn-plain-8' ? 100 * column(11) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.10 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(6) : NaN) with linespoints lc '#e6a100' lw 2.5 dt 1 pt 7 ps 0.6 title 'cnn-plain-8 training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(9) : NaN) with linespoints lc '#e6a100' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'cnn-plain-8 test'
set xlabel 'epoch'
set ylabel 'error (%)'
set xrange [0:1]
set yrange [0:100]
set xtics 1
set grid xtics ytics lc '#dddddd'
set title 'residual nets' noenhanced
set key below center horizontal Left reverse samplen 3 maxcols 2
plot 'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(7) : NaN):(strcol(1) eq 'cnn-resnet-8' ? 100 * column(8) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.18 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(10) : NaN):(strcol(1) eq 'cnn-resnet-8' ? 100 * column(11) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.10 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(6) : NaN) with linespoints lc '#e6a100' lw 2.5 dt 1 pt 7 ps 0.6 title 'cnn-resnet-8 training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(9) : NaN) with linespoints lc '#e6a100' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'cnn-resnet-8 test'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'degradation.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Degradation on synthetic: training error (solid) and test error (dashed)', '256 training images, cnn: 2/4/8 filters, He init (fan_out), batch norm, relu, sgd lr 0.1, batch 32; mean of 2 seeds, band: min-max') noenhanced
set xlabel 'epoch'
set ylabel 'error (%)'
set xrange [0:1]
set yrange [0:100]
set xtics 1
set grid xtics ytics lc '#dddddd'
set title 'plain nets' noenhanced
set key below center horizontal Left reverse samplen 3 maxcols 2
plot 'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(7) : NaN):(strcol(1) eq 'cnn-plain-8' ? 100 * column(8) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.18 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(10) : NaN):(strcol(1) eq 'cnn-plain-8' ? 100 * column(11) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.10 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(6) : NaN) with linespoints lc '#e6a100' lw 2.5 dt 1 pt 7 ps 0.6 title 'cnn-plain-8 training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-plain-8' ? 100 * column(9) : NaN) with linespoints lc '#e6a100' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'cnn-plain-8 test'
set xlabel 'epoch'
set ylabel 'error (%)'
set xrange [0:1]
set yrange [0:100]
set xtics 1
set grid xtics ytics lc '#dddddd'
set title 'residual nets' noenhanced
set key below center horizontal Left reverse samplen 3 maxcols 2
plot 'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(7) : NaN):(strcol(1) eq 'cnn-resnet-8' ? 100 * column(8) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.18 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(10) : NaN):(strcol(1) eq 'cnn-resnet-8' ? 100 * column(11) : NaN) with filledcurves fc '#e6a100' fs transparent solid 0.10 noborder notitle, \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(6) : NaN) with linespoints lc '#e6a100' lw 2.5 dt 1 pt 7 ps 0.6 title 'cnn-resnet-8 training', \
     'curves_mean.tsv' skip 1 using 4:(strcol(1) eq 'cnn-resnet-8' ? 100 * column(9) : NaN) with linespoints lc '#e6a100' lw 1.5 dt (6,3) pt 6 ps 0.6 title 'cnn-resnet-8 test'
unset multiplot
unset output
