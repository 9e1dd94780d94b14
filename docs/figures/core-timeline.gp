# Per-CPU utilization over time (cpu-spin)
# Written by bench plot from docs/figures/claims-run.json.
# Data: core-timeline.dat (columns described in its header). Redraw: gnuplot core-timeline.gp
set terminal pngcairo size 820,1060 font "sans,10" noenhanced
set output "core-timeline.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set multiplot layout 4,2 title "Per-CPU utilization over time (cpu-spin)"
set yrange [0:105]
set ylabel "CPU busy (%)"
set xlabel "time (s)"
set key outside right top vertical
set style data linespoints
set xrange [0:0.2]
set xtics 0,0.05
set title "thread, 1 worker on CPU 0: 0.99 cores\n(all CPUs: 1.00 busy)"
plot 'core-timeline.dat' index 0 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 0 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 0 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 0 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "thread, 2 workers on CPU 0,1: 1.98 cores\n(all CPUs: 2.00 busy)"
plot 'core-timeline.dat' index 1 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 1 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 1 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 1 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "gil, 1 worker on CPU 0: 0.99 cores\n(all CPUs: 1.00 busy)"
plot 'core-timeline.dat' index 2 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 2 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 2 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 2 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "gil, 2 workers on CPU 0,1: 1.00 cores\n(all CPUs: 1.00 busy)"
plot 'core-timeline.dat' index 3 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 3 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 3 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 3 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "coroutine, 1 worker on CPU 0: 0.99 cores\n(all CPUs: 1.00 busy)"
plot 'core-timeline.dat' index 4 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 4 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 4 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 4 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "coroutine, 2 workers on CPU 0: 0.99 cores\n(all CPUs: 1.00 busy)"
plot 'core-timeline.dat' index 5 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 5 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 5 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 5 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "process, 1 worker on CPU 0: 0.99 cores\n(all CPUs: 1.00 busy)"
plot 'core-timeline.dat' index 6 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 6 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 6 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 6 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
set title "process, 2 workers on CPU 0,1: 1.98 cores\n(all CPUs: 2.00 busy)"
plot 'core-timeline.dat' index 7 using 1:2 lw 2 pt 7 ps 0.5 lc rgb "#4c72b0" title "CPU 0", '' index 7 using 1:4 with lines dt 2 lw 2 lc rgb "#4c72b0" title "workers on 0", 'core-timeline.dat' index 7 using 1:3 lw 2 pt 7 ps 0.5 lc rgb "#dd8452" title "CPU 1", '' index 7 using 1:5 with lines dt 2 lw 2 lc rgb "#dd8452" title "workers on 1"
unset multiplot
unset output
