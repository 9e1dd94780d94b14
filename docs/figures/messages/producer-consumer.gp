# producer-consumer: items/s and handoff latency
# Written by bench plot from docs/figures/messages/messages-run.json.
# Data: producer-consumer.dat (columns described in its header). Redraw: gnuplot producer-consumer.gp
set terminal pngcairo size 1000,720 font "sans,10" noenhanced
set output "producer-consumer.png"
set datafile missing "NaN"
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set multiplot layout 2,1

set title "Items through the queue per second"
set xlabel offset 0,0 "queue"
set ylabel "items/s"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1520 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:0.6]
unset logscale y
set format y "%.1s%c"
set offsets 0,0,0,0
set yrange [0:1.23506e+07]
set xtics norotate center ("lock" 0)
plot \
  'producer-consumer.dat' index 0 using 1:3:(0.1520) with boxes lc rgb "#1f77b4" title "thread", \
  '' index 0 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 1 using 1:3:(0.1520) with boxes lc rgb "#d62728" title "gil", \
  '' index 1 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 2 using 1:3:(0.1520) with boxes lc rgb "#2ca02c" title "coroutine", \
  '' index 2 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 3 using 1:3:(0.1520) with boxes lc rgb "#17becf" title "mpi", \
  '' index 3 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 4 using 1:3:(0.1520) with boxes lc rgb "#ff7f0e" title "process", \
  '' index 4 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle

set title "Handoff latency: into the queue -> out of it"
set xlabel offset 0,0 "cell"
set ylabel "latency (us)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.1900 absolute
set key outside right top vertical Left reverse noautotitle
set xrange [-0.6:4.6]
set logscale y
set offsets 0,0,0,0
set format y "%g"
set yrange [1.3566:4669.44]
set xtics norotate center ("thread lock" 0, "gil lock" 1, "coroutine lock" 2, "mpi lock" 3, "process lock" 4)
plot \
  'producer-consumer.dat' index 5 using 1:3:(0.1900) with boxes lc rgb "#4c72b0" title "p50", \
  '' index 5 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 6 using 1:3:(0.1900) with boxes lc rgb "#dd8452" title "p90", \
  '' index 6 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 7 using 1:3:(0.1900) with boxes lc rgb "#55a868" title "p99", \
  '' index 7 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle, \
  'producer-consumer.dat' index 8 using 1:3:(0.1900) with boxes lc rgb "#c44e52" title "p99.9", \
  '' index 8 using 1:4:(0):(column(5) - column(4)) with vectors heads size screen 0.006,90 lc rgb "#222222" lw 1 notitle
unset multiplot
unset output
