#!/usr/bin/python3
"""Structured logs, and state changes logged once rather than once per retry.

The sidecar runs with `log: {format: json, level: debug}` while real clients
produce through it and the upstream misbehaves:
1. the whole cluster goes down for 5 s while the forwarder holds buffered
   records, then comes back;
2. every partition's leader moves;
3. one batch is refused for good (dead-lettered);
4. a transactional id full of quotes, backslashes, a newline and bytes that
   are not UTF-8 is refused (its log line has to escape all of them).
Every line the sidecar wrote must be one JSON object with ts, level and
event, string values only, and no "unparsed" text (every call site on the
way follows the field grammar). And while the forwarder retried every
partition for 5 s: upstream.down once, upstream.up once more (with how long
it was down), at most one broker_down and broker_up per broker, one
leader_moved per moved partition, one dead_letter for the one batch.
Against each mock generation.
"""

import collections
import json
import re
import struct
import sys
import time

from harness import (ApiKey, MockUpstream, Sidecar, assert_exactly_once_in_order,
                     produce, read_all, run_per_generation, wait_forwarded, wait_until)
import raw_kafka

TOPIC = "jsonlogs"
PARTITIONS = 3
OUTAGE_S = 5
TOPIC_AUTHORIZATION_FAILED = 29
TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53
INIT_PRODUCER_ID = 22
# Raw bytes: a quote, a backslash, a newline, UTF-8 and two bytes that are not UTF-8.
ODD_ID = b'tx "quoted" \\ back\nslash \xc3\xa9 \xff\xfe end'
ODD_ID_IN_JSON = 'tx "quoted" \\ back\nslash \u00e9 \ufffd\ufffd end'
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def json_lines(sc):
    """Every line the sidecar wrote, parsed; fails on the first that is not
    a JSON object with ts, level and event and string values."""
    events = []
    with open(sc.log_path, "rb") as f:
        for number, raw in enumerate(f, 1):
            if raw.startswith(b"=== harness:"):
                continue  # the harness's own marker between starts
            try:
                line = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise AssertionError("line %d is not JSON (%s): %r" % (number, e, raw))
            assert isinstance(line, dict), "line %d is not an object: %r" % (number, raw)
            assert TS.match(line.get("ts", "")), "line %d: ts %r" % (number, line.get("ts"))
            assert line.get("level") in ("debug", "info", "warn", "error"), \
                "line %d: level %r" % (number, line.get("level"))
            assert re.match(r"^[a-z_]+\.[a-z_.]+$", line.get("event", "")), \
                "line %d: event %r" % (number, line.get("event"))
            assert all(isinstance(v, str) for v in line.values()), \
                "line %d has a value that is not a string: %r" % (number, raw)
            assert "unparsed" not in line, \
                "line %d has fields outside the grammar: %r" % (number, raw)
            events.append(line)
    return events


def refuse_odd_transactional_id(sc):
    body = struct.pack(">h", len(ODD_ID)) + ODD_ID + struct.pack(">i", 60000)
    with raw_kafka.Connection(sc.bootstrap) as c:
        r = c.request(INIT_PRODUCER_ID, 1, body)
    _, error = struct.unpack(">ih", r[:6])
    assert error == TRANSACTIONAL_ID_AUTHORIZATION_FAILED, error


