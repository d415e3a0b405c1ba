# Profile 8 item 9 and section 6: two UAs on one UE with their own SAs; a crashed P-CSCF
# (every process killed) leaves SAs behind that the next start removes, after which the UE
# registers again; a foreign SA and policy survive all of it.

LINE_UA1="$SM1_LINE"
LINE_UA2="esp / esp / hmac-md5-96 / des-ede3-cbc / 1234567890 / port=5068"

foreign_objects_present() {
	output_has 'spi 0x00000777' $IP -n pcscf xfrm state &&
		output_has 'sport 7777' $IP -n pcscf xfrm policy
}

# The Kamailio processes in the P-CSCF's namespace, found with shell builtins only: killed one
# by one behind an exec each (0.15 s in UML), the TCP main process outlived the others by
# seconds and logged 700-2,500 epoll_wait errors (EINVAL: no descriptor left to watch).
pcscf_kamailio_pids() {
	local p cmd
	for p in $($IP netns pids pcscf); do
		cmd=
		read -r -d '' cmd <"/proc/$p/cmdline" 2>/dev/null
		[[ $cmd == *kamailio* ]] && echo "$p"
	done
}

no_pcscf_kamailio() { [ -z "$(pcscf_kamailio_pids)" ]; }

crash_pcscf() {  # every Kamailio process at once, as a power cut or the OOM killer would
	local pids
	pids=$(pcscf_kamailio_pids)
	# shellcheck disable=SC2086 # one word per pid
	[ -z "$pids" ] || kill -KILL $pids
	wait "$PCSCF_PID" 2>/dev/null
	PCSCF_PID=
}

scenario_lifecycle() {
	$IP -n pcscf -batch - <<-X
	xfrm state add src $UE_IP dst $PCSCF_UE_IP proto esp spi 0x777 mode transport auth-trunc hmac(sha1) 0x0102030405060708090a0b0c0d0e0f1011121314 96 enc cbc(aes) 0x000102030405060708090a0b0c0d0e0f
	xfrm policy add src $UE_IP dst $PCSCF_UE_IP proto udp sport 7777 dir in tmpl src $UE_IP dst $PCSCF_UE_IP proto esp mode transport
	X
	check two_uas_first_registers ua_register ua1 5064 "$LINE_UA1"
	check two_uas_second_registers ua_register ua2 5068 "$LINE_UA2"
	check two_uas_have_four_sas bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 4 ]"
	check two_uas_second_uses_its_own_choice listed_with 'integrity: hmac-md5-96'
	check two_uas_first_deregisters ua_deregister ua1_dereg 5064 "$LINE_UA1" ua1
	check two_uas_second_survives_first_deregistration wait_for 6 bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 2 ]"
	check two_uas_second_still_listed listed_with '	port: 5068'

	crash_pcscf
	# The crash's premise: nothing of the old P-CSCF runs on.
	check crash_kills_every_process wait_for 5 no_pcscf_kamailio
	check crash_leaves_stale_sas bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 2 ]"
	check restart_after_crash pcscf_start pcscf
	check restart_removes_stale_sas bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 0 ]"
	check restart_removes_stale_policies bash -c "! $IP -n pcscf xfrm policy | grep -q 'sport 5068'"
	check restart_leaves_foreign_objects foreign_objects_present
	agent_op release 5068 # the UE notices the P-CSCF lost it and drops its SAs
	check ua_registers_again_after_restart ua_register ua2b 5068 "$LINE_UA2"
	check ua_deregisters_after_restart ua_deregister ua2b_dereg 5068 "$LINE_UA2" ua2b
	check lifecycle_leaves_only_foreign_objects wait_for 6 bash -c "[ \$($IP -n pcscf xfrm state | grep -c 'reqid $OWNER_TAG') -eq 0 ]"
	check foreign_objects_survive foreign_objects_present
	$IP -n pcscf xfrm state delete src "$UE_IP" dst "$PCSCF_UE_IP" proto esp spi 0x777
	$IP -n pcscf xfrm policy delete src "$UE_IP" dst "$PCSCF_UE_IP" proto udp sport 7777 dir in
}
