#!/usr/bin/env bash
# bench store / bench history / bench plot --history / bench compare --base-from-history, and
# bench run's recording: exit statuses, one-line errors, --check as a CI gate, damaged and
# newer databases. Synthetic histories are made from one real results file (python3).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
cd "$tmp" || exit 2

# bench run records each run in results/history.db, unless --no-store
expect 0 "results:" -- run -w cpu-spin -d thread -n 1 --reps 3 --warmup 0 --duration 0.02 -o one.json
expect 0 "cpu-spin/thread/n=1 pin=spread" -- store info
expect 0 "runs       1"                   -- store info
mkdir -p nostore
(cd nostore && "$BENCH" run -w cpu-spin -d thread -n 1 --reps 1 --warmup 0 --duration 0.02 --no-store -q >/dev/null 2>&1)
check "--no-store: no database" test ! -e nostore/results/history.db
expect 0 "already stored as run 1" -- store add one.json
expect 0 "results:" -- run -w cpu-spin -d thread -n 1 --reps 1 --warmup 0 --duration 0.02 --store=mine.db -o two.json
expect 0 "already stored as run 1: two.json" -- store add two.json --db mine.db
mkdir -p broken/results && printf 'not a database%.0s' $(seq 1 500) > broken/results/history.db
out=$(cd broken && "$BENCH" run -w cpu-spin -d thread -n 1 --reps 1 --warmup 0 --duration 0.02 -o r.json 2>&1); rc=$?
check "a damaged store: bench run writes its file, says so, exits 2" \
	eval '[[ $rc -eq 2 && -s broken/r.json ]] && grep -q "not a bench history database.*the results file r.json is written" <<<"$out"'
one_line 2 run -w cpu-spin --store
expect 0 "added run 1 \(1 cells, 3 repetitions\)" -- store add one.json --db other.db
expect 0 "already stored" -- store add one.json --db other.db

