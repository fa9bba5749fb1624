# Distributions of A against B for every metric, each scaled to its A
# median (so every metric shares one axis): A left (grey), B right (orange).
# Called by `refbench compare` like forest.gp:
#   gnuplot -e "dir='...'; tag='-CASE' or ''; what='...'; margin=0.02; nmetrics=N" dist.gp
# Data: dir/dist<tag>.dat: idx arm value/median(A); labels from dir/forest<tag>.dat
if (!exists("dir")) dir = "."
if (!exists("tag")) tag = ""
if (!exists("what")) what = "all metrics"
if (!exists("margin")) margin = 0.02
if (!exists("nmetrics")) nmetrics = 10
dat = sprintf("%s/dist%s.dat", dir, tag)
h = 120 + 16 * nmetrics
# ranges come from the data, read before any axis is set
stats dat using 3 name "V" nooutput
set yrange [nmetrics:-1]
set ytics scale 0 font ",8"
lo = V_min < 0.9 ? V_min : 0.9
hi = V_max > 1.1 ? V_max : 1.1
set xrange [(lo < 0.25 ? 0.25 : lo):(hi > 4 ? 4 : hi)]
set logscale x
set xtics ("0.25" 0.25, "0.5" 0.5, "0.8" 0.8, "1" 1, "1.25" 1.25, "2" 2, "4" 4)
set xlabel "sample / median(A), log scale"
set grid xtics
set key top right
set title sprintf("refbench A/B, %s: every sample, scaled to the A median (A grey, B orange)", what)
set object 1 rect from 1 - margin, graph 0 to 1 + margin, graph 1 fc rgb "#eeeeee" fs solid 1.0 noborder behind
set lmargin 52
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1200, h font ",9" noenhanced } else { set terminal svg size 1200, h font ",9" noenhanced }
	set output sprintf("%s/dist%s.%s", dir, tag, fmt)
	plot sprintf("%s/forest%s.dat", dir, tag) using (NaN):1:ytic(6) notitle, \
	     dat using 3:($2 == 0 ? $1 - 0.15 : NaN) with points pt 7 ps 0.4 lc rgb "#707070" title "A", \
	     dat using 3:($2 == 1 ? $1 + 0.15 : NaN) with points pt 7 ps 0.4 lc rgb "#ff7f0e" title "B"
	set output
}
