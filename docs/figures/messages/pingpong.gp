# pingpong: the cost of one hand-off (on one PU a switch; across PUs a wake-up)
# Written by bench plot from docs/figures/messages/messages-run.json.
# Data: pingpong.dat (columns described in its header). Redraw: gnuplot pingpong.gp
set terminal pngcairo size 900,480 font "sans,10" noenhanced
set output "pingpong.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror

set title "pingpong: the cost of one hand-off (on one PU a switch; across PUs a wake-up)"
set xlabel offset 0,0 "setup (pin: where the two workers run)"
set ylabel "time per one-way handoff (ns)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1520 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:0.6]
set logscale y
set offsets 0,0,0,0
set format y "%.0s%c"
set yrange [13.3474:81033.3]
set xtics norotate center ("all cells" 0)
plot \
  'pingpong.dat' index 0 using 1:3:(0.1520) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 0 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 0 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'pingpong.dat' index 1 using 1:3:(0.1520) with boxes lc rgb "#d62728" title "gil", \
  '' index 1 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 1 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'pingpong.dat' index 2 using 1:3:(0.1520) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 2 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 2 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'pingpong.dat' index 3 using 1:3:(0.1520) with boxes lc rgb "#17becf" title "mpi", \
  '' index 3 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 3 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'pingpong.dat' index 4 using 1:3:(0.1520) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 4 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 4 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle
unset output
