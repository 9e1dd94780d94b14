# Scaling of cpu-spin: throughput against workers
# Written by bench plot from docs/figures/claims-run.json.
# Data: scaling-cpu-spin.dat (columns described in its header). Redraw: gnuplot scaling-cpu-spin.gp
set terminal pngcairo size 900,520 font "sans,10" noenhanced
set output "scaling-cpu-spin.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set title "Scaling of cpu-spin: throughput against workers"
set xlabel "workers"
set ylabel "throughput (spin units/s)"
set format y "%.1s%c"
set key outside right top vertical Left reverse
set xtics ("1" 1, "2" 2)
set xrange [0.7:2.3]
set yrange [0:*]
plot \
  'scaling-cpu-spin.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "thread", \
  '' index 0 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-cpu-spin.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#d62728" title "gil", \
  '' index 1 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-cpu-spin.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#2ca02c" title "coroutine", \
  '' index 2 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  'scaling-cpu-spin.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#ff7f0e" title "process", \
  '' index 3 using 1:5 with lines dt 2 lw 1 lc rgb "#ff7f0e" notitle, \
  NaN with lines dt 2 lw 1 lc rgb "#444444" title "ideal: linear from the fewest workers"
unset output
