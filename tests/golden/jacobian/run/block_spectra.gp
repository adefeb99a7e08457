# block_spectra.gp: redraws block_spectra.png and block_spectra.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot block_spectra.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'block_spectra.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,3 title sprintf("%s\n%s", 'Spectra of the block Jacobians J_l = dx_(l+1) / dx_l, seed 1: a curve ends where the rest are numerically zero', 'width 8, init torch, norm none, act tanh, 2 seeds (one sample each)') noenhanced
set grid xtics ytics lc '#dddddd'
set xrange [0:1]
set xtics 0.25
set xlabel 'i / d  (sorted, largest first)' noenhanced
unset key
set ylabel 'singular value of J_l  (log scale)'
set yrange [-5.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set lmargin at screen 0.0900
set rmargin at screen 0.3267
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'plain  (RMS σ = 0.286)' noenhanced
plot 0 with lines lc '#888888' lw 1 notitle, \
     -0.54293612200740515 with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'plain' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 0 && column(10) == 0 ? column(8) : NaN) with lines lc '#e6a100' lw 2 title 'J_{0}', \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'plain' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 1 && column(10) == 0 ? column(8) : NaN) with lines lc '#c0392b' lw 2 title 'J_{1}'
set lmargin at screen 0.4167
set rmargin at screen 0.6533
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'resnet  (RMS σ = 0.881)' noenhanced
plot 0 with lines lc '#888888' lw 1 notitle, \
     -0.054990006022027013 with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'resnet' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 0 && column(10) == 0 ? column(8) : NaN) with lines lc '#e6a100' lw 2 title 'J_{0}', \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'resnet' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 1 && column(10) == 0 ? column(8) : NaN) with lines lc '#c0392b' lw 2 title 'J_{1}'
set lmargin at screen 0.7433
set rmargin at screen 0.9800
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'preact  (RMS σ = 1.05)' noenhanced
plot 0 with lines lc '#888888' lw 1 notitle, \
     0.021081377585512196 with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'preact' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 0 && column(10) == 0 ? column(8) : NaN) with lines lc '#e6a100' lw 2 title 'J_{0}', \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'preact' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 1 && column(10) == 0 ? column(8) : NaN) with lines lc '#c0392b' lw 2 title 'J_{1}'
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
set key center center vertical Left reverse maxrows 3 samplen 2.5 width 1
plot NaN with lines lc '#888888' lw 1 title 'σ = 1', \
     NaN with lines lc '#000000' lw 1.2 dt (5,4) title 'RMS σ, all blocks and seeds', \
     NaN with lines lc '#e6a100' lw 2 title 'J_{0}', \
     NaN with lines lc '#c0392b' lw 2 title 'J_{1}'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'block_spectra.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,3 title sprintf("%s\n%s", 'Spectra of the block Jacobians J_l = dx_(l+1) / dx_l, seed 1: a curve ends where the rest are numerically zero', 'width 8, init torch, norm none, act tanh, 2 seeds (one sample each)') noenhanced
set grid xtics ytics lc '#dddddd'
set xrange [0:1]
set xtics 0.25
set xlabel 'i / d  (sorted, largest first)' noenhanced
unset key
set ylabel 'singular value of J_l  (log scale)'
set yrange [-5.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
set lmargin at screen 0.0900
set rmargin at screen 0.3267
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'plain  (RMS σ = 0.286)' noenhanced
plot 0 with lines lc '#888888' lw 1 notitle, \
     -0.54293612200740515 with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'plain' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 0 && column(10) == 0 ? column(8) : NaN) with lines lc '#e6a100' lw 2 title 'J_{0}', \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'plain' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 1 && column(10) == 0 ? column(8) : NaN) with lines lc '#c0392b' lw 2 title 'J_{1}'
set lmargin at screen 0.4167
set rmargin at screen 0.6533
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'resnet  (RMS σ = 0.881)' noenhanced
plot 0 with lines lc '#888888' lw 1 notitle, \
     -0.054990006022027013 with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'resnet' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 0 && column(10) == 0 ? column(8) : NaN) with lines lc '#e6a100' lw 2 title 'J_{0}', \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'resnet' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 1 && column(10) == 0 ? column(8) : NaN) with lines lc '#c0392b' lw 2 title 'J_{1}'
set lmargin at screen 0.7433
set rmargin at screen 0.9800
set tmargin at screen 0.86
set bmargin at screen 0.27
set title 'preact  (RMS σ = 1.05)' noenhanced
plot 0 with lines lc '#888888' lw 1 notitle, \
     0.021081377585512196 with lines lc '#000000' lw 1.2 dt (5,4) notitle, \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'preact' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 0 && column(10) == 0 ? column(8) : NaN) with lines lc '#e6a100' lw 2 title 'J_{0}', \
     'spectra.tsv' skip 1 using 6:(strcol(1) eq 'preact' && strcol(4) eq 'block' && column(2) == 1 && column(3) == 1 && column(10) == 0 ? column(8) : NaN) with lines lc '#c0392b' lw 2 title 'J_{1}'
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
set key center center vertical Left reverse maxrows 3 samplen 2.5 width 1
plot NaN with lines lc '#888888' lw 1 title 'σ = 1', \
     NaN with lines lc '#000000' lw 1.2 dt (5,4) title 'RMS σ, all blocks and seeds', \
     NaN with lines lc '#e6a100' lw 2 title 'J_{0}', \
     NaN with lines lc '#c0392b' lw 2 title 'J_{1}'
unset multiplot
unset output
