#!/usr/bin/env bash
# Command-line behaviour: exit codes and one-line error messages, as a table.
# usage: cli.sh path/to/bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

expect 2 "usage: bench"                              --
expect 0 "commands:"                                 -- --help
expect 2 "unknown command 'frobnicate'"              -- frobnicate
expect 0 "usage: bench run"                          -- run --help
expect 0 "usage: bench list"                         -- list --help
expect 0 "usage: bench info"                         -- info --help
expect 0 "usage: bench run"                          -- help run
expect 2 "nothing to run"                            -- run
expect 2 "unknown workload 'nope'"                   -- run -w nope
expect 2 "unknown driver 'fibers'"                   -- run -w cpu-spin -d fibers
expect 2 "unknown knob 'colour'"                     -- run -w cpu-spin -O colour=red
expect 2 "knob iters: 'abc' is not an integer"       -- run -w cpu-spin -O iters=abc
expect 2 "knob iters: 0 is out of range"             -- run -w cpu-spin -O iters=0
expect 2 "-O expects knob=value"                     -- run -w cpu-spin -O iters
expect 2 "given twice"                               -- run -w cpu-spin -O iters=5 -O iters=6
expect 2 "-n: '0' is not a worker count"             -- run -w cpu-spin -n 0
expect 2 "-n: 'x' is not a worker count"             -- run -w cpu-spin -n x
expect 2 "-n: '1000001' is not a worker count"       -- run -w cpu-spin -n 1000001
expect 2 "-n: bad list"                              -- run -w cpu-spin -n 1,,2
expect 2 "--reps: '0'"                               -- run -w cpu-spin --reps 0
expect 2 "--reps: '3x'"                              -- run -w cpu-spin --reps 3x
expect 2 "--duration: '-1'"                          -- run -w cpu-spin --duration -1
expect 2 "--pin: unknown policy 'wide'"              -- run -w cpu-spin --pin wide
expect 2 "--pin: PU 4096 does not exist"             -- run -w cpu-spin --pin pus:4096
expect 2 "directory /nonexistent does not exist"     -- run -w cpu-spin -o /nonexistent/r.json
expect 2 "is a directory"                            -- run -w cpu-spin -o /tmp
expect 2 "needs a value"                             -- run -w cpu-spin --reps
expect 2 "unknown option '--frob'"                   -- run --frob
expect 2 "unexpected argument 'extra'"               -- run -w cpu-spin extra
expect 2 "unknown option"                            -- info --bogus
expect 2 "unknown bare program 'nope'"               -- bare coro-switch nope
expect 0 "coro-switch-ucontext"                      -- bare --help
expect 0 "per switch \\(median\\): bare [0-9.]+ ns, harness [0-9.]+ ns" -- bare coro-switch --reps 1 --duration 0.02
# the old name works for one release, and says so
expect 0 "'baseline' is now 'bench bare'"            -- baseline --help
expect 2 "knob backend: 'boost'"                     -- run -w cpu-spin -d coroutine -O backend=boost
expect 0 "cpu-spin/coroutine/n=2 threads=2"          -- run -w cpu-spin -d coroutine -n 2 --reps 1 --warmup 0 --duration 0.02 -O threads=2 -O slice_us=1000 -o co.json
expect 2 "knob gil_mode: 'old' is not one of new.legacy" -- run -w cpu-spin -d gil -O gil_mode=old
expect 2 "unknown knob 'interval_us'"                -- run -w cpu-spin -d thread -O interval_us=100
expect 0 "cpu-spin/gil/n=2 gil_mode=legacy"          -- run -w cpu-spin -d gil -n 2 --reps 1 --warmup 0 --duration 0.02 -O gil_mode=new,legacy -o gil.json
one_line 2 run -w nope
one_line 2 run -w cpu-spin -O iters=abc
one_line 2 run -w cpu-spin -o /nonexistent/r.json

# nothing half-written on a usage error
expect 2 "unknown knob" -- run -w cpu-spin -O nope=1 -o out.json
if [[ -e $tmp/out.json ]]; then echo "FAIL usage error left out.json behind"; fail=$((fail + 1)); else pass=$((pass + 1)); fi

