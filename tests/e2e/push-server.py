#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stand-in for Pyroscope's HTTP ingest API, for tests/e2e/push.sh:
#
#   push-server.py DIR [STATUS...]
#
# listens on 127.0.0.1, on a port of its choosing, written to DIR/port once
# it listens (PUSH_SERVER_PORT in the environment: that port, for a server
# that comes back where it was). The Nth POST is answered with the Nth
# STATUS (the last one for the rest; default 200), and each is kept as
# DIR/N.request (the request line, then the headers, one per line) and
# DIR/N.body. A STATUS may also be "hang": no answer, ever (the server
# answers nothing more), or "endless400": a 400 whose body never ends.
# Anything but POST is answered 405.
import http.server
import os
import sys
import time

DIR = sys.argv[1]
STATUSES = sys.argv[2:] or ["200"]
count = 0


class Ingest(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        count += 1
        n = count
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with open(os.path.join(DIR, "%d.body" % n), "wb") as f:
            f.write(body)
        with open(os.path.join(DIR, "%d.request.tmp" % n), "w") as f:
            f.write(self.requestline + "\n")
            for k, v in self.headers.items():
                f.write("%s: %s\n" % (k, v))
        os.rename(os.path.join(DIR, "%d.request.tmp" % n), os.path.join(DIR, "%d.request" % n))
        status = STATUSES[min(n, len(STATUSES)) - 1]
        if status == "hang":
            while True:
                time.sleep(3600)
        if status == "endless400":
            self.send_response(400)
            self.send_header("Connection", "close")
            self.end_headers()
            line = b"test server says no, at length\n" + b"x" * 4096 + b"\n"
            try:
                while True:
                    self.wfile.write(line)
            except OSError:
                return
        status = int(status)
        reply = b"ok\n" if status < 300 else b"test server says no (status %d)\n" % status
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", int(os.environ.get("PUSH_SERVER_PORT", "0"))), Ingest)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
