#!/usr/bin/env bash
# The scale experiments of issue 18 (BENCHMARKS.md, "Scale"):
#   1. the sweep: sleep-io (-O count=2: two 1 ms waits per worker) at 1 .. 10,000 workers under
#      every driver, and at 100,000 and 1,000,000 under coroutine; merged into one results file
#      whose `bench plot` has the worker-cost figure (spawn / worker, memory / worker, time per
#      wait, log-log); a table of the same numbers, and the error of every cell that failed.
#   2. gil against thread at 10,000 sleepers, alternately, ROUNDS times (goal: gil within 2x).
#   3. the hand-off cost: pingpong under coroutine, this build against BASE_BENCH (a build of
#      the reference commit), alternately, ROUNDS times (goal: within 5%).
# Not part of ctest (10-20 minutes, up to ~6 GiB of memory for the million coroutines); run it
# on a quiet machine:
#   tests/experiments/scale.sh build/bench [OUTDIR]
# Settings: REPS (3), ROUNDS (5), BASE_BENCH (unset: no hand-off comparison), BIG (the
# coroutine-only worker counts, default 100000,1000000), PROBE=1 (also try thread and gil at
# 30,000 workers, to see where they stop: expect a failed cell naming the reason).
set -u
BENCH=$(realpath "${1:?usage: scale.sh path/to/bench [OUTDIR]}")
OUT=${2:-$(mktemp -d /tmp/bench-scale.XXXXXX)}
REPS=${REPS:-3} ROUNDS=${ROUNDS:-5} BIG=${BIG:-100000,1000000} BASE_BENCH=${BASE_BENCH:-} PROBE=${PROBE:-0}
mkdir -p "$OUT"
status=0
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "scale experiments, files in $OUT"
load

# ---- 1. the sweep
small="$BENCH run -w sleep-io -d thread,gil,process,coroutine -n 1,10,100,1000,10000 -O count=2 --reps $REPS --warmup 1 --timeout 300 -q"
big="$BENCH run -w sleep-io -d coroutine -n $BIG -O count=2 --reps $REPS --warmup 1 --timeout 600 -q"
echo "$small -o $OUT/sweep-small.json"
$small -o "$OUT/sweep-small.json" >/dev/null || status=1
load
echo "$big -o $OUT/sweep-big.json"
$big -o "$OUT/sweep-big.json" >/dev/null || status=1
if [[ $PROBE == 1 ]]; then
	probe="$BENCH run -w sleep-io -d thread,gil -n 30000 -O count=2 --reps 1 --warmup 0 -q"
	echo "$probe -o $OUT/probe.json"
	$probe -o "$OUT/probe.json" >/dev/null
fi
load
# One file for the figure: the cells of both runs (same binary, machine and settings).
python3 - "$OUT" <<'PY' || status=1
import json, os, sys
out = sys.argv[1]
files = [os.path.join(out, f) for f in ("sweep-small.json", "sweep-big.json", "probe.json")]
docs = [json.load(open(f)) for f in files if os.path.exists(f)]
merged = docs[0]
for d in docs[1:]:
    merged["cells"] += d["cells"]
json.dump(merged, open(os.path.join(out, "sweep.json"), "w"))
def med(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else float("nan")
print("%-10s %8s %-7s %12s %12s %12s %10s" % ("driver", "workers", "status", "spawn/w us", "mem/w KiB", "wait us", "wall s"))
for c in sorted(merged["cells"], key=lambda c: (c["driver"], c["workers"])):
    reps = [r for r in c.get("reps", []) if r.get("status", "ok") == "ok"]
    n = c["workers"]
    sp = med([r.get("spawn_s") for r in reps]) / n * 1e6
    mem = med([r.get("mem_per_worker_kb") for r in reps])
    wall = med([r.get("wall_s") for r in reps])
    wait = med([(r["wall_s"] - r["ideal_wall_s"]) / r["ops"] * 1e6 for r in reps if r.get("ops")])
    print("%-10s %8d %-7s %12.3f %12.2f %12.2f %10.4f" % (c["driver"], n, c["status"], sp, mem, wait, wall))
    if c["status"] != "ok":
        print("    error: %s" % c.get("error"))
PY
"$BENCH" plot "$OUT/sweep.json" -o "$OUT/plots" | grep worker-cost || status=1

# ---- 2. gil against thread, 10,000 sleepers, alternately
echo
echo "gil vs thread, sleep-io -n 10000 -O count=2 --reps 1 --warmup 1, $ROUNDS rounds alternately"
for i in $(seq 1 "$ROUNDS"); do
	for d in thread gil; do
		"$BENCH" run -w sleep-io -d $d -n 10000 -O count=2 --reps 1 --warmup 1 -q -o "$OUT/gil-$d-$i.json" >/dev/null || status=1
	done
	python3 - "$OUT" "$i" <<'PY'
import json, sys
w = {d: json.load(open("%s/gil-%s-%s.json" % (sys.argv[1], d, sys.argv[2])))["cells"][0]["reps"][0]["wall_s"] for d in ("thread", "gil")}
print("round %s: thread %.3f s, gil %.3f s, gil/thread %.2f" % (sys.argv[2], w["thread"], w["gil"], w["gil"] / w["thread"]))
PY
done
load

# ---- 3. pingpong under coroutine: this build against BASE_BENCH, alternately
if [[ -n $BASE_BENCH ]]; then
	echo
	pp="run -w pingpong -d coroutine -n 2 --reps 5 --warmup 1 --duration 0.2 -q"
	echo "pingpong round trips/s, bench $pp, $ROUNDS rounds alternately: base $BASE_BENCH, new $BENCH"
	for i in $(seq 1 "$ROUNDS"); do
		"$BASE_BENCH" $pp -o "$OUT/pp-base-$i.json" >/dev/null || status=1
		"$BENCH" $pp -o "$OUT/pp-new-$i.json" >/dev/null || status=1
	done
	python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys
out, k = sys.argv[1], int(sys.argv[2])
def ops(kind, i):
    c = json.load(open("%s/pp-%s-%d.json" % (out, kind, i)))["cells"][0]
    # round trips per second of wall, and per CPU-second of the workers (insensitive to being
    # descheduled on a shared machine): medians over the repetitions
    per_cpu = sorted(r["ops"] / (r["cpu_user_s"] + r["cpu_sys_s"]) for r in c["reps"])
    return c["summary"]["ops_per_s"]["median"], per_cpu[len(per_cpu) // 2]
ratios, cpu_ratios = [], []
for i in range(1, k + 1):
    (b, bc), (n, nc) = ops("base", i), ops("new", i)
    ratios.append(n / b)
    cpu_ratios.append(nc / bc)
    print("round %d: base %.3fM/s (%.3fM per CPU-s), new %.3fM/s (%.3fM per CPU-s), new/base %.3f (%.3f per CPU-s)"
          % (i, b / 1e6, bc / 1e6, n / 1e6, nc / 1e6, n / b, nc / bc))
ratios.sort()
cpu_ratios.sort()
print("median new/base %.3f, per CPU-s %.3f (goal: within 0.95 .. 1.05)" % (ratios[len(ratios) // 2], cpu_ratios[len(cpu_ratios) // 2]))
PY
	load
fi
exit $status
