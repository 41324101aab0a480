#!/usr/bin/env python3
"""rawhttp.py HOST PORT [--pause-after N --pause S] [--timeout S]

Sends the bytes read from stdin as one HTTP request, exactly as given (no encoding), and
prints the response status code, or 000 when the server closed without answering. With
--pause-after N the first N bytes are sent, then the client stalls for --pause seconds
before sending the rest (a slow client)."""
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    host, port = args[0], int(args[1])
    opts = dict(zip(args[2::2], args[3::2]))
    data = sys.stdin.buffer.read()
    s = socket.create_connection((host, port), timeout=float(opts.get("--timeout", "30")))
    try:
        n = int(opts.get("--pause-after", len(data)))
        s.sendall(data[:n])
        if n < len(data):
            time.sleep(float(opts.get("--pause", "1")))
            s.sendall(data[n:])
        s.shutdown(socket.SHUT_WR) if opts.get("--half-close") == "1" else None
        resp = b""
        while b"\r\n" not in resp:
            chunk = s.recv(4096)
            if not chunk:
                break
            resp += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        resp = b""
    finally:
        s.close()
    line = resp.split(b"\r\n", 1)[0].split(b" ")
    print(line[1].decode() if len(line) > 1 and resp.startswith(b"HTTP/") else "000")


if __name__ == "__main__":
    main()