# a real run: table, results path, valid file; sweeps make one cell per value
expect 0 "cpu-spin/thread/n=1 iters=300"             -- run -w cpu-spin -d thread -n 1 --reps 1 --warmup 0 --duration 0.02 -O iters=300,600 -o sweep.json
if python3 -c "import json,sys; d=json.load(open('$tmp/sweep.json')); c=d['cells']; sys.exit(not (len(c)==2 and sorted(x['knobs']['iters'] for x in c)==[300,600] and all(x['status']=='ok' for x in c)))"; then
	echo "ok   sweep expands into two cells"; pass=$((pass + 1))
else echo "FAIL sweep cells"; fail=$((fail + 1)); fi
# two swept knobs make the cross product: task-pool task_us x mode = 4 cells, each combination once
expect 0 "task-pool/thread/n=2 task_us=10 mode=sync"  -- run -w task-pool -d thread -n 2 --reps 1 --warmup 0 --duration 0.02 -O task_us=1,10 -O mode=sync,async -o tpsweep.json
if python3 -c "import json,sys; c=json.load(open('$tmp/tpsweep.json'))['cells']; sys.exit(not (len(c)==4 and sorted((x['knobs']['task_us'], x['knobs']['mode']) for x in c)==[(1,'async'),(1,'sync'),(10,'async'),(10,'sync')] and all(x['status']=='ok' and x['reps'][0]['inflight']==(1 if x['knobs']['mode']=='sync' else 2) for x in c)))"; then
	echo "ok   task-pool sweep expands into four cells"; pass=$((pass + 1))
else echo "FAIL task-pool sweep cells"; fail=$((fail + 1)); fi
# the table: the primary metric with its unit, the spread, fair only where the workers do the
# same job, and the label column as wide as the widest label (issue 15). Where bench has
# --keep-disturbed, the runs use it: a busy machine then marks repetitions (ok*, a footnote) but
# cannot leave a cell unstable with an empty summary.
KD=(); "$BENCH" run --help | grep -q -- --keep-disturbed && KD=(--keep-disturbed)
out=$(cd "$tmp" && "$BENCH" run -w cpu-spin,producer-consumer -d thread -n 2 --reps 2 --warmup 0 --duration 0.02 -O queue=lock "${KD[@]}" -o table.json 2>/dev/null); rc=$?
check "table: the run succeeds" test "$rc" -eq 0
check "table: cpu-spin in spin units/s, its range over 2 repetitions, its wall with its unit, its fairness" \
	grep -Eq '^cpu-spin/thread/n=2 +ok\*? +[0-9.]+[kMG]? spin units/s +[0-9.]+[kMG]?\.\.[0-9.]+[kMG]? +[0-9.]+ +[0-9.]+ [mun]?s +[01]\.[0-9]{3}$' <<<"$out"
check "table: producer-consumer in items/s, no fairness (roles differ)" \
	grep -Eq '^producer-consumer/thread/n=2 queue=lock +ok\*? +[0-9.]+[kMG]? items/s .* -$' <<<"$out"
check "table: the status column lines up under its header" python3 -c "
import sys
rows = [l for l in sys.argv[1].splitlines() if l and not l.startswith(('results:', '* '))]
col = rows[0].index('status')
sys.exit(not (len(rows) == 3 and all(r[col - 1] == ' ' and r[col:col + 2] == 'ok' for r in rows[1:])))" "$out"
out=$(cd "$tmp" && "$BENCH" run -w sleep-io -d thread -n 2 --reps 1 --warmup 0 -O wait_us=100 -O count=5 "${KD[@]}" -o sio.json 2>/dev/null)
check "table: sleep-io by its wall time, lower is better, one repetition has no spread" \
	grep -Eq '^sleep-io/thread/n=2 wait_us=100 count=5 +ok\*? +[0-9.]+ [mun]?s wall \(lower\) +- ' <<<"$out"
