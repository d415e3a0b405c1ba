# Profile 8 item 2 and the header errors of section 2: each bad proposal is refused with the
# right Failure reason (forward mode: on SM2, the S-CSCF answers 403) and leaves nothing.

# refused NAME HDR1 HDR2 REASON: the S-CSCF sees "Failure: REASON", the UE gets 403.
refused() {
	local name=$1 h1=$2 h2=$3 reason=$4
	scscf_start "scscf_$name" scscf_forbid
	ue_once "$h1" "$h2"
	sipp_wait "scscf_$name"
	check "${name}_s_cscf_gets_failure_${reason}" trace_has "scscf_$name" "^Failure: *$reason"
	check "${name}_s_cscf_gets_no_security_setup" trace_lacks "scscf_$name" '^Security-setup' 
	check "${name}_ue_gets_403" status_is ue 403
	check "${name}_leaves_nothing" nothing_left
}

scenario_refusals() {
	refused no_common_integrity \
		"Security-setup: esp / / hmac-sha-256 / / 3344556677 / port=5064" "X-Test: 1" \
		NoCommonIntegrityAlgorithm
	refused unsupported_mechanism \
		"Security-setup: tls / / hmac-sha-1-96 / / 3344556677 / port=5064" "X-Test: 1" \
		UnsupportedMechanism
	refused malformed_spi_below_256 \
		"Security-setup: esp / / hmac-sha-1-96 / / 255 / port=5064" "X-Test: 1" \
		MalformedSecuritySetup
	refused malformed_conf_mech_without_algs \
		"Security-setup: esp / esp / hmac-sha-1-96 / / 3344556677 / port=5064" "X-Test: 1" \
		MalformedSecuritySetup
	refused duplicated_header \
		"Security-setup: $SM1_LINE" "Security-setup: $SM1_LINE" MalformedSecuritySetup
	refused missing_header "X-Test: 1" "X-Test: 2" MalformedSecuritySetup
}
