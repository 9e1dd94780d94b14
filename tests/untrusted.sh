#!/usr/bin/env bash
# Results files are untrusted input (CI artifacts, forks): every reader must keep them data.
# Starting from a real results file, every string field gets injection payloads (gnuplot
# `system`, backticks, $(...), newlines, quotes, ANSI escapes, path separators, very long
# strings); bench plot, report, compare and export must then either refuse the file (exit 2,
# exactly one line on stderr, nothing on stdout) or accept it and write output with no raw
# control character (gnuplot runs on every accepted file's scripts), and a canary file named
# in the payloads is never created. Free text (host, git, error texts, machine fields, argv)
# must be accepted; names (workload, driver, knobs, metrics, pin, status) are validated by the
# loader and refused. Also: a FIFO, /dev/zero and impossible numbers are refused quickly.
# usage: untrusted.sh path/to/bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

(cd "$tmp" && "$BENCH" run -w cpu-spin -d thread -n 1,2 --reps 2 --warmup 0 --duration 0.05 -o real.json -q \
	>/dev/null) || { echo "FAIL cannot make a results file"; exit 1; }
command -v gnuplot >/dev/null || { echo "FAIL gnuplot is not installed (Debian package gnuplot-nox)"; exit 1; }

# The payload files: free-N.json (every free-text field), name-N-FIELD.json (one name field),
# num-WHAT.json (an impossible number). Names are listed in $tmp/free, $tmp/names, $tmp/nums.
python3 - "$tmp" <<'EOF'
import copy, json, os, sys
tmp = sys.argv[1]
real = json.load(open(os.path.join(tmp, "real.json")))
payloads = [
    'p\nsystem "touch CANARY1"\n#',
    '`touch CANARY2`',
    '$(touch CANARY3)',
    '"; system "touch CANARY4"; print "',
    'red \u001b[31mALERT\u001b[0m bell \u0007 csi \u009b2J del \u007f tab\tcr\r',
    '../../CANARY5/../x',
    'ends in a backslash \\',
    '@mac | <script>x</script> [l](javascript:x) *b* \\| `c',
    'A' * 100000 + '\nsystem "touch CANARY6"',
]

def setall(o, p):  # every string value below o (keys stay)
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, str): o[k] = p
            else: setall(v, p)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            if isinstance(v, str): o[i] = p
            else: setall(v, p)

def rename_key(o, old, new):
    return {new if k == old else k: v for k, v in o.items()}

free, names, nums = [], [], []
def write(name, d, lst):
    json.dump(d, open(os.path.join(tmp, name), "w"))
    lst.append(name)

for i, p in enumerate(payloads):
    d = copy.deepcopy(real)
    setall(d["machine"], p)
    d["machine"]["note"] = p
    d["machine"][p] = p                       # a machine key (listed in report.md)
    d["tool"]["version"] = d["tool"]["git"] = d["created_utc"] = p
    d["config"]["argv"] = [p, "run", p]
    for c in d["cells"]:
        c["error"] = p
        for r in c["reps"]:
            r["error"] = p
    write("free-%d.json" % i, d, free)
    names_of = {
        "workload": lambda c: c.__setitem__("workload", p),
        "driver": lambda c: c.__setitem__("driver", p),
        "pin": lambda c: c.__setitem__("pin", p),
        "status": lambda c: c.__setitem__("status", p),
        "primary": lambda c: c["primary"].__setitem__("metric", p),
        "knobkey": lambda c: c.__setitem__("knobs", rename_key(c["knobs"], "iters", p)),
        "knobval": lambda c: c["knobs"].__setitem__("iters", p),
        "metric": lambda c: [r.__setitem__(p, 1.0) for r in c["reps"]],
        "summary": lambda c: c["summary"].__setitem__(p, c["summary"]["ops_per_s"]),
        "repstatus": lambda c: [r.__setitem__("status", p) for r in c["reps"]],
    }
    for field, f in names_of.items():
        d = copy.deepcopy(real)
        for c in d["cells"]:
            f(c)
        write("name-%d-%s.json" % (i, field), d, names)

def num(name, f):
    d = copy.deepcopy(real)
    f(d, d["cells"][0])
    write("num-%s.json" % name, d, nums)
