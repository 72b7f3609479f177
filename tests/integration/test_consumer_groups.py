#!/usr/bin/python3
"""Consumer groups through the sidecar (FindCoordinator answered by the
sidecar, the group requests passed to the cluster's coordinator), against
both mock generations:

1. Three groups read one multi-partition topic independently: analytics
   (librdkafka 2.0.2), fraud (kafka-python) and audit (librdkafka again);
   each receives every record exactly once.
2. Resume: a member commits and leaves; more records are produced; a new
   member of the group starts at the committed offsets: nothing skipped,
   nothing read twice.
"""

import concurrent.futures
import sys
import time

from harness import (MockUpstream, Sidecar, produce, run_per_generation, wait_forwarded)

TOPIC = "orders"
PARTITIONS = 3


def consume_confluent(bootstrap, group, want, timeout=60):
    """Values read by one confluent-kafka group member until `want` arrived;
    commits synchronously and leaves the group."""
    from confluent_kafka import Consumer
    # A short session: the mock lets a new member in only once the last
    # one's session has expired, leave or not (the same without the sidecar).
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000})
    c.subscribe([TOPIC])
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < want and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            assert not m.error(), "group %s: %s" % (group, m.error())
            got.append(m.value().decode())
        if got:
            c.commit(asynchronous=False)
    finally:
        c.close()
    return got


def consume_kafka_python(bootstrap, group, want, timeout=60):
    from kafka import KafkaConsumer
    c = KafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False,
                      api_version_auto_timeout_ms=10000)
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < want and time.monotonic() < deadline:
            for records in c.poll(timeout_ms=500).values():
                got.extend(r.value.decode() for r in records)
        if got:
            c.commit()
    finally:
        c.close()
    return got


def check_once(group, got, expected):
    assert len(got) == len(set(got)), "group %s read records twice" % group
    missing = set(expected) - set(got)
    assert not missing, "group %s missed %d records, e.g. %s" % (
        group, len(missing), sorted(missing)[:3])
    assert set(got) <= set(expected), "group %s read records nobody produced" % group


def check(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, Sidecar(upstream=up) as sc:
        print("== consumer groups, librdkafka %s mock" % up.version)
        first = produce("confluent", sc.bootstrap, TOPIC, 600, "first", idempotent=True)
        wait_forwarded(up, TOPIC, 600)
        expected = [a["value"] for a in first.acked]

        # The groups read at the same time, each at its own pace.
        readers = {"analytics": consume_confluent, "fraud": consume_kafka_python,
                   "audit": consume_confluent}
        with concurrent.futures.ThreadPoolExecutor(len(readers)) as pool:
            reads = {group: pool.submit(consume, sc.bootstrap, group, len(expected))
                     for group, consume in readers.items()}
        for group, read in reads.items():
            check_once(group, read.result(), expected)
            print("  %-9s read all %d records once" % (group, len(expected)))

        second = produce("kafka-python", sc.bootstrap, TOPIC, 300, "second")
        wait_forwarded(up, TOPIC, 900)
        more = [a["value"] for a in second.acked]
        resumed = consume_confluent(sc.bootstrap, "analytics", len(more))
        check_once("analytics", resumed, more)
        print("  analytics resumed at its committed offsets: the %d new records, none again"
              % len(more))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
