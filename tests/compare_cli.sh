#!/usr/bin/env bash
# bench compare / export / run --baseline from the command line: verdicts on synthetic results
# files (deterministic: the repetition values are written by hand), exit codes, and one-line
# errors on broken inputs (missing, empty, truncated, huge, foreign, wrongly typed, mismatched).
# usage: compare_cli.sh path/to/bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# A real results file, then synthetic variants with chosen repetition values.
(cd "$tmp" && "$BENCH" run -w cpu-spin -d thread -n 1 --reps 5 --warmup 0 --duration 0.02 -o real.json -q >/dev/null) ||
	{ echo "FAIL cannot make a results file"; exit 1; }
# mk OUT 'python expression over d (the document)': write a modified copy of real.json
mk() {
	python3 - "$tmp/real.json" "$tmp/$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def setvals(cell, vals, metric="ops_per_s"):
    proto = cell["reps"][0]
    cell["reps"] = []
    for i, v in enumerate(vals):
        r = dict(proto); r["index"] = i; r[metric] = v; cell["reps"].append(r)
c = d["cells"][0]
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
EOF
}
mk base.json   'setvals(c, [100, 101, 99, 100.5, 99.5])'
mk same.json   'setvals(c, [100.2, 100.9, 99.1, 100.4, 99.6])'
mk slow.json   'setvals(c, [80, 80.8, 79.2, 80.4, 79.6])'
mk fast.json   'setvals(c, [125, 126, 124, 125.5, 124.5])'
mk small.json  'setvals(c, [98, 98.2, 97.9, 98.1, 97.8])'          # -2%: significant but below 3%
mk four.json   'setvals(c, [80, 80.8, 79.2, 80.4])'
mk base4.json  'setvals(c, [100, 101, 99, 100.5])'
mk other_machine.json 'setvals(c, [100.2, 100.9, 99.1, 100.4, 99.6]); d["machine"]["governor"] = "powersave"; d["machine"]["cpu"]["brand"] = "Other CPU"'
mk knob.json   'setvals(c, [80, 80.8, 79.2, 80.4, 79.6]); c["knobs"]["extra_work_pct"] = 25'
mk two.json    'setvals(c, [100, 101, 99, 100.5, 99.5]); import copy; e = copy.deepcopy(c); e["workers"] = 2; d["cells"].append(e)'
mk walls.json  'setvals(c, [1.0, 1.01, 0.99, 1.005, 0.995], "wall_s")'
mk walls2.json 'setvals(c, [1.2, 1.21, 1.19, 1.205, 1.195], "wall_s")'
mk failed.json 'c["status"] = "failed"; c["error"] = "worker 0: boom"'
mk huge_base.json 'setvals(c, [1e12, 1.01e12, 0.99e12, 1.005e12, 0.995e12])'   # no real run is that fast
mk tiny_base.json 'setvals(c, [1, 1.01, 0.99, 1.005, 0.995])'                   # ... nor that slow

echo "-- verdicts"
expect 0 "no change"                 -- compare base.json same.json
expect 1 "REGRESSION"                -- compare base.json slow.json
expect 1 "1 regression"              -- compare base.json slow.json
expect 0 "improvement"               -- compare base.json fast.json
expect 1 "improvement"               -- compare base.json fast.json --fail-on any
expect 0 "REGRESSION"                -- compare base.json slow.json --fail-on never
expect 0 "below threshold"           -- compare base.json small.json
expect 1 "REGRESSION"                -- compare base.json small.json --threshold 1
# too few reps never passes silently: exit 4 (its own status), unless --fail-on leaves it out
expect 4 "too few reps"              -- compare base4.json four.json
expect 4 "smallest possible p is 0.029"  -- compare base4.json four.json
expect 4 "use at least 5 repetitions"    -- compare base4.json four.json
expect 4 "1 with too few repetitions"    -- compare base4.json four.json --fail-on regression,too-few
expect 0 "too few reps"              -- compare base4.json four.json --fail-on regression
expect 0 "too few reps"              -- compare base4.json four.json --fail-on never
expect 4 "too-few"                   -- compare base4.json four.json --format json
out=$(cd "$tmp" && "$BENCH" compare base4.json four.json -o r4.txt 2>&1)
check "too few reps: a warning on stderr when the report goes to a file" grep -q "too few repetitions per run for p < 0.01: use at least 5 (exit 4" <<<"$out"
mk unst.json 'setvals(c, [100.2, 100.9, 99.1, 100.4, 99.6]); c["status"] = "unstable"'
if (cd "$tmp" && "$BENCH" compare base.json unst.json >/dev/null 2>&1; [[ $? -ne 2 ]]); then
	# the loader knows the contract's "unstable" status (schema 2): no verdict, exit 3
	expect 3 "UNSTABLE"                  -- compare base.json unst.json
	expect 3 "unstable in the new run"   -- compare base.json unst.json
	expect 0 "1 unstable"                -- compare base.json unst.json --fail-on regression
