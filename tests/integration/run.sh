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
. "$SECSETUP_ROOT/tests/lib/sipp_trace.sh"

# Loopback addresses of this suite's own, so that nothing else on 5060 matters. Two runs at
# once on one host need a /24 each (Kamailio binds with SO_REUSEADDR, so two of them on one
# address share its datagrams): INTEGRATION_NET=127.0.78 for the second.
NET=${INTEGRATION_NET:-127.0.77}
ACCESS=$NET.1 CORE=$NET.2 SCSCF=$NET.3 UE=$NET.4
DEFS=(-A "PCSCF_ACCESS_IP=$ACCESS" -A "PCSCF_CORE_IP=$CORE" -A "SCSCF_URI=\"sip:$SCSCF:5060\"")
trap 'sipp_stop_all; pcscf_stop; [ -z "${SECOND_PID:-}" ] || kill -KILL "$SECOND_PID"' EXIT

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

SM1='Security-setup: esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc / 3344556677 / port=5070'

# register_once SCSCF-SCENARIO HDR1 HDR2: one REGISTER from the UE to the unprotected port,
# answered by the S-CSCF scenario; both traces are kept for the checks.
register_once() {
	sipp_bg scscf -- -sf "$SIPP_DIR/$1.xml" -i "$SCSCF" -p 5060 -m 1
	sleep 0.3
	sipp_fg ue -- -sf "$SIPP_DIR/ue_register_once.xml" -i "$UE" -p 5070 -m 1 \
		-set hdr1 "$2" -set hdr2 "$3" "$ACCESS:5062"
	sipp_wait scscf
}

# register_at_core SCSCF-SCENARIO UE-SCENARIO [SIPP-ARGS...]: one REGISTER from the UE to the
# core-side listener; the S-CSCF gives up after 5 s when nothing reaches it. The UE's verdict
# is the status.
register_at_core() {
	sipp_bg scscf -- -sf "$SIPP_DIR/$1.xml" -i "$SCSCF" -p 5060 -m 1 -timeout 5
	sleep 0.3
	sipp_fg ue -- -sf "$SIPP_DIR/$2.xml" -i "$UE" -p 5070 -m 1 "${@:3}" "$CORE:5090"
	local ue=$?
	sipp_wait scscf
	return $ue
}

UE_FILLERS=(-set hdr1 "X-Test: 1" -set hdr2 "X-Test: 2")

# failures_at_scscf_are TOKEN: the REGISTER reached the S-CSCF with exactly one Failure
# header, "Failure: TOKEN".
failures_at_scscf_are() { [ "$(received scscf | grep -i '^Failure:' | tr -d '\r')" = "Failure: $1" ]; }

host_has_esp() {
	unshare -n /bin/sh -c 'ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 \
		mode transport auth "hmac(sha1)" 0x0102030405060708090a0b0c0d0e0f1011121314' 2>/dev/null
}

stats_listed() { output_has sa_installed pcscf_rpc secsetup.stats; }
www_authenticate_count_is() { [ "$(received ue | grep -ci '^WWW-Authenticate:')" = "$1" ]; }
no_contacts() { ! output_has 'ue:' pcscf_rpc secsetup.list; }

module_logged_its_ports() {
	grep -q 'secsetup loaded: protected port 5060, unprotected port 5062' "$WORK/kamailio.log"
}

