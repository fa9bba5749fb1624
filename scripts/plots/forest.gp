# Forest plot: B/A with its 95% CI for every metric, the equivalence band
# (1 +- margin) shaded, each point coloured by its verdict.
# Called by `refbench compare` as: gnuplot -e "dir='...'; margin=0.02; nmetrics=N" forest.gp
# Data: dir/forest.dat: idx ratio lo hi verdict "label"
# verdict: 0 inconclusive (grey), 1 equivalent (green), 2 faster (blue), 3 slower (red)
if (!exists("dir")) dir = "."
if (!exists("margin")) margin = 0.02
if (!exists("nmetrics")) nmetrics = 10
h = 120 + 16 * nmetrics
# ranges come from the data, read before any axis is set
stats sprintf("%s/forest.dat", dir) using 3 name "LO" nooutput
stats sprintf("%s/forest.dat", dir) using 4 name "HI" nooutput
set ytics scale 0 font ",8"
set yrange [nmetrics:-1]
set xlabel "B/A (ratio of medians; < 1 is faster for times)"
set grid xtics
set key off
set title sprintf("refbench A/B: B/A with 95%% CI; band = equivalence margin +-%.1f%%", margin * 100)
set object 1 rect from 1 - margin, graph 0 to 1 + margin, graph 1 fc rgb "#d8f0d8" fs solid 1.0 noborder behind
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb "#606060" dt 2
set lmargin 52
# A log axis centred on 1, wide enough for the CIs but clipped at 4x
lo = LO_min < 1 - 3 * margin ? LO_min : 1 - 3 * margin
hi = HI_max > 1 + 3 * margin ? HI_max : 1 + 3 * margin
lo = lo < 0.25 ? 0.25 : lo
hi = hi > 4 ? 4 : hi
set xrange [lo:hi]
# close to 1: a linear axis with fine ticks; wider: a log axis
if (lo >= 0.75 && hi <= 1.33) {
	set xtics autofreq
	set format x "%.2f"
} else {
	set logscale x
	set xtics ("0.25" 0.25, "0.5" 0.5, "0.8" 0.8, "1" 1, "1.25" 1.25, "2" 2, "4" 4)
	set mxtics 10
}
colour(v) = v == 1 ? 0x2a9d2a : v == 2 ? 0x1f5fbf : v == 3 ? 0xd62728 : 0x808080
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1200, h font ",9" noenhanced } else { set terminal svg size 1200, h font ",9" noenhanced }
	set output sprintf("%s/forest.%s", dir, fmt)
	plot sprintf("%s/forest.dat", dir) using 2:1:3:4:(colour($5)):ytic(6) with xerrorbars lc rgb variable pt 7 ps 0.8
	set output
}
