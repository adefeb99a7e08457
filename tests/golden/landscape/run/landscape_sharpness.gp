# landscape_sharpness.gp: redraws landscape_sharpness.png and landscape_sharpness.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot landscape_sharpness.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'landscape_sharpness.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Sharpness: the Hessian eigenvalue of largest magnitude along training', 'synthetic: training loss over the first 128 images; power iteration on Hv products') noenhanced
set key outside right top noenhanced
set logscale y
set format y '10^{%L}'
set xlabel 'training step'
set ylabel '|largest Hessian eigenvalue| (open: negative)'
plot 'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-4' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#d62728' lw 2 dt 1title 'plain-4', \
     '' skip 1 using 5:(strcol(1) eq 'plain-4' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#d62728' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'resnet-4' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#1f77b4' lw 2 dt 1title 'resnet-4', \
     '' skip 1 using 5:(strcol(1) eq 'resnet-4' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#1f77b4' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-6' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#d62728' lw 2 dt 2title 'plain-6', \
     '' skip 1 using 5:(strcol(1) eq 'plain-6' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#d62728' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'resnet-6' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#1f77b4' lw 2 dt 2title 'resnet-6', \
     '' skip 1 using 5:(strcol(1) eq 'resnet-6' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#1f77b4' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-4' ? 2 / $6 : NaN) with fsteps lc '#444444' lw 1.5 dt 3 title '2 / lr', \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-4' ? 3.8 / $6 : NaN) with fsteps lc '#999999' lw 1.5 dt 2 title '(2 + 2 momentum) / lr'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'landscape_sharpness.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Sharpness: the Hessian eigenvalue of largest magnitude along training', 'synthetic: training loss over the first 128 images; power iteration on Hv products') noenhanced
set key outside right top noenhanced
set logscale y
set format y '10^{%L}'
set xlabel 'training step'
set ylabel '|largest Hessian eigenvalue| (open: negative)'
plot 'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-4' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#d62728' lw 2 dt 1title 'plain-4', \
     '' skip 1 using 5:(strcol(1) eq 'plain-4' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#d62728' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'resnet-4' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#1f77b4' lw 2 dt 1title 'resnet-4', \
     '' skip 1 using 5:(strcol(1) eq 'resnet-4' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#1f77b4' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-6' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#d62728' lw 2 dt 2title 'plain-6', \
     '' skip 1 using 5:(strcol(1) eq 'plain-6' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#d62728' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'resnet-6' ? abs($7) : NaN) with linespoints pt 7 ps 0.8 lc '#1f77b4' lw 2 dt 2title 'resnet-6', \
     '' skip 1 using 5:(strcol(1) eq 'resnet-6' && $7 < 0 ? -$7 : NaN) with points pt 6 ps 2 lc '#1f77b4' notitle, \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-4' ? 2 / $6 : NaN) with fsteps lc '#444444' lw 1.5 dt 3 title '2 / lr', \
     'sharpness.tsv' skip 1 using 5:(strcol(1) eq 'plain-4' ? 3.8 / $6 : NaN) with fsteps lc '#999999' lw 1.5 dt 2 title '(2 + 2 momentum) / lr'
unset output
