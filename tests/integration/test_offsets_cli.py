#!/usr/bin/python3
"""`kafka-sidecar offsets reset|describe` (replay, issue 4) with the real
binary, a mock upstream of each generation and real consumers through the
sidecar.

What the librdkafka mocks (2.0.2 and 2.15.1) allow, and so what is tested:

* They have no DescribeGroups: group state is unknown to the CLI, and
  active members show only in the answer to its admin commit.
* Their OffsetCommit refuses an admin commit (generation -1, no member id)
  with UNKNOWN_MEMBER_ID for every group that has ever had a member, live
  or not (the mock keeps a group's object until the cluster is destroyed).
  So the group replayed here stores its offsets without membership
  (assign + commit, as any client may); the group with a live member
  (subscribe) shows the refusal.
* Their ListOffsets ignores timestamps (offset -1, "FIXME: by timestamp"):
  --to-timestamp lands on the log end, Kafka's answer for a timestamp past
  the last record. test_offsets_fixture.py shows the lookup against a
  fixture cluster of ours that has timestamps and DescribeGroups.
"""

import os
import sys
import threading
import time

from harness import GENERATIONS, MockUpstream, Sidecar, free_port, produce, run_test, test_dir
from harness import offsets_ok as ok, offsets_refused as refused, offsets_table as table
from harness import wait_forwarded, watermarks

TOPIC = "orders"
PARTITIONS = 3
BASE_TS = 1_600_000_000_000


def describe(group, config):
    """{partition: (committed, log end, lag)} from `offsets describe`."""
    out = ok("describe", "--group", group, config=config)
    assert "state unknown (the cluster has no DescribeGroups)" in out, out
    return {int(r["PARTITION"]): (int(r["COMMITTED"]), int(r["LOG-END"]), int(r["LAG"]))
            for r in table(out) if r["TOPIC"] == TOPIC}


def reset(group, config, *target):
    """{partition: (old, new)} from `offsets reset`."""
    out = ok("reset", "--group", group, "--topic", TOPIC, *target, config=config)
    return {int(r["PARTITION"]): (r["OLD"], int(r["NEW"])) for r in table(out)}


