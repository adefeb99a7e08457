# ratio.gp: redraws ratio.png and ratio.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot ratio.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'ratio.png'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'The branch against the stream: ||F(x_l)|| / ||x_l|| per residual unit', 'synthetic, 64 test images, evaluation mode; mean over the seeds in the min-max band') noenhanced
set grid xtics ytics lc '#dddddd'
set key top right Left reverse noenhanced
set xlabel 'residual unit l (stages of n units; units n+1 and 2n+1 downsample)'
set ylabel '||F(x_l)|| / ||x_l||, mean over the images' noenhanced
set yrange [0:*]
plot 'ratio_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $3 : NaN):9:10 with filledcurves fc '#6baed6' fs transparent solid 0.2 noborder notitle, \
     'ratio_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $3 : NaN):7 with linespoints lc '#6baed6' lw 2 pt 7 ps 0.5 dt 1 title 'cnn-resnet-8', \
     1 with lines lc '#777777' dt 3 title 'F as large as x_l'
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'ratio.svg'
set datafile separator "\t"
set datafile missing 'nan'
set title sprintf("%s\n%s", 'The branch against the stream: ||F(x_l)|| / ||x_l|| per residual unit', 'synthetic, 64 test images, evaluation mode; mean over the seeds in the min-max band') noenhanced
set grid xtics ytics lc '#dddddd'
set key top right Left reverse noenhanced
set xlabel 'residual unit l (stages of n units; units n+1 and 2n+1 downsample)'
set ylabel '||F(x_l)|| / ||x_l||, mean over the images' noenhanced
set yrange [0:*]
plot 'ratio_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $3 : NaN):9:10 with filledcurves fc '#6baed6' fs transparent solid 0.2 noborder notitle, \
     'ratio_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $3 : NaN):7 with linespoints lc '#6baed6' lw 2 pt 7 ps 0.5 dt 1 title 'cnn-resnet-8', \
     1 with lines lc '#777777' dt 3 title 'F as large as x_l'
unset output
