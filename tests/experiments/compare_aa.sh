#!/usr/bin/env bash
# The two acceptance experiments of `bench compare` (BENCHMARKS.md, section compare):
#   A/A:       two runs of the same binary and settings, compared N times: every flagged
#              comparison is a false alarm (goal: at most 1 in 20 with the default settings).
#   slowdown:  a baseline run against a run with -O extra_work_pct=10 (every op 10% longer, so
#              ops_per_s -9.1%), compared N times: how many are detected (goal: >= 19 of 20).
# Each comparison is the CI flow: `bench run` for the baseline, then `bench run --baseline`
# for the candidate; the verdict without --confirm is `bench compare` on the two files, the
# verdict with --confirm is the exit status of `bench run --baseline ... --confirm`.
# The same file pairs are also compared on the derived metric ops_per_cpu_s (ops per CPU-second
# of the workers: insensitive to being descheduled), without --confirm.
# A/A and slowdown iterations alternate, so drift of the machine hits both alike.
# Not part of ctest (about 3 minutes); run it on a quiet machine:
#   tests/experiments/compare_aa.sh build/bench [N] [OUTDIR]
# Settings: REPS (default 10), DURATION (0.1), WARMUP (1), CELL (-w cpu-spin -d thread -n 1),
# SLOWDOWN (10). Extra compare options (e.g. --threshold 5): COMPARE_OPTS.
set -u
BENCH=$(realpath "${1:?usage: compare_aa.sh path/to/bench [N] [OUTDIR]}")
N=${2:-20}
OUT=${3:-$(mktemp -d /tmp/bench-compare-exp.XXXXXX)}
REPS=${REPS:-10} DURATION=${DURATION:-0.1} WARMUP=${WARMUP:-1} SLOWDOWN=${SLOWDOWN:-10}
CELL=${CELL:--w cpu-spin -d thread -n 1}
COMPARE_OPTS=${COMPARE_OPTS:-}
mkdir -p "$OUT"
run="$BENCH run $CELL --reps $REPS --duration $DURATION --warmup $WARMUP -q"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench compare experiments: $N A/A and $N slowdown comparisons; cell: $CELL, --reps $REPS --duration $DURATION --warmup $WARMUP; files in $OUT"
echo "commands: $run -o BASE.json; $BENCH run --baseline BASE.json [-O extra_work_pct=$SLOWDOWN] [--confirm] -o NEW.json $COMPARE_OPTS"
# one KIND I: baseline, candidate with --confirm; prints a line, appends "flagged confirmed" to $OUT/KIND.tsv
one() {
	local kind=$1 i=$2 over="" ign=""
	[[ $kind == slowdown ]] && over="-O extra_work_pct=$SLOWDOWN" && ign="--ignore-knob extra_work_pct"
	local b=$OUT/$kind-$i-base.json n=$OUT/$kind-$i-new.json
	$run -o "$b" >/dev/null || { echo "$kind $i: baseline run failed"; return; }
	"$BENCH" run --baseline "$b" $over --confirm $COMPARE_OPTS -o "$n" >"$OUT/$kind-$i.log" 2>&1
	local confirmed=$?
	local line cpu summarize='
import json, sys
d = json.load(sys.stdin); c = d["cells"][0]
f = lambda v: float("nan") if v is None else v
print("%d %+6.1f%% [%+6.1f%%, %+6.1f%%] p=%-8.2g %-15s" % (d["exit"] == 1, f(c["change_pct"]), f(c["ci_pct"][0]), f(c["ci_pct"][1]), f(c["p"]), c["verdict"]))'
	line=$("$BENCH" compare "$b" "$n" $ign $COMPARE_OPTS --format json 2>/dev/null | python3 -c "$summarize")
	cpu=$("$BENCH" compare "$b" "$n" $ign $COMPARE_OPTS --metric ops_per_cpu_s --format json 2>/dev/null | python3 -c "$summarize")
	printf "%-8s %2d  %s confirm:%-7s | ops_per_cpu_s %s\n" "$kind" "$i" "${line#* }" \
		"$([[ $confirmed -eq 1 ]] && echo flagged || echo clear)" "${cpu#* }"
	# columns: flagged (exit 1: a regression; 3 unstable and 4 too few reps are not counted here), confirmed, flagged on ops_per_cpu_s, any significant verdict
	# (regression or improvement: wrong in an A/A even where it does not fail CI), same on ops_per_cpu_s
	local sig=0 sigc=0
	[[ $line =~ (regression|improvement) ]] && sig=1
	[[ $cpu =~ (regression|improvement) ]] && sigc=1
	echo "${line%% *} $([[ $confirmed -eq 1 ]] && echo 1 || echo 0) ${cpu%% *} $sig $sigc" >>"$OUT/$kind.tsv"
}
rm -f "$OUT/aa.tsv" "$OUT/slowdown.tsv"
for i in $(seq 1 "$N"); do
	one aa "$i"
	one slowdown "$i"
done
sum() { awk -v c="$2" '{ s += $c } END { print s + 0 }' "$OUT/$1.tsv"; }
echo
echo "A/A:      false alarms $(sum aa 1) of $N (default), $(sum aa 2) of $N with --confirm, $(sum aa 3) of $N with --metric ops_per_cpu_s   (goal: <= 1)"
echo "          any significant verdict (a regression or an improvement): $(sum aa 4) of $N (default), $(sum aa 5) of $N with --metric ops_per_cpu_s"
echo "slowdown: detected     $(sum slowdown 1) of $N (default), $(sum slowdown 2) of $N with --confirm, $(sum slowdown 3) of $N with --metric ops_per_cpu_s   (goal: >= 19)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
