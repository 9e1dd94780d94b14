# Helpers of the shell tests (cli.sh, compare_cli.sh), which source this file first:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# It takes the script's own arguments (path/to/bench), and sets BENCH (made absolute: every
# command runs in $tmp), tmp (a scratch directory, removed on exit) and the pass/fail counts.
# The script ends with `summary`, whose status is the script's.
set -u
BENCH=${1:?usage: $(basename "$0") path/to/bench}
[[ $BENCH == /* ]] || BENCH=$PWD/$BENCH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
# The runs here check behaviour, not timing, on machines that are seldom quiet: disturbed
# repetitions count and are not run again (bench run --keep-disturbed, bench/core/reps.h).
export BENCH_KEEP_DISTURBED=1

# expect CODE REGEX -- ARGS...: exit code and a regex the combined output must match.
expect() {
	local code=$1 re=$2; shift 3
	local out rc
	out=$(cd "$tmp" && timeout 120 "$BENCH" "$@" 2>&1); rc=$?
	if [[ $rc -ne $code ]] || ! grep -Eq -- "$re" <<<"$out"; then
		echo "FAIL bench $*: exit $rc (want $code), output (first 8 and last 8 lines):"
		{ echo "$out" | head -8; [[ $(wc -l <<<"$out") -gt 16 ]] && echo "..."; echo "$out" | tail -n +9 | tail -8; } | sed 's/^/    /'
		fail=$((fail + 1))
	else
		echo "ok   bench $*"
		pass=$((pass + 1))
	fi
}
# one_line CODE ARGS...: exit CODE and exactly one line on stderr (and nothing on stdout)
one_line() {
	local code=$1; shift
	local n o rc
	n=$(cd "$tmp" && "$BENCH" "$@" 2>&1 >/dev/null | wc -l)
	o=$(cd "$tmp" && "$BENCH" "$@" 2>/dev/null | wc -c)
	(cd "$tmp" && "$BENCH" "$@" >/dev/null 2>&1); rc=$?
	if [[ $n -ne 1 || $o -ne 0 || $rc -ne $code ]]; then
		echo "FAIL bench $*: exit $rc (want $code), $n lines on stderr (want 1), $o bytes on stdout (want 0)"
		fail=$((fail + 1))
	else echo "ok   one line: bench $*"; pass=$((pass + 1)); fi
}
# check NAME COMMAND...: a shell/python check
check() {
	local name=$1; shift
	if "$@"; then echo "ok   $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}
# summary: the counts; fails if any check failed
summary() {
	echo "$pass passed, $fail failed"
	[[ $fail -eq 0 ]]
}
