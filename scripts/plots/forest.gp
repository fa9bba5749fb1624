# Forest plot: B/A with its interval for every metric, the equivalence
# band (1 +- margin) shaded, each point coloured by its verdict.
# Called by `refbench compare`, once for all metrics (largest effect
# first) and once per case, as:
#   gnuplot -e "dir='...'; tag='-CASE' or ''; what='...'; margin=0.02; nmetrics=N" forest.gp
# Data: dir/forest<tag>.dat: idx ratio lo hi verdict "label"
# verdict: 0 inconclusive (grey), 1 equivalent (green), 2 faster (blue),
# 3 slower (red), 4 faster within the margin (light blue), 5 slower
# within the margin (orange)
if (!exists("dir")) dir = "."
if (!exists("tag")) tag = ""
if (!exists("what")) what = "all metrics"
if (!exists("margin")) margin = 0.02
if (!exists("nmetrics")) nmetrics = 10
dat = sprintf("%s/forest%s.dat", dir, tag)
h = 140 + 16 * nmetrics
# ranges come from the data, read before any axis is set
stats dat using 3 name "LO" nooutput
stats dat using 4 name "HI" nooutput
set ytics scale 0 font ",8"
set yrange [nmetrics:-1]
set xlabel "B/A (ratio of medians; < 1 is faster for times)"
set grid xtics
set key off
set title sprintf("refbench A/B, %s: B/A with its interval; band = margin +-%g%%\nred SLOWER, orange slower within the margin, blue/light blue faster, green equivalent, grey inconclusive", what, margin * 100)
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
colour(v) = v == 1 ? 0x2a9d2a : v == 2 ? 0x1f5fbf : v == 3 ? 0xd62728 : v == 4 ? 0x7fb2e5 : v == 5 ? 0xff9f40 : 0x808080
do for [fmt in "png svg"] {
	if (fmt eq "png") { set terminal pngcairo size 1200, h font ",9" noenhanced } else { set terminal svg size 1200, h font ",9" noenhanced }
	set output sprintf("%s/forest%s.%s", dir, tag, fmt)
	plot dat using 2:1:3:4:(colour($5)):ytic(6) with xerrorbars lc rgb variable pt 7 ps 0.8
	set output
}
