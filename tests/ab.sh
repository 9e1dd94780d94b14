#!/usr/bin/env bash
# bench rep (the one-repetition protocol) and bench ab (interleaved A/B): the protocol line,
# version mismatches refused, the order of the pairs (ABBA, seeded random), a disturbed pair
# set aside and re-run, and the exit status of every verdict. The verdicts are made
# deterministic by fixture binaries: a wrapper around the real bench that rewrites the
# repetition's ops_per_s (and its "disturbed") by the number of the call, so no check depends
# on timing.
# usage: ab.sh path/to/bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

SEL=(-w cpu-spin -d thread -n 1 --duration 0.01 --warmup 0)

echo "-- bench rep"
out=$(cd "$tmp" && "$BENCH" rep --protocol 1 "${SEL[@]}" 2>/dev/null)
check "rep prints one JSON line: protocol 1, the cell, the repetition as a results file holds it" python3 -c "
import json, sys
lines = sys.argv[1].splitlines(); d = json.loads(lines[0])
c, r = d['cell'], d['rep']
sys.exit(not (len(lines) == 1 and d['protocol'] == 1 and d['bench']['version'] and d['warmups'] == 0
              and (c['workload'], c['driver'], c['workers'], c['status']) == ('cpu-spin', 'thread', 1, 'ok')
              and c['primary'] == {'metric': 'ops_per_s', 'better': 'higher'} and c['knobs']['iters'] > 0
              and r['warmup'] is False and r['status'] == 'ok' and r['ops_per_s'] >= 0 and 'core_util' in r))" "$out"
out=$(cd "$tmp" && "$BENCH" rep --protocol 1 "${SEL[@]}" --warmup 2 -O extra_work_pct=10 2>/dev/null)
check "rep runs the warm-ups first and takes -O" python3 -c "
import json, sys; d = json.loads(sys.argv[1]); sys.exit(not (d['warmups'] == 2 and d['cell']['knobs']['extra_work_pct'] == 10))" "$out"
expect 0 "^bench rep protocol 1$"                    -- rep --protocol-version
expect 0 "usage: bench rep"                          -- rep --help
expect 2 "the caller speaks rep protocol 2, this bench .* speaks 1" -- rep --protocol 2 "${SEL[@]}"
expect 2 "--protocol N is required"                  -- rep "${SEL[@]}"
expect 2 "the selection is 2 cells"                  -- rep --protocol 1 -w cpu-spin -d thread,process -n 1
expect 2 "--reps: bench rep runs one repetition"     -- rep --protocol 1 "${SEL[@]}" --reps 3
expect 2 "unknown workload 'nope'"                   -- rep --protocol 1 -w nope -d thread -n 1
one_line 2 rep --protocol 2 "${SEL[@]}"
one_line 2 rep --protocol 1 -w cpu-spin -d thread,process -n 1

# fake NAME FACTOR [DISTURB_AT] [PROTO] [LOAD] [LOAD_ELSE]: a bench binary for ab. Its handshake answers with
# protocol PROTO (default: the real one's); its rep calls run the real bench, then the n-th
# call's ops_per_s becomes (100 + 10 n) x FACTOR (a drift both sides share, as a load change
# would), times 1 + (n - 3.3)/1000 for a FACTOR other than 1 and for NAME "new" (distinct
# per-pair ratios, no ties), and call DISTURB_AT is marked disturbed (and no other call, whatever
# the real run measured; DISTURB_AT -2: every call). With LOAD, every call's interference record is set too (0.2 s of
# wall, no steal, run delay or stall), and the disturbed call's is LOAD cores of other load on
# the workers' PUs ("other_load"), the others' LOAD_ELSE (default 0). FACTOR "swing" is 1.08
# and 1/1.08 in turn: pairs that disagree beyond the threshold for ever.
fake() {
	cat >"$tmp/$1" <<EOF
#!/usr/bin/env bash
if [[ \$1 == rep && \$2 == --protocol-version ]]; then
	[[ -n "${4:-}" ]] && { echo "bench rep protocol ${4:-}"; exit 0; }
	exec "$BENCH" "\$@"
fi
n=\$(cat "$tmp/$1.n" 2>/dev/null || echo 0); echo \$((n + 1)) >"$tmp/$1.n"
out=\$("$BENCH" "\$@"); rc=\$?
python3 -c '
import json, sys
d = json.loads(sys.argv[1]); n = int(sys.argv[2]); at = int(sys.argv[4])
f = (1.08 if n % 2 else 1 / 1.08) if sys.argv[3] == "swing" else float(sys.argv[3])
w = 1 + (n - 3.3) / 1000 if (f != 1 or sys.argv[5] == "new") else 1
d["rep"]["ops_per_s"] = (100 + 10 * n) * f * w
hit = n == at or at == -2
d["rep"]["disturbed"] = hit   # only this call, whatever the real run on a busy machine said
d["rep"].pop("disturbed_by", None)
if hit: d["rep"]["disturbed_by"] = "steal"
if sys.argv[6]:
    d["rep"].update(wall_s=0.2, steal_s=0, run_delay_s=0, helper_cpu_s=0, stall_s=0,
                    other_load_pu_cores=float(sys.argv[6]) if hit else float(sys.argv[7]))
    if hit: d["rep"]["disturbed_by"] = "other_load"
print(json.dumps(d))' "\$out" "\$n" "$2" "${3:--1}" "$1" "${5:-}" "${6:-0}"
exit \$rc
EOF
	chmod +x "$tmp/$1"
	rm -f "$tmp/$1.n"
}