def consume_assigned(bootstrap, group, want, timeout=60):
    """Reads every partition from the group's committed offsets (earliest
    without one) until `want` records arrived, commits, closes. No group
    membership: see the module comment."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.assign([TopicPartition(TOPIC, p) for p in range(PARTITIONS)])
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < want and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            assert not m.error(), "group %s: %s" % (group, m.error())
            got.append((m.partition(), m.offset(), m.value().decode()))
        if got:
            c.commit(asynchronous=False)
    finally:
        c.close()
    return got


class LiveMember:
    """A subscribed member of `group` that keeps polling until stopped."""

    def __init__(self, bootstrap, group):
        from confluent_kafka import Consumer
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                                  "auto.offset.reset": "earliest",
                                  "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000})
        self.consumer.subscribe([TOPIC])
        self.stopping = threading.Event()
        self.assigned = threading.Event()
        self.thread = threading.Thread(target=self._poll)
        self.thread.start()

    def _poll(self):
        while not self.stopping.is_set():
            self.consumer.poll(0.2)
            if self.consumer.assignment():
                self.assigned.set()

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.consumer.close()


def check(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== offsets CLI, librdkafka %s mock" % up.version)
        config = sc.config_path
        first = produce("confluent", sc.bootstrap, TOPIC, 60, "first", timestamp_base=BASE_TS)
        wait_forwarded(up, TOPIC, 60)
        everything = {a["value"] for a in first.acked}

        # A group reads everything and commits: no lag.
        assert len(consume_assigned(sc.bootstrap, "replay", 60)) == 60
        ends = {p: hi for p, (_, hi) in watermarks(up.bootstrap, TOPIC, PARTITIONS).items()}
        assert describe("replay", config) == {p: (ends[p], ends[p], 0) for p in ends}

        # More records: the lag shows them.
        second = produce("kafka-python", sc.bootstrap, TOPIC, 30, "second")
        wait_forwarded(up, TOPIC, 90)
        everything |= {a["value"] for a in second.acked}
        old_ends = ends
        ends = {p: hi for p, (_, hi) in watermarks(up.bootstrap, TOPIC, PARTITIONS).items()}
        lagging = {p: (old_ends[p], ends[p], ends[p] - old_ends[p]) for p in ends}
        assert describe("replay", config) == lagging

        # A dry run shows the plan and commits nothing.
        out = ok("reset", "--group", "replay", "--topic", TOPIC, "--to-earliest", "--dry-run",
                 config=config)
        assert "dry run: nothing committed" in out, out
        assert {int(r["PARTITION"]): (int(r["OLD"]), int(r["NEW"])) for r in table(out)} == \
            {p: (old_ends[p], 0) for p in ends}
        assert describe("replay", config) == lagging

        # Rewind, and the group reads every record again.
        assert reset("replay", config, "--to-earliest") == {p: (str(old_ends[p]), 0) for p in ends}
        assert describe("replay", config) == {p: (0, ends[p], ends[p]) for p in ends}
        again = consume_assigned(sc.bootstrap, "replay", 90)
        values = [v for _, _, v in again]
        assert len(values) == len(set(values)) and set(values) == everything, \
            "replay read %d records, %d distinct, of %d" % (len(values), len(set(values)),
                                                            len(everything))
        assert all(o == i for p in ends
                   for i, o in enumerate(o for q, o, _ in again if q == p)), \
            "replay did not start at offset 0 of every partition"
        print("  replay: the group read all %d records again from offset 0" % len(values))

        # --to-offset with --partition moves one partition; out-of-range clamps.
        assert reset("replay", config, "--partition", "1", "--to-offset", "5") == \
            {1: (str(ends[1]), 5)}
        assert describe("replay", config)[0][0] == ends[0]
        assert reset("replay", config, "--to-offset", "100000") == \
            {0: (str(ends[0]), ends[0]), 1: ("5", ends[1]), 2: (str(ends[2]), ends[2])}

        # --shift-by moves from the committed offsets, clamped at the log start.
        assert reset("replay", config, "--partition", "1", "--to-offset", "3") == \
            {1: (str(ends[1]), 3)}
        committed = {0: ends[0], 1: 3, 2: ends[2]}
        for shift in (-10, 4):
            moved = {p: min(max(c + shift, 0), ends[p]) for p, c in committed.items()}
            assert reset("replay", config, "--shift-by", str(shift)) == \
                {p: (str(committed[p]), moved[p]) for p in committed}
            committed = moved
        # Without a committed offset Kafka's tool refuses to shift; so do we.
        refused(1, "group fresh has no committed offset to shift from; nothing was reset",
                "reset", "--group", "fresh", "--topic", TOPIC, "--shift-by", "1", config=config)
        assert "group fresh has no committed offsets" in \
            ok("describe", "--group", "fresh", config=config)

        # The mock ignores timestamps (see the module comment): the log end.
        assert reset("replay", config, "--to-timestamp", str(BASE_TS + 30)) == \
            {p: (str(committed[p]), ends[p]) for p in committed}

        # Errors: exit 1 for what the cluster says, 2 for usage.
        refused(1, "unknown topic 'nosuch'", "reset", "--group", "replay", "--topic", "nosuch",
                "--to-latest", config=config)
        from confluent_kafka import Consumer
        probe = Consumer({"bootstrap.servers": up.bootstrap, "group.id": "probe"})
        assert "nosuch" not in probe.list_topics(timeout=10).topics, \
            "the CLI created the topic it was asked about"
        probe.close()
        refused(1, "topic 'orders' has no partition 7 (it has 3)", "reset", "--group", "replay",
                "--topic", TOPIC, "--partition", "7", "--to-latest", config=config)
        p = refused(2, "offsets reset takes only one of", "reset", "--group", "g", "--topic",
                    TOPIC, "--to-earliest", "--to-latest", config=config)
        assert "usage:" in p.stderr, p.stderr
        refused(2, "--to-timestamp needs milliseconds since the epoch", "reset", "--group", "g",
                "--topic", TOPIC, "--to-timestamp", "yesterday", config=config)
        refused(2, "--config is required", "describe", "--group", "g")

        # A group with a live member is refused, and keeps its offsets.
        member = LiveMember(sc.bootstrap, "live")
        try:
            assert member.assigned.wait(60), "the live member got no assignment"
            refused(1, "group live has active members; stop them first", "reset", "--group",
                    "live", "--topic", TOPIC, "--to-earliest", config=config)
        finally:
            member.stop()
        # The mock keeps refusing once the member is gone (a Kafka broker
        # accepts an admin commit to an Empty group): documented, not hidden.
        refused(1, "group live has active members", "reset", "--group", "live", "--topic", TOPIC,
                "--to-earliest", config=config)
        sc.terminate()


def unreachable_cluster():
    """The groups' cluster is down: exit 1 with a clear message."""
    path = os.path.join(test_dir(), "unreachable.yaml")
    with open(path, "w") as f:
        f.write("listener: { address: 127.0.0.1, port: %d, advertised: \"localhost:%d\" }\n"
                "buffer: { dir: %s }\n"
                "clusters:\n  main: { bootstrap: [\"127.0.0.1:%d\"], request_timeout: 2s }\n"
                % (free_port(), 9092, os.path.join(test_dir(), "unused"), free_port()))
    refused(1, "cannot reach the cluster", "describe", "--group", "g", config=path)
    refused(1, "cannot reach the cluster", "reset", "--group", "g", "--topic", TOPIC,
            "--to-latest", config=path)


def main():
    unreachable_cluster()
    for generation in GENERATIONS:
        check(generation)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
