# paths.gp: redraws paths.png and paths.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot paths.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'paths.png'
set datafile separator "\t"
set multiplot layout 1,2 title 'Paths of a residual network with 12 blocks: 2^12 paths, length k ~ Binomial(12, 1/2)' noenhanced
set xrange [-0.5:12.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set grid xtics ytics lc '#dddddd'
set style fill solid 0.5
set key top left Left reverse samplen 2
set offsets 0, 0, graph 0.3, 0
set object 1 rect from 2.5, graph 0 to 9.5, graph 1 fc '#d6eaf8' fs solid 1.0 noborder behind
set title '(a) share of the paths per length'
set ylabel 'fraction of all paths'
set yrange [0:*]
set format y '%g'
plot NaN with boxes fs solid 1.0 noborder fc '#d6eaf8' title '95% of the paths: k = 3..9', \
     'paths.tsv' skip 1 using 1:4 with boxes fs solid 0.5 noborder lc '#5d6d7e' title 'fraction of paths, Binomial(12, 1/2)'
unset object 1
set offsets 0, 0, 0, 0
set key bottom center
set xrange [-0.5:12.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set title '(b) number of paths per length (log scale)'
set ylabel 'C(B, k)'
set yrange [-0.05:3.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'paths.tsv' skip 1 using 1:3 with linespoints lw 2 pt 7 ps 0.5 lc '#5d6d7e' title 'number of paths C(12, k)'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'paths.svg'
set datafile separator "\t"
set multiplot layout 1,2 title 'Paths of a residual network with 12 blocks: 2^12 paths, length k ~ Binomial(12, 1/2)' noenhanced
set xrange [-0.5:12.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set grid xtics ytics lc '#dddddd'
set style fill solid 0.5
set key top left Left reverse samplen 2
set offsets 0, 0, graph 0.3, 0
set object 1 rect from 2.5, graph 0 to 9.5, graph 1 fc '#d6eaf8' fs solid 1.0 noborder behind
set title '(a) share of the paths per length'
set ylabel 'fraction of all paths'
set yrange [0:*]
set format y '%g'
plot NaN with boxes fs solid 1.0 noborder fc '#d6eaf8' title '95% of the paths: k = 3..9', \
     'paths.tsv' skip 1 using 1:4 with boxes fs solid 0.5 noborder lc '#5d6d7e' title 'fraction of paths, Binomial(12, 1/2)'
unset object 1
set offsets 0, 0, 0, 0
set key bottom center
set xrange [-0.5:12.5]
set xlabel 'path length k (branches taken)'
set xtics 1
set title '(b) number of paths per length (log scale)'
set ylabel 'C(B, k)'
set yrange [-0.05:3.05]
set ytics 1
set format y "10^{%g}"
set mytics 10
plot 'paths.tsv' skip 1 using 1:3 with linespoints lw 2 pt 7 ps 0.5 lc '#5d6d7e' title 'number of paths C(12, k)'
unset multiplot
unset output
