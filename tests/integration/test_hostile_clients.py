#!/usr/bin/python3
"""Hostile or broken clients never stop the others from producing:

1. a flood of tiny requests pipelined as fast as a socket takes them, from
   several connections, one of which never reads its answers;
2. slow-loris peers that send a request's size and then a trickle, or
   nothing: cut off after listener.request_timeout;
3. idle connections, and peers that vanished without closing (half-open):
   closed after listener.idle_timeout;
4. more connections than listener.max_connections: the extra ones are
   closed at once, and the slots come back as the idle ones time out.

While all of that goes on, kafka-python and confluent-kafka produce through
the same sidecar: every record is acked and arrives upstream exactly once,
in order, and the sidecar's memory stays bounded.
"""

import socket
import struct
import sys
import threading
import time

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, produce, produce_async,
                     read_all, run_test, wait_forwarded, wait_produce, wait_until)
from test_admin_api import metric, scrape

TOPIC = "steady"
LIMITS = {"max_connections": 40, "idle_timeout": "2s", "request_timeout": "1s"}


def api_versions_request(correlation):
    header = struct.pack(">hhih", 18, 0, correlation, 2) + b"fl"
    return struct.pack(">i", len(header)) + header


def closed_within(sock, seconds):
    """True if the sidecar closes `sock` within `seconds` (reads and drops answers)."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except socket.timeout:
            pass
        except OSError:
            return True
    return False


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Flood(threading.Thread):
    """Pipelines ApiVersions requests as fast as the socket takes them;
    reads the answers on another thread unless `read` is false."""

    def __init__(self, sc, read=True):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        if not read:
            # A small window: the sidecar's answers back up within a few
            # KiB instead of the megabytes loopback buffers grow to.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", sc.port))
        self.read = read
        self.stopping = threading.Event()
        self.sent = 0
        self.closed = False
        if read:
            threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        try:
            while self.sock.recv(1 << 16):
                pass
        except OSError:
            return

    def run(self):
        batch = b"".join(api_versions_request(i) for i in range(100))
        try:
            while not self.stopping.is_set():
                self.sock.sendall(batch)
                self.sent += 100
        except OSError:
            self.closed = True

    def stop(self):
        self.stopping.set()
        self.join(10)
        self.sock.close()


def main():
    with MockUpstream("2.15", topics={TOPIC: 3}) as up, \
            Sidecar(upstream=up, config={"listener": LIMITS}) as sc:
        print("== hostile clients beside real producers")
        floods = [Flood(sc), Flood(sc), Flood(sc, read=False)]
        for f in floods:
            f.start()
        loris = []
        for i in range(5):
            s = socket.create_connection(("127.0.0.1", sc.port))
            frame = api_versions_request(i)
            s.sendall(frame[:4 + i])  # the size, then at most a few bytes
            loris.append(s)
        idle = [socket.create_connection(("127.0.0.1", sc.port)) for _ in range(5)]
        rss_before = rss_mib(sc.proc.pid)

        started = time.monotonic()
        handles = [produce_async("kafka-python", sc.bootstrap, TOPIC, 3000, "kp"),
                   produce_async("confluent", sc.bootstrap, TOPIC, 3000, "ck", idempotent=True)]
        results = [wait_produce(h) for h in handles]
        took = time.monotonic() - started
        sent = sum(f.sent for f in floods)
        print("  6000 records acked in %.1fs while %d flood requests were sent" % (took, sent))

        assert all(closed_within(s, 5) for s in loris), "a slow-loris connection stayed open"
        assert all(closed_within(s, 8) for s in idle), "an idle connection stayed open"
        wait_until(lambda: floods[2].closed or not floods[2].is_alive(), 30,
                   "the flood that never reads to be cut off")
        print("  slow-loris and idle connections closed; the non-reading flood cut off")
        for f in floods:
            f.stop()
        rss_after = rss_mib(sc.proc.pid)
        # ASan keeps freed memory in quarantine (256 MiB by default): RSS says
        # nothing about the sidecar's own bounds there.
        with open("/proc/%d/maps" % sc.proc.pid) as maps:
            sanitized = "libasan" in maps.read()
        assert sanitized or rss_after < rss_before + 200, "RSS grew from %.0f to %.0f MiB" % (
            rss_before, rss_after)

        # Over the connection limit: the extra ones are closed at once.
        wait_until(lambda: metric(scrape(sc), "kafka_sidecar_client_connections") == 0, 15,
                   "the connections of the cases above to be gone")
        held = [socket.create_connection(("127.0.0.1", sc.port)) for _ in range(LIMITS[
            "max_connections"])]
        wait_until(lambda: metric(scrape(sc), "kafka_sidecar_client_connections") ==
                   LIMITS["max_connections"], 5, "every held connection to be accepted")
        extra = socket.create_connection(("127.0.0.1", sc.port))
        assert closed_within(extra, 1), "a connection over max_connections was kept"
        print("  connection %d over max_connections %d closed at once"
              % (len(held) + 1, LIMITS["max_connections"]))
        # The held ones are idle: once they time out, a client that retries
        # its connection (librdkafka does; kafka-python gives up at start) gets in.
        results.append(produce("confluent", sc.bootstrap, TOPIC, 500, "after", timeout=30))
        for s in held:
            s.close()

        wait_forwarded(up, TOPIC, 6500)
        assert_exactly_once_in_order(results, read_all(up.bootstrap, TOPIC),
                                     allow_unacked=False)
        log = sc.log()
        for event in ("connection.request_timeout", "connection.unread_answers",
                      "listener.connections_refused"):
            assert event in log, "the log does not say %s" % event
        print("  all 6500 acked records upstream exactly once, in order; RSS %.0f -> %.0f MiB"
              % (rss_before, rss_after))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
