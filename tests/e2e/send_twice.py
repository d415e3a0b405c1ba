#!/usr/bin/env python3
"""Sends one SIP request, then exactly the same datagram again once its final response is in
(a retransmission, as from a UE that missed the answer), and writes every response received
to OUT, each after a line of dashes. SIPp cannot do this: it takes the second, identical
answer for a retransmitted one and sends its message again.

    send_twice.py LOCAL_IP LOCAL_PORT DEST_IP DEST_PORT REQUEST_FILE OUT

REQUEST_FILE holds the request with LF line ends (sent with CRLF). Exit 0 when both copies
got a final response within 5 s each."""
import socket
import sys
import time


def final_response(sock, out):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(65535)
        except socket.timeout:
            break
        text = data.decode(errors="replace")
        out.write("----------\n" + text.replace("\r\n", "\n") + "\n")
        status = text.split(" ", 2)[1] if text.startswith("SIP/2.0 ") else ""
        if status.isdigit() and int(status) >= 200:
            return True
    return False


def main():
    local_ip, local_port, dest_ip, dest_port, request_file, out_file = sys.argv[1:7]
    with open(request_file) as f:
        request = f.read().replace("\r\n", "\n").replace("\n", "\r\n").encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((local_ip, int(local_port)))
    ok = True
    with open(out_file, "w") as out:
        for copy in range(2):
            if copy:
                time.sleep(0.5)
            sock.sendto(request, (dest_ip, int(dest_port)))
            ok = final_response(sock, out) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