fi
expect 0 "^  3  a cell is unstable"      -- compare --help
expect 0 "^  4  too few reps.*at alpha 0.01: at least" -- compare --help
expect 1 "REGRESSION"                -- compare base4.json four.json --alpha 0.05
expect 1 "REGRESSION"                -- compare base.json slow.json --ci-method hl
expect 1 "geomean of 1 cell .* -20"  -- compare base.json slow.json
expect 0 "machines differ: cpu.brand \(AMD|machines differ: cpu.brand .*governor \(unknown vs powersave\)" -- compare base.json other_machine.json
expect 2 "no cell of knob.json matches"  -- compare base.json knob.json
expect 1 "extra_work_pct=0->25 .*REGRESSION" -- compare base.json knob.json --ignore-knob extra_work_pct
expect 0 "only in the new run: cpu-spin/thread/n=2" -- compare base.json two.json
expect 0 "only in the baseline: cpu-spin/thread/n=2" -- compare two.json base.json
expect 1 "wall_s \(lower\).*REGRESSION" -- compare walls.json walls2.json --metric wall_s
expect 0 "wall_s \(lower\).*improvement" -- compare walls2.json walls.json --metric wall_s
expect 1 "wall_s \(higher\).*REGRESSION" -- compare walls2.json walls.json --metric wall_s:higher
expect 2 "is higher or lower better"  -- compare base.json same.json --metric util_cores
expect 2 "no matched cell records"    -- compare base.json same.json --metric nope:higher
# a metric the baseline records and the new run does not: not a pass (exit 4), with its line
# (two cells: the other one records it on both sides, else the metric is refused as unknown)
mk fair2.json   'import copy; c2 = copy.deepcopy(c); c2["knobs"]["iters"] = 601; d["cells"].append(c2)'
mk nofair2.json 'import copy; c2 = copy.deepcopy(c); c2["knobs"]["iters"] = 601; d["cells"].append(c2)
for r in c2["reps"]: r.pop("fairness", None)
c2["summary"].pop("fairness", None)'
expect 4 "fairness is not recorded in the new run" -- compare fair2.json nofair2.json --metric fairness:higher
expect 0 "not recorded in the baseline"  -- compare nofair2.json fair2.json --metric fairness:higher
expect 0 "not recorded in the new run"   -- compare fair2.json nofair2.json --metric fairness:higher --fail-on regression
expect 4 "record their metric in the baseline but not in the new run" -- compare fair2.json nofair2.json --metric fairness:higher --format json
expect 1 "100 ops/s +- +- .*FAILED \(new\)" -- compare base.json failed.json
expect 1 "failed in the new run: worker 0: boom" -- compare base.json failed.json
expect 0 "failed \(base\)"            -- compare failed.json base.json
expect 1 '\*\*REGRESSION\*\*'          -- compare base.json slow.json --format markdown
expect 1 '^\| cell \| metric'         -- compare base.json slow.json --format markdown
out=$(cd "$tmp" && "$BENCH" compare base.json slow.json --format json 2>/dev/null)
check "json report parses, says regression, exit 1" python3 -c "
import json, sys; d = json.loads(sys.argv[1]); c = d['cells'][0]
sys.exit(not (c['verdict'] == 'regression' and c['exact'] and abs(c['p'] - 2/252) < 1e-9 and d['exit'] == 1
              and abs(c['change_pct'] + 20) < 0.5 and c['ci_pct'][1] < -3 and d['counts']['regression'] == 1))" "$out"
expect 1 ""                           -- compare base.json slow.json -o report.txt
check "-o writes the report to the file" grep -q REGRESSION "$tmp/report.txt"

