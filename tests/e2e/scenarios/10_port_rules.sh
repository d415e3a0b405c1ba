# Profile 7: what the unprotected port accepts, and that the protected port accepts nothing
# from an address without SAs. Each discard is silent and counted.

discarded() {  # NAME COUNTER TARGET-PORT OPTIONS|REGISTER [HEADER-LINE [HEADER-LINE]]
	local before scenario=ue_request_unanswered more=()
	[ "$4" = REGISTER ] && scenario=ue_register_unanswered more=(-set hdr2 "${6:-X-Test: 2}")
	before=$(counter_value "$2")
	sipp_fg ue ue -- -sf "$SIPP_DIR/$scenario.xml" -i "$UE_IP" -p 5064 -m 1 \
		-set hdr1 "${5:-X-Test: 1}" "${more[@]}" "$PCSCF_UE_IP:$3"
	local verdict=$?
	check "$1_gets_no_answer" test $verdict -eq 0
	check "$1_is_counted_in_$2" counter_is "$2" $((before + 1))
	check "$1_leaves_nothing" nothing_left
}

scenario_port_rules() {
	discarded options_on_unprotected_port unprotected_discarded 5062 OPTIONS
	discarded clear_request_on_protected_port_without_sa protected_discarded 5060 OPTIONS
	discarded clear_register_on_protected_port_without_sa protected_discarded 5060 REGISTER
}
