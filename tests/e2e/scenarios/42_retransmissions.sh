# A retransmitted SM1 (the UE missed SM4) is answered by tm from the transaction: the same
# SM4 again, nothing more reaches the S-CSCF or the module, and the SA pair made for the
# first copy stays (a repeat handled as a new SM1 after SM3 would replace it).

# sm1_sent_twice NAME: SM1 from the UE's port 5064 to the unprotected port, then the same
# datagram again after its answer; the answers in WORK/NAME.replies.
sm1_sent_twice() {
	cat >"$WORK/$1.request" <<-SM1
	REGISTER sip:ims.example.test SIP/2.0
	Via: SIP/2.0/UDP $UE_IP:5064;branch=z9hG4bK-sm1-twice-$RANDOM
	Max-Forwards: 70
	From: <sip:alice@ims.example.test>;tag=twice
	To: <sip:alice@ims.example.test>
	Call-ID: sm1-twice-$RANDOM@$UE_IP
	CSeq: 1 REGISTER
	Contact: <sip:alice@$UE_IP:5064>
	Expires: 600
	$AUTH_UNPROTECTED
	Security-setup: $SM1_LINE
	Content-Length: 0

	SM1
	$IP netns exec ue /usr/bin/python3 "$SECSETUP_ROOT/tests/e2e/send_twice.py" "$UE_IP" 5064 \
		"$PCSCF_UE_IP" 5062 "$WORK/$1.request" "$WORK/$1.replies"
}
# sm4_lines NAME: the Security-setup lines of the answers.
sm4_lines() { grep '^Security-setup:' "$WORK/$1.replies"; }
finals_are() { [ "$(grep -c '^SIP/2.0 401 ' "$WORK/$1.replies")" -eq "$2" ]; }
same_sm4_twice() {
	local lines
	lines=$(sm4_lines "$1")
	[ "$(grep -c . <<<"$lines")" -eq 2 ] && [ "$(sort -u <<<"$lines" | grep -c .)" -eq 1 ]
}
owned_sas_are() { [ "$(pcscf_owned_sas)" -eq "$1" ]; }
registers_received_are() { [ "$(received "$1" | grep -c '^REGISTER ')" -eq "$2" ]; }
# pair_of_sm4_installed NAME: the P-CSCF holds its inbound SA with the SM4's SPI_P.
pair_of_sm4_installed() {
	local spi
	spi=$(sm4_lines "$1" | head -1 | sed -n 's|.*/ *\([0-9]*\) */ *protected-port.*|\1|p')
	[ -n "$spi" ] && output_has "^$(printf '0x%08x' "$spi")\$" pcscf_sa_spis
}

scenario_retransmissions() {
	local started installed
	started=$(counter_value negotiations_started)
	installed=$(counter_value sa_installed)
	scscf_start scscf_rtx scscf_challenge
	check sm1_retransmission_both_copies_answered sm1_sent_twice ue_rtx
	check sm1_retransmission_answered_401_twice finals_are ue_rtx 2
	sipp_wait scscf_rtx
	check sm1_retransmission_gets_the_same_sm4 same_sm4_twice ue_rtx
	check sm1_retransmission_not_relayed registers_received_are scscf_rtx 1
	check sm1_retransmission_not_a_new_negotiation counter_is negotiations_started $((started + 1))
	check sm1_retransmission_one_pair_made counter_is sa_installed $((installed + 1))
	check sm1_retransmission_pair_of_sm4_kept pair_of_sm4_installed ue_rtx
	check sm1_retransmission_two_sas_only owned_sas_are 2
	pcscf_rpc secsetup.delete "$UE_IP" 5064 >/dev/null
	check sm1_retransmission_leaves_nothing_after_delete nothing_left
}
