# xfmr_stream.gp: redraws xfmr_stream.png and xfmr_stream.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot xfmr_stream.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'xfmr_stream.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,3 title sprintf("%s\n%s", 'The residual stream', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set key top left font ',8' samplen 2
set xlabel 'sub-layer k (2l: attn, 2l+1: MLP)'
set title 'RMS norm of the stream after k sub-layers' font ',10'
set ylabel '||x_k||'
set logscale y
plot 'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, trained', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, trained'
set title 'write of sub-layer k: ||F(x)|| / ||x||' font ',10'
set ylabel 'ratio'
set logscale y
plot 'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, trained', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, trained'
set title 'cosine of writes k and k+1' font ',10'
set ylabel 'cosine'
unset logscale y
plot 'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, trained', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, trained'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'xfmr_stream.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,3 title sprintf("%s\n%s", 'The residual stream', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set key top left font ',8' samplen 2
set xlabel 'sub-layer k (2l: attn, 2l+1: MLP)'
set title 'RMS norm of the stream after k sub-layers' font ',10'
set ylabel '||x_k||'
set logscale y
plot 'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, trained', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, trained'
set title 'write of sub-layer k: ||F(x)|| / ||x||' font ',10'
set ylabel 'ratio'
set logscale y
plot 'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, trained', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(8)) < 1e300) ? (column(8)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(9)) < 1e300) ? (column(9)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(7)) < 1e300) ? (column(7)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, trained'
set title 'cosine of writes k and k+1' font ',10'
set ylabel 'cosine'
unset logscale y
plot 'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'init' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#1f77b4' title 'preln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#1f77b4' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'preln' && strcol(2) eq 'trained' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#1f77b4' title 'preln, trained', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'init' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt (6,4) lc '#d62728' title 'postln, init', \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(11)) < 1e300) ? (column(11)) : NaN):((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(12)) < 1e300) ? (column(12)) : NaN) with filledcurves fs transparent solid 0.15 noborder lc '#d62728' notitle, \
     'stream.tsv' skip 1 using 3:((strcol(1) eq 'postln' && strcol(2) eq 'trained' && abs(column(10)) < 1e300) ? (column(10)) : NaN) with linespoints pt 7 ps 0.4 lw 2 dt solid lc '#d62728' title 'postln, trained'
unset multiplot
unset output
