#!/usr/bin/env bash
# Where the spread of the hand-off cells (pingpong, producer-consumer, task-pool) comes from,
# and what lowers it (issue 15, item 5). For each round, every cell is run once under every
# variant, the variants in a rotated order (A B C, B C A, ...) so that a drift of the machine
# hits them alike; each run is one `bench run` of one cell (--reps R after --warmup 1), under
# `perf stat` (context switches, CPU migrations, task-clock) with /proc/stat read around it
# (steal, and the CPU busy that is not bench's: other load). The table gives, per variant and
# cell, the median over the K rounds of: the CV of ops_per_s over the repetitions, the CV of
# ops per CPU-second of the workers (ops / (cpu_user_s + cpu_sys_s): blind to the share of
# the CPU the workers got, so what is left is the cost of the hand-off itself), ops_per_s,
# util_cores, the first measured repetition over the median of the others, context switches
# and migrations per second (perf, the whole cell process), idle entries per second deeper than
# POLL (machine-wide: a halted vCPU that a hand-off must wake through the host), the other
# load during the run.
#
# Variants (VARIANTS, space-separated names; default "base dur1 pin00 spin50"; A+B combines
# two, e.g. pin00+dur1):
#   base     the defaults: --pin spread --duration 0.2
#   dur1     --duration 1 (5x longer repetitions)
#   dur05    --duration 0.5
#   pin00    --pin pus:0,0 (both workers on one PU: a hand-off is a context switch, no
#            cross-vCPU wake-up)
#   pinnone  --pin none (the kernel places the workers: wake-affine and migrations apply)
#   spin50   -O wait_spin_us=50 (spin-then-block in task_wait: thread and process cells only,
#            the other drivers have no such knob)
#   slack1   the defaults with PR_SET_TIMERSLACK = 1 ns (inherited by bench and its cells)
#   qos0     the defaults while /dev/cpu_dma_latency holds 0 (root): cpuidle keeps idle vCPUs
#            in the POLL state instead of HLT, so a wake-up needs no VM entry. Machine-wide
#            while it runs: only for a diagnosis, never a fix.
# Cells (CELLS, `;`-separated bench arguments): the hand-off workloads under every driver at
# n=2, and cpu-spin (thread, n=1 and 2) as the CPU-bound control.
#
# Not part of ctest (about 15 minutes with the defaults); run it on a quiet machine:
#   tests/experiments/handoff_cv.sh build/bench [K] [OUTDIR]
# The summary is given twice: over every run, and over the quiet runs only (other load at most
# QUIET_MAX cores, default 0.25: on a shared machine, the runs a quiet window would give).
# With GATE=S (seconds), each run first waits, at most S seconds, until the other load over
# the last second is at most QUIET_MAX cores (runs on a busy machine then come from its quiet
# moments; the other load during each run is measured all the same).
# Settings: REPS (5), K rounds (5), VARIANTS, CELLS, QUIET_MAX, GATE (0: no wait). Needs python3 and bc; perf is optional
# (apt-get install linux-perf). Exit status: 0, or 1 if a run failed (see OUTDIR/*.err).
set -u
BENCH=$(realpath "${1:?usage: handoff_cv.sh path/to/bench [K] [OUTDIR]}")
K=${2:-5}
OUT=${3:-$(mktemp -d /tmp/bench-handoff-cv.XXXXXX)}
REPS=${REPS:-5}
QUIET_MAX=${QUIET_MAX:-0.25}
GATE=${GATE:-0}
VARIANTS=${VARIANTS:-base dur1 pin00 spin50}
CELLS=${CELLS:-"-w pingpong -d thread;-w pingpong -d process;-w pingpong -d gil;-w pingpong -d coroutine;\
-w producer-consumer -d thread;-w producer-consumer -d process;-w producer-consumer -d gil;\
-w producer-consumer -d coroutine;-w task-pool -d thread;-w task-pool -d process;-w task-pool -d gil;\
-w task-pool -d coroutine;-w cpu-spin -d thread -n 1"}
mkdir -p "$OUT"
PERF=()
if command -v perf >/dev/null && perf stat -x, -e context-switches true >/dev/null 2>&1; then
	PERF=(perf stat "-x," -e "context-switches,cpu-migrations,task-clock" -o)
fi

variant_args() {
	local part args=""
	for part in ${1//+/ }; do
		case $part in
		base | slack1 | qos0) ;;
		dur1) args+=" --duration 1" ;;
		dur05) args+=" --duration 0.5" ;;
		pin00) args+=" --pin pus:0,0" ;;
		pinnone) args+=" --pin none" ;;
		spin50) args+=" -O wait_spin_us=50" ;;
		*) echo "handoff_cv.sh: unknown variant '$part' in '$1'" >&2; exit 2 ;;
		esac
	done
	echo "$args"
}

