#!/usr/bin/env bash
# bench run --dry-run: the plan without running it. Its cells are the real run's cells (the
# same labels, in the same order, the same identities in the results file), with -w/-d/-n/-O
# sweeps, --all and --baseline; nothing is run or written; the estimate adds up.
# usage: dryrun.sh path/to/bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# a sweep over every axis: 2 workloads x 2 drivers x 2 worker counts, sync swept where it applies
SWEEP=(-w cpu-spin,shared-counter -d thread,process -n 1,2 -O sync=none,atomic)
FAST=(--reps 1 --warmup 0 --duration 0.01 --no-store)

expect 0 "^plan: 12 cells"                       -- run --dry-run "${SWEEP[@]}" "${FAST[@]}"
expect 2 "--json needs --dry-run"                -- run --json -w cpu-spin
one_line 2 run --json -w cpu-spin
one_line 2 run --dry-run -w nope
expect 2 "nothing to run"                        -- run --dry-run

# labels_of_table FILE N: the label column of the first N rows of a run's table
labels_of_table() {
	python3 - "$1" "$2" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
hdr = lines[0]
w = hdr.index(" status")
for row in lines[1:1 + int(sys.argv[2])]:
    print(row[:w].rstrip())
EOF
}
# labels_of_plan FILE: the labels of a --dry-run --json plan, one a line
labels_of_plan() { python3 -c 'import json,sys; [print(c["label"]) for c in json.load(open(sys.argv[1]))["cells"]]' "$1"; }

# same_cells PLAN.json RESULTS.json TABLE.txt: a cell of the plan per cell of the file, in order,
# with the same workload, driver, workers and knobs; the table's labels are the plan's
same_cells() {
	local n
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cells"]))' "$1") || return 1
	[[ $n -gt 0 ]] || return 1
	diff <(labels_of_plan "$1") <(labels_of_table "$3" "$n") || return 1
	python3 - "$1" "$2" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))["cells"]
real = json.load(open(sys.argv[2]))["cells"]
key = lambda c: (c["workload"], c["driver"], c["workers"], sorted(c["knobs"].items()))
p, r = [key(c) for c in plan], [key(c) for c in real]
if p != r:
    print("plan:", p, "\nreal:", r)
    sys.exit(1)
EOF
}

(cd "$tmp" && "$BENCH" run --dry-run --json "${SWEEP[@]}" "${FAST[@]}" >plan.json 2>plan.err)
check "dry run: exit 0, JSON on stdout" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/plan.json"
check "dry run: nothing written (no results directory)" test ! -e "$tmp/results"
(cd "$tmp" && "$BENCH" run "${SWEEP[@]}" "${FAST[@]}" -o real.json >table.txt 2>real.err)
check "dry run: the real run's cells, labels and order (-w/-d/-n/-O sweeps)" \
	same_cells "$tmp/plan.json" "$tmp/real.json" "$tmp/table.txt"

# --baseline FILE: the baseline's cells, labelled as the run labels them, -O overriding a knob
(cd "$tmp" && "$BENCH" run --dry-run --json --baseline real.json -O iters=50 "${FAST[@]}" >bplan.json)
(cd "$tmp" && "$BENCH" run --baseline real.json -O iters=50 "${FAST[@]}" -o again.json >btable.txt 2>&1)
check "dry run --baseline: the real run's cells and labels" same_cells "$tmp/bplan.json" "$tmp/again.json" "$tmp/btable.txt"

# nothing written, not even the history or a default results file of --baseline
mkdir "$tmp/empty"
(cd "$tmp/empty" && "$BENCH" run --dry-run -w cpu-spin >/dev/null && "$BENCH" run --dry-run --baseline ../real.json >/dev/null)
check "dry run (and --baseline): the directory stays empty" test -z "$(ls -A "$tmp/empty")"

# --all: every cell of the survey (a real --all with one short repetition per cell)
(cd "$tmp" && "$BENCH" run --dry-run --json --all "${FAST[@]}" >aplan.json)
(cd "$tmp" && "$BENCH" run --all "${FAST[@]}" -o all.json >atable.txt 2>&1)
check "dry run --all: the real run's cells and labels" same_cells "$tmp/aplan.json" "$tmp/all.json" "$tmp/atable.txt"

# --claims: the preset's cells, with their own pins and labels (pingpong on one PU)
(cd "$tmp" && "$BENCH" run --dry-run --json --claims "${FAST[@]}" >cplan.json)
(cd "$tmp" && "$BENCH" run --claims "${FAST[@]}" --keep-disturbed -o claims.json >ctable.txt 2>&1)
check "dry run --claims: the real run's cells and labels" same_cells "$tmp/cplan.json" "$tmp/claims.json" "$tmp/ctable.txt"
check "dry run --claims: the one-PU pingpong cells keep their pin" python3 - "$tmp/cplan.json" "$tmp/claims.json" <<'EOF'
import json, sys
plan = [c.get("pin") for c in json.load(open(sys.argv[1]))["cells"]]
real = [c.get("pin") for c in json.load(open(sys.argv[2]))["cells"]]
assert plan == real and "pus:0,0" in plan, (plan, real)
EOF

# the estimate: a fixed cell is its overhead plus (warm-ups + reps) x (duration + the
# per-repetition overhead); the total is the sum of the cells; a skipped cell costs nothing
check "dry run: each cell's estimate and the total add up (fixed reps)" python3 - "$tmp/plan.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
o, s = p["overhead_s"], p["settings"]
tot = 0
for c in p["cells"]:
    rep = s["duration_s"] + (o["foreign_repetition"] if c["foreign"] else o["repetition"])
    want = 0 if c["skipped"] else o["cell"] + (s["warmup"] + s["reps"]) * rep
    assert abs(c["estimate_s"]["min"] - want) < 1e-9, (c, want)
    assert c["estimate_s"]["max"] >= c["estimate_s"]["min"]
    tot += c["estimate_s"]["min"]
assert abs(p["estimate_s"]["min"] - tot) < 1e-6, (p["estimate_s"], tot)
assert s["reps"] == 1 and s["warmup"] == 0 and s["duration_s"] == 0.01
EOF
# --reps auto: at least the minimum, at most what the budgets allow
(cd "$tmp" && "$BENCH" run --dry-run --json --reps auto -w cpu-spin -d thread -n 1,2 >auto.json)
check "dry run --reps auto: min reps, a max within the budget" python3 - "$tmp/auto.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["settings"]["reps"] == "auto", p["settings"]
for c in p["cells"]:
    assert c["reps"]["min"] == 5 and 5 < c["reps"]["max"] <= 100, c
    assert c["estimate_s"]["max"] > c["estimate_s"]["min"], c
    # a cell's most: its budget (at most 10 s) after its warm-ups
    assert c["estimate_s"]["max"] <= 0.04 + 1 * 0.215 + 10 + 1e-9, c
# the run's budget bounds what the cells add to their minimum
lo, hi = p["estimate_s"]["min"], p["estimate_s"]["max"]
assert lo < hi <= lo + p["settings"]["run_budget_s"] + 1e-9, p["estimate_s"]
EOF
# a skipped cell (pingpong needs 2 workers) is in the plan, marked, free
(cd "$tmp" && "$BENCH" run --dry-run -w pingpong -d thread -n 1,2 >skip.txt)
check "dry run: a cell the run would skip says so" grep -q "pingpong/thread/n=1 .*skipped: pingpong needs at least 2 workers" "$tmp/skip.txt"

summary
