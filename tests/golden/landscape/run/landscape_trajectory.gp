# landscape_trajectory.gp: redraws landscape_trajectory.png and landscape_trajectory.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot landscape_trajectory.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'landscape_trajectory.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Training trajectory on its first two principal directions', 'synthetic: the parameter snapshots of training, on the principal directions of theta_t - theta_T') noenhanced
unset key
set label 1 'triangle: the start; star: the end' at graph 0.02, graph 0.05 front
set title 'plain-4: 99.6% + 0.3% of the variance' noenhanced
set xlabel '1st PCA direction (99.6%)'
set ylabel '2nd PCA direction (0.3%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'plain-4' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#d62728', '' skip 1 using (strcol(1) eq 'plain-4' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'plain-4' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
set title 'resnet-4: 99.7% + 0.3% of the variance' noenhanced
set xlabel '1st PCA direction (99.7%)'
set ylabel '2nd PCA direction (0.3%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'resnet-4' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#1f77b4', '' skip 1 using (strcol(1) eq 'resnet-4' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'resnet-4' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
set title 'plain-6: 99.4% + 0.6% of the variance' noenhanced
set xlabel '1st PCA direction (99.4%)'
set ylabel '2nd PCA direction (0.6%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'plain-6' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#d62728', '' skip 1 using (strcol(1) eq 'plain-6' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'plain-6' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
set title 'resnet-6: 99.6% + 0.4% of the variance' noenhanced
set xlabel '1st PCA direction (99.6%)'
set ylabel '2nd PCA direction (0.4%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'resnet-6' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#1f77b4', '' skip 1 using (strcol(1) eq 'resnet-6' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'resnet-6' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'landscape_trajectory.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Training trajectory on its first two principal directions', 'synthetic: the parameter snapshots of training, on the principal directions of theta_t - theta_T') noenhanced
unset key
set label 1 'triangle: the start; star: the end' at graph 0.02, graph 0.05 front
set title 'plain-4: 99.6% + 0.3% of the variance' noenhanced
set xlabel '1st PCA direction (99.6%)'
set ylabel '2nd PCA direction (0.3%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'plain-4' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#d62728', '' skip 1 using (strcol(1) eq 'plain-4' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'plain-4' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
set title 'resnet-4: 99.7% + 0.3% of the variance' noenhanced
set xlabel '1st PCA direction (99.7%)'
set ylabel '2nd PCA direction (0.3%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'resnet-4' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#1f77b4', '' skip 1 using (strcol(1) eq 'resnet-4' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'resnet-4' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
set title 'plain-6: 99.4% + 0.6% of the variance' noenhanced
set xlabel '1st PCA direction (99.4%)'
set ylabel '2nd PCA direction (0.6%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'plain-6' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#d62728', '' skip 1 using (strcol(1) eq 'plain-6' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'plain-6' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
set title 'resnet-6: 99.6% + 0.4% of the variance' noenhanced
set xlabel '1st PCA direction (99.6%)'
set ylabel '2nd PCA direction (0.4%)'
plot 'trajectory.tsv' skip 1 using (strcol(1) eq 'resnet-6' ? 1 * column(5) : NaN):6 with linespoints pt 7 ps 0.6 lw 1.5 lc '#1f77b4', '' skip 1 using (strcol(1) eq 'resnet-6' && column(4) == 0 ? $5 : NaN):6 with points pt 9 ps 2 lc 'black', '' skip 1 using (strcol(1) eq 'resnet-6' && $5 == 0 && $6 == 0 ? 0 : NaN):(0) with points pt 3 ps 3 lc 'black'
unset multiplot
unset output
