# CPU utilization of a CPU-bound loop (cpu-spin), by model
# Written by bench plot from docs/figures/claims-run.json.
# Data: cpu-util.dat (columns described in its header). Redraw: gnuplot cpu-util.gp
set terminal pngcairo size 900,480 font "sans,10" noenhanced
set output "cpu-util.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror

set title "CPU utilization of a CPU-bound loop (cpu-spin), by model"
set xlabel offset 0,0 "model (driver)"
set ylabel "CPU used (cores)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.3800 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:3.6]
unset logscale y
set format y "%g"
set offsets 0,0,0,0
set yrange [0:2.36]
set xtics norotate center ("thread" 0, "gil" 1, "coroutine" 2, "process" 3)
plot \
  'cpu-util.dat' index 0 using 1:3:(0.3800) with boxes lc rgb "#4c72b0" title "1 worker", \
  '' index 0 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 0 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.2f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'cpu-util.dat' index 1 using 1:3:(0.3800) with boxes lc rgb "#dd8452" title "2 workers", \
  '' index 1 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 1 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.2f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  2 with lines dt 2 lw 2 lc rgb "#444444" title "CPUs available (2)"
unset output
