# Scaling of shared-counter: throughput against workers
# Written by `bench plot` from docs/figures/claims-run.json.
# Data: scaling-shared-counter.dat (columns described in its header). Redraw: gnuplot scaling-shared-counter.gp
set terminal pngcairo size 900,520 font "sans,10" noenhanced
set output "scaling-shared-counter.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set title "Scaling of shared-counter: throughput against workers"
set xlabel "workers"
set ylabel "throughput (increments/s)"
set format y "%.0s%c"
set key outside right top vertical Left reverse
set xtics ("1" 1, "2" 2, "4" 4, "100" 100)
set logscale xy
set offsets graph 0.05, graph 0.05, 0, 0
plot \
  'scaling-shared-counter.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "thread sync=none", \
  '' index 0 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-shared-counter.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#1f77b4" title "thread sync=mutex", \
  '' index 1 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-shared-counter.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#d62728" title "gil sync=none", \
  '' index 2 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-shared-counter.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#d62728" title "gil sync=mutex", \
  '' index 3 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-shared-counter.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#2ca02c" title "coroutine sync=none", \
  '' index 4 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  'scaling-shared-counter.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#2ca02c" title "coroutine sync=mutex", \
  '' index 5 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  'scaling-shared-counter.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#ff7f0e" title "process sync=none", \
  '' index 6 using 1:5 with lines dt 2 lw 1 lc rgb "#ff7f0e" notitle, \
  'scaling-shared-counter.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#ff7f0e" title "process sync=mutex", \
  '' index 7 using 1:5 with lines dt 2 lw 1 lc rgb "#ff7f0e" notitle, \
  NaN with lines dt 2 lw 1 lc rgb "#444444" title "ideal: linear from the fewest workers"
unset output
