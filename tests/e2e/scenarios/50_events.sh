# The event routes of cfg_examples/pcscf.cfg (docs/module.md section 7): each event runs its
# event_route once per negotiation, and the route's xlog line shows $secsetup(...) (the
# established line only once turned on: pv.shvSet log_established int 1).
# Checked from the P-CSCF's log: the shipped cfg's only way of showing what the route saw.

# log_since LINE: the Kamailio log after its first LINE lines.
log_since() { tail -n "+$(($1 + 1))" "$WORK/kamailio.log"; }
# logged_once LINE REGEX: exactly one log line after LINE matches (extended regex).
logged_once() { [ "$(log_since "$1" | grep -cE -- "$2")" -eq 1 ]; }
# sent_call_id NAME: the Call-ID of the first message in SIPp's trace NAME.
sent_call_id() { grep -m1 -i '^Call-ID:' "$WORK/$1.msg" | sed 's/^[^:]*:[[:space:]]*//' | tr -d '\r'; }
# regex_quote TEXT: TEXT as a literal in an extended regex.
regex_quote() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|/]/\\&/g'; }

scenario_events() {
	local from cid spi_p refused_before established_before

	# The shipped cfg writes no line per established registration until the operator turns
	# it on ($shv(log_established), pv.shvSet): the registration is counted all the same.
	from=$(wc -l <"$WORK/kamailio.log")
	established_before=$(counter_value registrations_established)
	scscf_start scscf_events_quiet scscf_aka
	ue_secured events_quiet
	sipp_wait scscf_events_quiet
	check events_established_counted_with_log_off \
		counter_is registrations_established $((established_before + 1))
	check events_established_not_logged_by_default bash -c \
		"! tail -n +$((from + 1)) '$WORK/kamailio.log' | grep -q 'secsetup established:'"
	scscf_start scscf_events_quiet_dereg scscf_accept
	ue_deregister events_quiet_dereg
	sipp_wait scscf_events_quiet_dereg
	check events_quiet_registration_gone wait_for 5 nothing_left

	# Item 1 again: the established event names the UE, its protected port, the Call-ID and
	# the SA pair the kernel holds (its line turned on at run time, as an operator would).
	check events_log_established_turned_on output_has 'Variable set' pcscf_rpc pv.shvSet log_established int 1
	from=$(wc -l <"$WORK/kamailio.log")
	scscf_start scscf_events_ok scscf_aka
	ue_secured events_ok
	sipp_wait scscf_events_ok
	cid=$(regex_quote "$(sent_call_id events_ok)")
	check events_established_ran_once wait_for 3 logged_once "$from" \
		"secsetup established: ue=$UE_IP port=5064 call_id=$cid impu=sip:[^ ]+ spi_p=[0-9]+ spi_u=3344556677\$"
	spi_p=$(log_since "$from" | sed -n 's/.*secsetup established: .* spi_p=\([0-9]*\) .*/\1/p' | head -1)
	check events_established_spi_p_is_in_kernel bash -c \
		"$IP -n pcscf xfrm state | grep -q 'spi $(printf '0x%08x' "${spi_p:-0}") reqid $OWNER_TAG'"
	check events_established_no_failed_event bash -c \
		"! tail -n +$((from + 1)) '$WORK/kamailio.log' | grep -q 'secsetup failed:'"
	scscf_start scscf_events_dereg scscf_accept
	ue_deregister events_dereg
	sipp_wait scscf_events_dereg
	check events_registration_gone wait_for 5 nothing_left
	check events_log_established_turned_off output_has 'Variable set' pcscf_rpc pv.shvSet log_established int 0

	# Item 2 again: a refused proposal runs the failed event once (at the refusal, not again
	# on the S-CSCF's 403), with the Failure token as reason and no SA.
	from=$(wc -l <"$WORK/kamailio.log")
	refused_before=$(counter_value failed_no_common_integrity)
	scscf_start scscf_events_refused scscf_forbid
	ue_once "Security-setup: esp / / hmac-sha-256 / / 3344556677 / port=5064" "X-Test: events"
	sipp_wait scscf_events_refused
	cid=$(regex_quote "$(sent_call_id ue)")
	check events_refused_ue_gets_403 status_is ue 403
	check events_failed_ran_once_with_reason wait_for 3 logged_once "$from" \
		"secsetup failed: ue=$UE_IP port=5064 call_id=$cid impu=sip:[^ ]+ reason=\"NoCommonIntegrityAlgorithm\" spi_p=0 spi_u=0\$"
	check events_refused_no_established_event bash -c \
		"! tail -n +$((from + 1)) '$WORK/kamailio.log' | grep -q 'secsetup established:'"
	check events_failure_counted counter_is failed_no_common_integrity $((refused_before + 1))
}
