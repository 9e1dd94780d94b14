#!/usr/bin/env bash
# The acceptance experiment of the disturbed rule (bench/core/interference.h; issue 15): a known
# load on one PU for a known part of a run, and what the rule makes of it.
#   quiet:   cpu-spin pinned to PU P, no load, --keep-disturbed (every repetition kept):
#            the fraction flagged disturbed (goal <= 5%), and the quiet median.
#   loaded:  the same with a spinner pinned to P for the whole run: the fraction flagged
#            (goal >= 95%).
#   part:    a spinner on P for the first LOAD_S seconds of the run only, then quiet; once
#            with the rule (default: disturbed repetitions left out and run again) and once
#            with --keep-disturbed: the medians against the quiet median (goal: within 2%
#            with the rule).
# The four kinds alternate ROUNDS times, so drift of the machine hits them alike. The load is
# a busy shell loop under `taskset -c P` (stress-ng --cpu 1 --taskset P when installed and
# STRESS=1). Not part of ctest (about a minute); the machine's own load is printed (the rule
# flags it too: run it on a quiet machine for the goals).
#   tests/experiments/noise_load.sh build/bench [ROUNDS] [OUTDIR]
# Settings: PU (0), REPS (10), DURATION (0.2), LOAD_S (1.0).
set -u
BENCH=$(realpath "${1:?usage: noise_load.sh path/to/bench [ROUNDS] [OUTDIR]}")
ROUNDS=${2:-3}
OUT=${3:-$(mktemp -d /tmp/bench-noise-exp.XXXXXX)}
PU=${PU:-0} REPS=${REPS:-10} DURATION=${DURATION:-0.2} LOAD_S=${LOAD_S:-1.0}
mkdir -p "$OUT"
run="$BENCH run -w cpu-spin -d thread -n 1 --pin pus:$PU --reps $REPS --duration $DURATION --warmup 1 -q"
unset BENCH_KEEP_DISTURBED
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cell: $run; load: a spinner on PU $PU; $ROUNDS rounds; files in $OUT"

spinner=
start_load() {
	if [[ ${STRESS:-0} == 1 ]] && command -v stress-ng >/dev/null; then
		stress-ng --cpu 1 --taskset "$PU" --timeout 600 >/dev/null 2>&1 &
	else
		taskset -c "$PU" bash -c 'while :; do :; done' &
	fi
	spinner=$!
}
stop_load() {
	[[ -n $spinner ]] && kill "$spinner" 2>/dev/null && wait "$spinner" 2>/dev/null
	spinner=
}
trap stop_load EXIT

for ((i = 1; i <= ROUNDS; i++)); do
	$run --keep-disturbed -o "$OUT/quiet-$i.json" >/dev/null || echo "quiet $i: run failed"
	start_load
	$run --keep-disturbed -o "$OUT/loaded-$i.json" >/dev/null || echo "loaded $i: run failed"
	stop_load
	for mode in rule keep; do
		opt=; [[ $mode == keep ]] && opt=--keep-disturbed
		start_load
		(sleep "$LOAD_S"; kill "$spinner" 2>/dev/null) &
		$run $opt -o "$OUT/part-$mode-$i.json" >/dev/null || echo "part-$mode $i: run failed"
		wait
		stop_load
	done
	echo "round $i done (load average $(cut -d' ' -f1 /proc/loadavg))"
done

python3 - "$OUT" "$ROUNDS" <<'EOF'
import glob, json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def reps(kind):
    r = []
    for f in sorted(glob.glob(f"{out}/{kind}-*.json")):
        r += json.load(open(f))["cells"][0]["reps"]
    return r
def summary_medians(kind):
    return [json.load(open(f))["cells"][0]["summary"].get("ops_per_s", {}).get("median")
            for f in sorted(glob.glob(f"{out}/{kind}-*.json"))]
def flagged(rs):
    return sum(1 for r in rs if r.get("disturbed")), len(rs)
def reasons(rs):
    c = {}
    for r in rs:
        for x in (r.get("disturbed_by") or "").split(","):
            if x: c[x] = c.get(x, 0) + 1
    return c
q, l = reps("quiet"), reps("loaded")
fq, fl = flagged(q), flagged(l)
qmed = statistics.median(r["ops_per_s"] for r in q)
print(f"quiet repetitions flagged:  {fq[0]}/{fq[1]} = {100*fq[0]/max(fq[1],1):.0f}% (goal <= 5%), reasons {reasons(q)}")
print(f"loaded repetitions flagged: {fl[0]}/{fl[1]} = {100*fl[0]/max(fl[1],1):.0f}% (goal >= 95%), reasons {reasons(l)}")
print(f"other load seen, cores (median of repetitions): quiet {statistics.median(r['other_load_cores'] for r in q):.2f}"
      f" machine-wide / {statistics.median(r['other_load_pu_cores'] for r in q):.2f} on PU;"
      f" loaded {statistics.median(r['other_load_pu_cores'] for r in l):.2f} on PU")
print(f"median ops/s: quiet {qmed:.0f}; loaded (every repetition) {statistics.median(r['ops_per_s'] for r in l):.0f}")
for mode in ("rule", "keep"):
    ms = [m for m in summary_medians(f"part-{mode}") if m]
    pr = reps(f"part-{mode}")
    if ms:
        m = statistics.median(ms)
        print(f"part-loaded runs, {'with the rule' if mode == 'rule' else '--keep-disturbed'}: median of run medians {m:.0f}"
              f" = {100*(m/qmed-1):+.1f}% vs quiet (goal with the rule: within 2%); {len(pr)} repetitions,"
              f" {flagged(pr)[0]} disturbed; statuses {[json.load(open(f))['cells'][0]['status'] for f in sorted(glob.glob(f'{out}/part-{mode}-*.json'))]}")
    else:
        print(f"part-loaded runs ({mode}): no summary (every repetition disturbed)")
EOF
