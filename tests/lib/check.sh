# Minimal shell test runner, sourced by the integration, kernel and e2e suites.
#   check NAME COMMAND...   runs COMMAND, records PASS or FAIL under NAME
#   check_summary SUITE     prints "SUITE: N passed, N failed", returns non-zero on failure
# Results go to stdout as "PASS name" / "FAIL name" lines; scripts/test counts them.
CHECK_PASSED=0
CHECK_FAILED=0
CHECK_LOG=${CHECK_LOG:-/dev/null}

check() {
	local name=$1
	shift
	if "$@" >>"$CHECK_LOG" 2>&1; then
		CHECK_PASSED=$((CHECK_PASSED + 1))
		echo "PASS $name"
	else
		CHECK_FAILED=$((CHECK_FAILED + 1))
		echo "FAIL $name"
	fi
}

# output_has REGEX COMMAND...: COMMAND's whole output has a line matching REGEX. (Not
# "COMMAND | grep -q": grep stops reading at the first match, and under pipefail the
# writer's SIGPIPE then fails the check whenever the output is longer than one write.)
output_has() {
	local re=$1
	shift
	grep -q -- "$re" <<<"$("$@")"
}

check_summary() {
	echo "$1: $CHECK_PASSED passed, $CHECK_FAILED failed"
	[ "$CHECK_FAILED" -eq 0 ]
}