def check(generation):
    config = {"log": {"format": "json", "level": "debug"}}
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up, config=config) as sc:
        print("== JSON logs, librdkafka %s mock" % up.version)
        results = [produce("confluent", sc.bootstrap, TOPIC, 300, "warm", idempotent=True)]
        wait_forwarded(up, TOPIC, 300)

        up.down_all()
        down_at = time.monotonic()
        results.append(produce("confluent", sc.bootstrap, TOPIC, 300, "outage",
                               idempotent=True))
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
        up.up_all()
        wait_forwarded(up, TOPIC, 600)
        print("  upstream down %.1fs with 300 records buffered, then back: forwarded"
              % (time.monotonic() - down_at))

        moved = {}
        for p in range(PARTITIONS):
            moved[p] = (up.leader_of(TOPIC, p), up.leader_of(TOPIC, p) % 3 + 1)
            up.leader(TOPIC, p, moved[p][1])
        results.append(produce("confluent", sc.bootstrap, TOPIC, 300, "moved", idempotent=True))
        wait_forwarded(up, TOPIC, 900)

        up.error(ApiKey.PRODUCE, TOPIC_AUTHORIZATION_FAILED, 1)
        with raw_kafka.Connection(sc.bootstrap) as c:
            assert c.produce(TOPIC, 0, raw_kafka.batch(["refused-%03d" % i for i in range(10)])) \
                == (0, -1)
        wait_until(lambda: "forwarder.dead_letter" in sc.log(), 30, "the dead-letter log line")

        refuse_odd_transactional_id(sc)
        assert_exactly_once_in_order(results, read_all(up.bootstrap, TOPIC), allow_unacked=False)
        sc.terminate()

        events = json_lines(sc)
        by_event = collections.defaultdict(list)
        for e in events:
            by_event[e["event"]].append(e)
        counts = collections.Counter(e["event"] for e in events)
        print("  %d lines, all JSON objects with ts, level, event; %d kinds of event"
              % (len(events), len(counts)))

        # The retries happened, at debug...
        retries = counts["forwarder.retry"] + counts["upstream.connect_failed"]
        assert retries >= 10, "only %d retry lines in a %ds outage: %s" % (retries, OUTAGE_S,
                                                                         dict(counts))
        assert all(e["level"] == "debug" for e in by_event["forwarder.retry"] +
                   by_event["upstream.connect_failed"])
        # ...and the state changes once each.
        assert counts["upstream.down"] == 1, by_event["upstream.down"]
        ups = by_event["upstream.up"]
        assert len(ups) == 2 and "down_ms" not in ups[0], ups
        assert int(ups[1]["down_ms"]) >= (OUTAGE_S - 1) * 1000, ups
        brokers_down = collections.Counter(e["broker"] for e in by_event["upstream.broker_down"])
        brokers_up = collections.Counter(e["broker"] for e in by_event["upstream.broker_up"])
        assert brokers_down and max(brokers_down.values()) == 1, by_event["upstream.broker_down"]
        assert max(brokers_up.values()) == 1 and set(brokers_up) <= set(brokers_down), \
            (by_event["upstream.broker_up"], by_event["upstream.broker_down"])
        assert all(int(e["down_ms"]) >= 0 for e in by_event["upstream.broker_up"])
        print("  %d retry lines (debug); upstream.down 1, upstream.up after %sms, "
              "broker_down/up once per broker (%d brokers)"
              % (retries, ups[1]["down_ms"], len(brokers_down)))

        leader_moves = sorted((int(e["partition"]), int(e["from"]), int(e["to"]))
                              for e in by_event["upstream.leader_moved"])
        assert leader_moves == sorted((p, a, b) for p, (a, b) in moved.items()), \
            (leader_moves, moved)
        dead = by_event["forwarder.dead_letter"]
        assert len(dead) == 1 and dead[0]["error"] == "topic_authorization_failed" \
            and dead[0]["kept"] == "true" and dead[0]["level"] == "error", dead
        print("  leader_moved once per moved partition, dead_letter once for the one batch")

        refused = by_event["producer.transactions_refused"]
        assert len(refused) == 1 and refused[0]["transactional_id"] == ODD_ID_IN_JSON, refused
        assert refused[0]["client_id"] == "ks-raw", refused
        print("  a transactional id with quotes, backslash, newline and bad UTF-8: escaped")

        for event in ("sidecar.started", "sidecar.stopped", "forwarder.producer"):
            assert counts[event] == 1, (event, counts[event])


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
