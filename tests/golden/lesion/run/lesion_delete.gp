# lesion_delete.gp: redraws lesion_delete.png and lesion_delete.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot lesion_delete.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'lesion_delete.png'
set datafile separator "\t"
set datafile missing 'nan'
set grid xtics ytics lc '#dddddd'
set style textbox opaque noborder
set key below center horizontal Left reverse samplen 3 noenhanced
set title sprintf("%s\n%s", 'Deleting k random blocks, 2 draws each (as Veit et al. 2016, Fig. 5(a))', 'synthetic, 64 test images; evaluation mode (batch norm with running statistics)') noenhanced
set xrange [-0.5:2.5]
set xtics 1
set xlabel 'blocks deleted (k)'
set ylabel 'test error (%)'
set yrange [0:100]
set key maxcols 4
plot 'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(8) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(9) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.12 noborder title 'plain-6 min-max', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(12) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(14) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.30 noborder title 'plain-6 quartiles', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(13) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.6 title 'plain-6 median', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 1.5 dt (6,3) title 'plain-6 mean', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(8) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(9) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.12 noborder title 'resnet-6 min-max', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(12) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(14) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.30 noborder title 'resnet-6 quartiles', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(13) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.6 title 'resnet-6 median', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 mean', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'lesion_delete.svg'
set datafile separator "\t"
set datafile missing 'nan'
set grid xtics ytics lc '#dddddd'
set style textbox opaque noborder
set key below center horizontal Left reverse samplen 3 noenhanced
set title sprintf("%s\n%s", 'Deleting k random blocks, 2 draws each (as Veit et al. 2016, Fig. 5(a))', 'synthetic, 64 test images; evaluation mode (batch norm with running statistics)') noenhanced
set xrange [-0.5:2.5]
set xtics 1
set xlabel 'blocks deleted (k)'
set ylabel 'test error (%)'
set yrange [0:100]
set key maxcols 4
plot 'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(8) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(9) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.12 noborder title 'plain-6 min-max', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(12) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(14) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.30 noborder title 'plain-6 quartiles', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(13) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.6 title 'plain-6 median', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 1.5 dt (6,3) title 'plain-6 mean', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(8) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(9) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.12 noborder title 'resnet-6 min-max', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(12) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(14) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.30 noborder title 'resnet-6 quartiles', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(13) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.6 title 'resnet-6 median', \
     'lesion_delete_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 mean', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
unset output
