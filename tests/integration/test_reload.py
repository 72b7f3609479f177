#!/usr/bin/python3
"""Config reload on SIGHUP, against two clusters A and B.

1. A changed route: every topic moves from A to B, renamed `v2.{topic}`.
   The same producer keeps producing across the reload; what it produced
   before is on A, what it produced after is on B under the new name, each
   exactly once. A client connection opened before the reload still gets
   answers after it. Changes the sidecar only reads at start (buffer
   size, forward.compression) are named in the log line, not applied.
2. An invalid file (unknown cluster, then broken YAML): refused with a log
   line saying why; the running routes stay in force.
3. A route change that would move records still buffered (B down) is
   refused; once B is back and they are forwarded, the same file applies.
"""

import signal

from confluent_kafka import Producer

from harness import (MockUpstream, Sidecar, _yaml, assert_exactly_once_in_order, read_all,
                     run_test, upstream_total, wait_forwarded, wait_until)
from raw_kafka import Connection

TOPIC = "orders"
RENAMED = "v2.orders"
API_VERSIONS = 18


class SteadyProducer:
    """One confluent-kafka producer kept for the whole test."""

    def __init__(self, bootstrap):
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                                  "linger.ms": 5, "message.timeout.ms": 60000})
        self.batches = {}

    def send(self, prefix, count):
        acked, errors = [], []

        def done(err, msg):
            if err is not None:
                errors.append(str(err))
            else:
                acked.append({"partition": msg.partition(), "value": msg.value().decode()})
        for i in range(count):
            self.producer.produce(TOPIC, value="%s-%06d" % (prefix, i), on_delivery=done)
            self.producer.poll(0)
        assert self.producer.flush(60) == 0 and not errors, errors[:5]
        self.batches[prefix] = acked
        return acked


def routes_to(cluster, rename=None):
    rule = {"topics": "*", "cluster": cluster}
    if rename:
        rule["rename"] = rename
    return [rule]


def reload(sc, text, outcome):
    """Writes `text` as the config file, sends SIGHUP and waits for the
    log line `outcome` (config.reloaded or config.reload_refused)."""
    before = sc.log().count(outcome)
    with open(sc.config_path, "w") as f:
        f.write(text)
    sc.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: sc.log().count(outcome) > before, 10, "the sidecar to log " + outcome)
    line = [l for l in sc.log().splitlines() if outcome in l][-1]
    print("  " + line.split(" ", 2)[2])
    return line


def config_text(sc, **changes):
    config = dict(sc.config, **changes)
    return _yaml(config) + "\n"


def changed_route(a, b, sc, producer):
    print("== a changed route: * -> A becomes * -> B as v2.{topic}")
    producer.send("before", 300)
    wait_forwarded(a, TOPIC, 300)
    with Connection(sc.bootstrap) as held:
        buffer = dict(sc.config["buffer"], max_bytes="2GiB")
        # forward.compression is read at start, like the buffer.
        line = reload(sc, config_text(sc, routes=routes_to("b", "v2.{topic}"), buffer=buffer,
                                      forward={"compression": "lz4"}),
                      "config.reloaded")
        assert "applied=[routes]" in line and "needs_restart=[buffer,forward]" in line, line
        held.request(API_VERSIONS, 0, b"")
    print("  a connection opened before the reload is still answered after it")
    producer.send("after", 300)
    wait_forwarded(b, RENAMED, 300)
    assert_exactly_once_in_order([producer.batches["before"]], read_all(a.bootstrap, TOPIC),
                                 allow_unacked=False)
    assert_exactly_once_in_order([producer.batches["after"]], read_all(b.bootstrap, RENAMED),
                                 allow_unacked=False)
    assert upstream_total(a.bootstrap, TOPIC, 3) == 300
    print("  the same producer: 300 records on A as orders, then 300 on B as v2.orders, once each")


def invalid_files(a, b, sc, producer):
    print("== invalid files are refused, the running routes kept")
    line = reload(sc, config_text(sc, routes=routes_to("nowhere")), "config.reload_refused")
    assert 'unknown cluster \\"nowhere\\"' in line, line
    line = reload(sc, "routes: [ { topics: '*', cluster: a\n", "config.reload_refused")
    assert "problem" in line, line
    assert sc.running()
    producer.send("still-b", 200)
    wait_forwarded(b, RENAMED, 500)
    assert upstream_total(a.bootstrap, TOPIC, 3) == 300
    print("  200 more records still went to B: the routes in force did not change")


def buffered_records_stay(a, b, sc, producer):
    print("== a reload may not move records still buffered")
    b.down_all()
    producer.send("buffered", 200)
    to_a = config_text(sc, routes=routes_to("a"))
    line = reload(sc, to_a, "config.reload_refused")
    assert "has records buffered for cluster b" in line, line
    b.up_all()
    wait_forwarded(b, RENAMED, 700)
    reload(sc, to_a, "config.reloaded")
    producer.send("back-to-a", 100)
    wait_forwarded(a, TOPIC, 400)
    assert_exactly_once_in_order([producer.batches[p] for p in ("after", "still-b", "buffered")],
                                 read_all(b.bootstrap, RENAMED), allow_unacked=False)
    assert_exactly_once_in_order([producer.batches[p] for p in ("before", "back-to-a")],
                                 read_all(a.bootstrap, TOPIC), allow_unacked=False)
    print("  refused while B held the backlog; applied once it drained; all records once")


def main():
    with MockUpstream("2.15", topics={TOPIC: 3}, name="cluster-a") as a, \
            MockUpstream("2.15", topics={RENAMED: 3}, name="cluster-b") as b, \
            Sidecar(upstream={"a": a, "b": b}, config={"routes": routes_to("a")}) as sc:
        producer = SteadyProducer(sc.bootstrap)
        changed_route(a, b, sc, producer)
        invalid_files(a, b, sc, producer)
        buffered_records_stay(a, b, sc, producer)
        sc.terminate()


if __name__ == "__main__":
    run_test(main)