echo "-- broken and mismatched inputs: exit 2, one line"
: >"$tmp/empty.json"
head -c 300 "$tmp/real.json" >"$tmp/truncated.json"
echo 'hello' >"$tmp/notjson.json"
echo '[1, 2, 3]' >"$tmp/array.json"
echo '{"name": "something else"}' >"$tmp/foreign.json"
mk v99.json      'd["schema_version"] = 99'
mk v0.json       'd["schema_version"] = 0'
mk vstr.json     'd["schema_version"] = "1"'
mk tool.json     'd["tool"]["name"] = "other"'
mk cellsobj.json 'd["cells"] = {}'
mk workers.json  'c["workers"] = "one"'
mk repsnum.json  'c["reps"] = 5'
mk knobsarr.json 'c["knobs"] = [1, 2]'
mk repstat.json  'c["reps"][0]["status"] = 7'
mk better.json   'c["primary"]["better"] = "sideways"'
mk nomachine.json 'del d["machine"]'
mk dup.json      'import copy; d["cells"].append(copy.deepcopy(c))'
mk nocells.json  'd["cells"] = []'
truncate -s 300M "$tmp/huge.json"
mkdir -p "$tmp/dir.json"
expect 2 "cannot read missing.json: No such file"            -- compare missing.json base.json
expect 2 "cannot read missing.json: No such file"            -- compare base.json missing.json
expect 2 "empty.json is empty"                               -- compare base.json empty.json
expect 2 "truncated.json is not valid JSON .*line"           -- compare base.json truncated.json
expect 2 "notjson.json is not valid JSON"                    -- compare base.json notjson.json
expect 2 "array.json is not a bench results file"            -- compare base.json array.json
expect 2 "foreign.json is not a bench results file: it has no schema_version" -- compare base.json foreign.json
expect 2 "v99.json has schema_version 99, but this bench reads schema_version 1 to 2 \(written by a newer bench\)" -- compare base.json v99.json
expect 2 "v0.json has schema_version 0.*older"               -- compare v0.json base.json
expect 2 "schema_version should be an integer, is a string"  -- compare base.json vstr.json
expect 2 "tool.name is not"                                  -- compare base.json tool.json
expect 2 "cells should be an array, is an object"            -- compare base.json cellsobj.json
expect 2 "cells\[0\].workers should be an integer"           -- compare base.json workers.json
expect 2 "cells\[0\].reps should be an array"                -- compare base.json repsnum.json
expect 2 "cells\[0\].knobs should be an object, is an array" -- compare base.json knobsarr.json
expect 2 "cells\[0\].reps\[0\].status should be a string"    -- compare base.json repstat.json
expect 2 "primary.better should be"                          -- compare base.json better.json
expect 2 "machine should be an object, is missing"           -- compare base.json nomachine.json
expect 2 "cells 0 and 1 are the same cell"                   -- compare base.json dup.json
expect 2 "no cell of nocells.json matches"                   -- compare base.json nocells.json
expect 2 "huge.json is 300 MiB, more than a results file may have" -- compare base.json huge.json
expect 2 "dir.json is a directory"                           -- compare base.json dir.json
expect 2 "needs two results files"                           -- compare base.json
expect 2 "unexpected argument 'x.json'"                      -- compare base.json same.json x.json
expect 2 "--threshold: 'abc'"                                -- compare base.json same.json --threshold abc
expect 2 "--alpha: '2'"                                      -- compare base.json same.json --alpha 2
expect 2 "--format: 'xml'"                                   -- compare base.json same.json --format xml
expect 2 "--fail-on: 'sometimes'"                            -- compare base.json same.json --fail-on sometimes
expect 2 "--fail-on: 'regression,,unstable' is not a comma-separated set" -- compare base.json same.json --fail-on regression,,unstable
expect 2 "--ci-method: 'magic'"                              -- compare base.json same.json --ci-method magic
expect 2 "--metric: 'x:sideways'"                            -- compare base.json same.json --metric x:sideways
expect 2 "unknown option '--frob'"                           -- compare base.json same.json --frob
expect 2 "compare: unknown option '--hel'"                   -- compare base.json same.json --hel
expect 0 "usage: bench compare"                              -- compare --help
expect 0 "usage: bench export"                               -- export --help
for f in missing empty truncated notjson array foreign v99 vstr workers repsnum knobsarr huge dir dup nocells; do
	one_line 2 compare base.json $f.json
done
one_line 2 compare base.json

echo "-- export"
out=$(cd "$tmp" && "$BENCH" export real.json 2>/dev/null)
check "github-action-benchmark JSON: name, unit, value, range, extra" python3 -c "
import json, sys; a = json.loads(sys.argv[1])
sys.exit(not (len(a) == 1 and a[0]['unit'] == 'ops/s' and a[0]['value'] > 0 and a[0]['range'].startswith('\u00b1')
              and a[0]['name'].startswith('cpu-spin/thread/n=1 pin=spread') and 'iters=' in a[0]['name'] and 'extra' in a[0]))" "$out"
# an empty selection is an error, never "[]" (github-action-benchmark rejects an empty array)
expect 2 "^bench: export: no cell to export with --better lower: 1 cell has a higher-is-better metric \(--better higher\)" -- export real.json --better lower
one_line 2 export real.json --better lower
expect 2 "no cell to export .* 1 cell without an ok result" -- export failed.json
# both directions: sleep-io's wall_s is lower-is-better (customSmallerIsBetter), cpu-spin's ops/s higher
(cd "$tmp" && "$BENCH" run -w cpu-spin,sleep-io -d thread -n 1 --reps 2 --warmup 0 --duration 0.02 -o both.json -q >/dev/null) ||
	{ echo "FAIL cannot make a two-workload results file"; fail=$((fail + 1)); }
