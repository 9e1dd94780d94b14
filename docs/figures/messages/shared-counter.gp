# shared-counter: the price of each fix, and lost updates
# Written by bench plot from docs/figures/messages/messages-run.json.
# Data: shared-counter.dat (columns described in its header). Redraw: gnuplot shared-counter.gp
set terminal pngcairo size 1000,720 font "sans,10" noenhanced
set output "shared-counter.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set multiplot layout 2,1

set title "Increments per second by synchronisation mode"
set xlabel offset 0,0 "sync mode"
set ylabel "increments/s (all workers)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1520 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:2.6]
set logscale y
set offsets 0,0,0,0
set format y "%.0s%c"
set yrange [1.48631e+06:7.3197e+08]
set xtics norotate center ("none" 0, "atomic" 1, "mutex" 2)
plot \
  'shared-counter.dat' index 0 using 1:3:(0.1520) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 0 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'shared-counter.dat' index 1 using 1:3:(0.1520) with boxes lc rgb "#d62728" title "gil", \
  '' index 1 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'shared-counter.dat' index 2 using 1:3:(0.1520) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 2 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'shared-counter.dat' index 3 using 1:3:(0.1520) with boxes lc rgb "#17becf" title "mpi", \
  '' index 3 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'shared-counter.dat' index 4 using 1:3:(0.1520) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 4 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle

set title "Updates lost (final count below the expected total)"
set xlabel offset 0,0 "sync mode"
set ylabel "lost updates (% of increments)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1520 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:2.6]
unset logscale y
set format y "%g"
set offsets 0,0,0,0
set yrange [0:60.6586]
set xtics norotate center ("none" 0, "atomic" 1, "mutex" 2)
plot \
  'shared-counter.dat' index 5 using 1:3:(0.1520) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 5 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 5 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.3g", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'shared-counter.dat' index 6 using 1:3:(0.1520) with boxes lc rgb "#d62728" title "gil", \
  '' index 6 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 6 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.3g", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'shared-counter.dat' index 7 using 1:3:(0.1520) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 7 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 7 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.3g", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'shared-counter.dat' index 8 using 1:3:(0.1520) with boxes lc rgb "#17becf" title "mpi", \
  '' index 8 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 8 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.3g", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'shared-counter.dat' index 9 using 1:3:(0.1520) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 9 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 9 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.3g", column(3))) with labels offset 0,0.7 font ",8" notitle
unset multiplot
unset output
