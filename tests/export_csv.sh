#!/usr/bin/env bash
# bench export --format csv: RFC 4180, read back with python's csv module, equals the results
# file's values for every cell (the medians of its summary) and, with --per-rep, every
# repetition's; hostile strings (commas, quotes, line breaks, escape sequences in a knob value,
# a pin or an error text) survive or are made inert, never break the table.
# usage: export_csv.sh path/to/bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

(cd "$tmp" && "$BENCH" run -w cpu-spin,shared-counter -d thread,process -n 1,2 --pin pus:0,0 -O sync=none,atomic \
	--reps 3 --warmup 0 --duration 0.01 --no-store -q -o r.json >/dev/null 2>&1)
# the hostile file: a knob value with commas (the loader allows , : + in values), a failed
# cell whose error text holds a quote, commas, a line break and an ESC sequence
python3 - "$tmp/r.json" "$tmp/hostile.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["cells"][0]["knobs"]["iters"] = "6,0:0"
c = d["cells"][1]
c["error"] = 'he said "no", then\nleft \x1b[31mred'
d["cells"][2]["status"] = "failed"
d["cells"][2]["error"] = 'crash, "quoted", \r\nnext'
# a spreadsheet formula (CSV injection) in an error text; a knob value that looks like one is
# inside the knobs field ("iters=+A1"), which starts with a name
d["cells"][3]["status"] = "failed"
d["cells"][3]["error"] = '=HYPERLINK("http://evil.example/","click")'
d["cells"][3]["knobs"]["iters"] = "+A1"
json.dump(d, open(sys.argv[2], "w"))
EOF

expect 0 "^cell,workload,driver,workers,pin,knobs,status,error,primary_metric" -- export r.json --format csv
expect 2 "--format: 'xls' is not"                    -- export r.json --format xls
expect 2 "--per-rep needs --format csv"              -- export r.json --per-rep
one_line 2 export r.json --per-rep

# same_as_json CSV JSON MODE: every cell (or repetition) of the file is a row, in order, with
# the file's identity and values; the header has a column per metric, named by the metric
same_as_json() {
	python3 - "$@" <<'EOF'
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
d = json.load(open(sys.argv[2]))
per_rep = sys.argv[3] == "per-rep"
want = []
for i, c in enumerate(d["cells"]):
    if per_rep:
        for r in c["reps"]:
            want.append((i, c, r))
    else:
        want.append((i, c, None))
assert len(rows) == len(want), (len(rows), len(want))
def defused(s):   # what a spreadsheet must not take for a formula gets a leading '
    try:
        float(s)
        return s
    except ValueError:
        return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
def num(field):
    return float("nan") if field == "" else float(field)
def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b
for row, (i, c, r) in zip(rows, want):
    assert row["workload"] == c["workload"] and row["driver"] == c["driver"], (row, c)
    assert int(row["workers"]) == c["workers"] and row["pin"] == c["pin"], row
    assert row["status"] == c["status"], row
    err = (c.get("error") or "").replace("\x1b", "\\x1b")
    assert row["error"] == (defused(err)), (row["error"], c.get("error"))
    knobs = dict(kv.split("=", 1) for kv in row["knobs"].split(" ")) if row["knobs"] else {}
    assert sorted(knobs) == sorted(c["knobs"]), (knobs, c["knobs"])
    for k, v in c["knobs"].items():
        t = knobs[k]
        ok = (t == ("1" if v else "0")) if isinstance(v, bool) else \
             (float(t) == float(v)) if isinstance(v, (int, float)) else t == v
        assert ok, (k, t, v)
    assert row["primary_metric"] == c["primary"]["metric"], row
    if per_rep:
        assert int(row["rep"]) == r["index"], (row["rep"], r["index"])
        values = {k: v for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "index"}
    else:
        values = {k: s["median"] for k, s in (c.get("summary") or {}).items()}
    assert values, c
    for k, v in values.items():
        assert k in row, ("no column", k)
        assert same(num(row[k]), float(v)), (i, k, row[k], v)
    for k in row:
        if k.endswith(("_s", "_per_s", "_cores", "_kb")) and k not in values:
            assert row[k] == "", (i, k, row[k])
print(len(rows), "rows equal the file")
EOF
}

(cd "$tmp" && "$BENCH" export r.json --format csv >r.csv)
check "csv: a row per cell, the medians of the file's summary" same_as_json "$tmp/r.csv" "$tmp/r.json" cells
(cd "$tmp" && "$BENCH" export r.json --format csv --per-rep -o rr.csv)
check "csv --per-rep -o: a row per repetition, its values" same_as_json "$tmp/rr.csv" "$tmp/r.json" per-rep
(cd "$tmp" && "$BENCH" export hostile.json --format csv >h.csv)
check "csv: hostile knob value, pin, error texts survive (ESC made inert)" same_as_json "$tmp/h.csv" "$tmp/hostile.json" cells
check "csv: no raw escape byte reaches the output" bash -c "! grep -q $'\x1b' '$tmp/h.csv'"
check "csv: the header names carry units (ops_per_s, wall_s, util_cores)" \
	bash -c "head -1 '$tmp/r.csv' | grep -q 'ops_per_s' && head -1 '$tmp/r.csv' | grep -q 'wall_s' && head -1 '$tmp/r.csv' | grep -q 'util_cores'"

summary
