# responses.gp: redraws responses.png and responses.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot responses.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'responses.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,1 title sprintf("%s\n%s", 'Standard deviation of every 3x3 layer''s response (after BN, before the addition and the ReLU; as He et al. 2016, Fig. 7)', 'synthetic, 64 test images, evaluation mode; mean over the seeds in the min-max band') noenhanced
set grid xtics ytics mytics lc '#dddddd'
set key outside right top Left reverse noenhanced
set ylabel 'std of the response (log scale)'
set logscale y
set format y '%g'
set xlabel 'layer index (forward order)'
set title 'layer order'
plot 'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):8:9 with filledcurves fc '#fdae6b' fs transparent solid 0.2 noborder notitle, \
     'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):6 with linespoints lc '#fdae6b' lw 2 pt 5 ps 0.5 dt 2 title 'cnn-plain-8', \
     'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):8:9 with filledcurves fc '#6baed6' fs transparent solid 0.2 noborder notitle, \
     'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):6 with linespoints lc '#6baed6' lw 2 pt 7 ps 0.5 dt 1 title 'cnn-resnet-8'
set xlabel 'layer index (sorted by magnitude)'
set title 'sorted by magnitude'
plot 'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):8:9 with filledcurves fc '#fdae6b' fs transparent solid 0.2 noborder notitle, \
     'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):6 with linespoints lc '#fdae6b' lw 2 pt 5 ps 0.5 dt 2 title 'cnn-plain-8', \
     'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):8:9 with filledcurves fc '#6baed6' fs transparent solid 0.2 noborder notitle, \
     'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):6 with linespoints lc '#6baed6' lw 2 pt 7 ps 0.5 dt 1 title 'cnn-resnet-8'
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'responses.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,1 title sprintf("%s\n%s", 'Standard deviation of every 3x3 layer''s response (after BN, before the addition and the ReLU; as He et al. 2016, Fig. 7)', 'synthetic, 64 test images, evaluation mode; mean over the seeds in the min-max band') noenhanced
set grid xtics ytics mytics lc '#dddddd'
set key outside right top Left reverse noenhanced
set ylabel 'std of the response (log scale)'
set logscale y
set format y '%g'
set xlabel 'layer index (forward order)'
set title 'layer order'
plot 'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):8:9 with filledcurves fc '#fdae6b' fs transparent solid 0.2 noborder notitle, \
     'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):6 with linespoints lc '#fdae6b' lw 2 pt 5 ps 0.5 dt 2 title 'cnn-plain-8', \
     'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):8:9 with filledcurves fc '#6baed6' fs transparent solid 0.2 noborder notitle, \
     'responses_mean.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):6 with linespoints lc '#6baed6' lw 2 pt 7 ps 0.5 dt 1 title 'cnn-resnet-8'
set xlabel 'layer index (sorted by magnitude)'
set title 'sorted by magnitude'
plot 'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):8:9 with filledcurves fc '#fdae6b' fs transparent solid 0.2 noborder notitle, \
     'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-plain-8' ? $4 : NaN):6 with linespoints lc '#fdae6b' lw 2 pt 5 ps 0.5 dt 2 title 'cnn-plain-8', \
     'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):8:9 with filledcurves fc '#6baed6' fs transparent solid 0.2 noborder notitle, \
     'responses_sorted.tsv' skip 1 using (strcol(1) eq 'cnn-resnet-8' ? $4 : NaN):6 with linespoints lc '#6baed6' lw 2 pt 7 ps 0.5 dt 1 title 'cnn-resnet-8'
unset multiplot
unset output
