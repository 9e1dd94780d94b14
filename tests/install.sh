#!/bin/bash
# The tool installs like one: `cmake --install` into a DESTDIR puts the binary, its man page
# (generated from the --help texts at build time) and its bash completion in place; the
# installed binary runs, `man -l` renders the page, the completion completes commands and
# workload/driver names; `bench list --json` is the same catalogue as `bench list`; `bench bare
# --json` is the text table's figures as JSON.
# usage: install.sh path/to/bench path/to/build-dir
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$1"
BUILD=${2:?usage: install.sh path/to/bench path/to/build-dir}
dest=$tmp/dest
DESTDIR=$dest cmake --install "$BUILD" --prefix /usr/local >"$tmp/install.log" 2>&1
check "cmake --install into a DESTDIR succeeds" test $? -eq 0
bin=$dest/usr/local/bin/bench man1=$dest/usr/local/share/man/man1/bench.1
comp=$dest/usr/local/share/bash-completion/completions/bench
check "installed binary prints its version" bash -c "'$bin' --version | grep -Eq '^bench [0-9]+\.[0-9]+'"
check "--help lists --version" bash -c "'$bin' --help | grep -q -- '--version'"
check "man page installed" test -s "$man1"
if command -v man >/dev/null; then
	MANWIDTH=100 man -l "$man1" >"$tmp/man.txt" 2>"$tmp/man.err"
	check "man -l renders the page" test $? -eq 0
	check "man page has every command's usage" bash -c \
		"for c in \$('$bin' --help | awk '/^commands:/{f=1;next} f&&/^  [a-z]/{print \$1}'); do grep -q \"usage: bench \$c\" '$tmp/man.txt' || { echo missing \$c; exit 1; }; done"
	check "man page has no help2man failure text" bash -c "! grep -qi 'no --help\|error' '$tmp/man.err'"
else echo "skip man -l (no man here)"; fi
check "bash completion installed" test -s "$comp"
# complete WORDS...: what the completion offers for the last word (PATH finds the installed bench)
complete_words() {
	PATH=$dest/usr/local/bin:$PATH bash -c 'source /usr/share/bash-completion/bash_completion 2>/dev/null; source "$0"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_bench; printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$@"
}
check "completion: bench r<TAB> offers run and report" bash -c \
	"out=\$($(declare -f complete_words); dest='$dest' comp='$comp' complete_words bench r); grep -qx run <<<\"\$out\" && grep -qx report <<<\"\$out\""
check "completion: bench run -w c<TAB> offers cpu-spin" bash -c \
	"out=\$($(declare -f complete_words); dest='$dest' comp='$comp' complete_words bench run -w c); grep -qx cpu-spin <<<\"\$out\""
check "completion: bench run -d <TAB> offers every driver" bash -c \
	"out=\$($(declare -f complete_words); dest='$dest' comp='$comp' complete_words bench run -d ''); for d in thread process coroutine gil; do grep -qx \$d <<<\"\$out\" || exit 1; done"
check "completion: bench run --re<TAB> offers --reps" bash -c \
	"out=\$($(declare -f complete_words); dest='$dest' comp='$comp' complete_words bench run --re); grep -qx -- --reps <<<\"\$out\""
# bench list --json: the catalogue, the same names as the text listing
"$BENCH" list --json >"$tmp/list.json"
check "list --json exits 0" test $? -eq 0
check "list --json: workloads and drivers as in bench list" python3 - "$tmp/list.json" "$BENCH" <<'PY'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
text = subprocess.run([sys.argv[2], "list"], capture_output=True, text=True).stdout
sect, names = None, {"workloads": [], "drivers": []}
for line in text.splitlines():
    if line.endswith(":") and not line.startswith(" "):
        sect = line[:-1]
    elif sect in names and line.startswith("  ") and not line.startswith("   "):
        names[sect].append(line.split()[0])
assert [w["name"] for w in d["workloads"]] == names["workloads"], (d["workloads"], names)
assert [x["name"] for x in d["drivers"]] == names["drivers"]
w = d["workloads"][0]
for k in ("summary", "primary_metric", "better", "min_workers", "knobs"):
    assert k in w, k
assert all({"name", "type", "default", "help"} <= set(k) for w in d["workloads"] for k in w["knobs"])
assert all("available" in x for x in d["drivers"])
assert "harness_knobs" in d
PY
# bench bare --json: one document, every round, medians as the text table computes them
"$BENCH" bare cpu-spin --reps 3 --duration 0.02 --json >"$tmp/bare.json"
check "bare --json exits 0" test $? -eq 0
check "bare --json: rounds, medians and ratio" python3 - "$tmp/bare.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
[b] = d["bare"]
assert b["name"] == "cpu-spin" and b["status"] == "ok" and b["error"] is None
assert len(b["rounds"]) == 3
mb = statistics.median(r["bare"] for r in b["rounds"])
mh = statistics.median(r["harness"] for r in b["rounds"])
assert abs(b["median_bare"] - mb) <= 1e-9 * mb and abs(b["median_harness"] - mh) <= 1e-9 * mh
assert abs(b["ratio"] - mh / mb) < 1e-9
PY
check "bare --json with an unknown program: exit 2, nothing on stdout" bash -c \
	"out=\$('$BENCH' bare nosuch --json 2>/dev/null); rc=\$?; [[ \$rc -eq 2 && -z \$out ]]"
summary