# bench compare's table: at most 8 columns, values in engineering notation with their units
# (wall_s: "20.1 ms", not 0.0201), the change and its CI in one column
out=$(cd "$tmp" && "$BENCH" compare table.json table.json --metric wall_s 2>/dev/null)
check "compare table: units, engineering notation, at most 8 columns" python3 -c "
import re, sys
lines = sys.argv[1].splitlines()
hdr = next(l for l in lines if l.startswith('cell '))
cols = re.split(r'\s{2,}', hdr.strip())
rows = [l for l in lines if 'wall_s (lower)' in l]
ok = len(cols) <= 8 and 'change [95% CI]' in cols and len(rows) == 2
ok = ok and all(len(re.findall(r' [0-9.]+ [mun]?s ', r)) == 2 and 'e-0' not in r for r in rows)
sys.exit(not ok)" "$out"
out=$(cd "$tmp" && "$BENCH" compare table.json table.json --format markdown 2>/dev/null)
check "compare markdown: 8 columns, units in the values" python3 -c "
import sys
hdr = next(l for l in sys.argv[1].splitlines() if l.startswith('| cell'))
row = next(l for l in sys.argv[1].splitlines() if l.startswith('| cpu-spin'))
sys.exit(not (hdr.count('|') == 9 and 'change [95% CI]' in hdr and 'spin units/s' not in row and ' ops/s |' in row))" "$out"
# every command's --help names every long option its option table accepts (read from the
# sources: run_plan.c, cmd_*.c, plot/cli.c, the compare options macro), and bench --help lists
# --version
check "--help: every accepted option is documented; --version listed" python3 - "$(dirname "${BASH_SOURCE[0]}")/.." "$BENCH" <<'PYEOF'
import re, subprocess, sys
src, bench = sys.argv[1], sys.argv[2]
def table_names(path):
    text = open(f"{src}/{path}").read()
    names = set()
    for block in re.findall(r"struct option \w+\[\] = \{(.*?)\n\s*\};|struct option \w+\[\] = \{(.*?)\};", text, re.S):
        b = "".join(block)
        names |= set(re.findall(r'\{\s*"([a-z][a-z0-9-]*)"', b))
        if "COMPARE_LONG_OPTIONS" in b:
            names |= {"metric", "threshold", "alpha", "confidence", "ci-method", "ignore-knob", "fail-on"}
        elif "COMPARE_LONG_OPTION_METRIC" in b:
            names.add("metric")
    return names
cmds = {"run": ["bench/cli/run_plan.c"], "compare": ["bench/cli/cmd_compare.c"], "export": ["bench/cli/cmd_export.c"],
        "bare": ["bench/cli/cmd_bare.c"], "store": ["bench/cli/cmd_store.c"], "history": ["bench/cli/cmd_history.c"],
        "ab": ["bench/cli/cmd_ab.c"], "plot": ["plot/cli.c"], "report": ["plot/cli.c"],
        "list": ["bench/cli/cmd_help.c"], "info": ["bench/cli/cmd_help.c"]}
extra = {"run": {"no-store", "store"}, "rep": {"protocol-version", "protocol"}, "plot": {"history"}}
# plot/cli.c parses both; bench report refuses --ignore-knob (a plot-only option)
refused = {"report": {"ignore-knob"}}
bad = 0
for cmd in sorted(set(cmds) | set(extra)):
    opts = set().union(*(table_names(p) for p in cmds.get(cmd, []))) | extra.get(cmd, set())
    opts -= refused.get(cmd, set()) | {"help"}
    h = subprocess.run([bench, "help", cmd], capture_output=True, text=True).stdout
    missing = sorted(o for o in opts if not re.search(r"--" + re.escape(o) + r"\b", h))
    if missing:
        bad += 1
        print(f"bench {cmd} --help does not mention: " + ", ".join("--" + m for m in missing))
top = subprocess.run([bench, "--help"], capture_output=True, text=True).stdout
if "--version" not in top:
    bad += 1
    print("bench --help does not list --version")
sys.exit(1 if bad else 0)
PYEOF
expect 0 "results: results/"                         -- run -w cpu-spin -d process -n 2 --reps 1 --warmup 0 --duration 0.02 --quiet
if [[ -L $tmp/results/latest.json && -f $tmp/results/$(readlink "$tmp/results/latest.json") ]]; then
	echo "ok   results/latest.json points at the run just made"; pass=$((pass + 1))
else echo "FAIL results/latest.json is not a symlink to the newest results file"; fail=$((fail + 1)); fi
expect 0 "report: results/.*-report/report.md"       -- report results/latest.json
expect 0 "usage: bench plot"                         -- plot --help
expect 0 "usage: bench report"                       -- report --help
expect 2 "no results file given"                     -- plot
expect 2 "too many arguments"                        -- plot a.json b.json c.json
expect 2 "cannot read nope.json"                     -- report nope.json
expect 2 "--format: 'gif' is not png, svg or pdf"    -- plot nope.json --format gif
expect 2 "report: unknown option '--ignore-knob'"    -- report nope.json --ignore-knob x
one_line 2 plot nope.json
expect 0 '"topology"'                                -- info --json
expect 0 "cpu-spin"                                  -- list

