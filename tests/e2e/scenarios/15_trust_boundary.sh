# The trust boundary, as a hostile UE tries it (issue 14): a clear message changes nothing
# that was authenticated, the unprotected port takes exactly the three kinds of D.1.4, a
# clear REGISTER is never answered 2xx, the protected port takes only what an SA's selector
# covers, and one address cannot hold the store with negotiations.

TB_LINE="esp / esp / hmac-sha-1-96 / aes-cbc / 3344556677 / port=5064"
TB_MALLORY='Authorization: Digest username="mallory@ims.example.test", realm="ims.example.test", nonce="", uri="sip:ims.example.test", response=""'
TB_ANSWERED='Authorization: Digest username="alice@ims.example.test", realm="ims.example.test", nonce="I1U8vpY3qJ0hiuZNrke/NVEp5xAGjEFNVswG7RYBTpU=", uri="sip:ims.example.test", response="0123456789abcdef0123456789abcdef"'
TB_SECOND_IP=192.0.2.2 # another address of the P-CSCF on the access link

tb_through_sa() {  # NAME: an OPTIONS from the registered UA on 5064, answered through its SA
	sipp_fg "$1" ue -- -sf "$SIPP_DIR/ue_options_answered.xml" -i "$UE_IP" -p 5064 -m 1 \
		"$PCSCF_UE_IP:5060"
}

tb_unanswered() {  # NAME HDR1 HDR2 [TARGET]: a REGISTER that must get no answer at all
	sipp_fg "$1" ue -- -sf "$SIPP_DIR/ue_register_unanswered.xml" -i "$UE_IP" -p 5070 -m 1 \
		-set hdr1 "$2" -set hdr2 "$3" "${4:-$PCSCF_UE_IP:5062}"
}

tb_start_two_addresses() { PCSCF_CFG=$WORK/two_access_addresses.cfg pcscf_start pcscf; }
tb_scscf_got_nothing() { ! sipp_wait scscf_tb_clear; }

tb_takeover() {
	local spis
	check takeover_victim_registers ua_register tb_victim 5064 "$TB_LINE" tb_victim
	spis=$(pcscf_sa_spis | tr '\n' ' ')
	# Mallory, on the victim's address, names the victim's port in a clear SM1.
	scscf_start scscf_tb_takeover scscf_challenge
	sipp_fg tb_takeover ue -- -sf "$SIPP_DIR/ue_register_once.xml" -i "$UE_IP" -p 5072 -m 1 \
		-set hdr1 "Security-setup: esp / esp / hmac-sha-1-96 / aes-cbc / 1122334455 / port=5064" \
		-set hdr2 "$TB_MALLORY" "$PCSCF_UE_IP:5062"
	sipp_wait scscf_tb_takeover
	check takeover_refused_with_403 last_status_is tb_takeover 403
	check takeover_s_cscf_told_malformed trace_has scscf_tb_takeover '^Failure: *MalformedSecuritySetup'
	check takeover_sas_unchanged test "$(pcscf_sa_spis | tr '\n' ' ')" = "$spis"
	check takeover_identity_unchanged listed_with 'impi: alice@ims.example.test'
	check takeover_call_id_unchanged listed_with 'call_id: tb_victim-'
	check takeover_contact_still_established contact_state_is established
	check takeover_victim_still_served tb_through_sa tb_victim_after
	check takeover_victim_deregisters ua_deregister tb_victim_dereg 5064 "$TB_LINE" tb_victim
	check takeover_leaves_nothing wait_for 6 nothing_left
}

tb_clear_kinds() {
	local before
	# A REGISTER answering a challenge (non-empty response), with a proposal, in the clear:
	# with an S-CSCF that would accept it, it would register the UE without any SA.
	before=$(counter_value unprotected_discarded)
	SIPP_TIMEOUT=8 scscf_start scscf_tb_clear scscf_accept
	check clear_answered_register_discarded tb_unanswered tb_clear_answered \
		"Security-setup: $TB_LINE" "$TB_ANSWERED"
	check clear_answered_register_counted counter_is unprotected_discarded $((before + 1))
	check clear_answered_register_not_relayed tb_scscf_got_nothing
	check clear_answered_register_leaves_nothing nothing_left
	# An initial SM1 the home network accepts without a challenge: the UE gets a 403, never
	# a 2xx (it would be registered without SAs).
	before=$(counter_value replies_refused_2xx_in_clear)
	scscf_start scscf_tb_accept scscf_accept
	ue_once "Security-setup: $TB_LINE" "$AUTH_UNPROTECTED"
	sipp_wait scscf_tb_accept
	check clear_register_2xx_becomes_403 last_status_is ue 403
	check clear_register_2xx_counted counter_is replies_refused_2xx_in_clear $((before + 1))
	check clear_register_2xx_leaves_nothing nothing_left
}

