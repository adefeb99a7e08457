# lesion_single.gp: redraws lesion_single.png and lesion_single.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot lesion_single.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'lesion_single.png'
set datafile separator "\t"
set datafile missing 'nan'
set grid xtics ytics lc '#dddddd'
set style textbox opaque noborder
set key below center horizontal Left reverse samplen 3 noenhanced
set multiplot layout 1,2 title sprintf("%s\n%s", 'Deleting one block at a time (as Veit et al. 2016, Fig. 3)', 'synthetic, 64 test images; evaluation mode (batch norm with running statistics)') noenhanced
set xrange [-0.5:1.5]
set xtics 1
set xlabel 'deleted block'
set ylabel 'test error (%)'
set yrange [0:100]
set bmargin 10
set title 'all nets' noenhanced
plot 'lesion_single.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(5) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.7 title 'plain-6: block deleted', \
     76.5625 with lines lc '#d62728' lw 1.5 dt (6,3) title 'plain-6 unlesioned (76.56%)', \
     'lesion_single.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(5) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.7 title 'resnet-6: block deleted', \
     92.1875 with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 unlesioned (92.19%)', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
set yrange [86:100]
set title 'residual nets, zoomed' noenhanced
plot 'lesion_single.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(5) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.7 title 'resnet-6: block deleted', \
     92.1875 with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 unlesioned (92.19%)'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'lesion_single.svg'
set datafile separator "\t"
set datafile missing 'nan'
set grid xtics ytics lc '#dddddd'
set style textbox opaque noborder
set key below center horizontal Left reverse samplen 3 noenhanced
set multiplot layout 1,2 title sprintf("%s\n%s", 'Deleting one block at a time (as Veit et al. 2016, Fig. 3)', 'synthetic, 64 test images; evaluation mode (batch norm with running statistics)') noenhanced
set xrange [-0.5:1.5]
set xtics 1
set xlabel 'deleted block'
set ylabel 'test error (%)'
set yrange [0:100]
set bmargin 10
set title 'all nets' noenhanced
plot 'lesion_single.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(5) : NaN) with linespoints lc '#d62728' lw 2 pt 7 ps 0.7 title 'plain-6: block deleted', \
     76.5625 with lines lc '#d62728' lw 1.5 dt (6,3) title 'plain-6 unlesioned (76.56%)', \
     'lesion_single.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(5) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.7 title 'resnet-6: block deleted', \
     92.1875 with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 unlesioned (92.19%)', \
     90 with lines lc '#777777' lw 1.5 dt 3 title 'chance (90%)'
set yrange [86:100]
set title 'residual nets, zoomed' noenhanced
plot 'lesion_single.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(5) : NaN) with linespoints lc '#1f77b4' lw 2 pt 7 ps 0.7 title 'resnet-6: block deleted', \
     92.1875 with lines lc '#1f77b4' lw 1.5 dt (6,3) title 'resnet-6 unlesioned (92.19%)'
unset multiplot
unset output
