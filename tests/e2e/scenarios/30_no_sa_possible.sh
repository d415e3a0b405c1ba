# Profile 5: SM3 without a valid ik gets the UE a 500 with a Warning; a kernel that refuses
# the SAs (issue: "kernel failure while creating SAs") likewise; nothing is left behind.

scenario_no_sa_possible() {
	scscf_start scscf_no_ik scscf_challenge_without_ik
	ue_once "Security-setup: $SM1_LINE" "$AUTH_UNPROTECTED"
	sipp_wait scscf_no_ik
	check sm3_without_ik_ue_gets_500 status_is ue 500
	check sm3_without_ik_warning_names_cause trace_has ue '^Warning: 399 .*ik'
	check sm3_without_ik_no_security_setup_to_ue trace_lacks ue '^Security-setup' 
	check sm3_without_ik_leaves_nothing nothing_left

	# A challenge too long to forward even without ik/ck: the UE gets a 500 without it or
	# the keys, and no SA is made (not one left for the registration timer to find).
	scscf_start scscf_too_long scscf_challenge_too_long
	ue_once "Security-setup: $SM1_LINE" "$AUTH_UNPROTECTED"
	sipp_wait scscf_too_long
	check long_challenge_ue_gets_500 status_is ue 500
	check long_challenge_keys_not_to_ue trace_lacks ue 'ik=\|ck='
	check long_challenge_not_to_ue trace_lacks ue '^WWW-Authenticate'
	check long_challenge_warning_names_cause trace_has ue '^Warning: 399 .*too long'
	check long_challenge_leaves_nothing nothing_left

	# The kernel loses ESP (module unloaded, auto-loading off): creating the SAs fails.
	local modprobe
	modprobe=$(cat /proc/sys/kernel/modprobe)
	echo /bin/false >/proc/sys/kernel/modprobe
	/sbin/rmmod esp4 2>>"$CHECK_LOG"
	$IP -n pcscf xfrm policy add src "$UE_IP" dst "$PCSCF_UE_IP" proto udp sport 5099 dport 5060 \
		dir in tmpl src "$UE_IP" dst "$PCSCF_UE_IP" proto esp mode transport
	scscf_start scscf_kernel_failure scscf_challenge
	ue_once "Security-setup: $SM1_LINE" "$AUTH_UNPROTECTED"
	sipp_wait scscf_kernel_failure
	check kernel_failure_ue_gets_500 status_is ue 500
	check kernel_failure_leaves_no_owned_sa bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 0 ]"
	check kernel_failure_leaves_no_contact contacts_are 0
	check kernel_failure_counted counter_is sa_install_failed 1
	check kernel_failure_warning_to_ue trace_has ue '^Warning: 399'
	check kernel_failure_foreign_policy_untouched bash -c "$IP -n pcscf xfrm policy | grep -q 'sport 5099 dport 5060'"
	$IP -n pcscf xfrm policy delete src "$UE_IP" dst "$PCSCF_UE_IP" proto udp sport 5099 dport 5060 dir in
	echo "$modprobe" >/proc/sys/kernel/modprobe
	"$modprobe" esp4
}
