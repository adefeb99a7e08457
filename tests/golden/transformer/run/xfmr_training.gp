# xfmr_training.gp: redraws xfmr_training.png and xfmr_training.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot xfmr_training.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'xfmr_training.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Training with and without warm-up', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set key top right font ',9' opaque box lc '#cccccc'
set title 'lr 0.003: warm-up over 4 steps (solid), none (dashed); band: 2 seeds' font ',10'
set xlabel 'step'
set ylabel 'training loss (nats per byte)'
set yrange [*:4.87198]
plot 'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'warmup' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'warmup' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'warmup' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, warm-up', \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'none' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'none' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'none' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, no warm-up', \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'warmup' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'warmup' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'warmup' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, warm-up', \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'none' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'none' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'none' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, no warm-up', \
     3.37198 with lines lc '#888888' dt (2,3) title 'unigram entropy'
set title 'learning-rate sweep, no warm-up: loss of the last tenth (min..max)' font ',10'
set logscale x
set xlabel 'learning rate'
set autoscale y
plot 'sweep.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(3)) < 1e300) ? (column(3)) : NaN):((strcol(1) eq 'preln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'preln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with yerrorlines pt 7 lw 2 lc '#1f77b4' title 'preln', \
     'sweep.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(3)) < 1e300) ? (column(3)) : NaN):((strcol(1) eq 'postln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'postln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with yerrorlines pt 7 lw 2 lc '#d62728' title 'postln', \
     3.37198 with lines lc '#888888' dt (2,3) title 'unigram entropy'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'xfmr_training.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Training with and without warm-up', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set key top right font ',9' opaque box lc '#cccccc'
set title 'lr 0.003: warm-up over 4 steps (solid), none (dashed); band: 2 seeds' font ',10'
set xlabel 'step'
set ylabel 'training loss (nats per byte)'
set yrange [*:4.87198]
plot 'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'warmup' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'warmup' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'warmup' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, warm-up', \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'none' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'none' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'none' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, no warm-up', \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'warmup' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'warmup' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'warmup' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, warm-up', \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'none' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'none' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'training.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'none' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, no warm-up', \
     3.37198 with lines lc '#888888' dt (2,3) title 'unigram entropy'
set title 'learning-rate sweep, no warm-up: loss of the last tenth (min..max)' font ',10'
set logscale x
set xlabel 'learning rate'
set autoscale y
plot 'sweep.tsv' skip 1 using 2:((strcol(1) eq 'preln' && abs(column(3)) < 1e300) ? (column(3)) : NaN):((strcol(1) eq 'preln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'preln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with yerrorlines pt 7 lw 2 lc '#1f77b4' title 'preln', \
     'sweep.tsv' skip 1 using 2:((strcol(1) eq 'postln' && abs(column(3)) < 1e300) ? (column(3)) : NaN):((strcol(1) eq 'postln' && abs(column(4)) < 1e300) ? (column(4)) : NaN):((strcol(1) eq 'postln' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with yerrorlines pt 7 lw 2 lc '#d62728' title 'postln', \
     3.37198 with lines lc '#888888' dt (2,3) title 'unigram entropy'
unset multiplot
unset output