echo "-- bench ab: handshake and protocol"
fake p2 1 -1 2
cat >"$tmp/liar" <<EOF
#!/usr/bin/env bash
[[ \$2 == --protocol-version ]] && exec "$BENCH" "\$@"
"$BENCH" "\$@" | sed 's/"protocol":1/"protocol":7/'
EOF
chmod +x "$tmp/liar"
expect 2 "--new .*p2 does not speak rep protocol 1: .* said 'bench rep protocol 2'" -- ab --base "$BENCH" --new "$tmp/p2" "${SEL[@]}"
expect 2 "--base /bin/true does not speak rep protocol 1: .* failed|--base /bin/true does not speak" -- ab --base /bin/true --new "$BENCH" "${SEL[@]}"
expect 2 "--base .*nope.*No such file"                -- ab --base "$tmp/nope" --new "$BENCH" "${SEL[@]}"
expect 2 "new bench: the rep line speaks protocol 7, this bench speaks 1" -- ab --base "$BENCH" --new "$tmp/liar" "${SEL[@]}" --pairs 2 -o liar
one_line 2 ab --base "$BENCH" --new "$tmp/p2" "${SEL[@]}"
expect 2 "needs --base OLD_BENCH and --new NEW_BENCH"  -- ab --base "$BENCH" "${SEL[@]}"
expect 2 "--pairs: '0' is not a number of pairs"       -- ab --base "$BENCH" --new "$BENCH" --pairs 0 "${SEL[@]}"
expect 2 "--order: 'abab' is not abba or random"       -- ab --base "$BENCH" --new "$BENCH" --order abab "${SEL[@]}"
expect 2 "select other cells on the two sides"         -- ab --base "$BENCH" --new "$BENCH" "${SEL[@]}" --new-args "-n 2"
expect 2 "unknown option '--frob'"                     -- ab --base "$BENCH" --new "$BENCH" --frob
expect 0 "usage: bench ab"                             -- ab --help

echo "-- bench ab: order of the pairs"
# firsts FILE: the side that ran first in each pair used (a pair set aside, say a stalled
# repetition on a busy machine, is run again in its slot's order), as one word
firsts() { python3 -c "import json, sys; print(''.join(p['first'][0] for p in json.load(open(sys.argv[1]))['cells'][0]['pairs'] if not p['set_aside']))" "$tmp/$1"; }
(cd "$tmp" && "$BENCH" ab --base "$BENCH" --new "$BENCH" "${SEL[@]}" --pairs 6 -o abba --fail-on never >/dev/null 2>&1)
check "abba: AB BA AB BA AB BA (base first in pairs 1, 3, 5)" test "$(firsts abba.pairs.json)" = bnbnbn
check "abba: the two results files are ordinary results files, a repetition per pair run" python3 -c "
import json; a = json.load(open('$tmp/abba.base.json')); b = json.load(open('$tmp/abba.new.json'))
p = json.load(open('$tmp/abba.pairs.json'))['cells'][0]['pairs']   # 6, and any set aside (stalled)
assert len(a['cells'][0]['reps']) == len(p) == len(b['cells'][0]['reps']) >= 6 and a['cells'][0]['status'] == 'ok'
assert [q['base_rep'] for q in p] == list(range(len(p)))"
expect 0 "" -- compare abba.base.json abba.new.json --fail-on never
for k in 1 2; do
	(cd "$tmp" && "$BENCH" ab --base "$BENCH" --new "$BENCH" "${SEL[@]}" --pairs 12 --order random --seed 42 -o r42-$k --fail-on never >/dev/null 2>&1)
done
(cd "$tmp" && "$BENCH" ab --base "$BENCH" --new "$BENCH" "${SEL[@]}" --pairs 12 --order random --seed 7 -o r7 --fail-on never >/dev/null 2>&1)
check "random: the same seed gives the same order" test "$(firsts r42-1.pairs.json)" = "$(firsts r42-2.pairs.json)"
check "random: another seed gives another order" test "$(firsts r42-1.pairs.json)" != "$(firsts r7.pairs.json)"
check "random: not ABBA, both sides first somewhere" bash -c '[[ $0 != bnbnbnbnbnbn && $0 == *b* && $0 == *n* ]]' "$(firsts r42-1.pairs.json)"
check "random: the order is recorded" python3 -c "import json; d = json.load(open('$tmp/r42-1.pairs.json')); assert d['order'] == 'random' and d['seed'] == 42"