check kamailio_config_loads_module config_loads
check config_check_fails_without_module config_check_detects_missing_module
if check kamailio_starts_with_module pcscf_start "${DEFS[@]}"; then
	check module_initialised module_logged_its_ports
	check stats_rpc_answers stats_listed
	# A REGISTER without Security-setup is relayed with the Failure (forward mode): 403.
	register_once scscf_forbid "X-Test: 1" "X-Test: 2"
	check register_relayed_to_scscf_with_failure trace_has scscf '^Failure: MalformedSecuritySetup'
	check ue_gets_403 status_is ue 403
	check refusal_leaves_no_contact no_contacts
	# A challenge followed by a header Kamailio cannot parse: the UE gets a 500 without it.
	register_once scscf_challenge_unparsable "$SM1" "X-Test: 1"
	check unparsable_challenge_ue_gets_500 status_is ue 500
	check unparsable_challenge_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	check unparsable_challenge_not_to_ue trace_lacks ue '^WWW-Authenticate'
	check unparsable_challenge_leaves_no_contact no_contacts
	# Issue 14, hole 4: Failure is the P-CSCF's word to the S-CSCF (profile 3). One the UE
	# wrote is removed from its SM1; the S-CSCF's scenario fails if any arrives.
	check ue_failure_header_not_relayed register_once scscf_expect_no_failure "$SM1" \
		"Failure: UserAuthenticationFailure"
	check ue_failure_header_absent_at_scscf trace_lacks scscf '^Failure:'
	check ue_failure_sm1_ue_gets_403 status_is ue 403
	# ... and in forward mode the module's own Failure is the only one that arrives (the
	# forged one in lower case: header names compare case-insensitively, RFC 3261 7.3.1).
	register_once scscf_forbid "failure: UserAuthenticationFailure" "X-Test: 1"
	check forward_mode_exactly_one_failure_at_scscf failures_at_scscf_are MalformedSecuritySetup
	check forward_mode_with_ue_failure_ue_gets_403 status_is ue 403
	# Issue 14, hole 1 (b): keys leave no challenge header; here a 407's Proxy-Authenticate
	# answering SM1 (the challenge itself goes on, without ik and ck).
	register_once scscf_proxy_challenge "$SM1" "X-Test: 1"
	check proxy_challenge_ue_gets_407 status_is ue 407
	check proxy_challenge_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	check proxy_challenge_kept_without_keys trace_has ue '^Proxy-Authenticate: Digest realm="ims.example.test", nonce="I1U8vpY3qJ0hiuZNrke/NVEp5xAGjEFNVswG7RYBTpU=", algorithm=AKAv1-MD5[[:space:]]*$'
	check proxy_challenge_leaves_no_contact no_contacts
	# ... and a provisional reply's challenge (183 with ik/ck, then 403).
	register_once scscf_provisional_keys "$SM1" "X-Test: 1"
	check provisional_reply_reaches_ue trace_has ue '^SIP/2.0 183 '
	check provisional_reply_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	check provisional_reply_challenge_kept trace_has ue '^WWW-Authenticate: Digest realm="ims.example.test", nonce="I1U8vpY3qJ0hiuZNrke/NVEp5xAGjEFNVswG7RYBTpU=", algorithm=AKAv1-MD5[[:space:]]*$'
	check provisional_reply_ue_gets_403 last_status_is ue 403
	# Issue 14, hole 1 (c): the core-side listener takes requests from the home network only;
	# a UE that reaches it gets nothing, and nothing of its REGISTER reaches the S-CSCF.
	check core_listener_stranger_unanswered register_at_core scscf_challenge_two_keys \
		ue_register_unanswered -set hdr1 "X-Test: 1"
	check core_listener_stranger_not_relayed trace_lacks scscf '^REGISTER '
	check core_listener_stranger_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	if ! host_has_esp; then
		# This host's kernel cannot hold ESP SAs: the real kernel error path (profile 5).
		register_once scscf_aka "$SM1" "X-Test: 1"
		check kernel_without_esp_ue_gets_500 status_is ue 500
		check kernel_without_esp_warning trace_has ue '^Warning: 399 secsetup "the kernel refused'
		check kernel_without_esp_ik_ck_not_to_ue trace_lacks ue 'ik='
		check kernel_without_esp_counted counter_is sa_install_failed 1
		check kernel_without_esp_leaves_no_contact no_contacts
	fi
fi
pcscf_stop

# Hole 1 (a): a cfg that relays REGISTERs from the core-side listener too (its home network
# taken to include the UE): the module follows those transactions as well, and no reply
# takes a key to the UE, from any challenge header.
if check kamailio_starts_relaying_core_side pcscf_start "${DEFS[@]}" -A "HOME_NET=$NET.0/24"; then
	check core_side_register_challenged register_at_core scscf_challenge_two_keys \
		ue_register_once "${UE_FILLERS[@]}"
	check core_side_ue_gets_401 status_is ue 401
	check core_side_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	check core_side_both_challenges_kept www_authenticate_count_is 2
	check core_side_second_challenge_kept trace_has ue 'nonce="c2Vjb25kIGNoYWxsZW5nZQ=="'
	register_at_core scscf_proxy_challenge ue_register_once "${UE_FILLERS[@]}"
	check core_side_ue_gets_407 status_is ue 407
	check core_side_proxy_challenge_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	check core_side_leaves_no_contact no_contacts
fi
pcscf_stop

# with_modparam OUT LINE: pcscf.cfg with LINE after its report_uri modparam, written to OUT;
# fails when the line did not land (the shipped cfg no longer has that anchor).
with_modparam() {
	sed "/^modparam(\"secsetup\", \"report_uri\"/a $2" "$SECSETUP_ROOT/cfg_examples/pcscf.cfg" >"$1"
	grep -qxF "$2" "$1"
}

# register_records: with one pooled record, REGISTERs waiting at the same time take theirs
# from shared memory; each is answered all the same, and the pooled record comes back.
concurrent_registers() {
	sipp_bg scscf_slow -- -sf "$SIPP_DIR/scscf_forbid_after_pause.xml" -i "$SCSCF" -p 5060 -m 6
	sleep 0.3
	sipp_fg ue_many -- -sf "$SIPP_DIR/ue_register_once.xml" -i "$UE" -p 5070 -m 6 -l 6 -r 100 \
		-set hdr1 "X-Test: 1" -set hdr2 "X-Test: 2" "$ACCESS:5062" && sipp_wait scscf_slow
}
records_overflowed() { [ "$(counter_value register_records_overflow)" -ge 1 ]; }
no_core_failure() { ! grep -q 'core failed\|no shared memory' "$WORK/kamailio.log"; }
check register_records_cfg_written with_modparam "$WORK/one_record.cfg" \
	'modparam("secsetup", "register_records", 1)'
