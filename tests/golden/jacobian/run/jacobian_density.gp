# jacobian_density.gp: redraws jacobian_density.png and jacobian_density.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot jacobian_density.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'jacobian_density.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,1 title sprintf("%s\n%s", 'Singular values of the end-to-end Jacobian dx_B/dx_0, pooled over seeds', 'width 8, init torch, norm none, act tanh, 2 seeds (one sample each)') noenhanced
bw = 0.10000000000000001
bin(x) = bw * (floor(x / bw) + 0.5)
set boxwidth bw absolute
set grid xtics ytics lc '#dddddd'
set style fill transparent solid 0.35
set key top center Left reverse samplen 2 opaque box lc '#cccccc'
set logscale y
set yrange [0.3125:*]
set format y '10^{%L}'
set ylabel 'density  (fraction per decade, log scale)'
set xlabel 'singular value σ of dx_B/dx_0  (log scale)'
set xrange [-6.05:1.05]
set xtics 1
set format x "10^{%g}"
set mxtics 10
plot 'spectra.tsv' skip 1 using (ok = strcol(1) eq 'plain' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(8)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#d62728' lc '#d62728' title 'plain  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'resnet' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(8)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#1f77b4' lc '#1f77b4' title 'resnet  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'preact' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(8)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#2ca02c' lc '#2ca02c' title 'preact  (16 values; 0% numerically zero, not drawn)'
set xlabel 'σ / σ_{max}  (log scale; dashed: the rank cut d ε σ_{max})'
set xrange [-6.05:0.05]
set xtics 1
set format x "10^{%g}"
set mxtics 10
set arrow 1 from first -14.750469787535078, graph 0 to first -14.750469787535078, graph 1 nohead lc '#555555' dt (4,4)
plot 'spectra.tsv' skip 1 using (ok = strcol(1) eq 'plain' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(9)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#d62728' lc '#d62728' title 'plain  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'resnet' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(9)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#1f77b4' lc '#1f77b4' title 'resnet  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'preact' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(9)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#2ca02c' lc '#2ca02c' title 'preact  (16 values; 0% numerically zero, not drawn)'
unset arrow 1
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'jacobian_density.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,1 title sprintf("%s\n%s", 'Singular values of the end-to-end Jacobian dx_B/dx_0, pooled over seeds', 'width 8, init torch, norm none, act tanh, 2 seeds (one sample each)') noenhanced
bw = 0.10000000000000001
bin(x) = bw * (floor(x / bw) + 0.5)
set boxwidth bw absolute
set grid xtics ytics lc '#dddddd'
set style fill transparent solid 0.35
set key top center Left reverse samplen 2 opaque box lc '#cccccc'
set logscale y
set yrange [0.3125:*]
set format y '10^{%L}'
set ylabel 'density  (fraction per decade, log scale)'
set xlabel 'singular value σ of dx_B/dx_0  (log scale)'
set xrange [-6.05:1.05]
set xtics 1
set format x "10^{%g}"
set mxtics 10
plot 'spectra.tsv' skip 1 using (ok = strcol(1) eq 'plain' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(8)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#d62728' lc '#d62728' title 'plain  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'resnet' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(8)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#1f77b4' lc '#1f77b4' title 'resnet  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'preact' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(8)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#2ca02c' lc '#2ca02c' title 'preact  (16 values; 0% numerically zero, not drawn)'
set xlabel 'σ / σ_{max}  (log scale; dashed: the rank cut d ε σ_{max})'
set xrange [-6.05:0.05]
set xtics 1
set format x "10^{%g}"
set mxtics 10
set arrow 1 from first -14.750469787535078, graph 0 to first -14.750469787535078, graph 1 nohead lc '#555555' dt (4,4)
plot 'spectra.tsv' skip 1 using (ok = strcol(1) eq 'plain' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(9)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#d62728' lc '#d62728' title 'plain  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'resnet' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(9)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#1f77b4' lc '#1f77b4' title 'resnet  (16 values; 0% numerically zero, not drawn)', \
     'spectra.tsv' skip 1 using (ok = strcol(1) eq 'preact' && strcol(4) eq 'end' && column(3) == 0 && column(10) == 0, ok ? bin(column(9)) : bin(0)):(ok ? 0.625 : 0) smooth frequency with boxes fs transparent solid 0.35 border lc '#2ca02c' lc '#2ca02c' title 'preact  (16 values; 0% numerically zero, not drawn)'
unset arrow 1
unset multiplot
unset output
