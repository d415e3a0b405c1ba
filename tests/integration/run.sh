#!/usr/bin/env bash
# Integration suite on this host: Debian's Kamailio loads the module from the build, SIPp
# plays the UE and the S-CSCF over loopback addresses (no IPsec: that is the e2e suite).
#   tests/integration/run.sh BUILD_DIR OUT_DIR
set -uo pipefail
SECSETUP_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
WORK=$(mkdir -p "${2:?out dir}" && cd "$2" && pwd)
CHECK_LOG=$WORK/checks.log
. "$SECSETUP_ROOT/tests/lib/check.sh"
. "$SECSETUP_ROOT/tests/lib/pcscf.sh"

# Loopback addresses of this suite's own, so that nothing else on 5060 matters.
ACCESS=127.0.77.1 CORE=127.0.77.2 SCSCF=127.0.77.3 UE=127.0.77.4
DEFS=(-A "PCSCF_ACCESS_IP=$ACCESS" -A "PCSCF_CORE_IP=$CORE" -A "SCSCF_URI=\"sip:$SCSCF:5060\"")
trap 'sipp_stop_all; pcscf_stop' EXIT

config_loads() {
	local cmd
	mapfile -t cmd < <(kamailio_cmd "${DEFS[@]}")
	"${cmd[@]}" -c >"$WORK/config-check-${1:-shipped}.log" 2>&1
}

# A config that loads a module which is not there must fail: the check above can fail.
config_check_detects_missing_module() {
	sed 's/loadmodule "secsetup.so"/loadmodule "secsetup_missing.so"/' \
		"$SECSETUP_ROOT/cfg_examples/pcscf.cfg" >"$WORK/broken.cfg"
	! PCSCF_CFG=$WORK/broken.cfg config_loads broken
}

register_relayed() {
	sipp_bg scscf -- -sf "$SIPP_DIR/scscf_accept.xml" -i "$SCSCF" -p 5060 -m 1
	sleep 0.3
	sipp_fg ue -- -sf "$SIPP_DIR/ue_register_plain.xml" -i "$UE" -p 5070 -m 1 \
		"$ACCESS:5062" || return 1
	sipp_wait scscf
}

module_logged_its_ports() {
	grep -q 'secsetup loaded: protected port 5060, unprotected port 5062' "$WORK/kamailio.log"
}

check kamailio_config_loads_module config_loads
check config_check_fails_without_module config_check_detects_missing_module
if check kamailio_starts_with_module pcscf_start "${DEFS[@]}"; then
	check module_initialised module_logged_its_ports
	check register_relayed_to_scscf_and_answered register_relayed
fi
pcscf_stop
check_summary integration
