#!/usr/bin/python3
"""Lanes (docs/ARCHITECTURE.md, "Consumer groups"): each client
connection's pass-through requests travel on its own upstream connection,
so one client's held JoinGroup never delays another client.

The librdkafka mock holds a JoinGroup until the rebalance completes, and
reads nothing more from that connection meanwhile. To hold one for long,
a stale member joins group HELD directly at the mock and then neither
syncs nor heartbeats; a raw client's JoinGroup for HELD through the
sidecar then waits for the stale member to rejoin, up to its session
timeout minus a second (rdkafka_mock_cgrp.c). Meanwhile a real consumer
of group QUICK, coordinated by the same mock broker, joins through the
same sidecar, reads every record and commits. Checked: QUICK is done
while HELD's JoinGroup is still held, the held JoinGroup is answered
without error in the end, and the sidecar never lost an upstream
connection.
"""

import sys
import threading
import time

from harness import MockUpstream, Sidecar, produce, run_per_generation
from raw_kafka import Connection

TOPIC = "orders"
PARTITIONS = 3
RECORDS = 30
HELD = "held-group"
QUICK = "quick-group"
COORDINATOR = 1
STALE_SESSION_MS = 15000  # the held JoinGroup waits this minus 1 s


class HeldJoin:
    """A JoinGroup for HELD through the sidecar, on a thread of its own."""

    def __init__(self, bootstrap):
        self.connection = Connection(bootstrap, timeout=60)
        self.answer = None
        self.failure = None
        self.answered_at = None
        self.sent_at = time.monotonic()
        self.thread = threading.Thread(target=self._join)
        self.thread.start()

    def _join(self):
        try:
            self.answer = self.connection.join_group(HELD, [TOPIC], 30000, 30000)
        except Exception as e:  # checked by the test: a reset is a failure
            self.failure = e
        self.answered_at = time.monotonic()

    def pending(self):
        return self.thread.is_alive()

    def wait(self, timeout):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the held JoinGroup got no answer in %ss" % timeout
        self.connection.close()
        assert self.failure is None, "the held JoinGroup failed: %r" % self.failure
        return self.answer


def consume_and_commit(bootstrap, group):
    """A subscribed consumer of `group` reads all RECORDS, commits them
    synchronously and leaves; returns the offsets it committed."""
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "session.timeout.ms": 6000})
    c.subscribe([TOPIC])
    got = 0
    deadline = time.monotonic() + 60
    try:
        while got < RECORDS:
            assert time.monotonic() < deadline, "%s read %d of %d records" % (group, got, RECORDS)
            m = c.poll(0.2)
            if m is None:
                continue
            assert not m.error(), "%s: %s" % (group, m.error())
            got += 1
        committed = c.commit(asynchronous=False)
        assert all(tp.error is None for tp in committed), committed
        return {tp.partition: tp.offset for tp in committed}
    finally:
        c.close()


def check(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== lanes, librdkafka %s mock" % up.version)
        for group in (HELD, QUICK):
            up.coordinator("group", group, COORDINATOR)
        produce("confluent", up.bootstrap, TOPIC, RECORDS, "lanes")

        with Connection(up.broker_address(COORDINATOR), timeout=60) as stale:
            error, _, stale_id, _ = stale.join_group(HELD, [TOPIC], STALE_SESSION_MS, 30000)
            assert error == 0, "the stale member could not join: error %d" % error
            held = HeldJoin(sc.bootstrap)
            time.sleep(1)
            assert held.pending(), "the JoinGroup was not held: %r" % (held.answer,)

            committed = consume_and_commit(sc.bootstrap, QUICK)
            quick_done = time.monotonic()
            assert held.pending(), (
                "%s finished %.1fs after the JoinGroup for %s was sent, after its answer" % (
                    QUICK, quick_done - held.sent_at, HELD))
            assert sum(committed.values()) == RECORDS, committed
            print("  %s joined, read %d records and committed in %.1fs, while %s's "
                  "JoinGroup was held" % (QUICK, RECORDS, quick_done - held.sent_at, HELD))

            error, generation_id, member, _ = held.wait(STALE_SESSION_MS / 1000 + 30)
            assert error == 0 and generation_id > 0 and member and member != stale_id, \
                (error, generation_id, member)
            print("  %s's JoinGroup was answered after %.1fs: generation %d, member %s" % (
                HELD, held.answered_at - held.sent_at, generation_id, member))

        log = sc.log()
        for event in ("upstream.down", "upstream.connection_reset"):
            assert event not in log, "the sidecar logged %s:\n%s" % (
                event, "\n".join(line for line in log.splitlines() if event in line))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
