#!/usr/bin/env bash
# The acceptance experiments of the change-point detection (bench history, issue 17):
#   1. synthetic series of known truth, fixed seeds (build/tests/cp-synth, three seeds): a 5%
#      step in 2% noise found within +-1 point (goal >= 95% of 200 series); stationary series
#      of 200 points with a false change (goal <= 1%); one 30% spike (goal: none); and the
#      plain t-test of the last N vs the previous N at the same false-positive rate.
#   2. real data: RUNS runs of the matrix into a fresh history, every op STEP percent longer
#      (-O extra_work_pct) from run AT on: bench history must find the step at run AT in the
#      cpu-spin cells (the other workloads have no such knob: they must show no change).
#   3. speed: import of NFILES copies of one results file of the matrix (each with another
#      created_utc), split into loading (the validating loader) and storing (store-timing),
#      and a query of one cell over NQUERY runs.
# Not part of ctest; run it on a quiet machine:
#   tests/experiments/changepoint.sh build [OUTDIR]
# Settings: RUNS (30), AT (20), STEP (10), DURATION (0.05), REPS (3), NFILES (1000), NQUERY
# (10000), MATRIX (the default matrix: every workload x every driver, -n 1 and the PU count).
set -u
BUILD=$(realpath "${1:?usage: changepoint.sh path/to/build [OUTDIR]}")
BENCH=$BUILD/bench
OUT=${2:-$(mktemp -d /tmp/bench-cp-exp.XXXXXX)}
RUNS=${RUNS:-30} AT=${AT:-20} STEP=${STEP:-10} DURATION=${DURATION:-0.05} REPS=${REPS:-3}
NFILES=${NFILES:-1000} NQUERY=${NQUERY:-10000}
MATRIX=${MATRIX:--w cpu-spin,sleep-io,shared-counter,producer-consumer,pingpong,task-pool -d thread,process,coroutine,gil}
mkdir -p "$OUT"
cd "$OUT" || exit 2
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at the start: $(load); files in $OUT"

echo "== 1. synthetic series ($BUILD/tests/cp-synth 200 200 SEED)"
for seed in 1 2 3; do "$BUILD/tests/cp-synth" 200 200 $seed || exit 2; done

echo "== 2. real data: $RUNS runs of: bench run $MATRIX --duration $DURATION --reps $REPS, -O extra_work_pct=$STEP from run $AT"
db=real.db
rm -f $db
for i in $(seq 1 "$RUNS"); do
	knob=(); [[ $i -ge $AT ]] && knob=(-O extra_work_pct=$STEP)
	# shellcheck disable=SC2086
	"$BENCH" run $MATRIX --duration "$DURATION" --reps "$REPS" "${knob[@]}" --store $db -q -o run$i.json >/dev/null ||
		echo "run $i: exit $?"
	echo "run $i done, load $(load)"
done
for metric in ops_per_s ops_per_cpu_s; do
	echo "-- metric $metric (bench history --db $db --ignore-knob extra_work_pct --metric $metric)"
	"$BENCH" history --db $db -w cpu-spin --ignore-knob extra_work_pct --metric $metric > real-cpu-spin-$metric.txt
	"$BENCH" history --db $db -w cpu-spin --ignore-knob extra_work_pct --metric $metric --check; echo "--check: exit $?"
	"$BENCH" history --db $db --ignore-knob extra_work_pct --metric $metric --json | python3 -c '
import json, sys
at = int(sys.argv[1]); d = json.load(sys.stdin)
cpu = [c for c in d["cells"] if c["cell"].startswith("cpu-spin")]
oth = [c for c in d["cells"] if not c["cell"].startswith("cpu-spin")]
print("cpu-spin cells with one change, at run %d: %d of %d; their changes (%%): %s" % (at,
      sum(1 for c in cpu if [x["run"] for x in c["changes"]] == [at]), len(cpu),
      [round(100 * x["change"], 1) for c in cpu for x in c["changes"]]))
print("other cells: %d, with data %d, with a change point: %s" % (len(oth),
      sum(1 for c in oth if any(p["n"] for p in c["points"])),
      [(c["cell"].split(" ")[0], [x["run"] for x in c["changes"]]) for c in oth if c["changes"]]))' "$AT"
done
"$BENCH" plot --history --db $db -w cpu-spin --ignore-knob extra_work_pct --metric ops_per_cpu_s -o real-plots | tail -3

echo "== 3. speed: import $NFILES copies of run1.json, query one cell over $NQUERY runs (load $(load))"
# copies K..K+N-1 of run1.json, each with its own created_utc, in copies/
copies() {
	rm -rf copies
	python3 - run1.json "$1" "$2" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
os.makedirs("copies", exist_ok=True)
for i in range(int(sys.argv[2]), int(sys.argv[2]) + int(sys.argv[3])):
    doc["created_utc"] = "2027-01-01T%02d:%02d:%02dZ" % (i // 3600 % 24, i // 60 % 60, i % 60)
    json.dump(doc, open("copies/c%05d.json" % i, "w"))
EOF
}
rm -f speed.db speed.db-*
copies 0 "$NFILES"
start=$(date +%s.%N)
"$BENCH" store add --db speed.db copies/*.json > /dev/null || echo "import failed"
end=$(date +%s.%N)
python3 -c "print('import of %d files of %d bytes (one bench store add): %.2f s, %.2f ms per file' % ($NFILES, $(stat -c %s run1.json), $end - $start, ($end - $start) * 1000 / $NFILES))"
echo "where it goes ($BUILD/tests/store-timing split.db copies/c00*.json, the first 100 again into a new store):"
rm -f split.db; "$BUILD/tests/store-timing" split.db $(ls copies/*.json | head -100)
for ((k = NFILES; k < NQUERY; k += NFILES)); do
	copies $k $((NQUERY - k < NFILES ? NQUERY - k : NFILES))
	"$BENCH" store add --db speed.db copies/*.json > /dev/null || echo "import failed"
done
rm -rf copies
echo "store: $(stat -c %s speed.db) bytes for $NQUERY runs; load $(load)"
for k in 1 2 3; do
	start=$(date +%s.%N)
	"$BENCH" history --db speed.db cpu-spin/thread/n=1 --csv > query.csv
	end=$(date +%s.%N)
	python3 -c "print('query of one cell (cpu-spin/thread/n=1, bench history --csv) over %d runs: %.1f ms (rows: %d)' % ($NQUERY, ($end - $start) * 1000, sum(1 for _ in open('query.csv')) - 1))"
done
echo "load average at the end: $(load)"
