# Profile 8 item 1 (and 9 for the de-registration): SM1 to SM8 over real ESP, checked on
# the wire (capture on the UE's link), in the kernel and through the RPC interface.

CALL_ID_FORMAT='secured-%u@%s' # one Call-ID for the registration and its de-registration

ue_secured() {  # NAME [SM5-LINE [CORRUPT]]: the UE's secured registration (SM1 to SM8)
	sipp_fg "$1" ue -- -sf "$SIPP_DIR/ue_secured_register.xml" -i "$UE_IP" -p 5064 -m 1 \
		-cid_str "$CALL_ID_FORMAT" -auth_uri ims.example.test -set sm1 "$SM1_LINE" \
		-set sm5 "${2:-$SM1_LINE}" -set corrupt "${3:-0}" \
		-set pcscf "$PCSCF_UE_IP" -set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" \
		"$PCSCF_UE_IP:5062"
}

ue_deregister() {  # NAME: the same UE de-registers through its SA
	sipp_fg "$1" ue -- -sf "$SIPP_DIR/ue_deregister.xml" -i "$UE_IP" -p 5064 -m 1 \
		-cid_str "$CALL_ID_FORMAT" -set sm1 "$SM1_LINE" -set agent_host "$UE_IP" \
		-set agent_port "$AGENT_PORT" "$PCSCF_UE_IP:5060"
}


scenario_secured_registration() {
	local spi_u=0xc759e285 # 3344556677, the SPI of SM1_LINE
	# Earlier scenarios install and delete SAs too: this one counts its own.
	local installed_before deleted_before
	installed_before=$(counter_value sa_installed)
	deleted_before=$(counter_value sa_deleted)
	capture_start secured
	scscf_start scscf_secured scscf_aka
	ue_secured ue
	check secured_ue_gets_sm8 last_status_is ue 200
	check secured_scscf_accepts sipp_wait scscf_secured
	check secured_contact_established contact_state_is established
	check secured_two_sas_in_pcscf_kernel bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 2 ]"
	check secured_sa_to_ue_has_ue_spi bash -c "$IP -n pcscf xfrm state | grep -q 'spi $spi_u reqid $OWNER_TAG'"
	check secured_counted_installed counter_is sa_installed $((installed_before + 1))
	capture_stop secured
	check secured_sm4_chose_sha1_aes trace_has ue '^Security-setup: *esp */ *esp */ *hmac-sha-1-96 */ *aes-cbc */ *[0-9]* */ *protected-port=5060;unprotected-port=5062'
	check secured_sm4_without_ik_ck trace_lacks ue 'ik=|ck='
	check secured_sm4_in_clear grep -q "IP $PCSCF_UE_IP.5062 > $UE_IP.5064: UDP" "$WORK/secured.txt"
	check secured_sm5_as_esp bash -c "grep -q 'IP $UE_IP > $PCSCF_UE_IP: ESP' '$WORK/secured.txt'"
	check secured_sm8_as_esp_with_ue_spi bash -c "grep -q 'IP $PCSCF_UE_IP > $UE_IP: ESP(spi=$spi_u' '$WORK/secured.txt'"
	check secured_no_clear_sip_on_protected_ports bash -c "! grep -Eq 'IP $UE_IP\.5064 > $PCSCF_UE_IP\.5060: UDP|IP $PCSCF_UE_IP\.5060 > $UE_IP\.5064: UDP' '$WORK/secured.txt'"
	check secured_no_ik_on_access_link bash -c "! grep -aq '814dc7c0944d73d5b98b5fd703e7db1c' '$WORK/secured.pcap'"
	scscf_start scscf_dereg scscf_accept
	check deregistration_answered ue_deregister dereg
	check deregistration_relayed sipp_wait scscf_dereg
	check deregistration_leaves_nothing wait_for 5 nothing_left
	check deregistration_counted_deleted counter_is sa_deleted $((deleted_before + 1))
}