# SIGINT during a run: exit 130, partial results written and valid, no leftover processes
(cd "$tmp" && exec "$BENCH" run -w cpu-spin -d process,thread -n 2 --reps 50 --duration 0.1 -o int.json >/dev/null 2>&1) &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid; rc=$?
if [[ $rc -eq 130 ]] && python3 -c "import json,sys; d=json.load(open('$tmp/int.json')); sys.exit(not d['interrupted'])"; then
	echo "ok   SIGINT: exit 130 and an interrupted, valid results file"; pass=$((pass + 1))
else echo "FAIL SIGINT: exit $rc"; fail=$((fail + 1)); fi
sleep 0.2
if pgrep -f "bench run -w cpu-spin -d process,thread" >/dev/null; then
	echo "FAIL processes left after SIGINT"; fail=$((fail + 1)); else echo "ok   nothing left after SIGINT"; pass=$((pass + 1)); fi

# SIGTERM: exit 143, interrupted_by SIGTERM
(cd "$tmp" && exec "$BENCH" run -w cpu-spin -d thread -n 1 --reps 50 --duration 0.1 -o term.json >/dev/null 2>&1) &
pid=$!
sleep 1
kill -TERM $pid
wait $pid; rc=$?
if [[ $rc -eq 143 ]] && python3 -c "import json,sys; d=json.load(open('$tmp/term.json')); sys.exit(not (d['interrupted'] and d['interrupted_by']=='SIGTERM'))"; then
	echo "ok   SIGTERM: exit 143 and an interrupted, valid results file"; pass=$((pass + 1))
else echo "FAIL SIGTERM: exit $rc"; fail=$((fail + 1)); fi

# ---- issue 13: the command line and the results writer hold against hostile input ----
Q=(--reps 1 --warmup 0 --duration 0.02)   # the shortest real run
# jq-free checks of a results file: py FILE EXPR (d = the document)
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not ($2))" "$1"; }

# 2. no fixed-size arrays: 65 -w / -d entries, 65 -n values, a 200-character name
many() { local o=$1 v=$2 i; for ((i = 0; i < 65; i++)); do printf '%s\n%s\n' "$o" "$v"; done; }
mapfile -t W < <(many -w cpu-spin); mapfile -t D < <(many -d thread)
expect 2 "unknown knob 'nope'"                       -- run "${W[@]}" -O nope=1
expect 2 "unknown knob 'nope'"                       -- run -w cpu-spin "${D[@]}" -O nope=1
expect 2 "unknown workload '$(printf 'x%.0s' {1..200})'" -- run -w "$(printf 'x%.0s' {1..200})"
N=(); for ((i = 2; i <= 66; i++)); do N+=(-n "$i"); done
expect 0 "cpu-spin/thread/n=66"                      -- run -w cpu-spin -d thread "${N[@]}" "${Q[@]}" -o n65.json
check "65 -n values make 65 cells with workers 2..66" \
	py "$tmp/n65.json" "sorted(c['workers'] for c in d['cells']) == list(range(2, 67))"

# 3. a plan has a cap (10000 cells) and one worker limit (TASK_MAX_WORKERS)
# refused REGEX ARGS...: refused up front, not after running a cell: exit 2, one line on stderr
# matching REGEX, nothing on stdout. The 120 s timeout is a hang guard, not a speed target:
# parsing the 43 MB big.json below takes 2.5 s here and over 20 s under ASan on a loaded runner
# (a fresh-clone .ci/run timed out at 20 s); running its 10001 cells would take over 15 min.
refused() {
	local re=$1; shift
	local err out rc
	out=$(cd "$tmp" && timeout 120 "$BENCH" "$@" 2>"$tmp/refused.err"); rc=$?; err=$(<"$tmp/refused.err")
	if [[ $rc -eq 2 && -z $out && $(wc -l <<<"$err") -eq 1 ]] && grep -Eq -- "$re" <<<"$err"; then
		echo "ok   refused: bench ${*:1:8}..."; pass=$((pass + 1))
	else
		echo "FAIL bench ${*:1:8}...: exit $rc (want 2), stdout ${#out} bytes (want 0), stderr:"; head -3 <<<"$err" | cut -c1-200
		fail=$((fail + 1))
	fi
}
V=$(seq -s, 1 64) V0=$(seq -s, 0 63)
refused "plan has 1048576 cells, more than the cap of 10000" run -w cpu-spin -d thread -n 1 -O iters=$V -O fault_worker=$V0 -O fault_after_ms=$V -O fault=none,crash,abort,hang
refused "plan has 12288 cells, more than the cap of 10000" run -w cpu-spin -d thread -n 1,2,3 -O iters=$V -O fault_worker=$V0
# --baseline: the cells come from the file, the same cap and limit apply
py "$tmp/n65.json" 1 && python3 - "$tmp/n65.json" "$tmp" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1])); c0 = d['cells'][0]
big = copy.deepcopy(d); big['cells'] = []
for i in range(10001):
    c = copy.deepcopy(c0); c['knobs']['iters'] = i + 1; big['cells'].append(c)
