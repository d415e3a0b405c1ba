#!/bin/bash
# Runs a suite inside the sandbox (see scripts/sandbox); SUITE is kernel or e2e.
#   sandbox_suite.sh kernel | e2e [SCENARIO...]   (e2e: only these scenarios, default all)
# Every part prints PASS/FAIL lines; the status is non-zero if any part failed.
suite=${1:?suite}
shift
status=0
case $suite in
kernel)
	/bin/bash "$SECSETUP_ROOT/tests/kernel/esp_ip_proof.sh" "$SANDBOX_OUT" || status=1
	if [ -x "$SECSETUP_ROOT/tests/kernel/run.sh" ]; then
		/bin/bash "$SECSETUP_ROOT/tests/kernel/run.sh" "$SECSETUP_BUILD" "$SANDBOX_OUT/kernel" || status=1
	fi
	;;
e2e)
	[ $# -eq 0 ] || export E2E_SCENARIOS="$*"
	/bin/bash "$SECSETUP_ROOT/tests/e2e/run.sh" "$SECSETUP_BUILD" "$SANDBOX_OUT" || status=1
	;;
*)
	echo "unknown sandbox suite $suite" >&2
	exit 2
	;;
esac
exit $status
