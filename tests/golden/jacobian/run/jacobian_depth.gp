# jacobian_depth.gp: redraws jacobian_depth.png and jacobian_depth.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot jacobian_depth.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'jacobian_depth.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Singular values of the Jacobians at initialization: 6 layers (2 blocks)', 'width 8, init torch, norm none, act tanh, 2 seeds (one sample each)') noenhanced
set grid xtics ytics lc '#dddddd'
set ylabel 'singular value  (log scale)'
unset key
set lmargin at screen 0.0900
set rmargin at screen 0.4900
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'end-to-end Jacobian dx_B / dx_l' noenhanced
set xlabel 'block boundary l  (x_0 = stem output; dx_B/dx_B = I)' noenhanced
set xrange [0:2]
set yrange [-6.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(8) : NaN):(column(5)) with filledcurves fc '#d62728' fs transparent solid 0.15 noborder title 'plain: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(5) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(8) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(11) : NaN) with linespoints lc '#d62728' lw 2.5 pt 7 ps 0.5 pi 1 title 'plain: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(8) : NaN):(column(5)) with filledcurves fc '#1f77b4' fs transparent solid 0.15 noborder title 'resnet: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(5) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(8) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(11) : NaN) with linespoints lc '#1f77b4' lw 2.5 pt 7 ps 0.5 pi 1 title 'resnet: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(8) : NaN):(column(5)) with filledcurves fc '#2ca02c' fs transparent solid 0.15 noborder title 'preact: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(5) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(8) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(11) : NaN) with linespoints lc '#2ca02c' lw 2.5 pt 7 ps 0.5 pi 1 title 'preact: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) title 'theory: product of per-layer gains (RMS)', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle
set lmargin at screen 0.5800
set rmargin at screen 0.9800
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'block Jacobian J_l = dx_(l+1) / dx_l' noenhanced
set xlabel 'block l' noenhanced
set xrange [0:1]
set yrange [-4.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(8) : NaN):(column(5)) with filledcurves fc '#d62728' fs transparent solid 0.15 noborder title 'plain: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(5) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(8) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(11) : NaN) with linespoints lc '#d62728' lw 2.5 pt 7 ps 0.5 pi 1 title 'plain: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(8) : NaN):(column(5)) with filledcurves fc '#1f77b4' fs transparent solid 0.15 noborder title 'resnet: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(5) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(8) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(11) : NaN) with linespoints lc '#1f77b4' lw 2.5 pt 7 ps 0.5 pi 1 title 'resnet: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(8) : NaN):(column(5)) with filledcurves fc '#2ca02c' fs transparent solid 0.15 noborder title 'preact: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(5) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(8) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(11) : NaN) with linespoints lc '#2ca02c' lw 2.5 pt 7 ps 0.5 pi 1 title 'preact: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) title 'theory: product of per-layer gains (RMS)', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle
set lmargin at screen 0.03
set rmargin at screen 0.97
set tmargin at screen 0.135
set bmargin at screen 0.01
unset title
unset xlabel
unset ylabel
unset grid
unset border
unset tics
unset arrow
unset logscale
set xrange [0:1]
set yrange [0:1]
set key center center vertical Left reverse maxrows 4 samplen 2.5 width 1
plot NaN with filledcurves fc '#d62728' fs transparent solid 0.15 noborder title 'plain: smallest nonzero … largest σ', \
     NaN with linespoints lc '#d62728' lw 2.5 pt 7 ps 0.5 pi 1 title 'plain: RMS σ = ||J||_F/√d', \
     NaN with filledcurves fc '#1f77b4' fs transparent solid 0.15 noborder title 'resnet: smallest nonzero … largest σ', \
     NaN with linespoints lc '#1f77b4' lw 2.5 pt 7 ps 0.5 pi 1 title 'resnet: RMS σ = ||J||_F/√d', \
     NaN with filledcurves fc '#2ca02c' fs transparent solid 0.15 noborder title 'preact: smallest nonzero … largest σ', \
     NaN with linespoints lc '#2ca02c' lw 2.5 pt 7 ps 0.5 pi 1 title 'preact: RMS σ = ||J||_F/√d', \
     NaN with lines lc '#000000' lw 1.2 dt (5,4) title 'theory: product of per-layer gains (RMS)'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'jacobian_depth.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Singular values of the Jacobians at initialization: 6 layers (2 blocks)', 'width 8, init torch, norm none, act tanh, 2 seeds (one sample each)') noenhanced
