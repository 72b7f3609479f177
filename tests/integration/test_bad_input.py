#!/usr/bin/python3
"""Bad input on the client listener never crashes the sidecar nor stops it
serving other clients.

Each case opens its own raw socket to the sidecar and sends what no client
library sends on purpose:

1. garbage (random bytes, an HTTP request, a TLS ClientHello);
2. a frame cut short (the peer ends or resets the connection mid-frame);
3. length prefixes the sidecar must refuse without allocating them
   (2 GiB - 1, negative, just over the 100 MiB limit, shorter than a header);
4. a well-formed header asking for an API key or version the sidecar does
   not serve, and headers that are themselves malformed;
5. Produce v7 with a body cut short or a corrupt record batch: the sidecar
   must answer CORRUPT_MESSAGE for the partition or close the connection,
   and none of it may reach the upstream;
6. slow-loris clients holding half a frame open for the whole test.

While kafka-python and kafkajs produce through the same sidecar, cases 1-4
repeat round after round on fresh connections (and case 5 runs once); then
every case runs once more on its own, and both clients produce again. Every
acked record must be upstream exactly once, in order. The sidecar must still be running, must have logged why it
dropped each connection, and must exit 0 on SIGTERM.

A case that fails is reported and the test goes on with the next one, so
one run shows every contract the sidecar breaks; the test fails at the end.
"""

import random
import re
import socket
import struct
import sys
import threading
import time

from harness import (ApiKey, MockUpstream, Sidecar, api_versions, assert_exactly_once_in_order,
                     produce, produce_async, read_all, run_test, wait_forwarded, wait_produce)
import raw_kafka

TOPIC = "orders"      # what the real clients produce to
REJECTS = "rejects"   # what the corrupt Produce requests aim at
COUNT = 200           # records per client run
MAX_FRAME = 100 * 1024 * 1024  # connection.h: ConnectionLimits::max_frame_bytes
CLOSE_TIMEOUT = 5     # seconds the sidecar gets to drop a bad connection
CORRUPT_MESSAGE = 2
CLIENT_ID = "ks-bad-input"


# ---------------------------------------------------------------------------
# Raw socket helpers


def connect(sc):
    host, port = sc.bootstrap.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=CLOSE_TIMEOUT)


def request_header(api_key, version, correlation, flexible=False):
    """Request header v1 (v2 with flexible: an empty tagged-field section)."""
    client = CLIENT_ID.encode()
    h = struct.pack(">hhih", api_key, version, correlation, len(client)) + client
    return h + (b"\x00" if flexible else b"")


def framed(payload):
    return struct.pack(">i", len(payload)) + payload


