# Profile 8 items 1 and 9 for an IPv6 UE (profile section 9: the UE's link has 2001:db8:1::/64):
# SM1 to SM8 over ESP in IPv6 packets, IPv6 SAs and policies in the P-CSCF's kernel, and a
# de-registration that leaves nothing. The P-CSCF reaches the S-CSCF over IPv4 as shipped.

IPV6_CALL_ID='ipv6-%u@%s'
IPV6_LINE="esp / esp / hmac-sha-1-96,hmac-md5-96 / aes-cbc,des-ede3-cbc / 3456789012 / port=5064"

# pcscf_owned_sas_in FAMILY: the P-CSCF's SAs of that family (-4 or -6) carrying its tag.
pcscf_owned_sas_in() { $IP "$1" -n pcscf xfrm state | grep -c "reqid $OWNER_TAG"; }
owned_sas_all_ipv6() { [ "$(pcscf_owned_sas_in -6)" -eq 2 ] && [ "$(pcscf_owned_sas_in -4)" -eq 0 ]; }
# Every policy is an IPv6 one between the UE and the P-CSCF.
policies_all_ipv6() {
	[ "$($IP -4 -n pcscf xfrm policy | grep -c '^src')" -eq 0 ] &&
		[ "$($IP -6 -n pcscf xfrm policy | grep -c "^src $UE_IP6/128 dst $PCSCF_UE_IP6/128\|^src $PCSCF_UE_IP6/128 dst $UE_IP6/128")" -ge 2 ]
}

scenario_ipv6() {
	local spi_u=0xce0a6a14 # 3456789012, the SPI of IPV6_LINE
	capture_start ipv6
	scscf_start scscf_ipv6 scscf_aka
	sipp_fg ipv6 ue -- -sf "$SIPP_DIR/ue_secured_register.xml" -i "$UE_IP6" -p 5064 -m 1 \
		-cid_str "$IPV6_CALL_ID" -auth_uri ims.example.test -set sm1 "$IPV6_LINE" \
		-set sm5 "$IPV6_LINE" -set corrupt 0 -set pcscf "$PCSCF_UE_IP6" \
		-set agent_host "$UE_IP6" -set agent_port "$AGENT_PORT" "[$PCSCF_UE_IP6]:5062"
	check ipv6_ue_gets_sm8 last_status_is ipv6 200
	check ipv6_scscf_accepts sipp_wait scscf_ipv6
	check ipv6_contact_established contact_state_is established
	check ipv6_contact_listed_with_ipv6_address listed_with "ue: $UE_IP6"
	check ipv6_two_ipv6_sas_and_no_ipv4_sa owned_sas_all_ipv6
	check ipv6_sa_to_ue_has_ue_spi bash -c "$IP -n pcscf xfrm state | grep -A1 '^src $PCSCF_UE_IP6 dst $UE_IP6' | grep -q 'spi $spi_u reqid $OWNER_TAG'"
	check ipv6_policies_are_ipv6 policies_all_ipv6
	capture_stop ipv6
	check ipv6_sm1_in_clear grep -q "IP6 $UE_IP6.5064 > $PCSCF_UE_IP6.5062: UDP" "$WORK/ipv6.txt"
	check ipv6_sm4_in_clear grep -q "IP6 $PCSCF_UE_IP6.5062 > $UE_IP6.5064: UDP" "$WORK/ipv6.txt"
	local spi_p
	spi_p=$(received ipv6 | sed -n 's|^Security-setup:.*/ *\([0-9]*\) */ *protected-port.*|\1|p' | head -1)
	check ipv6_sm5_as_esp_with_sm4_spi grep -q "IP6 $UE_IP6 > $PCSCF_UE_IP6: ESP(spi=$(printf '0x%08x' "${spi_p:-0}")," "$WORK/ipv6.txt"
	check ipv6_sm8_as_esp_with_ue_spi grep -q "IP6 $PCSCF_UE_IP6 > $UE_IP6: ESP(spi=$spi_u" "$WORK/ipv6.txt"
	check ipv6_no_clear_sip_on_protected_ports bash -c "! grep -Eq 'IP6 $UE_IP6\.5064 > $PCSCF_UE_IP6\.5060: UDP|IP6 $PCSCF_UE_IP6\.5060 > $UE_IP6\.5064: UDP' '$WORK/ipv6.txt'"
	check ipv6_nothing_over_ipv4_on_access_link bash -c "! grep -q '^[0-9:.]* IP ' '$WORK/ipv6.txt'"

	scscf_start scscf_ipv6_dereg scscf_accept
	check ipv6_deregistration_answered sipp_fg ipv6_dereg ue -- -sf "$SIPP_DIR/ue_deregister.xml" \
		-i "$UE_IP6" -p 5064 -m 1 -cid_str "$IPV6_CALL_ID" -set sm1 "$IPV6_LINE" \
		-set agent_host "$UE_IP6" -set agent_port "$AGENT_PORT" "[$PCSCF_UE_IP6]:5060"
	check ipv6_deregistration_relayed sipp_wait scscf_ipv6_dereg
	check ipv6_deregistration_leaves_nothing wait_for 5 nothing_left
	check ipv6_ue_agent_released_its_sas bash -c "[ -z \"\$($IP -n ue xfrm state)\" ]"
}