# synthetic histories: 30 runs of the template's cell, step factor from run 21 (index 20)
mk() { # DIR FACTOR [SPIKE]: 30 files in DIR
	python3 - "$1" "$2" "${3:-0}" <<'EOF'
import json, os, sys, random
d, factor, spike = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]) # spike 2: the step is -O extra_work_pct=10
os.makedirs(d, exist_ok=True)
doc = json.load(open("one.json"))
rng = random.Random(7)
for i in range(30):
    doc["created_utc"] = "2026-01-01T00:%02d:%02dZ" % (i // 60, i % 60)
    for c in doc["cells"]:
        for r in c["reps"]:
            f = factor if i >= 20 else 1.0
            if spike == 1 and i == 15:
                f = 1.3
            r["ops_per_s"] = 1e6 * f * (1 + rng.gauss(0, 0.01))
        c.pop("summary", None)
        if spike == 2:
            c["knobs"]["extra_work_pct"] = 10 if i >= 20 else 0
    json.dump(doc, open("%s/r%02d.json" % (d, i), "w"))
EOF
}
mk slow 0.9; mk fast 1.1; mk flat 1.0; mk spike 1.0 1; mk knob 0.9 2
for h in slow fast flat spike knob; do "$BENCH" store add --db $h.db $h/*.json >/dev/null || echo "FAIL import $h"; done
expect 1 "check: regression step in cpu-spin/thread/n=1 .* at run 21 .*-1[01]\.[0-9]+%" -- history --db slow.db --check
expect 0 "check: no new regression step in 1 cell"  -- history --db fast.db --check
expect 0 "check: no new regression step"             -- history --db flat.db --check
expect 0 "check: no new regression step"             -- history --db spike.db --check
expect 0 "no change point \(30 runs\)"               -- history --db spike.db
expect 1 "regression step"                           -- history --db slow.db --check --recent 10
expect 0 "no new regression step"                    -- history --db slow.db --check --recent 9
expect 0 "check: no new regression step in 2 cell"   -- history --db knob.db --check
expect 1 "regression step in cpu-spin/thread/n=1 pin=spread iters=600 (wait_spin_us=0 )?ops_per_s at run 21" -- history --db knob.db --check --ignore-knob extra_work_pct
expect 0 "change at run 21 .*improvement"            -- history --db fast.db cpu-spin/thread/n=1
expect 2 "direction of nosuch is unknown"            -- history --db slow.db --check --metric nosuch
expect 0 "^cell,metric,run,revision"                 -- history --db slow.db --csv
out=$(cd "$tmp" && "$BENCH" history --db slow.db --json)
check "--json: a document with one change at index 20" python3 -c '
import json, sys
d = json.loads(sys.argv[1]); c = d["cells"][0]
sys.exit(not (len(c["points"]) == 30 and [x["index"] for x in c["changes"]] == [20] and c["changes"][0]["kind"] == "regression"))' "$out"

# store add -j N: the files are loaded in N threads and recorded in the order given, so -j 1
# and -j 4 print the same lines (a bad file in the middle: its reason, the others imported,
# exit 2) and make the same store (every row but the import time, as sqlite3 dumps it)
head -c 3000 slow/r05.json > cut.json
list=(slow/r0[0-4].json cut.json slow/r0[5-9].json missing.json slow/r0[0-2].json knob/r2[0-9].json)
for j in 1 4; do
	(cd "$tmp" && "$BENCH" store add -j $j --db j$j.db "${list[@]}" >j$j.out 2>j$j.err; echo $? >j$j.rc)
	python3 - j$j.db >j$j.dump <<'EOF2'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE run SET imported_utc = NULL")
print("\n".join(c.iterdump()))
EOF2
done
check "store add -j 1: exit 2, the two bad files' reasons, 20 runs added in file order, 3 already there" eval '[[ $(cat j1.rc) == 2 ]] &&
	grep -q "cut.json is not valid JSON" j1.err && grep -q "missing.json" j1.err && [[ $(wc -l <j1.err) == 2 ]] &&
	[[ $(grep -c "^added run" j1.out) == 20 && $(grep -c "^already stored" j1.out) == 3 ]] &&
	[[ $(grep -o "^added run [0-9]*" j1.out | tr -dc "0-9\n" | paste -sd,) == $(seq -s, 1 20) ]]'
check "store add -j 4: the same lines, exit status and store as -j 1" eval 'cmp -s j1.out j4.out && cmp -s j1.err j4.err &&
	cmp -s j1.rc j4.rc && cmp -s j1.dump j4.dump && [[ $(grep -c "^INSERT INTO .run." j1.dump) == 20 ]]'

# compare against the last stable segment of the history (the 10 runs at 0.9)
python3 - <<'EOF'
import json
for name, f in (("new-same.json", 0.9), ("new-worse.json", 0.8)):
    doc = json.load(open("slow/r29.json"))
    doc["created_utc"] = "2026-02-01T00:00:00Z"
    for c in doc["cells"]:
        for k, r in enumerate(c["reps"]):
            r["ops_per_s"] = 1e6 * f * (1 + 0.005 * (k - 1))
    json.dump(doc, open(name, "w"))
EOF
expect 0 "unchanged|no significant" -- compare --base-from-history=slow.db new-same.json
expect 1 "regression"               -- compare --base-from-history=slow.db new-worse.json
expect 2 "takes one results file"   -- compare --base-from-history=slow.db new-same.json new-worse.json
one_line 2 compare --base-from-history=missing.db new-same.json

# the figure
expect 0 "history-cpu-spin-thread-n1-1" -- plot --history --db slow.db -o plots
check "the figure marks the step with its change" grep -q "regression" plots/history-cpu-spin-thread-n1-1.gp

# damaged, foreign and newer databases: one line, exit 2, results files untouched
sum=$(md5sum slow/r00.json)
head -c 3000 slow.db > cut.db
printf 'garbage%.0s' $(seq 1 700) > garbage.db
one_line 2 history --db garbage.db
one_line 2 store add --db garbage.db slow/r00.json
one_line 2 history --db cut.db
one_line 2 store info --db cut.db
check "the results file is untouched" test "$sum" = "$(md5sum slow/r00.json)"
# a cell row whose blobs do not fit its repetition count (schema 4): damaged, one line
for col in flags vals stats; do
	cp flat.db blob-$col.db
	python3 - blob-$col.db $col <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE cell SET %s = x'00'" % sys.argv[2])
c.commit()
EOF
	expect 2 "blob-$col.db is not a bench history database, or it is damaged" -- history --db blob-$col.db
	one_line 2 history --db blob-$col.db --check
done
cp flat.db newer.db
python3 -c 'import sys; f = open("newer.db", "r+b"); f.seek(60); f.write((99).to_bytes(4, "big"))'
expect 2 "schema 99, newer than this bench" -- history --db newer.db
one_line 2 history --db newer.db
one_line 2 history --db missing.db

# usage errors
one_line 2 history --db slow.db --pvalue 2
one_line 2 history --db slow.db --window 3
one_line 2 history --db slow.db --min-segment 30
one_line 2 history --db slow.db nope/thread/n=1
one_line 2 history --db slow.db --frob
one_line 2 store
one_line 2 store add
one_line 2 store add --db x.db missing.json
one_line 2 store add -j 0 --db x.db slow/r00.json
one_line 2 store add --jobs 65 --db x.db slow/r00.json
one_line 2 store add -j 2x --db x.db slow/r00.json
one_line 2 store info -j 2 --db slow.db
expect 0 "usage: bench history" -- history --help
expect 0 "usage: bench history" -- plot --history --help
expect 0 "usage: bench store"   -- store --help
expect 0 "-j, --jobs N .*threads" -- store --help
summary