hi=$(cd "$tmp" && "$BENCH" export both.json --better higher 2>/dev/null)
lo=$(cd "$tmp" && "$BENCH" export both.json --better lower 2>/dev/null)
check "export both directions: cpu-spin ops/s bigger-is-better, sleep-io wall_s smaller-is-better, nothing lost" python3 -c "
import json, sys; hi = json.loads(sys.argv[1]); lo = json.loads(sys.argv[2])
sys.exit(not (len(hi) == 1 and hi[0]['name'].startswith('cpu-spin/') and hi[0]['unit'] == 'ops/s'
              and len(lo) == 1 and lo[0]['name'].startswith('sleep-io/') and lo[0]['unit'] == 's' and lo[0]['value'] > 0))" "$hi" "$lo"
out=$(cd "$tmp" && "$BENCH" export walls.json --metric wall_s --better lower 2>/dev/null)
check "--metric wall_s --better lower exports seconds" python3 -c "
import json, sys; a = json.loads(sys.argv[1]); sys.exit(not (a[0]['unit'] == 's' and abs(a[0]['value'] - 1.0) < 1e-9))" "$out"
expect 0 "^\| cell \| metric \| median"                      -- export real.json --format markdown
expect 0 "boom"                                              -- export failed.json --format markdown
expect 2 "--format: 'xml' is not github-action-benchmark, markdown or csv" -- export real.json --format xml
expect 2 "needs exactly one results file"                    -- export
expect 2 "v99.json has schema_version 99"                    -- export v99.json
expect 2 "is higher or lower better"                         -- export real.json --metric util_cores
expect 2 "^bench: export: --metric: 'x:sideways' is not NAME" -- export real.json --metric x:sideways
expect 2 "^bench: export: option '--metric' needs a value"   -- export real.json --metric
expect 2 "^bench: export: unknown option '--threshold'"      -- export real.json --threshold 3
expect 0 ""                                                  -- export real.json -o gab.json
check "export -o writes the file" python3 -c "import json; json.load(open('$tmp/gab.json'))"

echo "-- run --baseline"
mk bad_wl.json   'c["workload"] = "nope"'
mk bad_knob.json 'c["knobs"]["colour"] = "red"'
mk bad_pin.json  'c["pin"] = "pus:4096"'
expect 2 "cannot read missing.json"                          -- run --baseline missing.json
expect 2 "cannot be combined with --all, -w"                 -- run --baseline base.json -w cpu-spin
expect 2 "--confirm needs --baseline"                        -- run -w cpu-spin --confirm
expect 2 "compare options need --baseline"                   -- run -w cpu-spin --threshold 5
expect 2 "^bench: compare: --threshold: 'abc'"               -- run --baseline base.json --threshold abc
expect 2 "workload 'nope', which this bench does not have"   -- run --baseline bad_wl.json
expect 2 "has knob 'colour'"                                 -- run --baseline bad_knob.json
expect 2 "PU 4096 does not exist"                            -- run --baseline bad_pin.json
expect 2 "unknown knob 'colour'"                             -- run --baseline base.json -O colour=red
expect 2 "takes one value, not a sweep"                      -- run --baseline base.json -O extra_work_pct=1,2
expect 2 "v99.json has schema_version 99"                    -- run --baseline v99.json
one_line 2 run --baseline bad_wl.json
# 2 repetitions against 5 can never reach alpha: deterministic whatever the timing
expect 4 "too few reps"                                      -- run --baseline real.json --reps 2 --duration 0.02 -o new.json
check "run --baseline still writes its results file" python3 -c "import json; d = json.load(open('$tmp/new.json')); assert len(d['cells'][0]['reps']) == 2"
# a baseline no real run can match (1e12 ops/s): a regression, confirmed by the re-run
expect 1 "confirmed: cpu-spin/thread/n=1"                    -- run --baseline huge_base.json --duration 0.02 --warmup 0 --confirm -o conf.json
check "--confirm writes OUT.confirm.json with the flagged cell" python3 -c "import json; d = json.load(open('$tmp/conf.confirm.json')); assert len(d['cells']) == 1"
expect 1 "extra_work_pct=0->5 .*REGRESSION"                  -- run --baseline huge_base.json --duration 0.02 --warmup 0 -O extra_work_pct=5 -o over.json
check "-O overrides the knob in the new run" python3 -c "import json; d = json.load(open('$tmp/over.json')); assert d['cells'][0]['knobs']['extra_work_pct'] == 5"
# a baseline every run beats (1 op/s): nothing flagged, nothing to confirm
expect 0 "improvement"                                       -- run --baseline tiny_base.json --duration 0.02 --warmup 0 --confirm -o better.json
check "--confirm runs nothing when nothing is flagged" test ! -e "$tmp/better.confirm.json"

summary
