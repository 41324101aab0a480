"""unix_proxy.py PORT PREFIX SOCKET - an HTTP reverse proxy on 127.0.0.1:PORT that passes
every request under PREFIX (e.g. /scaidns) to the HTTP server on the Unix socket SOCKET with
PREFIX stripped, as a site's proxy would put scaidns-api's api-socket under a path. Used to
check that the status page only uses relative URLs. Other paths get 404."""
import http.client
import http.server
import socket
import sys

PORT, PREFIX, SOCK = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]


class UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(SOCK)


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _pass(self):
        if not self.path.startswith(PREFIX + "/"):
            self.send_error(404)
            return
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c = UnixConnection("localhost")
        c.request(self.command, self.path[len(PREFIX):], body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _pass

    def log_message(self, *a):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
