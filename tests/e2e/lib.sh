# Helpers of the end-to-end suite (sourced by tests/e2e/run.sh, inside the sandbox).
# Assumes tests/lib/pcscf.sh and scripts/lib/testnet.env are sourced and WORK is set.
. "$SECSETUP_ROOT/tests/lib/sipp_trace.sh"
IP=/sbin/ip
OWNER_TAG=$((0x5ec5e7)) # the module's default owner_tag: reqid of every SA it makes
AGENT_PORT=7000
SM1_LINE="esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc,des-ede3-cbc / 3344556677 / port=5064"
AUTH_UNPROTECTED='Authorization: Digest username="alice@ims.example.test", realm="ims.example.test", nonce="", uri="sip:ims.example.test", response=""'

agent_start() {
	$IP netns exec ue "$SECSETUP_BUILD/tests/secsetup-ue-agent" --listen "$UE_IP:$AGENT_PORT" \
		--listen "[$UE_IP6]:$AGENT_PORT" --k 'secsetup-test-K!' --op secsetup-test-OP >>"$WORK/agent.log" 2>&1 &
	AGENT_PID=$!
	sleep 0.5
	kill -0 "$AGENT_PID" 2>/dev/null
}

# agent_op OP [PORT]: a control message to the UE's agent outside SIPp (e.g. release after a test
# that left the UE's SAs behind on purpose); true if it answered 200.
agent_op() {
	local txn=$RANDOM$RANDOM # a transaction of its own: the agent answers repeats from a cache
	$IP netns exec ue /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$UE_IP', 0))
s.settimeout(3)
s.sendto(b'MESSAGE sip:ue-agent SIP/2.0\r\nVia: SIP/2.0/UDP $UE_IP;branch=z9hG4bKop$txn\r\n'
         b'Call-ID: agent-op-$txn\r\nCSeq: 1 MESSAGE\r\nX-Op: $1\r\nX-Ue: $UE_IP:${2:-5064}\r\n\r\n',
         ('$UE_IP', $AGENT_PORT))
print(s.recv(4096).split(b'\r\n')[0].decode())" | grep -q ' 200 '
}

agent_stop() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# ua_register NAME PORT LINE [CALL-ID]: a secured registration of the UA on PORT (SM1 and SM5
# carry LINE, the agent installs the UE's SAs; Call-ID CALL-ID-n@ip, default NAME); traces
# under NAME; true if it ended in 200.
ua_register() {
	scscf_start "scscf_$1" scscf_aka
	sipp_fg "$1" ue -- -sf "$SIPP_DIR/ue_secured_register.xml" -i "$UE_IP" -p "$2" -m 1 \
		-cid_str "${4:-$1}-%u@%s" -auth_uri ims.example.test -set sm1 "$3" -set sm5 "$3" \
		-set corrupt 0 -set pcscf "$PCSCF_UE_IP" -set agent_host "$UE_IP" \
		-set agent_port "$AGENT_PORT" "$PCSCF_UE_IP:5062"
	sipp_wait "scscf_$1"
	last_status_is "$1" 200
}

# ua_deregister NAME PORT LINE CALL-ID: the UA on PORT de-registers through its SA (the
# registration's Call-ID prefix), the agent releases the UE's SAs; traces under NAME.
ua_deregister() {
	scscf_start "scscf_$1" scscf_accept
	sipp_fg "$1" ue -- -sf "$SIPP_DIR/ue_deregister.xml" -i "$UE_IP" -p "$2" -m 1 \
		-cid_str "$4-%u@%s" -set sm1 "$3" -set agent_host "$UE_IP" \
		-set agent_port "$AGENT_PORT" "$PCSCF_UE_IP:5060"
	sipp_wait "scscf_$1"
	last_status_is "$1" 200
}

# Kernel objects: SAs carrying the module's tag in the P-CSCF, every SA in the UE.
pcscf_owned_sas() { $IP -n pcscf xfrm state | grep -c "reqid $OWNER_TAG"; }
pcscf_sa_spis() { $IP -n pcscf xfrm state | sed -n 's/.*proto esp spi \(0x[0-9a-f]*\) reqid '"$OWNER_TAG"'.*/\1/p' | sort; }
pcscf_policies() { $IP -n pcscf xfrm policy | grep -c '^src'; }
nothing_left() { [ "$(pcscf_owned_sas)" -eq 0 ] && [ "$(pcscf_policies)" -eq 0 ] && contacts_are 0; }

# Contacts the module lists (RPC), optionally in a given state.
contacts_are() { [ "$(pcscf_rpc secsetup.list | grep -c 'ue:')" -eq "$1" ]; }
listed_with() { output_has "$1" pcscf_rpc secsetup.list; }
contact_state_is() { output_has "state: $1" pcscf_rpc secsetup.list; }
wait_for() {  # SECONDS COMMAND...: polls until COMMAND succeeds
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

capture_start() {  # NAME: capture on the P-CSCF's access interface
	$IP netns exec pcscf /usr/bin/tcpdump -U --immediate-mode -n -i acc0 -w "$WORK/$1.pcap" \
		udp or esp 2>/dev/null &
	CAPTURE_PID=$!
	sleep 1
}

capture_stop() {  # NAME: leaves WORK/NAME.txt
	sleep 0.3
	kill -INT "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
	/usr/bin/tcpdump -n -r "$WORK/$1.pcap" >"$WORK/$1.txt" 2>/dev/null
}


scscf_start() {  # NAME SCENARIO [SIPP-ARGS...]: the S-CSCF for one call; sipp_wait NAME
	local name=$1 sf=$2
	shift 2
	sipp_bg "$name" scscf -- -sf "$SIPP_DIR/$sf.xml" -i "$SCSCF_IP" -p 5060 -m 1 "$@"
	# SIPp needs a moment to bind under UML; tm would retransmit anyway, this keeps it calm.
	sleep 1
}

ue_once() {  # HDR1 HDR2 [TARGET-PORT]: one REGISTER from the UE; returns SIPp's verdict
	sipp_fg ue ue -- -sf "$SIPP_DIR/ue_register_once.xml" -i "$UE_IP" -p 5064 -m 1 \
		-set hdr1 "$1" -set hdr2 "$2" "$PCSCF_UE_IP:${3:-5062}"
}
