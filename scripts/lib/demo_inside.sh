#!/bin/bash
# Runs inside the sandbox for scripts/demo: a secured registration, shown as it happened.
set -uo pipefail
WORK=$SANDBOX_OUT/run
mkdir -p "$WORK"
. "$SECSETUP_ROOT/tests/lib/pcscf.sh"
. "$SECSETUP_ROOT/scripts/lib/testnet.env"
. "$SECSETUP_ROOT/tests/e2e/lib.sh"
trap 'sipp_stop_all; agent_stop; pcscf_stop' EXIT

title() { printf '\n===== %s =====\n' "$*"; }
# The SIP exchange from the UE's trace: first lines and the security headers.
show_exchange() {
	awk '/message sent/ {print "UE ->"} /message received/ {print "UE <-"}
		/^(REGISTER|SIP\/2.0|MESSAGE)/ || /^(Security-setup|WWW-Authenticate|Failure|Warning):/ {print "      " $0}' "$WORK/ue.msg"
}

title "Test network (profile section 9)"
echo "UE $UE_IP  <-veth->  P-CSCF $PCSCF_UE_IP | $PCSCF_CORE_IP  <-veth->  S-CSCF $SCSCF_IP"

title "P-CSCF: Kamailio with secsetup and cfg_examples/pcscf.cfg"
pcscf_start pcscf || { tail -20 "$WORK/kamailio.log"; exit 1; }
grep -h 'secsetup' "$WORK/kamailio.log" | sed 's/^ *[0-9]*([0-9]*) //' | head -5
agent_start || { echo "the UE's SA agent did not start"; exit 1; }

capture_start access
scscf_start scscf scscf_aka
title "Registration: SIPp UE (SAs by secsetup-ue-agent) -> P-CSCF -> SIPp S-CSCF"
sipp_fg ue ue -- -sf "$SIPP_DIR/ue_secured_register.xml" -i "$UE_IP" -p 5064 -m 1 \
	-auth_uri ims.example.test -set sm1 "$SM1_LINE" -set sm5 "$SM1_LINE" -set corrupt 0 \
	-set pcscf "$PCSCF_UE_IP" -set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" \
	"$PCSCF_UE_IP:5062"
if last_status_is ue 200; then
	echo "UE: registered (SM8: 200 OK)"
else
	echo "UE: registration FAILED (last answer: $(last_status ue); see $WORK/ue.err)"
fi
capture_stop access

title "SIP exchange seen by the UE (MESSAGE = the UE's request to its SA agent)"
show_exchange

title "P-CSCF contacts (kamcmd secsetup.list)"
pcscf_rpc secsetup.list

title "Kernel SAs in the P-CSCF namespace (ip xfrm state, keys elided)"
$IP -n pcscf xfrm state | grep -vE '^\s+(auth|enc|aead)'
title "Kernel SAs in the UE namespace"
$IP -n ue xfrm state | grep -vE '^\s+(auth|enc|aead)'

title "What crossed the UE's access link (tcpdump on the P-CSCF's access interface)"
sed 's/^[0-9:.]* //' "$WORK/access.txt"
echo "(SM1 and SM4 in the clear on the unprotected port; SM5 and SM8 as ESP)"

title "Clean stop: the module removes its own kernel objects"
pcscf_stop
echo "SAs tagged by secsetup left in the P-CSCF kernel: $(pcscf_owned_sas)"
