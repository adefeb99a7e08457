# densenet_connections.gp: redraws densenet_connections.png and densenet_connections.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot densenet_connections.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'densenet_connections.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,3 title sprintf("%s\n%s", 'Gradient through each concatenated connection of densenet-bc-10-k4 after training', 'log10 ||dL/dy_s|| sent back by layer l alone, one training batch of synthetic') noenhanced
set xlabel 'source s (0: block input)'
set ylabel 'target layer l'
set palette defined (0 '#fff7c0', 0.25 '#fdd080', 0.5 '#f08040', 0.75 '#c02030', 1 '#400020')
unset key
set xrange [-0.5:1.5]
set yrange [2.5:0.5]
set cbrange [-2:-0]
set cblabel 'log10 gradient norm' noenhanced
set title 'dense block 1'
set xtics 1
set ytics ('1' 1, 'transition 1' 2)
plot 'connections.tsv' skip 1 using (column(1) == 1 ? column(3) : NaN):2:(0.5):(0.5):4 with boxxyerror fs solid 1.0 noborder lc palette
unset ylabel
set title 'dense block 2'
set xtics 1
set ytics ('1' 1, 'transition 2' 2)
plot 'connections.tsv' skip 1 using (column(1) == 2 ? column(3) : NaN):2:(0.5):(0.5):4 with boxxyerror fs solid 1.0 noborder lc palette
set title 'dense block 3'
set xtics 1
set ytics ('1' 1, 'classifier' 2)
plot 'connections.tsv' skip 1 using (column(1) == 3 ? column(3) : NaN):2:(0.5):(0.5):4 with boxxyerror fs solid 1.0 noborder lc palette
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'densenet_connections.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,3 title sprintf("%s\n%s", 'Gradient through each concatenated connection of densenet-bc-10-k4 after training', 'log10 ||dL/dy_s|| sent back by layer l alone, one training batch of synthetic') noenhanced
set xlabel 'source s (0: block input)'
set ylabel 'target layer l'
set palette defined (0 '#fff7c0', 0.25 '#fdd080', 0.5 '#f08040', 0.75 '#c02030', 1 '#400020')
unset key
set xrange [-0.5:1.5]
set yrange [2.5:0.5]
set cbrange [-2:-0]
set cblabel 'log10 gradient norm' noenhanced
set title 'dense block 1'
set xtics 1
set ytics ('1' 1, 'transition 1' 2)
plot 'connections.tsv' skip 1 using (column(1) == 1 ? column(3) : NaN):2:(0.5):(0.5):4 with boxxyerror fs solid 1.0 noborder lc palette
unset ylabel
set title 'dense block 2'
set xtics 1
set ytics ('1' 1, 'transition 2' 2)
plot 'connections.tsv' skip 1 using (column(1) == 2 ? column(3) : NaN):2:(0.5):(0.5):4 with boxxyerror fs solid 1.0 noborder lc palette
set title 'dense block 3'
set xtics 1
set ytics ('1' 1, 'classifier' 2)
plot 'connections.tsv' skip 1 using (column(1) == 3 ? column(3) : NaN):2:(0.5):(0.5):4 with boxxyerror fs solid 1.0 noborder lc palette
unset multiplot
unset output
