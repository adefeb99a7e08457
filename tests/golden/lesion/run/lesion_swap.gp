# lesion_swap.gp: redraws lesion_swap.png and lesion_swap.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot lesion_swap.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'lesion_swap.png'
set datafile separator "\t"
set datafile missing 'nan'
set grid xtics ytics lc '#dddddd'
set style textbox opaque noborder
set key below center horizontal Left reverse samplen 3 noenhanced
set multiplot layout 1,2 title sprintf("%s\n%s", 'Reordering: k random pairs of blocks swapped, 2 draws each (as Veit et al. 2016, Fig. 5(b))', 'synthetic, 64 test images; evaluation mode (batch norm with running statistics)') noenhanced
set ylabel 'test error (%)'
set yrange [0:100]
set bmargin 10
set xrange [-0.5:2.5]
set xtics 1
set xlabel 'pairs of blocks swapped (k)'
set title 'over the draws: median, quartiles, min-max; mean dashed' noenhanced
set key maxcols 2
plot 'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(8) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(9) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.12 noborder title 'plain-6 min-max', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(12) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(14) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.30 noborder title 'plain-6 quartiles', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(13) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.6 title 'plain-6 median', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 1.5 dt (6,3) title 'plain-6 mean', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(8) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(9) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.12 noborder title 'resnet-6 min-max', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(12) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(14) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.30 noborder title 'resnet-6 quartiles', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(13) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.6 title 'resnet-6 median', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 mean', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
set key maxcols auto
set xrange [1.02:-1.02]
set xtics auto
set xlabel "Kendall's tau of the block order"
set title 'every draw' noenhanced
plot 'lesion_swap.tsv' skip 1 using 8:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with points lc '#d62728' pt 7 ps 0.5 title 'plain-6', \
     'lesion_swap.tsv' skip 1 using 8:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with points lc '#1f77b4' pt 7 ps 0.5 title 'resnet-6', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'lesion_swap.svg'
set datafile separator "\t"
set datafile missing 'nan'
set grid xtics ytics lc '#dddddd'
set style textbox opaque noborder
set key below center horizontal Left reverse samplen 3 noenhanced
set multiplot layout 1,2 title sprintf("%s\n%s", 'Reordering: k random pairs of blocks swapped, 2 draws each (as Veit et al. 2016, Fig. 5(b))', 'synthetic, 64 test images; evaluation mode (batch norm with running statistics)') noenhanced
set ylabel 'test error (%)'
set yrange [0:100]
set bmargin 10
set xrange [-0.5:2.5]
set xtics 1
set xlabel 'pairs of blocks swapped (k)'
set title 'over the draws: median, quartiles, min-max; mean dashed' noenhanced
set key maxcols 2
plot 'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(8) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(9) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.12 noborder title 'plain-6 min-max', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(12) : NaN):(strcol(1) eq 'plain-6' ? 100 * column(14) : NaN) with filledcurves fc '#d62728' fs transparent solid 0.30 noborder title 'plain-6 quartiles', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(13) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.6 title 'plain-6 median', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 1.5 dt (6,3) title 'plain-6 mean', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(8) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(9) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.12 noborder title 'resnet-6 min-max', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(12) : NaN):(strcol(1) eq 'resnet-6' ? 100 * column(14) : NaN) with filledcurves fc '#1f77b4' fs transparent solid 0.30 noborder title 'resnet-6 quartiles', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(13) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.6 title 'resnet-6 median', \
     'lesion_swap_mean.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 mean', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
set key maxcols auto
set xrange [1.02:-1.02]
set xtics auto
set xlabel "Kendall's tau of the block order"
set title 'every draw' noenhanced
plot 'lesion_swap.tsv' skip 1 using 8:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with points lc '#d62728' pt 7 ps 0.5 title 'plain-6', \
     'lesion_swap.tsv' skip 1 using 8:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with points lc '#1f77b4' pt 7 ps 0.5 title 'resnet-6', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
unset multiplot
unset output