num("ops-negative", lambda d, c: c["reps"][0].__setitem__("ops_per_s", -5.0))
num("ops-string", lambda d, c: c["reps"][0].__setitem__("ops_per_s", "fast"))
num("wall-negative", lambda d, c: c["reps"][1].__setitem__("wall_s", -1.0))
num("summary-string", lambda d, c: c["summary"]["ops_per_s"].__setitem__("median", "1e6"))
num("summary-negative-sd", lambda d, c: c["summary"]["ops_per_s"].__setitem__("stddev", -1.0))
num("workers-million", lambda d, c: c.__setitem__("workers", 1000001))
num("workers-zero", lambda d, c: c.__setitem__("workers", 0))
num("duration-negative", lambda d, c: d["config"].__setitem__("duration_s", -0.05))
num("reps-string", lambda d, c: d["config"].__setitem__("reps", "2"))
num("cpus-string", lambda d, c: d["machine"].__setitem__("online_cpus", "2"))
num("util-negative", lambda d, c: c["reps"][0].__setitem__("util_cores", -0.5))
num("bound-pu-huge", lambda d, c: c["reps"][0].__setitem__("bound_pu", [1 << 40]))
for n, l in (("free", free), ("names", names), ("nums", nums)):
    open(os.path.join(tmp, n), "w").write("\n".join(l) + "\n")
# Infinity is not JSON (Python writes it anyway): refused as invalid JSON, or as a number.
d = copy.deepcopy(real); d["cells"][0]["reps"][0]["ops_per_s"] = float("inf")
write("num-ops-inf.json", d, nums)
open(os.path.join(tmp, "nums"), "w").write("\n".join(nums) + "\n")
EOF
[[ -s $tmp/free && -s $tmp/names && -s $tmp/nums ]] || { echo "FAIL cannot make the payload files"; exit 1; }

# inert FILE...: prints the first file that is not inert and fails: a raw control character
# (C0 but \n and \t, DEL, C1 as UTF-8) anywhere; raw HTML from a payload (<script>) in
# Markdown (*.md); in a gnuplot script (*.gp), a backtick or a line that runs a command.
inert() {
	local f
	for f in "$@"; do
		if LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f"; then
			echo "    raw control character in $f"; return 1
		fi
		if [[ $f == *.md ]] && grep -q '<script>' "$f"; then
			echo "    raw HTML in $f"; return 1
		fi
		if [[ $f == *.gp ]] && grep -qE '`|^\s*(system|!|shell|load|call|cd|pause|print)\b' "$f"; then
			echo "    a command in $f: $(grep -m1 -E '`|^\s*(system|!|shell|load|call|cd|pause|print)\b' "$f")"
			return 1
		fi
	done
}
canaries() { find "$tmp" -name '*CANARY*' | head -3; }

# run_one ID ARGS...: runs bench in $tmp (output in $tmp/out-ID), judges it as described at
# the top. Sets $judged to refused or accepted; counts a failure otherwise.
run_one() {
	local id=$1; shift
	local rc why=""
	rm -rf "$tmp/out-$id"
	local stdout=$tmp/out-$id.stdout
	[[ " $* " == *" markdown "* ]] && stdout=$tmp/out-$id.stdout.md
	(cd "$tmp" && timeout "${limit:-60}" "$BENCH" "$@" >"$stdout" 2>"$tmp/out-$id.stderr"); rc=$?
	local nerr; nerr=$(wc -l <"$tmp/out-$id.stderr")
	judged=accepted
	if [[ $rc -eq 2 ]]; then
		judged=refused
		[[ $nerr -eq 1 && ! -s $stdout ]] || why="exit 2 with $nerr stderr lines, $(wc -c <"$stdout") stdout bytes"
	elif [[ $rc -ne 0 ]]; then
		why="exit $rc"
	fi
	local files=("$stdout" "$tmp/out-$id.stderr")
	[[ -d $tmp/out-$id ]] &&
		mapfile -t -O 2 files < <(find "$tmp/out-$id" -type f \( -name '*.gp' -o -name '*.dat' -o -name '*.md' \))
	[[ -n $why ]] || inert "${files[@]}" || why="output not inert"
	if [[ -z $why && $rc -eq 0 && -d $tmp/out-$id ]] && [[ $1 == plot || $1 == report ]]; then
		# gnuplot ran on the accepted file's scripts: every script has its image.
		local gp
		for gp in "$tmp/out-$id"/*.gp; do
			[[ -s ${gp%.gp}.png ]] || why="gnuplot did not draw ${gp##*/}"
		done
		[[ -e $gp ]] || why="no gnuplot script written"
	fi
	local found; found=$(canaries)
	[[ -z $found ]] || why="canary created: ${found//$'\n'/ }"
	if [[ -n $why ]]; then
		echo "FAIL bench $* -> $why"; head -c 300 "$tmp/out-$id.stderr" | head -3 | sed 's/^/    /'
		fail=$((fail + 1)); find "$tmp" -name '*CANARY*' -exec rm -rf {} + 2>/dev/null
		judged=failed
	else
		pass=$((pass + 1))
	fi
}