# The wrappers of slack1 and qos0: set the environment, then run the command in argv[2:].
WRAP='
import ctypes, os, struct, subprocess, sys
if sys.argv[1] == "slack1":
    PR_SET_TIMERSLACK = 29
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0):
        sys.exit("handoff_cv.sh: prctl(PR_SET_TIMERSLACK) failed")
    os.execvp(sys.argv[2], sys.argv[2:])
fd = os.open("/dev/cpu_dma_latency", os.O_WRONLY)
os.write(fd, struct.pack("i", 0))
sys.exit(subprocess.call(sys.argv[2:]))'
wrap() {
	local v=+$1+
	shift
	[[ $v == *+slack1+* ]] && set -- python3 -c "$WRAP" slack1 "$@"
	[[ $v == *+qos0+* ]] && set -- python3 -c "$WRAP" qos0 "$@"
	"$@"
}

# user+nice+system+irq+softirq and steal of the whole machine, in jiffies; entries into a
# cpuidle state deeper than POLL (HLT in a VM: a vCPU given back to the host), all CPUs
procstat() {
	local idle
	idle=$(cat /sys/devices/system/cpu/cpu[0-9]*/cpuidle/state[1-9]*/usage 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	awk -v idle="$idle" '/^cpu /{ print $2+$3+$4+$7+$8, $9, idle }' /proc/stat
}

# The table: per variant and cell, medians over the rounds. Then, over the runs of every
# variant: the first measured repetition against the others, and how the CV goes with the
# other load (Spearman's rank correlation).
REPORT='
import json, statistics as st, sys
hz = float(sys.argv[2])
rows, failed = [], 0
for line in open(sys.argv[1]):
    k, v, cell, f, rc, wall, busy, steal, load, halts = line.rstrip("\n").split("\t")
    if rc != "0":
        failed += 1
        continue
    c = json.load(open(f))["cells"][0]
    ok = [r for r in c["reps"] if r.get("status") == "ok"]
    ops = [r["ops_per_s"] for r in ok]
    opc = [r["ops"] / (r["cpu_user_s"] + r["cpu_sys_s"]) for r in ok if r["cpu_user_s"] + r["cpu_sys_s"] > 0]
    if len(ops) < 2 or len(opc) < 2:
        failed += 1
        continue
    perf = {}
    try:
        for l in open(f + ".perf"):
            p = l.split(",")
            if len(p) > 2 and p[0].replace(".", "", 1).isdigit():
                perf[p[2]] = float(p[0])
    except OSError:
        pass
    wall = float(wall)
    own = perf.get("task-clock", float("nan")) / 1000
    label = "%s/%s/n=%d" % (c["workload"], c["driver"], c["workers"])
    rows.append(dict(v=v, cell=label, cv=st.stdev(ops) / st.mean(ops) * 100, ops=st.median(ops),
                     cvcpu=st.stdev(opc) / st.mean(opc) * 100,
                     util=st.median(r["util_cores"] for r in c["reps"]),
                     first=ops[0] / st.median(ops[1:]),
                     other=(float(busy) / hz - own) / wall, steal=float(steal) / hz / wall,
                     mig=perf.get("cpu-migrations", float("nan")) / wall,
                     cs=perf.get("context-switches", float("nan")) / wall, load=float(load),
                     halts=float(halts) / wall))
med = lambda xs: st.median(xs) if xs else float("nan")
variants = list(dict.fromkeys(r["v"] for r in rows))
cells = list(dict.fromkeys(r["cell"] for r in rows))
print()
print("%-8s %-30s %3s %7s %7s %7s %10s %5s %6s %8s %6s %7s %5s" % ("variant", "cell", "K", "cv_med", "cv_max",
      "cv_cpu", "ops/s", "util", "first", "cs/s", "migr/s", "halt/s", "other"))
for c in cells:
    for v in variants:
        rs = [r for r in rows if r["v"] == v and r["cell"] == c]
        if not rs:
            continue
        m = lambda key: med([r[key] for r in rs])
        print("%-8s %-30s %3d %6.1f%% %6.1f%% %6.1f%% %10.4g %5.2f %6.3f %8.0f %6.1f %7.0f %5.2f" % (v, c,
              len(rs), m("cv"), max(r["cv"] for r in rs), m("cvcpu"), m("ops"), m("util"), m("first"), m("cs"),
              m("mig"), m("halts"), m("other")))
print()
print("per variant, over the hand-off cells (not cpu-spin): median and worst of the per-cell median CVs;")
print("other = cores busy with work that is not bench during its runs (median), steal in cores, load1")
def rank(xs):
    o = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    for pos, i in enumerate(o):
        r[i] = pos
    return r
def summary(v, rows):
    hc = [c for c in cells if not c.startswith("cpu-spin")]
    cvs = [med([r["cv"] for r in rows if r["v"] == v and r["cell"] == c]) for c in hc]
    cvs = [x for x in cvs if x == x]
    spin = [r["cv"] for r in rows if r["v"] == v and r["cell"].startswith("cpu-spin")]
    rs = [r for r in rows if r["v"] == v]
    hr = [r for r in rs if not r["cell"].startswith("cpu-spin")]
    rho = float("nan")
    if len(hr) > 2:
        a, b = rank([r["cv"] for r in hr]), rank([r["other"] for r in hr])
        ma, mb = st.mean(a), st.mean(b)
        num = sum((x - ma) * (y - mb) for x, y in zip(a, b))
        den = (sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b)) ** 0.5
        rho = num / den if den else float("nan")
    cpu = [med([r["cvcpu"] for r in rows if r["v"] == v and r["cell"] == c]) for c in hc]
    print("%-8s %3d runs  cv median %5.1f%%  worst %5.1f%%  cells <= 5%%: %2d of %2d  cpu-spin cv %4.1f%%  cv_cpu median %4.1f%% | first/rest %.3f  other %.2f  steal %.3f  load1 %.2f  rho(cv, other) %+.2f" % (
          v, len(rs), med(cvs), max(cvs) if cvs else float("nan"), sum(x <= 5 for x in cvs), len(cvs), med(spin),
          med([x for x in cpu if x == x]),
          med([r["first"] for r in hr]), med([r["other"] for r in rs]), med([r["steal"] for r in rs]),
          med([r["load"] for r in rs]), rho))
