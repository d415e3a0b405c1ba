#!/usr/bin/env bash
# End-to-end suite, run inside the sandbox (tests/lib/sandbox_suite.sh e2e): Debian's
# Kamailio with the module and cfg_examples/pcscf.cfg unchanged in namespace pcscf, SIPp as
# the UE in namespace ue and as the S-CSCF in namespace scscf, real kernel ESP.
#   tests/e2e/run.sh BUILD_DIR OUT_DIR
set -uo pipefail
SECSETUP_ROOT=${SECSETUP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
WORK=$(mkdir -p "${2:?out dir}/e2e" && cd "$2/e2e" && pwd)
CHECK_LOG=$WORK/checks.log
. "$SECSETUP_ROOT/tests/lib/check.sh"
. "$SECSETUP_ROOT/tests/lib/pcscf.sh"
. "$SECSETUP_ROOT/scripts/lib/testnet.env"
trap 'sipp_stop_all; pcscf_stop' EXIT

plain_register_passes_through() {
	sipp_bg scscf scscf -- -sf "$SIPP_DIR/scscf_accept.xml" -i "$SCSCF_IP" -p 5060 -m 1
	sleep 0.5
	sipp_fg ue ue -- -sf "$SIPP_DIR/ue_register_plain.xml" -i "$UE_IP" -p 5064 -m 1 \
		"$PCSCF_UE_IP:5062" || return 1
	sipp_wait scscf
}

check pcscf_starts_with_shipped_cfg pcscf_start pcscf
check plain_register_relayed_through_test_network plain_register_passes_through
pcscf_stop
check_summary e2e
