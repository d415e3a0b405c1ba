#!/bin/bash
# First proof of the real kernel (runs inside the sandbox's test network): an ESP transport
# SA pair installed with iproute2 carries UDP from ue to pcscf; a capture on the veth shows
# only ESP and the receiver gets the plaintext. A second run without SAs shows the capture
# check can fail (it sees the clear UDP).
set -u
. "$SECSETUP_ROOT/tests/lib/check.sh"
. "$SECSETUP_ROOT/scripts/lib/testnet.env"
WORK=${1:-$SANDBOX_OUT}/esp_ip_proof
mkdir -p "$WORK"
CHECK_LOG=$WORK/checks.log
IP=/sbin/ip PY=/usr/bin/python3
PORT=5099 PAYLOAD="secsetup-plaintext-probe"

install_pair() {  # NS LOCAL PEER SPI_OUT SPI_IN
	local ns=$1 me=$2 peer=$3 out=$4 in=$5
	local auth='auth-trunc hmac(sha1) 0x0102030405060708090a0b0c0d0e0f1011121314 96'
	local enc='enc cbc(aes) 0x000102030405060708090a0b0c0d0e0f'
	$IP -n "$ns" -batch - <<-X
	xfrm state add src $me dst $peer proto esp spi $out mode transport $auth $enc
	xfrm state add src $peer dst $me proto esp spi $in mode transport $auth $enc
	xfrm policy add src $me dst $peer proto udp dir out tmpl src $me dst $peer proto esp spi $out mode transport
	xfrm policy add src $peer dst $me proto udp dir in tmpl src $peer dst $me proto esp mode transport
	X
}

# send_and_capture NAME: UDP ue -> pcscf while tcpdump watches acc0; leaves WORK/NAME.{pcap,rx}
send_and_capture() {
	local name=$1
	$IP netns exec pcscf /usr/bin/tcpdump -U --immediate-mode -n -i acc0 -w "$WORK/$name.pcap" \
		udp or esp 2>"$WORK/$name.tcpdump.log" &
	local cap=$!
	$IP netns exec pcscf $PY -c "
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('$PCSCF_UE_IP',$PORT)); s.settimeout(5)
open('$WORK/$name.rx','wb').write(s.recvfrom(2048)[0])" &
	local rx=$!
	sleep 1.5
	$IP netns exec ue $PY -c "
import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for _ in range(3): s.sendto(b'$PAYLOAD',('$PCSCF_UE_IP',$PORT))"
	wait $rx
	sleep 0.5
	kill -INT $cap; wait $cap
	/usr/bin/tcpdump -n -r "$WORK/$name.pcap" >"$WORK/$name.txt" 2>/dev/null
}

received_plaintext() { grep -q "$PAYLOAD" "$WORK/$1.rx"; }
capture_has_esp() { grep -q 'ESP(spi=0x' "$WORK/$1.txt"; }
capture_has_no_clear_udp() { ! grep -q "\.$PORT: UDP" "$WORK/$1.txt" && ! grep -qa "$PAYLOAD" "$WORK/$1.pcap"; }

send_and_capture clear
check capture_check_sees_clear_udp_without_sa bash -c "! grep -q 'ESP' '$WORK/clear.txt' && grep -q '\.$PORT: UDP' '$WORK/clear.txt'"

install_pair ue "$UE_IP" "$PCSCF_UE_IP" 0x2001 0x1001
install_pair pcscf "$PCSCF_UE_IP" "$UE_IP" 0x1001 0x2001
send_and_capture esp
check esp_receiver_gets_plaintext received_plaintext esp
check esp_capture_shows_esp capture_has_esp esp
check esp_capture_shows_no_clear_udp capture_has_no_clear_udp esp
check esp_sa_counted_packets bash -c "$IP -n pcscf -s xfrm state | grep -A12 'spi 0x00002001' | grep -Eq '[1-9][0-9]*\(bytes\), [1-9]'"
$IP -n ue xfrm state flush; $IP -n ue xfrm policy flush
$IP -n pcscf xfrm state flush; $IP -n pcscf xfrm policy flush
check_summary esp_ip_proof