json.dump(big, open(sys.argv[2] + '/big.json', 'w'))
w = copy.deepcopy(d); w['cells'] = [copy.deepcopy(c0)]; w['cells'][0].update(workers=1000001, driver='coroutine', knobs={'iters': 1})  # coroutines: harmless if it ran
json.dump(w, open(sys.argv[2] + '/million.json', 'w'))
PY
refused "plan has 10001 cells, more than the cap of 10000" run --baseline big.json "${Q[@]}" -o big-new.json
refused "1000001" run --baseline million.json "${Q[@]}" -o million-new.json

# 4. -o: only regular files are replaced; symlinks are written through; the mode is kept
mkfifo "$tmp/fifo"; mkdir "$tmp/sub"
expect 2 "fifo is not a regular file"                -- run -w cpu-spin -d thread -n 1 "${Q[@]}" -o fifo
check "-o FIFO: still a FIFO" test -p "$tmp/fifo"
if [[ $(id -u) -eq 0 ]]; then
	mknod "$tmp/chr" c 1 3
	expect 2 "chr is not a regular file"             -- run -w cpu-spin -d thread -n 1 "${Q[@]}" -o chr
	check "-o character device: still a device" test -c "$tmp/chr"
fi
ln -s sub/target.json "$tmp/link.json"
expect 0 "results: link.json"                        -- run -w cpu-spin -d thread -n 1 "${Q[@]}" -o link.json
check "-o symlink: the link stays a link" test -L "$tmp/link.json"
check "-o symlink: its target is written" py "$tmp/sub/target.json" "len(d['cells']) == 1"
check "-o symlink: no temp file left" test -z "$(find "$tmp" -name '.*tmp*')"
ln -s loop.json "$tmp/loop.json"
expect 2 "loop.json"                                 -- run -w cpu-spin -d thread -n 1 "${Q[@]}" -o loop.json
: >"$tmp/private.json"; chmod 600 "$tmp/private.json"
expect 0 "results: private.json"                     -- run -w cpu-spin -d thread -n 1 "${Q[@]}" -o private.json
check "-o existing 0600 file keeps its mode" test "$(stat -c %a "$tmp/private.json")" = 600

# 5. a reader that goes away does not lose the results; SIGHUP/SIGQUIT keep partial results
python3 - "$BENCH" "$tmp" <<'PY' && pass=$((pass + 1)) || fail=$((fail + 1))
import json, os, subprocess, sys
r, w = os.pipe(); os.close(r)   # stdout: a pipe nobody reads (EPIPE on the first write)
p = subprocess.run([sys.argv[1], 'run', '-w', 'cpu-spin', '-d', 'thread', '-n', '1,2', '--reps', '1', '--warmup', '0',
                    '--duration', '0.02', '-o', 'epipe.json'], stdout=w, stderr=subprocess.PIPE, cwd=sys.argv[2])
ok = p.returncode == 0 and len(json.load(open(sys.argv[2] + '/epipe.json'))['cells']) == 2 and not p.stderr
print(('ok   ' if ok else 'FAIL ') + 'stdout closed by its reader: exit %d (want 0), 2 cells written, stderr %r' % (p.returncode, p.stderr[:200]))
sys.exit(not ok)
PY
(cd "$tmp" && "$BENCH" run -w cpu-spin -d thread -n 1,2 "${Q[@]}" -o head.json | head -1 >/dev/null; exit "${PIPESTATUS[0]}"); rc=$?
check "bench run | head -1: exit $rc (want 0) and every cell written" \
	eval '[[ $rc -eq 0 ]] && py "$tmp/head.json" "len(d[\"cells\"]) == 2"'
