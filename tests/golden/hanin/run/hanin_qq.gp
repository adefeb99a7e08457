# hanin_qq.gp: redraws hanin_qq.png and hanin_qq.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot hanin_qq.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'hanin_qq.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Is ln ||dL/dx_0||^2 Gaussian (the gradient log-normal)? Q-Q plot per width, 5 initializations per cell', 'each net''s value standardized by its cell''s mean and sd, every depth of a width pooled; a Gaussian lies on the dashed line') noenhanced
set xlabel 'Gaussian quantile' noenhanced
set ylabel 'ln ||dL/dx_0||^2, standardized per cell (sorted)' noenhanced
set xrange [-4:4]
set yrange [-5:5]
set grid xtics ytics lc '#dddddd'
set key bottom right Left reverse samplen 2 opaque box lc '#cccccc' font ',10' noenhanced
plot 'hanin_qq.tsv' skip 1 using 2:(column(1) == 8 ? column(3) : NaN) with points pt 7 ps 0.5 lc '#e6a100' title 'width 8: skewness -0.24, excess kurtosis -2.07 (15 nets)', \
     'hanin_qq.tsv' skip 1 using 2:(column(1) == 16 ? column(3) : NaN) with points pt 7 ps 0.5 lc '#c0392b' title 'width 16: skewness -0.10, excess kurtosis -1.75 (15 nets)', \
     x with lines lc '#000000' lw 1.5 dt (6,4) title 'Gaussian: z = quantile'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'hanin_qq.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'Is ln ||dL/dx_0||^2 Gaussian (the gradient log-normal)? Q-Q plot per width, 5 initializations per cell', 'each net''s value standardized by its cell''s mean and sd, every depth of a width pooled; a Gaussian lies on the dashed line') noenhanced
set xlabel 'Gaussian quantile' noenhanced
set ylabel 'ln ||dL/dx_0||^2, standardized per cell (sorted)' noenhanced
set xrange [-4:4]
set yrange [-5:5]
set grid xtics ytics lc '#dddddd'
set key bottom right Left reverse samplen 2 opaque box lc '#cccccc' font ',10' noenhanced
plot 'hanin_qq.tsv' skip 1 using 2:(column(1) == 8 ? column(3) : NaN) with points pt 7 ps 0.5 lc '#e6a100' title 'width 8: skewness -0.24, excess kurtosis -2.07 (15 nets)', \
     'hanin_qq.tsv' skip 1 using 2:(column(1) == 16 ? column(3) : NaN) with points pt 7 ps 0.5 lc '#c0392b' title 'width 16: skewness -0.10, excess kurtosis -1.75 (15 nets)', \
     x with lines lc '#000000' lw 1.5 dt (6,4) title 'Gaussian: z = quantile'
unset output
