#!/usr/bin/env python3
"""tail_client: opens GET /loki/api/v1/tail over a WebSocket (stdlib only) and reads as fast
as it can, for measuring push throughput with tails open (bench/RESULTS.md, "Tail").

  tail_client.py --url 127.0.0.1:3100 --query '{job="load"}' [--seconds 30] [--tenant t]

Prints the messages, entries and dropped entries it received when it ends. Answers no pings
(the server drops a client only after two minutes without a byte from it).
"""
import argparse
import base64
import json
import os
import socket
import sys
import time
import urllib.parse


def fill(sock, buf, n):
    """Receives into buf (a bytearray) until it holds n bytes; on a socket time-out what was
    received stays in buf."""
    while len(buf) < n:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise EOFError
        buf.extend(chunk)


def next_frame(sock, buf):
    """The next whole frame (opcode, payload) of an unmasked server stream."""
    fill(sock, buf, 2)
    n = buf[1] & 0x7F
    head = 2 + (2 if n == 126 else 8 if n == 127 else 0)
    fill(sock, buf, head)
    if n == 126:
        n = int.from_bytes(buf[2:4], "big")
    elif n == 127:
        n = int.from_bytes(buf[2:10], "big")
    fill(sock, buf, head + n)
    opcode, fin = buf[0] & 0x0F, bool(buf[0] & 0x80)
    payload = bytes(buf[head:head + n])
    del buf[:head + n]
    return opcode, fin, payload


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="127.0.0.1:3100")
    p.add_argument("--query", required=True)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--tenant", default="")
    a = p.parse_args()
    host, port = a.url.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    target = "/loki/api/v1/tail?" + urllib.parse.urlencode({"query": a.query})
    req = (f"GET {target} HTTP/1.1\r\nHost: {a.url}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
    if a.tenant:
        req += f"X-Scope-OrgID: {a.tenant}\r\n"
    sock.sendall((req + "\r\n").encode())
    raw = b""
    while b"\r\n\r\n" not in raw:
        raw += sock.recv(4096)
    head, rest = raw.split(b"\r\n\r\n", 1)
    buf = bytearray(rest)
    if b" 101 " not in head.split(b"\r\n")[0]:
        sys.exit("upgrade refused: " + head.decode(errors="replace"))
    messages = entries = dropped = 0
    end = time.time() + a.seconds
    sock.settimeout(1)
    text = None  # a text message being reassembled from its frames
    while time.time() < end:
        try:
            opcode, fin, payload = next_frame(sock, buf)
        except socket.timeout:
            continue
        except EOFError:
            break
        if opcode == 8:
            break
        if opcode == 1:
            text = payload
        elif opcode == 0 and text is not None:
            text += payload
        else:
            continue
        if not fin:
            continue
        m = json.loads(text)
        text = None
        messages += 1
        entries += sum(len(s["values"]) for s in m.get("streams", []))
        dropped += len(m.get("dropped_entries", []))
    print(f"messages={messages} entries={entries} dropped_entries={dropped}")


if __name__ == "__main__":
    main()
