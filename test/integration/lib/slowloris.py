#!/usr/bin/env python3
"""slowloris.py HOST PORT CONNECTIONS SECONDS [INTERVAL] - a slow HTTP client, for tests only.

Holds as many connections to HOST:PORT (loopback only) as it can, up to CONNECTIONS, for
SECONDS: each sends an unfinished request head ("GET /healthz HTTP/1.1" and one header line
every INTERVAL seconds, never the blank line), and a connection the server closes is opened
again (at most 200 new connections a second). Prints one JSON line at the end: connections
opened, the most held at once (open and not closed by the server for at least 0.5 s), how many
the server closed, and the longest any was held."""
import json
import resource
import select
import socket
import sys
import time

host, port, want, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
interval = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
if not host.startswith("127."):
    sys.exit("slowloris.py: loopback addresses only")
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, want + 64)), hard))

conns = {}  # socket -> [opened_at, last_sent_at]
opened = closed = 0
longest = 0.0
peak = 0
start = time.monotonic()
budget_at, budget = start, 0

def close(s, by_server):
    global closed, longest
    t0 = conns.pop(s)[0]
    if by_server:
        closed += 1
        longest = max(longest, time.monotonic() - t0)
    s.close()

while time.monotonic() - start < seconds:
    now = time.monotonic()
    if now - budget_at >= 1.0:
        budget_at, budget = now, 0
    while len(conns) < want and budget < 200:
        budget += 1
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.connect((host, port))
            s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            s.close()
            break
        s.setblocking(False)
        conns[s] = [time.monotonic(), time.monotonic()]
        opened += 1
    # Connections the server closed (readable: EOF or reset).
    if conns:
        r, _, _ = select.select(list(conns), [], [], 0.05)
        for s in r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                close(s, True)
    else:
        time.sleep(0.05)
    now = time.monotonic()
    held = sum(1 for t0, _ in conns.values() if now - t0 >= 0.5)
    peak = max(peak, held)
    for s, v in list(conns.items()):
        if now - v[1] >= interval:
            try:
                s.send(b"X-Slow: 1\r\n")
                v[1] = now
            except OSError:
                close(s, True)
for s in list(conns):
    t0 = conns[s][0]
    longest = max(longest, time.monotonic() - t0)
    close(s, False)
print(json.dumps({"opened": opened, "peak": peak, "closed_by_server": closed,
                  "longest_held": round(longest, 2)}))
