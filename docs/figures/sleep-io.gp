# sleep-io: blocking waits, wall time and overshoot
# Written by bench plot from docs/figures/claims-run.json.
# Data: sleep-io.dat (columns described in its header). Redraw: gnuplot sleep-io.gp
set terminal pngcairo size 1000,1240 font "sans,10" noenhanced
set output "sleep-io.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set multiplot layout 4,1

set title "Wall time of the waiters against the ideal (count x wait_us x rounds the limit imposes)"
set xlabel offset 0,0 "cell setup"
set ylabel "wall time (s)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1520 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:1.6]
unset logscale y
set format y "%g"
set offsets 0,0,0,0
set yrange [0:0.0614933]
set xtics norotate center ("n=20 count=10 limit=5" 0, "n=100 count=20 limit=0" 1)
plot \
  'sleep-io.dat' index 0 using 1:3:(0.1520) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 0 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 1 using 1:3:(0.1520) with boxes lc rgb "#d62728" title "gil", \
  '' index 1 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 2 using 1:3:(0.1520) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 2 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 3 using 1:3:(0.1520) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 3 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 4 using 1:3:(0.1520) with boxes lc rgb "#bbbbbb" title "ideal", \
  '' index 4 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle

set title "Median wait overshoot (p50): how much later than asked a wait returned"
set xlabel offset 0,0 "cell setup"
set ylabel "overshoot (us)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1900 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:1.6]
unset logscale y
set format y "%g"
set offsets 0,0,0,0
set yrange [0:123.248]
set xtics norotate center ("n=20 count=10 limit=5" 0, "n=100 count=20 limit=0" 1)
plot \
  'sleep-io.dat' index 5 using 1:3:(0.1900) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 5 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 6 using 1:3:(0.1900) with boxes lc rgb "#d62728" title "gil", \
  '' index 6 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 7 using 1:3:(0.1900) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 7 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 8 using 1:3:(0.1900) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 8 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle

set title "Tail wait overshoot (p99)"
set xlabel offset 0,0 "cell setup"
set ylabel "overshoot (us)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1900 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:1.6]
set logscale y
set offsets 0,0,0,0
set format y "%.0s%c"
set yrange [36.6904:39977]
set xtics norotate center ("n=20 count=10 limit=5" 0, "n=100 count=20 limit=0" 1)
plot \
  'sleep-io.dat' index 9 using 1:3:(0.1900) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 9 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 10 using 1:3:(0.1900) with boxes lc rgb "#d62728" title "gil", \
  '' index 10 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 11 using 1:3:(0.1900) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 11 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'sleep-io.dat' index 12 using 1:3:(0.1900) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 12 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle

set title "Convoy: median overshoot of the waiters beside CPU-bound spinners, and without them"
set xlabel offset 0,0 "cell setup"
set ylabel "overshoot p50 (us)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.3800 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:0.6]
set logscale y
set offsets 0,0,0,0
set format y "%g"
set yrange [30.3102:12779.5]
set xtics norotate center ("all cells" 0)
plot \
  'sleep-io.dat' index 13 using 1:3:(0.3800) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 13 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 13 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle, \
  'sleep-io.dat' index 14 using 1:3:(0.3800) with boxes lc rgb "#d62728" title "gil", \
  '' index 14 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  '' index 14 using 1:(column(5) > column(3) ? column(5) : column(3)):(sprintf("%.0f", column(3))) with labels offset 0,0.7 font ",8" notitle
unset multiplot
unset output
