# identity.gp: redraws identity.png and identity.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot identity.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'identity.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Learning the identity (y = x) and a map far from it (teacher)', 'width 8, he init, relu, Adam lr 0.001; mean over 2 seeds, band: min to max') noenhanced
set key top right noenhanced
set logscale y
set format y '10^{%L}'
set xlabel 'Adam step'
set ylabel 'MSE / mean square of the target (0: bottom edge)'
set yrange [1e-6:*]
lowcap(y) = y > 1e-6 ? y : 1e-6
set title 'identity' noenhanced
plot 'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 1 title 'plain, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 2 title 'plain, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 1 title 'resnet, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 2 title 'resnet, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 1 title 'resnet-zero, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 2 title 'resnet-zero, 3 blocks', \
     0.01 with lines lc '#777777' dt 3 title 'threshold'
set title 'teacher' noenhanced
plot 'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 1 title 'plain, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 2 title 'plain, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 1 title 'resnet, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 2 title 'resnet, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 1 title 'resnet-zero, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 2 title 'resnet-zero, 3 blocks', \
     0.01 with lines lc '#777777' dt 3 title 'threshold'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'identity.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,2 title sprintf("%s\n%s", 'Learning the identity (y = x) and a map far from it (teacher)', 'width 8, he init, relu, Adam lr 0.001; mean over 2 seeds, band: min to max') noenhanced
set key top right noenhanced
set logscale y
set format y '10^{%L}'
set xlabel 'Adam step'
set ylabel 'MSE / mean square of the target (0: bottom edge)'
set yrange [1e-6:*]
lowcap(y) = y > 1e-6 ? y : 1e-6
set title 'identity' noenhanced
plot 'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 1 title 'plain, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 2 title 'plain, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 1 title 'resnet, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 2 title 'resnet, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 1 title 'resnet-zero, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'identity' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 2 title 'resnet-zero, 3 blocks', \
     0.01 with lines lc '#777777' dt 3 title 'threshold'
set title 'teacher' noenhanced
plot 'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 1 title 'plain, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#d62728' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'plain' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#d62728' lw 2 dt 2 title 'plain, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 1 title 'resnet, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#1f77b4' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#1f77b4' lw 2 dt 2 title 'resnet, 3 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 1 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 1 title 'resnet-zero, 1 blocks', \
     'identity_curves.tsv' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($6) : NaN):(lowcap($7)) with filledcurves lc '#2ca02c' fs transparent solid 0.12 noborder notitle, \
     '' skip 1 using 4:(strcol(1) eq 'resnet-zero' && column(2) == 3 && strcol(3) eq 'teacher' ? lowcap($5) : NaN) with lines lc '#2ca02c' lw 2 dt 2 title 'resnet-zero, 3 blocks', \
     0.01 with lines lc '#777777' dt 3 title 'threshold'
unset multiplot
unset output
