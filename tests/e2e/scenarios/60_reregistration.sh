# Profile 8 item 7: re-registration with four SAs. The UE re-registers from its registered
# port (5064) through the old pair, moves to a new port (5066) with a new pair, and the old
# pair goes only when a further message arrives through the new one.

REREG_CALL_ID='rereg-%u@%s'
REREG_LINE="esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc,des-ede3-cbc / 4155667788 / port=5066"

owned_sa_count() { $IP -n pcscf xfrm state | grep -c "reqid $OWNER_TAG"; }
owned_sas_are() { [ "$(owned_sa_count)" -eq "$1" ]; }

scenario_reregistration() {
	local spi_u_old=0xc759e285 spi_u_new=0xf7b2754c # 3344556677 and 4155667788
	scscf_start scscf_rereg_initial scscf_aka
	sipp_fg rereg_initial ue -- -sf "$SIPP_DIR/ue_secured_register.xml" -i "$UE_IP" -p 5064 -m 1 \
		-cid_str "$REREG_CALL_ID" -auth_uri ims.example.test -set sm1 "$SM1_LINE" \
		-set sm5 "$SM1_LINE" -set corrupt 0 -set pcscf "$PCSCF_UE_IP" \
		-set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" "$PCSCF_UE_IP:5062"
	sipp_wait scscf_rereg_initial
	check rereg_initially_registered last_status_is rereg_initial 200

	capture_start rereg
	scscf_start scscf_rereg scscf_aka
	sipp_fg rereg_sm1 ue -- -sf "$SIPP_DIR/ue_rereg_sm1.xml" -i "$UE_IP" -p 5064 -m 1 \
		-cid_str "$REREG_CALL_ID" -set sm1 "$REREG_LINE" -set pcscf "$PCSCF_UE_IP" \
		-set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" "$PCSCF_UE_IP:5060"
	check rereg_sm4_received status_is rereg_sm1 401
	check rereg_sm4_has_choice trace_has rereg_sm1 '^Security-setup: *esp */ *esp */ *hmac-sha-1-96'
	check rereg_four_sas_after_sm4 owned_sas_are 4
	sipp_fg rereg_sm5 ue -- -sf "$SIPP_DIR/ue_rereg_sm5.xml" -i "$UE_IP" -p 5066 -m 1 \
		-cid_str "$REREG_CALL_ID" -set sm1 "$REREG_LINE" "$PCSCF_UE_IP:5060"
	check rereg_sm8_received last_status_is rereg_sm5 200
	check rereg_s_cscf_accepts sipp_wait scscf_rereg
	check rereg_four_sas_kept_after_sm8 owned_sas_are 4
	check rereg_listed_with_new_pair listed_with 'new_port: 5066' 
	sipp_fg rereg_further ue -- -sf "$SIPP_DIR/ue_options_answered.xml" -i "$UE_IP" -p 5066 -m 1 \
		"$PCSCF_UE_IP:5060"
	check rereg_further_message_answered last_status_is rereg_further 501
	check rereg_old_pair_deleted_after_further_message wait_for 6 owned_sas_are 2
	check rereg_remaining_pair_is_new bash -c "$IP -n pcscf xfrm state | grep -q 'spi $spi_u_new reqid $OWNER_TAG' && ! $IP -n pcscf xfrm state | grep -q 'spi $spi_u_old '"
	check rereg_contact_on_new_port listed_with '	port: 5066' 
	capture_stop rereg
	check rereg_sm1_through_old_sa grep -q "IP $UE_IP > $PCSCF_UE_IP: ESP" "$WORK/rereg.txt"
	check rereg_sm4_through_old_sa_to_ue grep -q "IP $PCSCF_UE_IP > $UE_IP: ESP(spi=$spi_u_old" "$WORK/rereg.txt"
	check rereg_sm8_through_new_sa_to_ue grep -q "IP $PCSCF_UE_IP > $UE_IP: ESP(spi=$spi_u_new" "$WORK/rereg.txt"
	check rereg_nothing_in_clear bash -c "! grep -q 'UDP' '$WORK/rereg.txt'"

	scscf_start scscf_rereg_dereg scscf_accept
	sipp_fg rereg_dereg ue -- -sf "$SIPP_DIR/ue_deregister.xml" -i "$UE_IP" -p 5066 -m 1 \
		-cid_str "$REREG_CALL_ID" -set sm1 "$REREG_LINE" -set agent_host "$UE_IP" \
		-set agent_port "$AGENT_PORT" "$PCSCF_UE_IP:5060"
	sipp_wait scscf_rereg_dereg
	check rereg_deregistration_leaves_nothing wait_for 6 nothing_left
	agent_op release 5064
}
