# xfmr_slope.gp: redraws xfmr_slope.png and xfmr_slope.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot xfmr_slope.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'xfmr_slope.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Last layer''s MLP gradient against depth (log-log)', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set logscale xy
set format y '10^{%L}'
set key bottom left font ',9' opaque box lc '#cccccc'
set xlabel 'layers L'
set ylabel '||grad W_{mlp}|| of layer L'
set xrange [1.6:5]
set xtics ('2' 2, '4' 4)
plot 'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'preln' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#1f77b4' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#1f77b4' title 'preln: slope -0.31 +- 0.07 (theory -1/2)', \
     'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'postln' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#d62728' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#d62728' title 'postln: slope -0.35 +- 0.00 (theory 0)', \
     'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'deepnorm' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#2ca02c' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'deepnorm' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#2ca02c' title 'deepnorm: slope -0.63 +- 0.03 (theory none stated)', \
     'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'rezero' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#9467bd' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'rezero' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#9467bd' title 'rezero: zero gradient at init (a = 0)'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'xfmr_slope.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Last layer''s MLP gradient against depth (log-log)', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set logscale xy
set format y '10^{%L}'
set key bottom left font ',9' opaque box lc '#cccccc'
set xlabel 'layers L'
set ylabel '||grad W_{mlp}|| of layer L'
set xrange [1.6:5]
set xtics ('2' 2, '4' 4)
plot 'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'preln' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#1f77b4' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#1f77b4' title 'preln: slope -0.31 +- 0.07 (theory -1/2)', \
     'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'postln' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#d62728' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#d62728' title 'postln: slope -0.35 +- 0.00 (theory 0)', \
     'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'deepnorm' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#2ca02c' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'deepnorm' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#2ca02c' title 'deepnorm: slope -0.63 +- 0.03 (theory none stated)', \
     'last_layer.tsv' skip 1 using 2:((strcol(1) eq 'rezero' && column(4) > 0) ? column(4) : NaN) with points pt 6 ps 0.8 lc '#9467bd' notitle, \
     'last_layer_mean.tsv' skip 1 using 2:((strcol(1) eq 'rezero' && abs(column(3)) < 1e300) ? 10**(column(3)) : NaN) with linespoints pt 7 ps 1 lw 2 lc '#9467bd' title 'rezero: zero gradient at init (a = 0)'
unset output
