# Scaling of sleep-io: throughput against workers
# Written by `bench plot` from docs/figures/claims-run.json.
# Data: scaling-sleep-io.dat (columns described in its header). Redraw: gnuplot scaling-sleep-io.gp
set terminal pngcairo size 900,520 font "sans,10" noenhanced
set output "scaling-sleep-io.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set title "Scaling of sleep-io: throughput against workers"
set xlabel "workers"
set ylabel "throughput (waits/s)"
set format y "%.0s%c"
set key outside right top vertical Left reverse
set xtics ("1" 1, "2" 2, "4" 4, "100" 100)
set logscale xy
set offsets graph 0.05, graph 0.05, 0, 0
plot \
  'scaling-sleep-io.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "thread limit=0 spinners=0", \
  '' index 0 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-sleep-io.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#1f77b4" title "thread limit=2 spinners=0", \
  '' index 1 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-sleep-io.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 9 lc rgb "#1f77b4" title "thread limit=0 spinners=1", \
  '' index 2 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-sleep-io.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 13 lc rgb "#1f77b4" title "thread limit=2 spinners=1", \
  '' index 3 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-sleep-io.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#d62728" title "gil limit=0 spinners=0", \
  '' index 4 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-sleep-io.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#d62728" title "gil limit=2 spinners=0", \
  '' index 5 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-sleep-io.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 pt 9 lc rgb "#d62728" title "gil limit=0 spinners=1", \
  '' index 6 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-sleep-io.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 pt 13 lc rgb "#d62728" title "gil limit=2 spinners=1", \
  '' index 7 using 1:5 with lines dt 2 lw 1 lc rgb "#d62728" notitle, \
  'scaling-sleep-io.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#2ca02c" title "coroutine limit=0 spinners=0", \
  '' index 8 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  'scaling-sleep-io.dat' index 9 using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb "#2ca02c" title "coroutine limit=2 spinners=0", \
  '' index 9 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  'scaling-sleep-io.dat' index 10 using 1:2:3:4 with yerrorlines lw 2 pt 9 lc rgb "#2ca02c" title "coroutine limit=0 spinners=1", \
  '' index 10 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  'scaling-sleep-io.dat' index 11 using 1:2:3:4 with yerrorlines lw 2 pt 13 lc rgb "#2ca02c" title "coroutine limit=2 spinners=1", \
  '' index 11 using 1:5 with lines dt 2 lw 1 lc rgb "#2ca02c" notitle, \
  NaN with lines dt 2 lw 1 lc rgb "#444444" title "ideal: linear from the fewest workers"
unset output
