#!/usr/bin/env bash
# The acceptance experiments of `bench ab` (issue 16), the interleaved method beside the
# sequential one (bench run + bench run + bench compare), from one script:
#   A/A:       the same binary on both sides, over the selection (default: the whole default
#              matrix, --all), TRIALS times in each condition:
#                quiet  nothing else started by this script
#                hog    one CPU hog pinned to PU $HOG_PU for the whole job
#                half   the hog starts halfway through the job (sequential: between the two
#                       runs, i.e. during the candidate only: the issue's anchor, 24/36 there)
#              Every significant verdict (regression or improvement) is a false alarm; the goal
#              is at most 1 in all the comparisons of a condition, and exit 0 in every trial.
#   slowdown:  -O extra_work_pct=S on the new side only (every op S% longer) of the $SLOW_SEL
#              cells, SLOW_TRIALS times quiet and with the hog from halfway: how many cells are
#              detected (a regression verdict). Goal for S=10: >= 19/20 quiet, >= 18/20 half.
# Every job's wall time is recorded: the time cost of the interleaved job vs the sequential.
# Not part of ctest (the full version takes hours); on a quiet machine:
#   tests/experiments/ab_aa.sh build/bench [TRIALS=5] [OUTDIR]
# A small version (shows the script works; numbers from a busy machine mean little):
#   SEL="-w cpu-spin,sleep-io -d thread,process -n 1" PAIRS=8 DURATION=0.05 SLOW_TRIALS=1 \
#     tests/experiments/ab_aa.sh build/bench 1
# Settings (environment): SEL (--all), PAIRS (10), DURATION (0.2), WARMUP (1), REPS (5: the
# sequential method's repetitions per run, bench run's default), CONDITIONS (quiet hog half),
# HOG_PU (0), SLOW_SEL (-w cpu-spin -n 1), SLOWDOWNS (10 3), SLOW_TRIALS (20), AB_OPTS and
# COMPARE_OPTS (more options of each, e.g. --threshold 5). The hog is a shell busy loop under
# taskset, started and killed (by its pid) by this script.
set -u
BENCH=$(realpath "${1:?usage: ab_aa.sh path/to/bench [TRIALS] [OUTDIR]}")
TRIALS=${2:-5}
OUT=${3:-$(mktemp -d /tmp/bench-ab-exp.XXXXXX)}
SEL=${SEL:---all} PAIRS=${PAIRS:-10} DURATION=${DURATION:-0.2} WARMUP=${WARMUP:-1} REPS=${REPS:-5}
CONDITIONS=${CONDITIONS:-quiet hog half} HOG_PU=${HOG_PU:-0}
SLOW_SEL=${SLOW_SEL:--w cpu-spin -n 1} SLOWDOWNS=${SLOWDOWNS:-10 3} SLOW_TRIALS=${SLOW_TRIALS:-20}
AB_OPTS=${AB_OPTS:-} COMPARE_OPTS=${COMPARE_OPTS:-}
mkdir -p "$OUT"
HOG=
hog_start() { taskset -c "$HOG_PU" bash -c 'while :; do :; done' & HOG=$!; }
hog_stop() { [[ -n $HOG ]] && kill "$HOG" 2>/dev/null && wait "$HOG" 2>/dev/null; HOG=; }
trap hog_stop EXIT
now() { date +%s.%N; }
# counts JSON: "exit significant regressions unstable too_few cells" of a compare/ab JSON report
counts() {
	python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("2 0 0 0 0 0"); sys.exit()
c = d["counts"]
print(d["exit"], c["regression"] + c["improvement"], c["regression"], c["unstable"], c["too-few-reps"],
      sum(c[k] for k in ("regression", "improvement", "unchanged", "below-threshold", "unstable", "too-few-reps")))' "$1"
}
# timed_half SECONDS: start the hog after SECONDS in the background (for "half")
delayed_hog() { (sleep "$1"; exec taskset -c "$HOG_PU" bash -c 'while :; do :; done') & HOG=$!; }
est() { awk -v f="$OUT/time.tsv" -v k="$1" 'BEGIN { while ((getline l < f) > 0) { split(l, a, " "); if (a[1] == k) { s += a[2]; n++ } } print n ? s / n / 2 : 30 }'; }