# every_reader FILE WANT: plot, report, compare (3 formats, both ways), export (2 formats) on
# FILE; WANT: accepted or refused.
every_reader() {
	local f=$1 want=$2 id=${1%.json} n=0 before=$fail
	# (2 repetitions are too few reps for compare's verdict, exit 4: --fail-on regression)
	local runs=("plot $f -o @OUT" "report $f -o @OUT" "compare real.json $f --fail-on regression"
		"compare $f $f --format markdown --fail-on regression" "compare $f real.json --format json --fail-on regression"
		"export $f" "export $f --format markdown")
	for r in "${runs[@]}"; do
		n=$((n + 1))
		r=${r/@OUT/out-$id-$n}
		# shellcheck disable=SC2086
		run_one "$id-$n" $r
		[[ $judged == failed || $judged == "$want" ]] && continue
		echo "FAIL bench $r: $judged, want $want"; head -2 "$tmp/out-$id-$n.stderr" | sed 's/^/    /'
		fail=$((fail + 1)); pass=$((pass - 1))
	done
	[[ $fail -eq $before ]] && echo "ok   $f: $want by plot, report, compare, export"
	rm -rf "$tmp"/out-"$id"*
}

echo "-- free text carries payloads: accepted, rendered inert"
while read -r f; do every_reader "$f" accepted; done <"$tmp/free"
echo "-- names carry payloads: refused by the loader"
while read -r f; do every_reader "$f" refused; done <"$tmp/names"
echo "-- impossible numbers: refused"
while read -r f; do every_reader "$f" refused; done <"$tmp/nums"
echo "-- the real file stays accepted"
every_reader real.json accepted

echo "-- inputs that are not regular files: refused at once, one line"
# refused ID REGEX ARGS...: run_one within 10 s, refused, and the one line matches REGEX.
refused() {
	local id=$1 re=$2; shift 2
	limit=10 run_one "$id" "$@"
	[[ $judged == failed ]] && return
	if [[ $judged != refused ]] || ! grep -Eq -- "$re" "$tmp/out-$id.stderr"; then
		echo "FAIL bench $*: $judged, want refused with /$re/:"; head -2 "$tmp/out-$id.stderr" | sed 's/^/    /'
		fail=$((fail + 1)); pass=$((pass - 1))
	else
		echo "ok   refused: bench $*"
	fi
}
mkfifo "$tmp/fifo.json"
refused fifo-c "fifo.json is not a regular file" compare real.json fifo.json
refused fifo-e "fifo.json is not a regular file" export fifo.json
refused fifo-p "fifo.json is not a regular file" plot fifo.json -o out-fifo-p
refused fifo-r "fifo.json is not a regular file" report fifo.json -o out-fifo-r
refused zero "/dev/zero is not a regular file"   export /dev/zero
refused w1m "workers is 1000001, should be from 1 to 1000000" run --baseline num-workers-million.json
refused ops-str "ops_per_s should be a number, is a string"  export num-ops-string.json
refused ops-neg "ops_per_s is -5, should be at least 0"         export num-ops-negative.json
refused wl-name "workload is not a name"                    export name-1-workload.json

summary
