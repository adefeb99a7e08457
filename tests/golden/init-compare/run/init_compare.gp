# init_compare.gp: redraws init_compare.png and init_compare.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot init_compare.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'init_compare.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Initialization schemes: depth 6 (2 blocks), width 8, norm none', 'synthetic, 256 training images, sgd lr 0.1, batch 32; gradient over 2 init seeds, training over 1 seed; grey: he + batch norm, reference') noenhanced
set grid xtics ytics lc '#dddddd'
set key top right samplen 3 spacing 1.0 opaque box lc '#cccccc' font ',9'
set title 'gradient at init; band: the init seeds (fixup: 0, not drawn)' noenhanced
set xlabel 'block boundary l (x_0 input side, x_B output side)' noenhanced
set ylabel '||dL/dx_l||' noenhanced
set xrange [0:2]
set yrange [-2.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#e6a100' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#e6a100' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#c0392b' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#c0392b' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#2e86c1' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#2e86c1' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#16a085' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#16a085' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#8e44ad' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#8e44ad' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#555555' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#555555' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#e6a100' dt solid pt 7 ps 0.5 lw 2 title 'he, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#e6a100' dt (8,4) pt 7 ps 0.5 lw 2 title 'he, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#c0392b' dt solid pt 7 ps 0.5 lw 2 title 'fixup, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#c0392b' dt (8,4) pt 7 ps 0.5 lw 2 title 'fixup, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#2e86c1' dt solid pt 7 ps 0.5 lw 2 title 'rezero, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#2e86c1' dt (8,4) pt 7 ps 0.5 lw 2 title 'rezero, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#16a085' dt solid pt 7 ps 0.5 lw 2 title 'scaled, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#16a085' dt (8,4) pt 7 ps 0.5 lw 2 title 'scaled, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#8e44ad' dt solid pt 7 ps 0.5 lw 2 title 'torch, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#8e44ad' dt (8,4) pt 7 ps 0.5 lw 2 title 'torch, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#555555' dt solid pt 7 ps 0.5 lw 1.5 title 'he+bn, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#555555' dt (8,4) pt 7 ps 0.5 lw 1.5 title 'he+bn, preact'
set autoscale y
set format y '%g'
set ytics auto
set mytics default
set title 'training: mean over 1 seed (no spread: one seed)' noenhanced
set xlabel 'epoch'
set ylabel 'training loss (cross-entropy)' noenhanced
set xrange [0.8:1.2]
set xtics 1
unset key
set yrange [0:*<5]
plot 'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#e6a100' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#e6a100' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#c0392b' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#c0392b' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#2e86c1' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#2e86c1' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#16a085' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#16a085' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#8e44ad' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#8e44ad' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#555555' dt solid pt 7 ps 0.5 lw 1.5 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#555555' dt (8,4) pt 7 ps 0.5 lw 1.5 notitle
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'init_compare.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Initialization schemes: depth 6 (2 blocks), width 8, norm none', 'synthetic, 256 training images, sgd lr 0.1, batch 32; gradient over 2 init seeds, training over 1 seed; grey: he + batch norm, reference') noenhanced
set grid xtics ytics lc '#dddddd'
set key top right samplen 3 spacing 1.0 opaque box lc '#cccccc' font ',9'
set title 'gradient at init; band: the init seeds (fixup: 0, not drawn)' noenhanced
set xlabel 'block boundary l (x_0 input side, x_B output side)' noenhanced
set ylabel '||dL/dx_l||' noenhanced
set xrange [0:2]
set yrange [-2.05:1.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#e6a100' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#e6a100' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#c0392b' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#c0392b' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#2e86c1' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#2e86c1' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#16a085' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#16a085' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#8e44ad' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#8e44ad' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#555555' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN):((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(6)) < 1e300) ? (column(6)) : NaN) with filledcurves fs transparent solid 0.12 noborder lc '#555555' notitle, \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#e6a100' dt solid pt 7 ps 0.5 lw 2 title 'he, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#e6a100' dt (8,4) pt 7 ps 0.5 lw 2 title 'he, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#c0392b' dt solid pt 7 ps 0.5 lw 2 title 'fixup, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#c0392b' dt (8,4) pt 7 ps 0.5 lw 2 title 'fixup, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#2e86c1' dt solid pt 7 ps 0.5 lw 2 title 'rezero, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#2e86c1' dt (8,4) pt 7 ps 0.5 lw 2 title 'rezero, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#16a085' dt solid pt 7 ps 0.5 lw 2 title 'scaled, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#16a085' dt (8,4) pt 7 ps 0.5 lw 2 title 'scaled, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#8e44ad' dt solid pt 7 ps 0.5 lw 2 title 'torch, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#8e44ad' dt (8,4) pt 7 ps 0.5 lw 2 title 'torch, preact', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#555555' dt solid pt 7 ps 0.5 lw 1.5 title 'he+bn, resnet', \
     'init_gradnorm.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(4)) < 1e300) ? (column(4)) : NaN) with linespoints lc '#555555' dt (8,4) pt 7 ps 0.5 lw 1.5 title 'he+bn, preact'
set autoscale y
set format y '%g'
set ytics auto
set mytics default
set title 'training: mean over 1 seed (no spread: one seed)' noenhanced
set xlabel 'epoch'
set ylabel 'training loss (cross-entropy)' noenhanced
set xrange [0.8:1.2]
set xtics 1
unset key
set yrange [0:*<5]
plot 'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#e6a100' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#e6a100' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#c0392b' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'fixup' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#c0392b' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#2e86c1' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'rezero' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#2e86c1' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#16a085' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'scaled' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#16a085' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#8e44ad' dt solid pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'torch' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#8e44ad' dt (8,4) pt 7 ps 0.5 lw 2 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'resnet' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#555555' dt solid pt 7 ps 0.5 lw 1.5 notitle, \
     'init_curves.tsv' skip 1 using 3:((strcol(1) eq 'he+bn' && strcol(2) eq 'preact' && abs(column(5)) < 1e300) ? (column(5)) : NaN) with linespoints lc '#555555' dt (8,4) pt 7 ps 0.5 lw 1.5 notitle
unset multiplot
unset output
