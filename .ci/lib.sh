# Sourced by the .ci scripts. Two rules they keep:
#  - A tool's exit status is never lost: its output goes to a log file, its status into a
#    variable, and only then is the log filtered (a filter pipeline that is made to succeed
#    whatever happened loses the tool's status: that is how a failing tool once left CI green).
#  - Every stage can be watched going red: CI_INJECT_FAIL=<stage> runs a failing stand-in
#    (exit 1) in place of that stage's tool. Stages: readme (.ci/run), asan, asan-run, tsan,
#    valgrind (.ci/sanitizers), fuzz-<target> (.ci/fuzz); build: any `cmake --build` of them.

# ci_tool STAGE CMD...: runs CMD; or, when CI_INJECT_FAIL is STAGE, says so and returns 1.
ci_tool() {
	local stage=$1
	shift
	if [ "${CI_INJECT_FAIL:-}" = "$stage" ]; then
		echo "ci: $stage: injected failure (CI_INJECT_FAIL=$stage) in place of: $*" >&2
		return 1
	fi
	"$@"
}

# ci_logged STAGE LOG PATTERN CMD...: runs CMD (through ci_tool) with its stdout and stderr
# in LOG, prints the lines of LOG that match the extended regex PATTERN, and returns CMD's
# exit status; when that is not 0, also prints the last 100 lines of LOG and one line
# "ci: STAGE: exit N (log: LOG)" on stderr.
ci_logged() {
	local stage=$1 log=$2 pat=$3 st=0
	shift 3
	mkdir -p "$(dirname "$log")"
	ci_tool "$stage" "$@" >"$log" 2>&1 || st=$?
	grep -E -e "$pat" "$log" || [ $? -eq 1 ]
	if [ "$st" -ne 0 ]; then
		echo "ci: $stage: last lines of $log:" >&2
		tail -n 100 "$log" >&2
		echo "ci: $stage: exit $st (log: $log)" >&2
	fi
	return "$st"
}
