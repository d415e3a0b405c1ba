#!/usr/bin/env python3
"""The fixed IMS AKA material the test S-CSCF and UE share.

Debian's SIPp 3.6.1 takes aka_K, aka_OP and aka_AMF as the raw bytes of their text, so the
subscriber's K, OP and AMF are printable strings here. Milenage (3GPP TS 35.206) is computed
with `openssl enc -aes-128-ecb`; `--self-test` checks it against TS 35.208 test set 1.
Prints the values the SIPp scenarios carry as constants.
"""
import base64
import hashlib
import subprocess
import sys

K = b"secsetup-test-K!"
OP = b"secsetup-test-OP"
AMF = b"AM"
RAND = bytes.fromhex("23553cbe9637a89d218ae64dae47bf35")
SQN = bytes.fromhex("000000000021")
IMPI = "alice@ims.example.test"
REALM = "ims.example.test"
REGISTER_URI = "sip:ims.example.test"


def aes(key, block):
    out = subprocess.run(["openssl", "enc", "-aes-128-ecb", "-K", key.hex(), "-nopad", "-nosalt"],
                         input=block, capture_output=True, check=True).stdout
    return out[:16]


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def rotl(x, bits):
    n = bits // 8
    return x[n:] + x[:n]


def milenage(K=K, OP=OP, RAND=RAND, SQN=SQN, AMF=AMF):
    opc = xor(aes(K, OP), OP)
    temp = aes(K, xor(RAND, opc))
    const = lambda i: bytes(15) + bytes([i])
    out1 = xor(aes(K, xor(temp, rotl(xor(SQN + AMF + SQN + AMF, opc), 64))), opc)
    out2 = xor(aes(K, xor(xor(temp, opc), const(1))), opc)
    out3 = xor(aes(K, xor(rotl(xor(temp, opc), 32), const(2))), opc)
    out4 = xor(aes(K, xor(rotl(xor(temp, opc), 64), const(4))), opc)
    mac, res, ak = out1[:8], out2[8:], out2[:6]
    autn = xor(SQN, ak) + AMF + mac
    return {"res": res, "ck": out3, "ik": out4, "autn": autn}


def digest_response(res, nonce):
    ha1 = hashlib.md5(f"{IMPI}:{REALM}:".encode() + res).hexdigest()
    ha2 = hashlib.md5(f"REGISTER:{REGISTER_URI}".encode()).hexdigest()
    return hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()


def self_test():
    v = milenage(bytes.fromhex("465b5ce8b199b49faa5f0a2ee238a6bc"),
                 bytes.fromhex("cdc202d5123e20f62b6d676ac72cb318"),
                 bytes.fromhex("23553cbe9637a89d218ae64dae47bf35"),
                 bytes.fromhex("ff9bb4d0b607"), bytes.fromhex("b9b9"))
    want = {"res": "a54211d5e3ba50bf", "ck": "b40ba9a3c58b2a05bbf0d987b21bf8cb",
            "ik": "f769bcd751044604127672711c6d3441", "autn": "55f328b43577b9b94a9ffac354dfafb3"}
    bad = [k for k in want if v[k].hex() != want[k]]
    print("milenage test set 1:", "ok" if not bad else f"MISMATCH {bad}")
    return 1 if bad else 0


def main():
    if "--self-test" in sys.argv:
        return self_test()
    v = milenage()
    assert 0 not in v["res"], "SIPp 3.6.1 treats RES as a C string"
    nonce = base64.b64encode(RAND + v["autn"]).decode()
    values = {
        "K": K.decode(), "OP": OP.decode(), "AMF": AMF.decode(), "RES": v["res"].hex(),
        "IK": v["ik"].hex(), "CK": v["ck"].hex(), "NONCE": nonce,
        "RESPONSE": digest_response(v["res"], nonce),
    }
    for k, val in values.items():
        print(f"{k}={val}")


if __name__ == "__main__":
    sys.exit(main())