echo "-- bench ab: a disturbed pair is set aside and re-run"
fake base 1 -1 "" 0
fake new 1 3 "" 0.6  # the new side's 4th repetition (call 3) is disturbed
# The results files keep the disturbed repetition, with the contract's boolean "disturbed".
# Without BENCH_KEEP_DISTURBED (lib.sh sets it for every other run here): the set-aside is
# what this checks; the fake binaries mark exactly one repetition, so it stays deterministic.
(cd "$tmp" && env -u BENCH_KEEP_DISTURBED "$BENCH" ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o dist >dist.out 2>&1); rc=$?
check "exit 0: the pairs left agree" test $rc -eq 0
check "the disturbed pair is set aside, its slot run again: 8 pairs used, 9 run" python3 -c "
import json; d = json.load(open('$tmp/dist.pairs.json')); c = d['cells'][0]; p = c['pairs']
assert c['used'] == 8 and c['set_aside'] == 1 and len(p) == 9, c
assert p[3]['set_aside'] and p[3]['why'] == 'new disturbed (other_load)' and p[3]['first'] == 'new', p[3]
assert p[4]['first'] == 'new' and not p[4]['set_aside']          # the re-run keeps the slot's order
assert [q['new_rep'] for q in p] == list(range(9))
n = json.load(open('$tmp/dist.new.json'))['cells'][0]['reps']
assert len(n) == 9 and n[3]['disturbed'] is True                 # kept in the file: nothing hidden"
fake base 1 -1 "" 0; fake new 1 3 "" 0.6
BENCH_KEEP_DISTURBED=0 expect 3 "too many pairs were disturbed" -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 --max-reruns 0 -o unst
check "--max-reruns 0: the first disturbed pair makes the cell unstable, nothing more runs" python3 -c "
import json; c = json.load(open('$tmp/unst.pairs.json'))['cells'][0]
assert c['unstable'] is True and c['set_aside'] == 1 and len(c['pairs']) == 4, c"
fake base 1 -1 "" 0; fake new 1 3 "" 0.6
expect 0 "" -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 --max-reruns 0 --keep-disturbed -o keep
check "--keep-disturbed: the disturbed pair is used, none set aside" python3 -c "
import json; c = json.load(open('$tmp/keep.pairs.json'))['cells'][0]
assert c['set_aside'] == 0 and c['used'] == 8 and len(c['pairs']) == 8, c"

echo "-- bench ab: a pair disturbed alike on both sides is used, unlike is set aside"
# The same hog on both sides of pair 4 (0.6 cores of other load on the worker's PU in each):
# its ratio stands. 0.6 against 1.2 cores (the load changed between them): set aside.
fake base 1 3 "" 0.6; fake new 1 3 "" 0.6
(cd "$tmp" && env -u BENCH_KEEP_DISTURBED "$BENCH" ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o alike >alike.out 2>&1); rc=$?
check "alike: exit 0" test $rc -eq 0
check "alike: the pair disturbed alike is used, nothing set aside, 8 run" python3 -c "
import json; c = json.load(open('$tmp/alike.pairs.json'))['cells'][0]; p = c['pairs']
assert c['used'] == 8 and c['set_aside'] == 0 and len(p) == 8, c
assert not p[3]['set_aside'] and p[3]['why'] == 'disturbed alike (base: other_load; new: other_load): used', p[3]
assert json.load(open('$tmp/alike.new.json'))['cells'][0]['reps'][3]['disturbed'] is True"
fake base 1 3 "" 0.6; fake new 1 3 "" 1.2
(cd "$tmp" && env -u BENCH_KEEP_DISTURBED "$BENCH" ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o unlike >unlike.out 2>&1); rc=$?
check "unlike: exit 0, the pair set aside and run again" python3 -c "
import json; c = json.load(open('$tmp/unlike.pairs.json'))['cells'][0]; p = c['pairs']
assert $rc == 0 and c['used'] == 8 and c['set_aside'] == 1 and len(p) == 9, c
assert p[3]['set_aside'] and p[3]['why'] == 'base disturbed (other_load), new disturbed (other_load)', p[3]"
# 0.6 cores on the base side (disturbed) against 0.5 on the new side (below the rule's line):
# alike, used; the pairs file names what each side said.
fake base 1 3 "" 0.6; fake new 1 -1 "" 0 0.5
(cd "$tmp" && env -u BENCH_KEEP_DISTURBED "$BENCH" ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o straddle >straddle.out 2>&1); rc=$?
check "straddle: one side just over the line, the other just under: used" python3 -c "
import json; c = json.load(open('$tmp/straddle.pairs.json'))['cells'][0]; p = c['pairs']
assert $rc == 0 and c['set_aside'] == 0 and len(p) == 8, c
assert p[3]['why'] == 'disturbed alike (base: other_load; new: -): used', p[3]"
# A hog for the whole job: every repetition of both sides disturbed alike. The pairs decide,
# though each file leaves every repetition out of its summary (it said "no data", exit 0).
fake base 1 -2 "" 0.6; fake new 0.8 -2 "" 0.6
BENCH_KEEP_DISTURBED=0 expect 1 "REGRESSION" -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o allhog
fake base 1 -2 "" 0.6; fake new 1 -2 "" 0.6
BENCH_KEEP_DISTURBED=0 expect 0 "" -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o allhog0

