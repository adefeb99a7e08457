# landscape_3d.gp: redraws landscape_3d.png and landscape_3d.svg from this folder's TSV files.
# Run it inside the run folder: gnuplot landscape_3d.gp
reset
set terminal pngcairo size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4
set output 'landscape_3d.png'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Loss surface around the trained weights, 3-D (log10 loss)', 'synthetic: losses over 512 of the 512 training images; filter-normalized directions; batch norm in evaluation mode') noenhanced
set cbrange [0:2]
set cblabel 'log_{10} loss'
set xlabel 'direction 1'
set ylabel 'direction 2'
unset key
set view 55,35
set pm3d at s
set zrange [0:2]
set zlabel 'log_{10} loss' rotate
set xyplane 0
set title 'plain-4' noenhanced
splot 'surface-plain-4.tsv' using 1:2:(log10($3)) with pm3d notitle
set title 'resnet-4' noenhanced
splot 'surface-resnet-4.tsv' using 1:2:(log10($3)) with pm3d notitle
set title 'plain-6' noenhanced
splot 'surface-plain-6.tsv' using 1:2:(log10($3)) with pm3d notitle
set title 'resnet-6' noenhanced
splot 'surface-resnet-6.tsv' using 1:2:(log10($3)) with pm3d notitle
unset multiplot
unset output
reset
set terminal svg size 1200,760 enhanced font 'DejaVu Sans,12' linewidth 1.4 background '#ffffff'
set output 'landscape_3d.svg'
set datafile separator "\t"
set datafile missing 'nan'
set multiplot layout 2,2 title sprintf("%s\n%s", 'Loss surface around the trained weights, 3-D (log10 loss)', 'synthetic: losses over 512 of the 512 training images; filter-normalized directions; batch norm in evaluation mode') noenhanced
set cbrange [0:2]
set cblabel 'log_{10} loss'
set xlabel 'direction 1'
set ylabel 'direction 2'
unset key
set view 55,35
set pm3d at s
set zrange [0:2]
set zlabel 'log_{10} loss' rotate
set xyplane 0
set title 'plain-4' noenhanced
splot 'surface-plain-4.tsv' using 1:2:(log10($3)) with pm3d notitle
set title 'resnet-4' noenhanced
splot 'surface-resnet-4.tsv' using 1:2:(log10($3)) with pm3d notitle
set title 'plain-6' noenhanced
splot 'surface-plain-6.tsv' using 1:2:(log10($3)) with pm3d notitle
set title 'resnet-6' noenhanced
splot 'surface-resnet-6.tsv' using 1:2:(log10($3)) with pm3d notitle
unset multiplot
unset output
