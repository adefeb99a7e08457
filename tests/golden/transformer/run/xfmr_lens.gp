# xfmr_lens.gp: redraws xfmr_lens.png and xfmr_lens.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot xfmr_lens.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'xfmr_lens.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'The logit lens after training', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set key top right font ',9'
set xlabel 'layer l (stream after l layers, through the head)'
set xrange [-0.2:2.2]
set title 'held-out loss of each layer''s decoding' font ',10'
set ylabel 'cross-entropy (nats)'
plot 'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'preln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(3)) < 1e300) ? (column(3)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln', \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'postln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(3)) < 1e300) ? (column(3)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln', \
     3.37198 with lines lc '#888888' dt (2,3) title 'unigram entropy'
set title 'top prediction equal to the last layer''s' font ',10'
set ylabel 'fraction of tokens'
set yrange [0:1.05]
set key bottom right
plot 'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(7)) < 1e300) ? (column(7)) : NaN):((strcol(1) eq 'preln' && abs(column(8)) < 1e300) ? (column(8)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln', \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(7)) < 1e300) ? (column(7)) : NaN):((strcol(1) eq 'postln' && abs(column(8)) < 1e300) ? (column(8)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'xfmr_lens.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'The logit lens after training', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set key top right font ',9'
set xlabel 'layer l (stream after l layers, through the head)'
set xrange [-0.2:2.2]
set title 'held-out loss of each layer''s decoding' font ',10'
set ylabel 'cross-entropy (nats)'
plot 'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'preln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(3)) < 1e300) ? (column(3)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln', \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'postln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(3)) < 1e300) ? (column(3)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln', \
     3.37198 with lines lc '#888888' dt (2,3) title 'unigram entropy'
set title 'top prediction equal to the last layer''s' font ',10'
set ylabel 'fraction of tokens'
set yrange [0:1.05]
set key bottom right
plot 'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(7)) < 1e300) ? (column(7)) : NaN):((strcol(1) eq 'preln' && abs(column(8)) < 1e300) ? (column(8)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln', \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(7)) < 1e300) ? (column(7)) : NaN):((strcol(1) eq 'postln' && abs(column(8)) < 1e300) ? (column(8)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'lens.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln'
unset multiplot
unset output