echo "-- bench ab: the exit status of every verdict"
fake base 1; fake new 0.8
expect 1 "REGRESSION"                                 -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o reg
fake base 1; fake new 0.8
out=$(cd "$tmp" && "$BENCH" ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o regj --format json 2>/dev/null)
check "regression in the JSON report: wilcoxon-signed-rank, 8 pairs, p = 2/256, change -20%" python3 -c "
import json, sys; d = json.loads(sys.argv[1]); c = d['cells'][0]
sys.exit(not (d['test'] == 'wilcoxon-signed-rank' and c['pairs'] == 8 and abs(c['p'] - 2 / 256) < 1e-12
              and abs(c['change_pct'] + 20) < 1 and c['verdict'] == 'regression' and d['exit'] == 1))" "$out"
fake base 1; fake new 1.25
expect 0 "1 improvement"                              -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o imp
fake base 1; fake new 1.25
expect 1 "improvement"                                -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o imp2 --fail-on any
fake base 1; fake new 1
expect 0 "0 regressions, 0 improvements, 1 unchanged" -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 -o same
fake base 1; fake new 0.8
expect 4 "too few reps"                               -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 5 -o few
fake base 1; fake new 0.8
expect 4 "use at least 6 pairs"                       -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 5 --alpha 0.05 -o few5
fake base 1; fake new 0.8
expect 1 "REGRESSION"                                 -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 6 --alpha 0.05 -o six
fake base 1; fake new 0.8
expect 0 "too few reps"                               -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 5 -o few2 --fail-on regression

echo "-- bench ab: --max-pairs runs more pairs while a cell is not settled"
# used PREFIX: the pairs used in the cell of PREFIX.pairs.json
used() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['cells'][0]['used'])" "$tmp/$1.pairs.json"; }
fake base 1; fake new swing
expect 3 "not settled"                                -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 8 --max-pairs 12 -o swing
check "pairs that never settle: run up to --max-pairs (12), then UNSTABLE" test "$(used swing)" = 12
fake base 1; fake new 0.8
expect 1 "REGRESSION"                                 -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 10 --max-pairs 12 -o settled
check "pairs that settle: no more than --pairs (10: p 2/2^10 < 0.01 / 2 looks)" test "$(used settled)" = 10
fake base 1; fake new 0.8
expect 1 "REGRESSION"                                 -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 5 --max-pairs 11 -o grow
check "too few pairs for 0.01 / 4 looks: grown by two to 11, where p can reach it" test "$(used grow)" = 11
# 9 pairs would settle one look at alpha 0.01 (2/2^9 < 0.01), not 3 looks at 0.01 / 3: too few
expect 4 "too few"                                    -- ab --base "$tmp/base" --new "$tmp/new" "${SEL[@]}" --pairs 5 --max-pairs 9 -o grow9
expect 2 "--max-pairs: 4 is less than --pairs 8"       -- ab --base "$BENCH" --new "$BENCH" --pairs 8 --max-pairs 4 "${SEL[@]}"

echo "-- bench ab: --new-args injects a known slowdown into one side only"
(cd "$tmp" && "$BENCH" ab --base "$BENCH" --new "$BENCH" "${SEL[@]}" --pairs 2 -o inj --new-args "-O extra_work_pct=10" >/dev/null 2>&1)
check "the new side ran with extra_work_pct=10, the base with 0; pairs file records the args" python3 -c "
import json; b = json.load(open('$tmp/inj.base.json')); n = json.load(open('$tmp/inj.new.json')); p = json.load(open('$tmp/inj.pairs.json'))
assert b['cells'][0]['knobs']['extra_work_pct'] == 0 and n['cells'][0]['knobs']['extra_work_pct'] == 10
assert p['new']['args'] == ['-O', 'extra_work_pct=10'] and p['base']['args'] == []"

summary
