# densenet_reuse.gp: redraws densenet_reuse.png and densenet_reuse.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot densenet_reuse.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'densenet_reuse.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,3 title sprintf("%s\n%s", 'Feature reuse in densenet-bc-10-k4 after training (Huang et al. 2017, Fig. 5)', 'mean |weight| from layer s''s channels into layer l''s first convolution, over the block''s largest; synthetic, seed 1') noenhanced
set xlabel 'source s (0: block input)'
set ylabel 'target layer l'
set palette defined (0 '#fff7c0', 0.25 '#fdd080', 0.5 '#f08040', 0.75 '#c02030', 1 '#400020')
unset key
set xrange [-0.5:1.5]
set yrange [2.5:0.5]
set cbrange [0:1]
set cblabel 'mean |w| / the block''s largest' noenhanced
set title 'dense block 1'
set xtics 1
set ytics ('1' 1, 'transition 1' 2)
plot 'reuse.tsv' skip 1 using (column(1) == 1 ? column(3) : NaN):2:(0.5):(0.5):5 with boxxyerror fs solid 1.0 noborder lc palette
unset ylabel
set title 'dense block 2'
set xtics 1
set ytics ('1' 1, 'transition 2' 2)
plot 'reuse.tsv' skip 1 using (column(1) == 2 ? column(3) : NaN):2:(0.5):(0.5):5 with boxxyerror fs solid 1.0 noborder lc palette
set title 'dense block 3'
set xtics 1
set ytics ('1' 1, 'classifier' 2)
plot 'reuse.tsv' skip 1 using (column(1) == 3 ? column(3) : NaN):2:(0.5):(0.5):5 with boxxyerror fs solid 1.0 noborder lc palette
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'densenet_reuse.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 1,3 title sprintf("%s\n%s", 'Feature reuse in densenet-bc-10-k4 after training (Huang et al. 2017, Fig. 5)', 'mean |weight| from layer s''s channels into layer l''s first convolution, over the block''s largest; synthetic, seed 1') noenhanced
set xlabel 'source s (0: block input)'
set ylabel 'target layer l'
set palette defined (0 '#fff7c0', 0.25 '#fdd080', 0.5 '#f08040', 0.75 '#c02030', 1 '#400020')
unset key
set xrange [-0.5:1.5]
set yrange [2.5:0.5]
set cbrange [0:1]
set cblabel 'mean |w| / the block''s largest' noenhanced
set title 'dense block 1'
set xtics 1
set ytics ('1' 1, 'transition 1' 2)
plot 'reuse.tsv' skip 1 using (column(1) == 1 ? column(3) : NaN):2:(0.5):(0.5):5 with boxxyerror fs solid 1.0 noborder lc palette
unset ylabel
set title 'dense block 2'
set xtics 1
set ytics ('1' 1, 'transition 2' 2)
plot 'reuse.tsv' skip 1 using (column(1) == 2 ? column(3) : NaN):2:(0.5):(0.5):5 with boxxyerror fs solid 1.0 noborder lc palette
set title 'dense block 3'
set xtics 1
set ytics ('1' 1, 'classifier' 2)
plot 'reuse.tsv' skip 1 using (column(1) == 3 ? column(3) : NaN):2:(0.5):(0.5):5 with boxxyerror fs solid 1.0 noborder lc palette
unset multiplot
unset output
