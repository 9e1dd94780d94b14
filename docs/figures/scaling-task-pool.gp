# Scaling of task-pool: throughput against workers
# Written by bench plot from docs/figures/claims-run.json.
# Data: scaling-task-pool.dat (columns described in its header). Redraw: gnuplot scaling-task-pool.gp
set terminal pngcairo size 900,520 font "sans,10" noenhanced
set output "scaling-task-pool.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set title "Scaling of task-pool: throughput against workers"
set xlabel "workers (of them 1 not in the pool: the pool is the rest)"
set ylabel "throughput (tasks/s)"
set format y "%.1s%c"
set key outside right top vertical Left reverse
set xtics ("2" 2, "3" 3)
set xrange [1.7:3.3]
set yrange [0:*]
plot \
  'scaling-task-pool.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "thread", \
  '' index 0 using 1:5 with lines dt 2 lw 1 lc rgb "#1f77b4" notitle, \
  'scaling-task-pool.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#ff7f0e" title "process", \
  '' index 1 using 1:5 with lines dt 2 lw 1 lc rgb "#ff7f0e" notitle, \
  NaN with lines dt 2 lw 1 lc rgb "#444444" title "ideal: linear from the fewest workers"
unset output
