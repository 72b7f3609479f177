#!/usr/bin/python3
"""A stand-in for `kafka-sidecar run --config FILE` that only listens on the
configured listener port and exits 0 on SIGTERM: lets the harness self-test
check Sidecar's process handling (start, kill9, terminate, restart) without
depending on the real binary."""

import re
import signal
import socket
import sys

if len(sys.argv) != 4 or sys.argv[1:3] != ["run", "--config"]:
    sys.exit("usage: fake_sidecar.py run --config FILE")
with open(sys.argv[3]) as f:
    # The harness writes "listener:" first, with "port: N" in it.
    port = int(re.search(r"^listener:\n(?:  .*\n)*?  port: (\d+)$", f.read(), re.M).group(1))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen()
print("fake sidecar listening on %d" % port, file=sys.stderr, flush=True)
while True:
    conn, _ = srv.accept()
    conn.close()
