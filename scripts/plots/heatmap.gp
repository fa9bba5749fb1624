# Heat map of a patch series: rows the metrics that changed in some step,
# columns the patches, colour the change that patch made in percent of
# its predecessor's value (red: more per op, blue: less; white: within
# the A/A bound), each cell labelled as series.txt prints it.
# Called by `refbench series` as:
#   gnuplot -e "dir='...'; nrows=R; ncols=C" heatmap.gp
# Data: dir/heatmap.dat: patch row pct changed "metric" "cell"
if (!exists("dir")) dir = "."
if (!exists("nrows")) nrows = 10
if (!exists("ncols")) ncols = 3
dat = sprintf("%s/heatmap.dat", dir)
stats dat using 3 name "P" nooutput
m = abs(P_min) > abs(P_max) ? abs(P_min) : abs(P_max)
m = m > 0 ? m : 1
set cbrange [-m:m]
set palette defined (-1 "#2166ac", 0 "#ffffff", 1 "#b2182b")
set cblabel "% of the predecessor's value"
set rmargin 18
set xrange [0.5:ncols + 0.5]
set yrange [nrows - 0.5:-0.5]
set xtics 1 format "[%g]" scale 0
set ytics scale 0 font ",8"
set key off
set lmargin 48
set title "refbench series: what each patch changed, per op, over its predecessor"
h = 160 + 22 * nrows
wd = 640 + 90 * ncols
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size wd, h font ",9" noenhanced } else { set terminal svg size wd, h font ",9" noenhanced }
	set output sprintf("%s/heatmap.%s", dir, fmt)
	plot dat using 1:2:(0.5):(0.5):3:ytic(5) with boxxyerror fc palette fs solid 1.0 border lc rgb "#c0c0c0", \
	     dat using 1:2:6 with labels font ",8"
	set output
}
