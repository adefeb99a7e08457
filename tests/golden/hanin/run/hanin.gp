# hanin.gp: redraws hanin.png and hanin.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot hanin.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'hanin.png'
set datafile separator "\t"
set datafile missing 'nan'
set samples 500
set multiplot layout 1,2 title sprintf("%s\n%s", 'Hanin: the spread of ln ||dL/dx_0||^2 over 5 initializations grows with sum 1/width', 'plain ReLU, He init, no norm, batch 1, L = logit 0; weighted fit through the origin: Var = 13.21 (+-1.90) beta') noenhanced
set xlabel 'beta = sum of 1/width over the ReLU layers  ((depth - 2) / width)' noenhanced
set ylabel 'variance over seeds of ln ||dL/dx_0||^2' noenhanced
set xrange [0:0.7875]
set yrange [0:28.1052]
set grid xtics ytics lc '#dddddd'
set key top left Left reverse samplen 3 spacing 1.1 opaque box lc '#cccccc' font ',10'
set title 'linear axes'
plot 'hanin.tsv' skip 1 using 3:(column(2) == 8 ? column(8) : NaN):10 with yerrorbars lc '#e6a100' pt 7 ps 1.0 lw 1.5 title 'width 8', \
     'hanin.tsv' skip 1 using 3:(column(2) == 16 ? column(8) : NaN):10 with yerrorbars lc '#c0392b' pt 7 ps 1.0 lw 1.5 title 'width 16', \
     13.209477412711799 * x with lines lc '#000000' lw 2 title 'weighted fit through the origin', \
     (x <= 0.76500000000000001 ? 0.28382295573711525 + 9.9759130221332679 * x : NaN) with lines lc '#e6a100' lw 1.5 dt (6,4) title 'predicted, per width (per-layer count)', \
     (x <= 0.38250000000000001 ? 0.13313701469403144 + 6.7134943057084726 * x : NaN) with lines lc '#c0392b' lw 1.5 dt (6,4) notitle
set title 'log-log axes (a slope of 1 is Var proportional to beta)'
set logscale xy
unset key
set format x '%g'
set format y '%g'
unset ylabel
set xrange [0.0833333:1.125]
set yrange [0.364804:38.3253]
plot 'hanin.tsv' skip 1 using 3:(column(2) == 8 ? column(8) : NaN):10 with yerrorbars lc '#e6a100' pt 7 ps 1.0 lw 1.5 notitle, \
     'hanin.tsv' skip 1 using 3:(column(2) == 16 ? column(8) : NaN):10 with yerrorbars lc '#c0392b' pt 7 ps 1.0 lw 1.5 notitle, \
     13.209477412711799 * x with lines lc '#000000' lw 2 notitle, \
     (x <= 0.76500000000000001 ? 0.28382295573711525 + 9.9759130221332679 * x : NaN) with lines lc '#e6a100' lw 1.5 dt (6,4) notitle, \
     (x <= 0.38250000000000001 ? 0.13313701469403144 + 6.7134943057084726 * x : NaN) with lines lc '#c0392b' lw 1.5 dt (6,4) notitle
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'hanin.svg'
set datafile separator "\t"
set datafile missing 'nan'
set samples 500
set multiplot layout 1,2 title sprintf("%s\n%s", 'Hanin: the spread of ln ||dL/dx_0||^2 over 5 initializations grows with sum 1/width', 'plain ReLU, He init, no norm, batch 1, L = logit 0; weighted fit through the origin: Var = 13.21 (+-1.90) beta') noenhanced
set xlabel 'beta = sum of 1/width over the ReLU layers  ((depth - 2) / width)' noenhanced
set ylabel 'variance over seeds of ln ||dL/dx_0||^2' noenhanced
set xrange [0:0.7875]
set yrange [0:28.1052]
set grid xtics ytics lc '#dddddd'
set key top left Left reverse samplen 3 spacing 1.1 opaque box lc '#cccccc' font ',10'
set title 'linear axes'
plot 'hanin.tsv' skip 1 using 3:(column(2) == 8 ? column(8) : NaN):10 with yerrorbars lc '#e6a100' pt 7 ps 1.0 lw 1.5 title 'width 8', \
     'hanin.tsv' skip 1 using 3:(column(2) == 16 ? column(8) : NaN):10 with yerrorbars lc '#c0392b' pt 7 ps 1.0 lw 1.5 title 'width 16', \
     13.209477412711799 * x with lines lc '#000000' lw 2 title 'weighted fit through the origin', \
     (x <= 0.76500000000000001 ? 0.28382295573711525 + 9.9759130221332679 * x : NaN) with lines lc '#e6a100' lw 1.5 dt (6,4) title 'predicted, per width (per-layer count)', \
     (x <= 0.38250000000000001 ? 0.13313701469403144 + 6.7134943057084726 * x : NaN) with lines lc '#c0392b' lw 1.5 dt (6,4) notitle
set title 'log-log axes (a slope of 1 is Var proportional to beta)'
set logscale xy
unset key
set format x '%g'
set format y '%g'
unset ylabel
set xrange [0.0833333:1.125]
set yrange [0.364804:38.3253]
plot 'hanin.tsv' skip 1 using 3:(column(2) == 8 ? column(8) : NaN):10 with yerrorbars lc '#e6a100' pt 7 ps 1.0 lw 1.5 notitle, \
     'hanin.tsv' skip 1 using 3:(column(2) == 16 ? column(8) : NaN):10 with yerrorbars lc '#c0392b' pt 7 ps 1.0 lw 1.5 notitle, \
     13.209477412711799 * x with lines lc '#000000' lw 2 notitle, \
     (x <= 0.76500000000000001 ? 0.28382295573711525 + 9.9759130221332679 * x : NaN) with lines lc '#e6a100' lw 1.5 dt (6,4) notitle, \
     (x <= 0.38250000000000001 ? 0.13313701469403144 + 6.7134943057084726 * x : NaN) with lines lc '#c0392b' lw 1.5 dt (6,4) notitle
unset multiplot
unset output