for v in variants:
    summary(v, rows)
quiet = float(sys.argv[3])
print("the same over the quiet runs only (other load <= %.2f cores):" % quiet)
for v in variants:
    summary(v, [r for r in rows if r["other"] <= quiet])
if failed:
    print("%d runs failed or had fewer than 2 ok repetitions (see the .err files)" % failed)
    sys.exit(1)'
# Does variant $1 apply to cell $2?
applies() { [[ +$1+ != *+spin50+* || $2 == *"-d thread"* || $2 == *"-d process"* ]]; }

# Wait until the machine was quiet for a second (GATE seconds at most).
gate() {
	local end=$((SECONDS + GATE)) b0 b1 _
	while ((SECONDS < end)); do
		read -r b0 _ < <(procstat)
		sleep 1
		read -r b1 _ < <(procstat)
		(($(echo "($b1 - $b0) / $(getconf CLK_TCK) <= $QUIET_MAX" | bc -l))) && return
	done
}

for v in $VARIANTS; do variant_args "$v" >/dev/null || exit 2; done
IFS=';' read -r -a cells <<<"$CELLS"
nv=$(wc -w <<<"$VARIANTS")
echo "handoff_cv: K=$K rounds x ${#cells[@]} cells x $nv variants ($VARIANTS), --reps $REPS; files in $OUT"
echo "load at the start: $(cut -d' ' -f1-3 /proc/loadavg); perf: ${PERF[*]:-(none)}"
echo "command of a run: [wrapper] $BENCH run CELL -n 2 [variant args] --reps $REPS -q -o FILE"
: >"$OUT/runs.tsv"
read -r -a vs <<<"$VARIANTS"
for k in $(seq 1 "$K"); do
	for ci in "${!cells[@]}"; do
		for j in $(seq 0 $((nv - 1))); do
			v=${vs[$(((j + k + ci) % nv))]}
			applies "$v" "${cells[$ci]}" || continue
			((GATE > 0)) && gate
			f="$OUT/r$k-c$ci-$v.json"
			cell=${cells[$ci]}
			[[ $cell == *" -n "* ]] || cell="$cell -n 2"
			read -r b0 s0 i0 < <(procstat)
			t0=$(date +%s.%N)
			# shellcheck disable=SC2046,SC2086
			wrap "$v" ${PERF[@]+"${PERF[@]}"} ${PERF[@]+"$f.perf"} \
				"$BENCH" run $cell $(variant_args "$v") --reps "$REPS" -q -o "$f" >/dev/null 2>"$f.err"
			rc=$?
			t1=$(date +%s.%N)
			read -r b1 s1 i1 < <(procstat)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$v" "$cell" "$f" "$rc" \
				"$(echo "$t1 - $t0" | bc)" "$((b1 - b0))" "$((s1 - s0))" "$(cut -d' ' -f1 /proc/loadavg)" \
				"$((i1 - i0))" >>"$OUT/runs.tsv"
		done
	done
	echo "round $k of $K done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done
python3 -c "$REPORT" "$OUT/runs.tsv" "$(getconf CLK_TCK)" "$QUIET_MAX"