def read_until_closed(sock, timeout=CLOSE_TIMEOUT):
    """Everything the sidecar sends until it closes the connection (EOF or
    reset). Fails if the connection is still open after `timeout` s."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    got = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return got
        except socket.timeout:
            raise AssertionError("the sidecar did not close the connection within %ss "
                                 "(received %d bytes: %r)" % (timeout, len(got), got[:64]))
        if not chunk:
            return got
        got += chunk
        if time.monotonic() > deadline:
            raise AssertionError("the sidecar kept the connection open and sent %d bytes"
                                 % len(got))


def assert_dropped(sock, what):
    """The sidecar closes the connection without answering."""
    got = read_until_closed(sock)
    assert got == b"", "%s: the sidecar answered %r before closing" % (what, got[:64])


def send_ignoring_reset(sock, data):
    """The sidecar may close as soon as it has seen enough; a reset while the
    rest is still going out is fine."""
    try:
        sock.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass


def abortive_close(sock):
    """close() with SO_LINGER 0: the kernel sends RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def peak_rss_mib(pid):
    """The process's peak resident set size (VmHWM) in MiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM for pid %d" % pid)


def assert_serving(sc):
    """The sidecar process is alive and answers a fresh client."""
    assert sc.running(), "the sidecar exited (code %s)" % sc.proc.poll()
    versions = api_versions(sc.bootstrap)
    assert ApiKey.PRODUCE in versions, "ApiVersions lists no Produce: %s" % versions


def log_has(sc, pattern):
    return re.search(pattern, sc.log(), re.MULTILINE) is not None


def assert_logged(sc, pattern, why):
    assert log_has(sc, pattern), "no log line matching %r (%s)" % (pattern, why)


# ---------------------------------------------------------------------------
# Produce v7 by hand


def produce_body(topic, partition, records, acks=-1):
    """Produce v7 body: no transactional id, one topic, one partition."""
    return (raw_kafka._string(None) + struct.pack(">hii", acks, 30000, 1)
            + raw_kafka._string(topic) + struct.pack(">ii", 1, partition)
            + struct.pack(">i", len(records)) + records)


def parse_produce_response(payload):
    """{(topic, partition): error code} from a Produce v7 response (after the
    size prefix); the correlation id comes first."""
    at = 4
    n_topics, = struct.unpack_from(">i", payload, at)
    at += 4
    out = {}
    for _ in range(n_topics):
        name_len, = struct.unpack_from(">h", payload, at)
        name = payload[at + 2:at + 2 + name_len].decode()
        at += 2 + name_len
        n_parts, = struct.unpack_from(">i", payload, at)
        at += 4
        for _ in range(n_parts):
            index, error = struct.unpack_from(">ih", payload, at)
            at += 4 + 2 + 8 + 8 + 8  # index, error, base offset, log append time, log start
            out[(name, index)] = error
    return out


# ---------------------------------------------------------------------------
# The cases


def garbage(sc):
    """Bytes that are no Kafka frame at all: a port scanner, a browser, a TLS
    client on the plaintext port. Their first four bytes read as a size out
    of range, so the sidecar must drop the connection at once (and log it)
    rather than wait for, or allocate, a frame that size."""
    rnd = random.Random(20240517).randbytes(64)
    samples = {
        "64 random bytes": rnd,
        "an HTTP request": b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
        # TLS 1.2 ClientHello record header + start of the handshake.
        "a TLS ClientHello": bytes.fromhex("160301012c010001280303") + bytes(range(32)),
    }
    for what, data in samples.items():
        size, = struct.unpack(">i", data[:4])
        assert size < 8 or size > MAX_FRAME, "%s: prefix %d is a valid size; pick others" % (
            what, size)
        with connect(sc) as s:
            send_ignoring_reset(s, data)
            assert_dropped(s, what)
        assert_logged(sc, r"connection\.bad_frame .*size=%d " % size, what)


def truncated_frame(sc):
    """A frame whose size prefix says 100 bytes but the peer sends 10 and
    goes away (FIN, or RST), or stops inside the size prefix itself. The
    sidecar must not act on the partial frame (no answer) and must release
    the connection when the peer ends it."""
    header = request_header(ApiKey.API_VERSIONS, 0, 1)
    partial = framed(header + bytes(100 - len(header)))[:14]
    assert struct.unpack(">i", partial[:4])[0] == 100 and len(partial) == 14

    with connect(sc) as s:
        s.sendall(partial)
        s.shutdown(socket.SHUT_WR)
        assert_dropped(s, "a 100-byte frame ended by FIN after 10 bytes")

    s = connect(sc)
    s.sendall(partial)
    abortive_close(s)

    with connect(sc) as s:
        s.sendall(partial[:2])
        s.shutdown(socket.SHUT_WR)
        assert_dropped(s, "a connection ended by FIN inside the size prefix")


def huge_length(sc):
    """Size prefixes the sidecar must refuse: 2 GiB - 1, negative ones, one
    byte over the 100 MiB limit, and sizes too small for a request header.
    It must close the connection and never allocate the buffer: its peak
    RSS stays far below even the smallest of them (100 MiB)."""
    peak_before = peak_rss_mib(sc.proc.pid)
    sizes = [0x7fffffff, -1, -0x80000000, MAX_FRAME + 1, 0, 7]
    for size in sizes:
        with connect(sc) as s:
            # The prefix and a plausible header behind it, as a client would.
            send_ignoring_reset(s, struct.pack(">i", size)
                                + request_header(ApiKey.PRODUCE, 7, 1))
            assert_dropped(s, "size prefix %d" % size)
        assert_logged(sc, r"connection\.bad_frame .*size=%d limit=%d$" % (size, MAX_FRAME),
                      "size prefix %d" % size)
    assert_serving(sc)
    peak_after = peak_rss_mib(sc.proc.pid)
    assert peak_after - peak_before < 64, \
        "peak RSS grew from %.0f to %.0f MiB: a refused frame size was allocated" % (
            peak_before, peak_after)


def unsupported_request(sc):
    """Well-formed headers asking for what the sidecar does not serve (an
    unknown API key, Produce at version 99) and headers that are themselves
    malformed: the sidecar closes the connection, as a Kafka broker does,
    and logs why."""
    cases = [
        # (what, frame payload, log pattern)
        ("API key 9999", request_header(9999, 0, 7) + bytes(16),
         r"connection\.unsupported_request .*api_key=9999 api=unknown version=0$"),
        ("Produce v99", request_header(ApiKey.PRODUCE, 99, 8, flexible=True)
         + produce_body(REJECTS, 0, raw_kafka.batch(["rejected-v99"])),
         r"connection\.unsupported_request .*api_key=0 api=produce version=99$"),
        ("a header without its client id", struct.pack(">hhi", ApiKey.METADATA, 4, 9),
         r"connection\.bad_header .*size=8$"),
        ("a client id longer than the frame",
         struct.pack(">hhih", ApiKey.METADATA, 4, 10, 100) + b"abc",
         r"connection\.bad_header .*size=13$"),
    ]
    for what, payload, pattern in cases:
        with connect(sc) as s:
            send_ignoring_reset(s, framed(payload))
            assert_dropped(s, what)
        assert_logged(sc, pattern, what)


def corrupt_produce(sc):
    """Produce v7 with a valid header whose body is cut short at different
    depths, or whose record batch fails its checks (CRC-32C after a flipped
    value byte; a batch shorter than its batchLength). For each, the sidecar
    must answer CORRUPT_MESSAGE for that partition or close the connection;
    never store it (checked upstream by rejects_not_forwarded)."""
    batch = bytearray(raw_kafka.batch(["rejected-%06d" % i for i in range(5)]))
    crc_flipped = bytearray(batch)
    crc_flipped[-3] ^= 0x01  # inside the last record's value, covered by the CRC
    full = produce_body(REJECTS, 0, bytes(batch))
    variants = [
        ("body cut inside acks", full[:3]),
        ("body cut inside the topic name", full[:16]),
        ("body cut inside the record batch", full[:-20]),
        ("record batch with a bad CRC", produce_body(REJECTS, 0, bytes(crc_flipped))),
        ("record batch shorter than its batchLength",
         produce_body(REJECTS, 0, bytes(batch[:-10]))),
    ]
    failures = []
    for i, (what, body) in enumerate(variants):
        correlation = 100 + i
        with connect(sc) as s:
            send_ignoring_reset(s, framed(request_header(ApiKey.PRODUCE, 7, correlation) + body))
            try:
                got = read_until_closed_or_answered(s)
            except AssertionError as e:
                failures.append("%s: %s" % (what, e))
                continue
        if got is None:
            continue  # closed: acceptable
        corr, = struct.unpack_from(">i", got)
        errors = parse_produce_response(got)
        if corr != correlation or errors.get((REJECTS, 0)) != CORRUPT_MESSAGE:
            failures.append("%s: answered correlation %d with %s, expected %d with "
                            "{('%s', 0): %d} (CORRUPT_MESSAGE) or a closed connection"
                            % (what, corr, errors, correlation, REJECTS, CORRUPT_MESSAGE))
    assert_logged(sc, r"produce\.bad_batch topic=%s partition=0 error=corrupt_message$"
                  % REJECTS, "the bad CRC")
    assert not failures, "\n    ".join(["Produce with a corrupt body:"] + failures)


def read_until_closed_or_answered(sock, timeout=CLOSE_TIMEOUT):
    """One response payload (after the size prefix), or None if the sidecar
    closed the connection. Fails if neither happens within `timeout` s."""
    sock.settimeout(timeout)
    buf = b""
    try:
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
            chunk = sock.recv(65536)
            if not chunk:
                if buf:
                    raise AssertionError("the sidecar closed mid-response after %d bytes"
                                         % len(buf))
                return None
            buf += chunk
    except ConnectionResetError:
        return None
    except socket.timeout:
        raise AssertionError("neither an answer nor a close within %ss (got %d bytes)"
                             % (timeout, len(buf))) from None
    return buf[4:4 + struct.unpack(">i", buf[:4])[0]]


class SlowLoris:
    """Clients that hold the sidecar's attention without finishing a request:
    one stopped inside a size prefix, one inside a frame, and one that
    dribbles a valid ApiVersions request a byte every 50 ms. They are opened
    before the real clients start and stay open to the end (SIGTERM
    included): none of them may delay anyone else, and the dribbled request
    must still get its answer."""

    DRIBBLE_CORRELATION = 4242

    def __init__(self, sc):
        self.held = [connect(sc), connect(sc)]
        self.held[0].sendall(struct.pack(">i", 1000)[:2])
        self.held[1].sendall(framed(request_header(ApiKey.METADATA, 4, 1) + bytes(80))[:20])
        self.dribbler = connect(sc)
        self.dribbled = framed(request_header(ApiKey.API_VERSIONS, 0, self.DRIBBLE_CORRELATION))
        self.error = None
        self.thread = threading.Thread(target=self._dribble, daemon=True)
        self.thread.start()

    def _dribble(self):
        try:
            for i in range(len(self.dribbled)):
                self.dribbler.sendall(self.dribbled[i:i + 1])
                time.sleep(0.05)
        except OSError as e:
            self.error = e

    def check_dribbled_answer(self):
        """The byte-by-byte request was answered, with its correlation id."""
        self.thread.join(10)
        assert not self.thread.is_alive() and self.error is None, \
            "sending the dribbled request failed: %s" % self.error
        self.dribbler.settimeout(CLOSE_TIMEOUT)
        head = b""
        while len(head) < 10:
            chunk = self.dribbler.recv(10 - len(head))
            assert chunk, "the sidecar closed the dribbling connection without answering"
            head += chunk
        _, corr, error = struct.unpack(">iih", head)
        assert corr == self.DRIBBLE_CORRELATION and error == 0, \
            "dribbled ApiVersions answered with correlation %d, error %d" % (corr, error)

    def check_still_waiting(self):
        """The half frames got no answer: the sidecar is still waiting for
        their rest (it has no reason to answer or close them yet)."""
        for s in self.held:
            s.setblocking(False)
            try:
                data = s.recv(1)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                data = b""
            finally:
                s.setblocking(True)
            raise AssertionError("a half-frame connection got %s" % (
                "closed" if not data else "an answer"))

    def check_closed_by_shutdown(self):
        """After SIGTERM the held connections are closed, not left dangling."""
        for s in self.held + [self.dribbler]:
            read_until_closed(s)

    def close(self):
        for s in self.held + [self.dribbler]:
            s.close()


def rejects_not_forwarded(sc, up):
    """Nothing of the corrupt Produce requests was stored: a valid batch sent
    to the same partition afterwards is forwarded (the sidecar forwards a
    partition in acceptance order, so anything stored before it is upstream
    by then), and it is the only thing in the topic."""
    markers = ["marker-%06d" % i for i in range(3)]
    with raw_kafka.Connection(sc.bootstrap) as c:
        error, _ = c.produce(REJECTS, 0, raw_kafka.batch(markers))
    assert error == 0, "the valid marker batch got error %d" % error
    wait_forwarded(up, REJECTS, len(markers), timeout=30)
    values = [r.value for r in read_all(up.bootstrap, REJECTS)[0]]
    assert values == markers, "upstream %s holds %s, expected only %s" % (
        REJECTS, values, markers)


# ---------------------------------------------------------------------------


# Fast cases, repeated on fresh connections while the real clients produce.
FAST_CASES = [garbage, truncated_frame, huge_length, unsupported_request]
CASES = FAST_CASES + [corrupt_produce]


def run_case(case, sc, failed, when):
    """Runs one case; a failed assertion is recorded (first one per case)
    and the test goes on. Afterwards the sidecar must serve a new client."""
    try:
        case(sc)
    except AssertionError as e:
        if case.__name__ in failed:
            failed[case.__name__] += " [failed %s too]" % when
        else:
            failed[case.__name__] = "(%s) %s" % (when, e)
        return False
    finally:
        assert_serving(sc)
    return True


class BadInputLoop(threading.Thread):
    """Runs FAST_CASES round after round until stop(), so the bad input
    really arrives while the real clients are connected and producing."""

    def __init__(self, sc, failed):
        super().__init__(daemon=True)
        self.sc, self.failed = sc, failed
        self.stopping = threading.Event()
        self.rounds = 0
        self.crash = None

    def run(self):
        try:
            while not self.stopping.is_set():
                for case in FAST_CASES:
                    run_case(case, self.sc, self.failed, "while clients produced")
                self.rounds += 1
        except BaseException as e:  # the sidecar stopped serving
            self.crash = e

    def stop(self):
        self.stopping.set()
        self.join(60)
        assert not self.is_alive(), "the bad-input loop hung"
        if self.crash:
            raise self.crash
        assert self.rounds >= 1, "the bad-input loop did not complete a round"


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress lines in order with stderr
    failed = {}  # case name -> first failure
    with MockUpstream("2.15", topics={TOPIC: 3, REJECTS: 1}) as up, \
            Sidecar(upstream=up) as sc:
        loris = SlowLoris(sc)
        try:
            print("== bad input while kafka-python and kafkajs produce")
            during = [produce_async("kafka-python", sc.bootstrap, TOPIC, COUNT, "kp-during"),
                      produce_async("kafkajs", sc.bootstrap, TOPIC, COUNT, "js-during")]
            loop = BadInputLoop(sc, failed)
            loop.start()
            run_case(corrupt_produce, sc, failed, "while clients produced")
            results = [wait_produce(h) for h in during]
            loop.stop()
            print("  %d rounds of %s; both clients acked all %d records" % (
                loop.rounds, ", ".join(c.__name__ for c in FAST_CASES), COUNT))

            print("== each case once more, on its own")
            for case in CASES:
                print("  %s: %s" % (case.__name__,
                                    "ok" if run_case(case, sc, failed, "alone") else "FAILED"))

            print("== real clients after the bad input")
            results += [produce("kafka-python", sc.bootstrap, TOPIC, COUNT, "kp-after"),
                        produce("kafkajs", sc.bootstrap, TOPIC, COUNT, "js-after")]
            got = wait_forwarded(up, TOPIC, 4 * COUNT)
            assert got == 4 * COUNT, "upstream has %d records, %d were acked" % (got, 4 * COUNT)
            assert_exactly_once_in_order(results, read_all(up.bootstrap, TOPIC),
                                         allow_unacked=False)
            print("  %d records acked, exactly once upstream, in order" % (4 * COUNT))

            print("== slow-loris connections")
            loris.check_dribbled_answer()
            loris.check_still_waiting()
            print("  dribbled request answered; half frames neither answered nor blocking")

            print("== corrupt Produce requests never reached the upstream")
            def rejects_never_forwarded(sc):
                rejects_not_forwarded(sc, up)
            if run_case(rejects_never_forwarded, sc, failed, "at the end"):
                print("  ok: only the valid marker batch is upstream")

            assert sc.running(), "the sidecar exited (code %s)" % sc.proc.poll()
            log = sc.log()
            for event in ("connection.bad_frame", "connection.bad_header",
                          "connection.unsupported_request", "produce.bad_batch"):
                assert event in log, "the sidecar log has no %s line" % event
            assert "connection.failed" not in log, \
                "a connection died on an exception:\n%s" % "\n".join(
                    line for line in log.splitlines() if "connection.failed" in line)

            print("== SIGTERM with the slow-loris connections still open")
            sc.terminate()
            loris.check_closed_by_shutdown()
        finally:
            loris.close()
    if failed:
        raise AssertionError("%d case(s) failed:\n  %s" % (len(failed), "\n  ".join(
            "%s: %s" % kv for kv in failed.items())))


if __name__ == "__main__":
    run_test(main)
