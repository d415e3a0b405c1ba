# Profile 8 items 3 to 6: what goes wrong between SM4 and SM8, and what it leaves.

# The SPI_P of the SM4 in a UE trace.
sm4_spi() { received "$1" | sed -n 's|^Security-setup:.*/ *\([0-9]*\) */ *protected-port.*|\1|p' | head -1; }

# SM5 (CSeq 3) got no answer at all.
sm5_unanswered() { ! output_has '^CSeq: *3 REGISTER' received "$1"; }
trace_sent_cseq() { grep -q "^CSeq: *$2 REGISTER" "$WORK/$1.msg"; }
# The report the S-CSCF received (its last REGISTER) has exactly one Content-Length.
report_has_one_content_length() {
	[ "$(received scscf_auth_timeout | awk '/^REGISTER /{n=0} /^Content-Length:/{n++} END{print n}')" -eq 1 ]
}

scenario_failures() {
	local spi

	# Item 3: SM5 repeats the proposal without hmac-md5-96 (a downgrade): mismatch.
	scscf_start scscf_mismatch scscf_aka_expect_failure
	ue_secured mismatch "esp / esp / hmac-sha-1-96 / aes-cbc,des-ede3-cbc / 3344556677 / port=5064"
	sipp_wait scscf_mismatch
	check mismatch_s_cscf_gets_failure trace_has scscf_mismatch '^Failure: *SecuritySetupMismatch'
	check mismatch_ue_gets_403 last_status_is mismatch 403
	check mismatch_sas_deleted wait_for 6 nothing_left
	agent_op release

	# Item 4: SM5 protected with a wrong key never reaches the module; the registration
	# timer (the shipped 30 s) removes the pending SAs and the S-CSCF hears of it (D.2.2).
	local failures_before
	failures_before=$(counter_value user_auth_failures)
	SIPP_TIMEOUT=60 scscf_start scscf_auth_timeout scscf_aka_expect_failure
	ue_secured auth_timeout "$SM1_LINE" 1
	# SM5 (CSeq 3) got no answer at all (a function, not bash -c: the trace helpers are not
	# visible in a child shell, where this check used to pass on nothing).
	check user_auth_failure_sm5_sent trace_sent_cseq auth_timeout 3
	check user_auth_failure_sm5_unanswered sm5_unanswered auth_timeout
	check user_auth_failure_reported_to_s_cscf sipp_wait scscf_auth_timeout
	check user_auth_failure_report_names_reason trace_has scscf_auth_timeout '^Failure: *UserAuthenticationFailure'
	check user_auth_failure_report_same_call_id trace_has scscf_auth_timeout '^Call-ID: *secured-1@'
	# Issue 14: the report names the IMPI the S-CSCF challenged (an Authorization without a
	# response, as SM1's), and carries one Content-Length (tm's).
	check user_auth_failure_report_names_impi trace_has scscf_auth_timeout \
		'^Authorization: Digest username="alice@ims.example.test", .*response=""'
	check user_auth_failure_report_one_content_length report_has_one_content_length
	check user_auth_failure_sas_deleted wait_for 6 nothing_left
	check user_auth_failure_counted counter_is user_auth_failures $((failures_before + 1))
	agent_op release

	# Item 5: network authentication failure: the clear REGISTER with an empty response is
	# accepted on the unprotected port and relayed; the pending SAs go.
	scscf_start scscf_netfail scscf_challenge_twice
	sipp_fg netfail ue -- -sf "$SIPP_DIR/ue_auth_failure.xml" -i "$UE_IP" -p 5064 -m 1 \
		-set sm1 "$SM1_LINE" -set authz "$AUTH_UNPROTECTED" "$PCSCF_UE_IP:5062"
	sipp_wait scscf_netfail
	spi=$(sm4_spi netfail)
	check network_failure_ue_got_sm4 status_is netfail 401
	check network_failure_register_relayed bash -c "grep -q '^CSeq: 2 REGISTER' '$WORK/scscf_netfail.msg'"
	check network_failure_first_sas_gone bash -c "! $IP -n pcscf xfrm state | grep -q 'spi $(printf '0x%08x' "${spi:-0}") '"

	# Item 6: synchronisation failure: the REGISTER with auts is relayed, the state from SM1
	# is kept, and the new challenge carries a fresh choice with fresh SAs. The UE stops
	# there: the fresh pair's registration timer ends it and the S-CSCF, challenging until
	# then, takes the D.2.2 report (which would otherwise reach a later scenario's S-CSCF).
	local installed_before
	installed_before=$(counter_value sa_installed)
	SIPP_TIMEOUT=60 scscf_start scscf_syncfail scscf_challenge_until_failure
	sipp_fg syncfail ue -- -sf "$SIPP_DIR/ue_auth_failure.xml" -i "$UE_IP" -p 5064 -m 1 \
		-set sm1 "$SM1_LINE" \
		-set authz 'Authorization: Digest username="alice@ims.example.test", realm="ims.example.test", nonce="I1U8vpY3qJ0hiuZNrke/NVEp5xAGjEFNVswG7RYBTpU=", uri="sip:ims.example.test", response="", auts="AAAAAAAAAAAAAAAAAAAA"' \
		"$PCSCF_UE_IP:5062"
	local first second
	first=$(received syncfail | sed -n 's|^Security-setup:.*/ *\([0-9]*\) */ *protected-port.*|\1|p' | sed -n 1p)
	second=$(received syncfail | sed -n 's|^Security-setup:.*/ *\([0-9]*\) */ *protected-port.*|\1|p' | sed -n 2p)
	check sync_failure_new_challenge_has_fresh_choice bash -c "[ -n '$second' ] && [ '$first' != '$second' ]"
	check sync_failure_fresh_sas_installed counter_is sa_installed $((installed_before + 2))
	check sync_failure_fresh_sas_in_kernel bash -c "$IP -n pcscf xfrm state | grep -q 'spi $(printf '0x%08x' "${second:-0}") '"
	check sync_failure_old_sas_gone bash -c "! $IP -n pcscf xfrm state | grep -q 'spi $(printf '0x%08x' "${first:-0}") '"
	check sync_failure_timer_reported_to_s_cscf sipp_wait scscf_syncfail
	check sync_failure_auts_relayed trace_has scscf_syncfail 'auts='
	check sync_failure_report_names_reason trace_has scscf_syncfail '^Failure: *UserAuthenticationFailure'
	check sync_failure_leaves_nothing_after_timer wait_for 10 nothing_left
}
