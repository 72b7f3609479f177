#!/usr/bin/python3
"""The admin API (issue 6) of the real binary, with a mock upstream of each
generation and real clients:

1. Outage: while the upstream is down the scraped buffered records/bytes
   and the oldest record's age grow, /v1/buffer agrees partition by
   partition, upstream_up drops to 0 and forward errors are counted; once
   it is back they return to 0 and forwarded totals equal accepted totals.
2. Pause/resume: a paused forwarder sends nothing (the upstream log stays
   put while records are acked and buffered); resume drains them.
3. Replay over HTTP: POST /v1/groups/G/offsets/reset takes the CLI's
   options as JSON; a dry run commits nothing, the real one does, a
   group with a live member is refused with 409, bad options get 400.
4. /healthz, 404/405, and request latency per API key.
"""

import json
import sys
import time
import urllib.error
import urllib.request

from harness import (MockUpstream, Sidecar, produce, run_per_generation, upstream_total,
                     wait_forwarded, wait_until, watermarks)
from test_offsets_cli import LiveMember, consume_assigned

TOPIC = "orders"  # test_offsets_cli's helpers read it
PARTITIONS = 3


def http(method, url, body=None):
    """(status, text) of one request; HTTP errors are answers too."""
    data = None if body is None else (body if isinstance(body, bytes) else
                                      json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def scrape(sc):
    """{(name, frozenset(labels)): value} of every sample on /metrics."""
    status, text = http("GET", sc.admin_url + "/metrics")
    assert status == 200, text
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name, _, labels = series.partition("{")
        pairs = frozenset(tuple(p.split("=", 1)) for p in labels.rstrip("}").split(",") if p)
        samples[(name, frozenset((k, v.strip('"')) for k, v in pairs))] = float(value)
    return samples


def metric(samples, name, **labels):
    want = frozenset(labels.items())
    found = [v for (n, ls), v in samples.items() if n == name and want <= ls]
    assert found, "no sample %s%s in /metrics" % (name, labels)
    return sum(found)


def buffer_status(sc):
    status, text = http("GET", sc.admin_url + "/v1/buffer")
    assert status == 200, text
    (cluster,) = json.loads(text)["clusters"]
    return cluster


def outage(up, sc):
    produce("confluent", sc.bootstrap, TOPIC, 200, "before")
    wait_forwarded(up, TOPIC, 200)
    m = scrape(sc)
    assert metric(m, "kafka_sidecar_buffer_unforwarded_records", cluster="main") == 0
    assert metric(m, "kafka_sidecar_upstream_up", cluster="main") == 1
    assert metric(m, "kafka_sidecar_build_info") == 1

    up.down_all()
    produce("kafkajs", sc.bootstrap, TOPIC, 500, "during")
    first = scrape(sc)
    assert metric(first, "kafka_sidecar_buffer_unforwarded_records", cluster="main") == 500
    assert metric(first, "kafka_sidecar_buffer_unforwarded_bytes", cluster="main") > 500 * 10
    time.sleep(1.5)
    second = scrape(sc)
    age = metric(second, "kafka_sidecar_buffer_oldest_unforwarded_age_seconds", cluster="main")
    assert age >= metric(first, "kafka_sidecar_buffer_oldest_unforwarded_age_seconds",
                         cluster="main") + 1.0, age
    status = buffer_status(sc)
    assert status["unforwarded_records"] == 500, status
    assert sum(p["unforwarded_records"] for p in status["partitions"]) == 500, status
    assert {p["partition"] for p in status["partitions"]} == set(range(PARTITIONS)), status
    wait_until(lambda: metric(scrape(sc), "kafka_sidecar_upstream_up", cluster="main") == 0, 30,
               "upstream_up to drop to 0")
    errors = metric(scrape(sc), "kafka_sidecar_forward_errors_total", cluster="main")
    assert errors > 0, errors
    print("  upstream down: 500 buffered, oldest %.1fs old, %d forward errors counted"
          % (age, errors))

    up.up_all()
    wait_forwarded(up, TOPIC, 700)
    wait_until(lambda: metric(scrape(sc), "kafka_sidecar_buffer_unforwarded_records",
                              cluster="main") == 0, 30, "the backlog metric to drain")
    m = scrape(sc)
    assert metric(m, "kafka_sidecar_buffer_unforwarded_bytes", cluster="main") == 0
    assert metric(m, "kafka_sidecar_buffer_oldest_unforwarded_age_seconds", cluster="main") == 0
    accepted = metric(m, "kafka_sidecar_accepted_records_total", cluster="main")
    forwarded = metric(m, "kafka_sidecar_forwarded_records_total", cluster="main")
    assert accepted == forwarded == 700, (accepted, forwarded)
    assert metric(m, "kafka_sidecar_accepted_bytes_total", cluster="main") == \
        metric(m, "kafka_sidecar_forwarded_bytes_total", cluster="main")
    assert metric(m, "kafka_sidecar_upstream_up", cluster="main") == 1
    print("  upstream back: backlog 0, accepted = forwarded = 700")


def pause_resume(up, sc):
    before = upstream_total(up.bootstrap, TOPIC, PARTITIONS)
    status, text = http("POST", sc.admin_url + "/v1/forwarder/pause")
    assert status == 200 and json.loads(text) == {"paused": ["main"]}, (status, text)
    assert metric(scrape(sc), "kafka_sidecar_forwarder_paused", cluster="main") == 1
    produce("kafka-python", sc.bootstrap, TOPIC, 100, "paused")
    time.sleep(2)
    assert upstream_total(up.bootstrap, TOPIC, PARTITIONS) == before, "forwarded while paused"
    assert buffer_status(sc)["unforwarded_records"] == 100
    assert buffer_status(sc)["paused"] is True
    assert http("POST", sc.admin_url + "/v1/forwarder/pause?cluster=nope")[0] == 404
    status, text = http("POST", sc.admin_url + "/v1/forwarder/resume?cluster=main")
    assert status == 200 and json.loads(text) == {"resumed": ["main"]}, (status, text)
    wait_forwarded(up, TOPIC, before + 100)
    assert metric(scrape(sc), "kafka_sidecar_forwarder_paused", cluster="main") == 0
    print("  paused: 100 acked and held; resumed: forwarded")


def replay(up, sc):
    total = upstream_total(up.bootstrap, TOPIC, PARTITIONS)
    assert len(consume_assigned(sc.bootstrap, "audit", total)) == total
    ends = {p: hi for p, (_, hi) in watermarks(up.bootstrap, TOPIC, PARTITIONS).items()}
    url = sc.admin_url + "/v1/groups/audit/offsets/reset"

    status, text = http("POST", url, {"topic": TOPIC, "to-earliest": True, "dry-run": True})
    assert status == 200, (status, text)
    answer = json.loads(text)
    assert answer["committed"] is False, answer
    assert {r["partition"]: (r["old_offset"], r["new_offset"]) for r in answer["partitions"]} \
        == {p: (ends[p], 0) for p in ends}, answer

    status, text = http("POST", url, {"topic": TOPIC, "partition": 1, "to-offset": 3})
    assert status == 200 and json.loads(text)["committed"] is True, (status, text)
    status, text = http("POST", url, {"topic": TOPIC, "to-earliest": True, "partition": 0})
    assert status == 200, (status, text)
    replayed = consume_assigned(sc.bootstrap, "audit", ends[0] + ends[1] - 3, timeout=30)
    assert sorted(p for p, _, _ in replayed) == [0] * ends[0] + [1] * (ends[1] - 3), \
        "replayed %d records" % len(replayed)

    for body, why in [({"topic": TOPIC}, "needs one of"),
                      ({"topic": TOPIC, "to-earliest": True, "group": "x"}, "in the path"),
                      ({"topic": TOPIC, "to-offset": [1]}, "must be"),
                      (b"not json", "JSON object"),
                      ({"topic": "nope", "to-latest": True}, "unknown topic")]:
        status, text = http("POST", url, body)
        assert status == 400 and why in json.loads(text)["error"], (body, status, text)

    member = LiveMember(sc.bootstrap, "busy")
    try:
        assert member.assigned.wait(30), "the live member got no assignment"
        status, text = http("POST", sc.admin_url + "/v1/groups/busy/offsets/reset",
                            {"topic": TOPIC, "to-earliest": True})
        assert status == 409 and "active members" in json.loads(text)["error"], (status, text)
    finally:
        member.stop()
    print("  replay over HTTP: dry run, reset, replayed; bad options 400, live group 409")


def endpoints(sc):
    assert http("GET", sc.admin_url + "/healthz") == (200, "ok\n")
    assert http("GET", sc.admin_url + "/readyz") == (200, "ready\n")
    assert http("GET", sc.admin_url + "/nope")[0] == 404
    assert http("GET", sc.admin_url + "/v1/forwarder/pause")[0] == 405
    m = scrape(sc)
    for api in ("produce", "metadata", "fetch", "api_versions"):
        assert metric(m, "kafka_sidecar_request_duration_seconds_count", api=api) > 0, api
    assert metric(m, "kafka_sidecar_client_connections") >= 0
    assert metric(m, "kafka_sidecar_buffer_fsync_duration_seconds_count", cluster="main") > 0


def check(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up, config={"clusters": {"main": {"retry_backoff_max": "200ms"}}}) \
            as sc:
        print("== admin API, librdkafka %s mock" % up.version)
        outage(up, sc)
        pause_resume(up, sc)
        replay(up, sc)
        endpoints(sc)
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