# ab_job COND TRIAL NAME [NEW_ARGS] [SEL]: one interleaved job; appends to $OUT/ab.tsv
ab_job() {
	local cond=$1 t=$2 name=$3 nargs=${4:-} sel=${5:-$SEL} t0 t1
	[[ $cond == hog ]] && hog_start
	[[ $cond == half ]] && delayed_hog "$(est "ab-$name")"
	t0=$(now)
	"$BENCH" ab --base "$BENCH" --new "$BENCH" $sel --pairs "$PAIRS" --duration "$DURATION" --warmup "$WARMUP" \
		${nargs:+--new-args "$nargs"} $AB_OPTS -o "$OUT/ab-$name-$cond-$t" --format json -q \
		>"$OUT/ab-$name-$cond-$t.json" 2>"$OUT/ab-$name-$cond-$t.log"
	t1=$(now)
	hog_stop
	[[ $cond == quiet ]] && echo "ab-$name $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >>"$OUT/time.tsv"
	echo "$name $cond $t $(counts "$OUT/ab-$name-$cond-$t.json") $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >>"$OUT/ab.tsv"
}
# seq_job COND TRIAL NAME [NEW_KNOB] [SEL]: run + run + compare; appends to $OUT/seq.tsv
seq_job() {
	local cond=$1 t=$2 name=$3 knob=${4:-} sel=${5:-$SEL} t0 t1
	local p=$OUT/seq-$name-$cond-$t run="$BENCH run $sel --reps $REPS --duration $DURATION --warmup $WARMUP -q"
	[[ $cond == hog ]] && hog_start
	t0=$(now)
	$run -o "$p.base.json" >/dev/null 2>&1
	[[ $cond == half ]] && hog_start
	$run ${knob:+-O $knob} -o "$p.new.json" >/dev/null 2>&1
	hog_stop
	"$BENCH" compare "$p.base.json" "$p.new.json" ${knob:+--ignore-knob ${knob%%=*}} $COMPARE_OPTS --format json \
		>"$p.json" 2>/dev/null
	t1=$(now)
	[[ $cond == quiet ]] && echo "seq-$name $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >>"$OUT/time.tsv"
	echo "$name $cond $t $(counts "$p.json") $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >>"$OUT/seq.tsv"
}

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench ab experiments: $TRIALS A/A trials per condition ($CONDITIONS) over '$SEL'; --pairs $PAIRS" \
     "--duration $DURATION --warmup $WARMUP; sequential: --reps $REPS; slowdowns $SLOWDOWNS on '$SLOW_SEL'" \
     "x $SLOW_TRIALS; files in $OUT"
rm -f "$OUT/ab.tsv" "$OUT/seq.tsv" "$OUT/time.tsv"
for cond in $CONDITIONS; do
	for t in $(seq 1 "$TRIALS"); do
		ab_job "$cond" "$t" aa
		seq_job "$cond" "$t" aa
	done
done
for s in $SLOWDOWNS; do
	for cond in quiet half; do
		for t in $(seq 1 "$SLOW_TRIALS"); do
			ab_job "$cond" "$t" "slow$s" "-O extra_work_pct=$s" "$SLOW_SEL"
			seq_job "$cond" "$t" "slow$s" "extra_work_pct=$s" "$SLOW_SEL"
		done
	done
done

# report NAME: per method and condition, from the tsv lines "name cond trial exit sig reg unstable
# toofew cells seconds"
report() {
	for m in ab seq; do
		awk -v n="$1" -v m="$m" '$1 == n {
			k = $2; T[k]++; ex0[k] += ($4 == 0); sig[k] += $5; reg[k] += $6; un[k] += $7; tf[k] += $8
			cells[k] += $9; sec[k] += $10 }
			END { for (k in T) printf "  %-4s %-6s trials %2d  cells %4d  significant %3d (regressions %3d)  unstable %3d  too few %3d  exit 0 in %2d/%-2d  mean %6.1f s\n",
			      m == "ab" ? "ab" : "seq", k, T[k], cells[k], sig[k], reg[k], un[k], tf[k], ex0[k], T[k], sec[k] / T[k] }' "$OUT/$m.tsv"
	done
}
echo
echo "A/A (every significant verdict is a false alarm; goal: <= 1 per condition, exit 0 in every trial):"
report aa
for s in $SLOWDOWNS; do
	echo "slowdown $s% on the new side of '$SLOW_SEL' (regressions = cells detected):"
	report "slow$s"
done
echo "time cost: interleaved vs sequential, mean seconds of a quiet A/A job: ab $(est ab-aa | awk '{ print $1 * 2 }') s, sequential $(est seq-aa | awk '{ print $1 * 2 }') s"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