for s in HUP QUIT; do
	(cd "$tmp" && exec "$BENCH" run -w cpu-spin -d thread -n 1 --reps 50 --duration 0.1 -o sig$s.json >/dev/null 2>&1) &
	pid=$!; sleep 1; kill -$s $pid; wait $pid; rc=$?
	want=$((128 + $(kill -l $s)))
	check "SIG$s: exit $rc (want $want) and an interrupted, valid results file" \
		eval '[[ $rc -eq $want ]] && py "$tmp/sig$s.json" "d[\"interrupted\"] and d[\"interrupted_by\"] == \"SIG$s\""'
done
(cd "$tmp" && exec nohup "$BENCH" run -w cpu-spin -d thread -n 1 --reps 8 --duration 0.1 -o nohup.json >/dev/null 2>&1) &
pid=$!; sleep 0.5; kill -HUP $pid; wait $pid; rc=$?
check "nohup: an ignored SIGHUP stays ignored (exit $rc, want 0)" eval '[[ $rc -eq 0 ]] && py "$tmp/nohup.json" "not d[\"interrupted\"]"'

# 6. default output names are unique, even for runs started in the same second
mkdir "$tmp/uniq"
for i in 1 2 3; do (cd "$tmp/uniq" && exec "$BENCH" run -w cpu-spin -d thread -n 1 "${Q[@]}" -q >/dev/null 2>&1) & done
wait
check "three runs at once: three results files ($(ls "$tmp/uniq/results" | grep -v latest | grep -c 'json$') found)" \
	test "$(ls "$tmp/uniq/results" | grep -v latest.json | grep -c 'json$')" -eq 3
check "three runs at once: three runs in results/history.db" \
	test "$(cd "$tmp/uniq" && "$BENCH" history --csv | grep -c '^cpu-spin/thread/n=1')" -eq 3
check "results/latest.json names one of them" test -f "$tmp/uniq/results/$(readlink "$tmp/uniq/results/latest.json")"

# 7. a failed write to stdout is an error, for every command: exit 1 and one line
full() {
	local out rc; out=$(cd "$tmp" && "$BENCH" "$@" 2>&1 >/dev/full); rc=$?
	if [[ $rc -eq 1 && $(grep -c 'write to stdout' <<<"$out") -eq 1 && ${out##*$'\n'} == "bench: $1: write to stdout failed: No space left on device" ]]; then
		echo "ok   bench $* >/dev/full"; pass=$((pass + 1))
	else echo "FAIL bench $* >/dev/full: exit $rc (want 1), stderr: $out" | head -4; fail=$((fail + 1)); fi
}
full list
full info --json
full export sweep.json
full compare --format json --fail-on regression sweep.json sweep.json   # sweep.json has too few reps (exit 4)
full run -w cpu-spin -d thread -n 1 "${Q[@]}" -o full.json

# 9. prefixes of --help, grouped -h, help for an unknown command; duplicates are merged
expect 0 "usage: bench bare"                         -- bare --hel
expect 2 "unknown command 'nosuch'"                  -- help nosuch
one_line 2 help nosuch
expect 0 "usage: bench run"                          -- run --hel
expect 0 "usage: bench run"                          -- run --he
expect 0 "usage: bench run"                          -- run -qh
one_line 2 run --con x
expect 0 "results: dup.json"                         -- run -w cpu-spin,cpu-spin -w cpu-spin -d thread -d thread,thread -n 1,1 -n 1 -O iters=300,0300,300 "${Q[@]}" -o dup.json
check "duplicate -w/-d/-n entries and sweep values make one cell" py "$tmp/dup.json" "len(d['cells']) == 1"

# 10. a coroutine stack too large for the address-space limit fails at once, naming the limit
if "$BENCH" info --json | grep -q '"sanitizer": "none"'; then   # ASan cannot start under ulimit -v
	out=$(cd "$tmp" && ulimit -v 4000000 && "$BENCH" run -w cpu-spin -d coroutine -n 4 "${Q[@]}" -O stack_kb=1048576 -o as.json 2>&1); rc=$?
	check "coroutine stacks over RLIMIT_AS: exit $rc (want 1), one reason naming the limit" \
		eval '[[ $rc -eq 1 ]] && grep -q "address-space limit (RLIMIT_AS" <<<"$out" && ! grep -q max_map_count <<<"$out"'
	maps=$(cat /proc/sys/vm/max_map_count)
	if (( maps / 2 + 100 <= 1000000 )); then
		expect 1 "vm.max_map_count = [0-9]+, it needs [0-9]+" -- run -w cpu-spin -d coroutine -n $((maps / 2 + 100)) -O guard_every=1 "${Q[@]}" -o maps.json
	fi
fi

summary