set grid xtics ytics lc '#dddddd'
set ylabel 'singular value  (log scale)'
unset key
set lmargin at screen 0.0900
set rmargin at screen 0.4900
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'end-to-end Jacobian dx_B / dx_l' noenhanced
set xlabel 'block boundary l  (x_0 = stem output; dx_B/dx_B = I)' noenhanced
set xrange [0:2]
set yrange [-6.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(8) : NaN):(column(5)) with filledcurves fc '#d62728' fs transparent solid 0.15 noborder title 'plain: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(5) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(8) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(11) : NaN) with linespoints lc '#d62728' lw 2.5 pt 7 ps 0.5 pi 1 title 'plain: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(8) : NaN):(column(5)) with filledcurves fc '#1f77b4' fs transparent solid 0.15 noborder title 'resnet: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(5) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(8) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(11) : NaN) with linespoints lc '#1f77b4' lw 2.5 pt 7 ps 0.5 pi 1 title 'resnet: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(8) : NaN):(column(5)) with filledcurves fc '#2ca02c' fs transparent solid 0.15 noborder title 'preact: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(5) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(8) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(11) : NaN) with linespoints lc '#2ca02c' lw 2.5 pt 7 ps 0.5 pi 1 title 'preact: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'end' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) title 'theory: product of per-layer gains (RMS)', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'end' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'end' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle
set lmargin at screen 0.5800
set rmargin at screen 0.9800
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'block Jacobian J_l = dx_(l+1) / dx_l' noenhanced
set xlabel 'block l' noenhanced
set xrange [0:1]
set yrange [-4.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(8) : NaN):(column(5)) with filledcurves fc '#d62728' fs transparent solid 0.15 noborder title 'plain: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(5) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(8) : NaN) with lines lc '#d62728' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(11) : NaN) with linespoints lc '#d62728' lw 2.5 pt 7 ps 0.5 pi 1 title 'plain: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(8) : NaN):(column(5)) with filledcurves fc '#1f77b4' fs transparent solid 0.15 noborder title 'resnet: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(5) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(8) : NaN) with lines lc '#1f77b4' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(11) : NaN) with linespoints lc '#1f77b4' lw 2.5 pt 7 ps 0.5 pi 1 title 'resnet: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(8) : NaN):(column(5)) with filledcurves fc '#2ca02c' fs transparent solid 0.15 noborder title 'preact: smallest nonzero … largest σ', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(5) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(8) : NaN) with lines lc '#2ca02c' lw 1 notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(11) : NaN) with linespoints lc '#2ca02c' lw 2.5 pt 7 ps 0.5 pi 1 title 'preact: RMS σ = ||J||_F/√d', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'plain' && strcol(2) eq 'block' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) title 'theory: product of per-layer gains (RMS)', \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'resnet' && strcol(2) eq 'block' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'jacobian_mean.tsv' skip 1 using 3:(strcol(1) eq 'preact' && strcol(2) eq 'block' ? column(17) : NaN) with lines lc '#000000' lw 1.2 dt (5,4) notitle
set lmargin at screen 0.03
set rmargin at screen 0.97
set tmargin at screen 0.135
set bmargin at screen 0.01
unset title
unset xlabel
unset ylabel
unset grid
unset border
unset tics
unset arrow
unset logscale
set xrange [0:1]
set yrange [0:1]
set key center center vertical Left reverse maxrows 4 samplen 2.5 width 1
plot NaN with filledcurves fc '#d62728' fs transparent solid 0.15 noborder title 'plain: smallest nonzero … largest σ', \
     NaN with linespoints lc '#d62728' lw 2.5 pt 7 ps 0.5 pi 1 title 'plain: RMS σ = ||J||_F/√d', \
     NaN with filledcurves fc '#1f77b4' fs transparent solid 0.15 noborder title 'resnet: smallest nonzero … largest σ', \
     NaN with linespoints lc '#1f77b4' lw 2.5 pt 7 ps 0.5 pi 1 title 'resnet: RMS σ = ||J||_F/√d', \
     NaN with filledcurves fc '#2ca02c' fs transparent solid 0.15 noborder title 'preact: smallest nonzero … largest σ', \
     NaN with linespoints lc '#2ca02c' lw 2.5 pt 7 ps 0.5 pi 1 title 'preact: RMS σ = ||J||_F/√d', \
     NaN with lines lc '#000000' lw 1.2 dt (5,4) title 'theory: product of per-layer gains (RMS)'
unset multiplot
unset output
