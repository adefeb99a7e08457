# xfmr_grad.gp: redraws xfmr_grad.png and xfmr_grad.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot xfmr_grad.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'xfmr_grad.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Gradients at initialization per layer', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set logscale y
set format y '10^{%L}'
set key top left font ',8' samplen 2
set xlabel 'layer l (input side 0)'
set ylabel 'gradient norm'
set title 'preln: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
set title 'postln: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
set title 'deepnorm: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
set title 'rezero: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'xfmr_grad.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Gradients at initialization per layer', 'width 16, 2 heads, context 16, 2 seeds; trained: 2 layers, width 16; bytes of GOLDEN/transformer-text.txt') noenhanced
set grid lc '#dddddd'
set logscale y
set format y '10^{%L}'
set key top left font ',8' samplen 2
set xlabel 'layer l (input side 0)'
set ylabel 'gradient norm'
set title 'preln: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'preln' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
set title 'postln: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'postln' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
set title 'deepnorm: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'deepnorm' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
set title 'rezero: ||grad W_{mlp}|| (solid), ||dL/dx|| at the layer input (dashed)' font ',10'
plot 'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '2' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#e6a100' title 'L = 2', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '2' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#e6a100' notitle, \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '4' && strcol(5) eq 'mlp') ? 10**column(6) : NaN) with linespoints pt 7 ps 0.4 lw 2 lc '#c0392b' title 'L = 4', \
     'grad_init.tsv' skip 1 using 4:((strcol(1) eq 'rezero' && strcol(2) eq '4' && strcol(5) eq 'attn') ? 10**column(9) : NaN) with lines lw 1.5 dt (6,4) lc '#c0392b' notitle
unset multiplot
unset output