export PCSCF_CFG=$WORK/one_record.cfg
if check kamailio_starts_with_one_register_record pcscf_start "${DEFS[@]}"; then
	check six_waiting_registers_all_answered concurrent_registers
	check some_took_shared_memory records_overflowed
	check pooled_record_given_back counter_is register_records_in_use 0
	check no_core_failure_with_one_record no_core_failure
	check one_record_leaves_no_contact no_contacts
fi
unset PCSCF_CFG
pcscf_stop

# access_ip: compared with each request's local address as an address. Set to the access
# address, a REGISTER there is still the module's (refused, forward mode); set to anything
# but an address, Kamailio does not start and says why.
with_access_ip() {
	with_modparam "$WORK/access_ip.cfg" "modparam(\"secsetup\", \"access_ip\", \"$1\")"
}
bad_access_ip_refused() {
	local seen
	with_access_ip not-an-address || return 1
	seen=$(wc -c <"$WORK/kamailio.log" 2>/dev/null || echo 0)
	! PCSCF_CFG=$WORK/access_ip.cfg pcscf_start "${DEFS[@]}" 2>/dev/null &&
		tail -c +$((seen + 1)) "$WORK/kamailio.log" |
		grep -q 'access_ip "not-an-address" is not an IPv4 or IPv6 address'
}
check kamailio_refuses_access_ip_not_an_address bad_access_ip_refused
pcscf_stop
check access_ip_cfg_written with_access_ip "$ACCESS"
export PCSCF_CFG=$WORK/access_ip.cfg
if check kamailio_starts_with_access_ip pcscf_start "${DEFS[@]}"; then
	register_once scscf_forbid "X-Test: 1" "X-Test: 2"
	check access_ip_register_is_the_modules trace_has scscf '^Failure: MalformedSecuritySetup'
	check access_ip_ue_gets_403 status_is ue 403
fi
pcscf_stop
# Set to another local address (the core side's), the access address is not the module's:
# the same REGISTER goes on untouched, without Failure.
check access_ip_other_cfg_written with_access_ip "$CORE"
if check kamailio_starts_with_other_access_ip pcscf_start "${DEFS[@]}"; then
	register_once scscf_forbid "X-Test: 1" "X-Test: 2"
	check other_access_ip_register_reaches_scscf trace_has scscf '^REGISTER '
	check other_access_ip_register_not_the_modules trace_lacks scscf '^Failure:'
fi
unset PCSCF_CFG
pcscf_stop

# owner_tag: at start an instance removes every kernel object carrying its tag (what a killed
# run left). A second instance with the same tag in this network namespace would remove the
# first one's SAs: it must refuse to start, naming the parameter, and leave them (a tagged SPI
# reservation stands for them). With a tag of its own it starts beside the first.
SECOND_DEFS=(-A "PCSCF_ACCESS_IP=127.0.77.11" -A "PCSCF_CORE_IP=127.0.77.12"
	-A "SCSCF_URI=\"sip:$SCSCF:5060\"")
TAG=$((0x5ec5e7)) # the default owner_tag
# as_second COMMAND...: COMMAND with the second instance's work directory and process.
as_second() {
	local work=$WORK pid=${PCSCF_PID:-} rc
	WORK=$WORK/second PCSCF_PID=${SECOND_PID:-}
	mkdir -p "$WORK"
	"$@"
	rc=$?
	SECOND_PID=$PCSCF_PID WORK=$work PCSCF_PID=$pid
	return $rc
}
reserve_tagged_spi() {
	ip xfrm state allocspi src "$UE" dst "$ACCESS" proto esp mode transport reqid "$TAG" \
		min 0x7e570000 max 0x7e57ffff >/dev/null
}
tagged_spi_kept() { output_has "reqid $TAG" ip xfrm state list reqid "$TAG"; }
second_refused_naming_owner_tag() {
	! as_second pcscf_start "${SECOND_DEFS[@]}" 2>/dev/null &&
		grep -q 'owner_tag 0x5ec5e7 is held by another secsetup instance in this network namespace' \
			"$WORK/second/kamailio.log"
}
if check kamailio_starts_first_instance pcscf_start "${DEFS[@]}"; then
	check tagged_spi_reserved reserve_tagged_spi
	check second_instance_same_tag_refused second_refused_naming_owner_tag
	as_second pcscf_stop
	check first_instance_objects_kept tagged_spi_kept
	check first_instance_still_answers pcscf_rpc core.uptime
	check other_tag_cfg_written with_modparam "$WORK/other_tag.cfg" \
		'modparam("secsetup", "owner_tag", 4660)'
	PCSCF_CFG=$WORK/other_tag.cfg check second_instance_other_tag_starts \
		as_second pcscf_start "${SECOND_DEFS[@]}"
	check second_instance_answers as_second pcscf_rpc core.uptime
	check other_tag_leaves_first_objects tagged_spi_kept
	as_second pcscf_stop
fi
pcscf_stop
ip xfrm state deleteall reqid "$TAG" 2>/dev/null
check_summary integration
