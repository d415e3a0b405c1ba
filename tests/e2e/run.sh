#!/usr/bin/env bash
# End-to-end suite, run inside the sandbox (tests/lib/sandbox_suite.sh e2e): Debian's
# Kamailio with the module and cfg_examples/pcscf.cfg unchanged in namespace pcscf, SIPp as
# the UE in namespace ue (its SAs installed by secsetup-ue-agent) and as the S-CSCF in
# namespace scscf, real kernel ESP. Each check names the profile behaviour it shows.
#   tests/e2e/run.sh BUILD_DIR OUT_DIR
set -uo pipefail
SECSETUP_ROOT=${SECSETUP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
WORK=$(mkdir -p "${2:?out dir}/e2e" && cd "$2/e2e" && pwd)
CHECK_LOG=$WORK/checks.log
. "$SECSETUP_ROOT/tests/lib/check.sh"
. "$SECSETUP_ROOT/tests/lib/pcscf.sh"
. "$SECSETUP_ROOT/scripts/lib/testnet.env"
. "$SECSETUP_ROOT/tests/e2e/lib.sh"
trap 'sipp_stop_all; agent_stop; pcscf_stop' EXIT

for scenario in "$SECSETUP_ROOT"/tests/e2e/scenarios/*.sh; do
	. "$scenario"
done

check pcscf_starts_with_shipped_cfg pcscf_start pcscf
check ue_agent_starts agent_start
for scenario in "$SECSETUP_ROOT"/tests/e2e/scenarios/*.sh; do
	name=$(basename "$scenario" .sh)
	# E2E_SCENARIOS="80_load ...": run only these (while working on one); default all.
	[ -z "${E2E_SCENARIOS:-}" ] || [[ " $E2E_SCENARIOS " == *" $name "* ]] || continue
	echo "-- ${name#[0-9]*_}" >>"$CHECK_LOG"
	started=$SECONDS
	"scenario_${name#[0-9]*_}"
	echo "-- ${name#[0-9]*_} took $((SECONDS - started)) s" >>"$CHECK_LOG"
done
agent_stop
pcscf_stop
check kamailio_stop_leaves_no_owned_sa bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 0 ]"
check_summary e2e
