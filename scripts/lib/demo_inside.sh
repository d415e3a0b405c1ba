#!/bin/bash
# Runs inside the sandbox for scripts/demo. Shows only what really happened.
set -uo pipefail
WORK=$SANDBOX_OUT/run
mkdir -p "$WORK"
. "$SECSETUP_ROOT/tests/lib/pcscf.sh"
. "$SECSETUP_ROOT/scripts/lib/testnet.env"
trap 'sipp_stop_all; pcscf_stop' EXIT

title() { printf '\n===== %s =====\n' "$*"; }

title "Test network (profile section 9)"
echo "UE $UE_IP  <-veth->  P-CSCF $PCSCF_UE_IP | $PCSCF_CORE_IP  <-veth->  S-CSCF $SCSCF_IP"

/sbin/ip netns exec pcscf /usr/bin/tcpdump -U --immediate-mode -n -i acc0 -w "$WORK/access.pcap" \
	udp or esp 2>/dev/null &
cap=$!
sleep 1

title "P-CSCF: Kamailio with secsetup and cfg_examples/pcscf.cfg"
pcscf_start pcscf || { tail -20 "$WORK/kamailio.log"; exit 1; }
grep -h 'secsetup' "$WORK/kamailio.log" | sed 's/^ *[0-9]*([0-9]*) //' | head -5

title "Registration"
sipp_bg scscf scscf -- -sf "$SIPP_DIR/scscf_accept.xml" -i "$SCSCF_IP" -p 5060 -m 1
sleep 0.5
if sipp_fg ue ue -- -sf "$SIPP_DIR/ue_register_plain.xml" -i "$UE_IP" -p 5064 -m 1 "$PCSCF_UE_IP:5062"; then
	echo "UE: REGISTER answered 200 OK"
else
	echo "UE: registration FAILED (see $WORK/ue.err)"
fi
sipp_wait scscf

title "SIP exchange seen by the UE (SIPp trace)"
sed -n '/^----/,$p' "$WORK"/ue_*messages.log "$WORK/ue.msg" 2>/dev/null | grep -vE '^\s*$' | head -60

title "Kernel SAs in the P-CSCF namespace (ip xfrm state)"
sas=$(/sbin/ip -n pcscf xfrm state)
if [ -n "$sas" ]; then echo "$sas"; else echo "(none: this build does not negotiate SAs yet)"; fi

sleep 0.5
kill -INT $cap 2>/dev/null
wait $cap 2>/dev/null
title "What crossed the UE's access link (tcpdump on the P-CSCF's access interface)"
/usr/bin/tcpdump -n -r "$WORK/access.pcap" 2>/dev/null | sed 's/^[0-9:.]* //'
pcscf_stop