# The P-CSCF has a second access address; Kamailio listens on it too (a wildcard listener,
# or an operator's second interface), and access_ip is unset.
tb_other_local_address() {
	local before
	$IP -n pcscf addr add "$TB_SECOND_IP/24" dev acc0
	sed "s/^listen=udp:PCSCF_ACCESS_IP:PROTECTED_PORT\$/&\nlisten=udp:$TB_SECOND_IP:PROTECTED_PORT/" \
		"$SECSETUP_ROOT/cfg_examples/pcscf.cfg" >"$WORK/two_access_addresses.cfg"
	pcscf_stop
	check two_addresses_pcscf_starts tb_start_two_addresses
	check two_addresses_ue_registers ua_register tb_two 5064 "$TB_LINE" tb_two
	before=$(counter_value protected_discarded)
	# From the registered UA's address and port, in the clear, to the other address: outside
	# every SA's selector, so the kernel lets it through; the module must not.
	sipp_fg tb_other_local ue -- -sf "$SIPP_DIR/ue_request_unanswered.xml" -i "$UE_IP" -p 5064 \
		-m 1 -set hdr1 "X-Test: other local address" "$TB_SECOND_IP:5060"
	check other_local_address_clear_request_discarded test $? -eq 0
	check other_local_address_counted counter_is protected_discarded $((before + 1))
	check other_local_address_sa_still_serves tb_through_sa tb_two_after
	check two_addresses_ue_deregisters ua_deregister tb_two_dereg 5064 "$TB_LINE" tb_two
	check two_addresses_leave_nothing wait_for 6 nothing_left
	pcscf_stop
	$IP -n pcscf addr del "$TB_SECOND_IP/24" dev acc0
	pcscf_start pcscf
}

tb_negotiations_per_ue() {
	local before port
	before=$(counter_value negotiations_per_ue_exceeded)
	# The shipped bound is 4: four SM1s naming new ports are taken (each challenged: the
	# P-CSCF installs a pending pair the UE never uses), ...
	for port in 5080 5082 5084 5086; do
		scscf_start "scscf_tb_many_$port" scscf_challenge
		sipp_fg "tb_many_$port" ue -- -sf "$SIPP_DIR/ue_register_once.xml" -i "$UE_IP" -p "$port" \
			-m 1 -set hdr1 "Security-setup: esp / / hmac-md5-96 / / $((3000000000 + port)) / port=$port" \
			-set hdr2 "$AUTH_UNPROTECTED" "$PCSCF_UE_IP:5062"
		sipp_wait "scscf_tb_many_$port"
	done
	check negotiations_per_ue_four_held contacts_are 4
	# ... the fifth from the same address is answered 503 and leaves nothing.
	ue_once "Security-setup: esp / / hmac-md5-96 / / 3000005088 / port=5088" "$AUTH_UNPROTECTED"
	check negotiations_per_ue_fifth_gets_503 last_status_is ue 503
	check negotiations_per_ue_fifth_counted counter_is negotiations_per_ue_exceeded $((before + 1))
	check negotiations_per_ue_fifth_keeps_nothing contacts_are 4
	check negotiations_per_ue_fifth_no_sa test "$(pcscf_owned_sas)" -eq 8
	# Their SAs and state go with the operator's delete (the UE never answers SM4).
	for port in 5080 5082 5084 5086; do
		pcscf_rpc secsetup.delete "$UE_IP" "$port" >/dev/null
	done
	check negotiations_per_ue_deleted_leave_nothing wait_for 6 nothing_left
}

scenario_trust_boundary() {
	tb_takeover
	tb_clear_kinds
	tb_other_local_address
	tb_negotiations_per_ue
}
