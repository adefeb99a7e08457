# landscape_path.gp: redraws landscape_path.png and landscape_path.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot landscape_path.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'landscape_path.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Loss along the line from initialization to the trained weights', 'synthetic: losses over 512 of the 512 training images; batch norm in evaluation mode') noenhanced
set key top center noenhanced
set xlabel 'a  (0: initialization, 1: trained)'
set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc '#888888' dt 3
set arrow 2 from 1, graph 0 to 1, graph 1 nohead lc '#888888' dt 3
set logscale y
set ylabel 'training loss (log scale)'
set title 'loss'
set yrange [*:44.8422]
plot 'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-4' ? 1 * column(5) : NaN) with lines lc '#d62728' lw 2 dt 1title 'plain-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-4' ? 1 * column(5) : NaN) with lines lc '#1f77b4' lw 2 dt 1title 'resnet-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 1 * column(5) : NaN) with lines lc '#d62728' lw 2 dt 2title 'plain-6', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 1 * column(5) : NaN) with lines lc '#1f77b4' lw 2 dt 2title 'resnet-6'
unset logscale y
set ylabel 'training error (%)'
set yrange [0:100]
set title 'error'
plot 'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-4' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 2 dt 1title 'plain-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-4' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 2 dt 1title 'resnet-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 2 dt 2title 'plain-6', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 2 dt 2title 'resnet-6'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'landscape_path.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Loss along the line from initialization to the trained weights', 'synthetic: losses over 512 of the 512 training images; batch norm in evaluation mode') noenhanced
set key top center noenhanced
set xlabel 'a  (0: initialization, 1: trained)'
set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc '#888888' dt 3
set arrow 2 from 1, graph 0 to 1, graph 1 nohead lc '#888888' dt 3
set logscale y
set ylabel 'training loss (log scale)'
set title 'loss'
set yrange [*:44.8422]
plot 'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-4' ? 1 * column(5) : NaN) with lines lc '#d62728' lw 2 dt 1title 'plain-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-4' ? 1 * column(5) : NaN) with lines lc '#1f77b4' lw 2 dt 1title 'resnet-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 1 * column(5) : NaN) with lines lc '#d62728' lw 2 dt 2title 'plain-6', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 1 * column(5) : NaN) with lines lc '#1f77b4' lw 2 dt 2title 'resnet-6'
unset logscale y
set ylabel 'training error (%)'
set yrange [0:100]
set title 'error'
plot 'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-4' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 2 dt 1title 'plain-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-4' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 2 dt 1title 'resnet-4', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'plain-6' ? 100 * column(6) : NaN) with lines lc '#d62728' lw 2 dt 2title 'plain-6', \
     'path.tsv' skip 1 using 4:(strcol(1) eq 'resnet-6' ? 100 * column(6) : NaN) with lines lc '#1f77b4' lw 2 dt 2title 'resnet-6'
unset multiplot
unset output
