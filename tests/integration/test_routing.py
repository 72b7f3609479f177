#!/usr/bin/python3
"""Routing to several clusters: `routes` send `payments.*` to cluster A as
they are and every other topic to cluster B renamed `shop.{topic}`. The two
clusters are mocks of different generations (A: librdkafka 2.15, B: 2.0),
so both protocol generations meet in one sidecar.

1. Routing and renaming: real clients produce by the app's names; each
   record lands exactly once, in order, in the right cluster under the right
   name, and nowhere else. Consumers (a plain reader and a consumer group)
   read by the app's names; Metadata never shows an upstream name.
2. Independence: cluster A goes down. One producer writes to both clusters'
   topics in the same requests: every record is acked, B's records reach B
   while A is down, as fast as before the outage, and A's wait in the
   buffer; when A returns, both are complete exactly once.
"""

import statistics
import time

from harness import (GroupMember, MockUpstream, Sidecar, assert_consumed_once,
                     assert_exactly_once_in_order, produce, read_all, run_test,
                     upstream_total, wait_forwarded, wait_until)
from test_admin_api import metric, scrape

PAYMENTS = "payments.card"  # -> A, same name
ORDERS = "orders"           # -> B, as shop.orders
UPSTREAM_ORDERS = "shop.orders"

ROUTES = {"routes": [
    {"topics": "payments.*", "cluster": "a"},
    {"topics": "*", "cluster": "b", "rename": "shop.{topic}"},
]}


def topics_on(up):
    """The topic names an upstream cluster holds."""
    from confluent_kafka.admin import AdminClient
    return set(AdminClient({"bootstrap.servers": up.bootstrap}).list_topics(timeout=10).topics)


def routing_and_renaming(a, b, sc):
    print("== routing: %s -> A (2.15 mock), the rest -> B (2.0 mock) as shop.{topic}" % PAYMENTS)
    # The group settles before anything is produced, so that no rebalance
    # makes a member read again what it had not committed yet.
    with GroupMember("rdkafka-2.15", sc.bootstrap, PAYMENTS, "routing-readers") as m1, \
            GroupMember("rdkafka-2.15", sc.bootstrap, PAYMENTS, "routing-readers") as m2:
        wait_until(lambda: m1.assignment and m2.assignment and
                   m1.assignment | m2.assignment == {0, 1, 2}, 60,
                   "the group of two to share the 3 partitions of %s" % PAYMENTS)
        results = {
            PAYMENTS: [produce("confluent", sc.bootstrap, PAYMENTS, 1500, "pay-c",
                               idempotent=True),
                       produce("kafka-python", sc.bootstrap, PAYMENTS, 500, "pay-k")],
            ORDERS: [produce("rdkafka-2.15", sc.bootstrap, ORDERS, 1500, "ord-r",
                             idempotent=True),
                     produce("kafkajs", sc.bootstrap, ORDERS, 500, "ord-j")],
        }
        expected = [r["value"] for res in results[PAYMENTS] for r in res["acked"]]
        wait_until(lambda: len(m1.records) + len(m2.records) >= len(expected), 60,
                   "the group to consume %d records" % len(expected))
        m1.stop()
        m2.stop()
    assert_consumed_once([m1, m2], expected)
    print("  a group of two consumed the %d records of %s through the sidecar, each once"
          % (len(expected), PAYMENTS))

    wait_forwarded(a, PAYMENTS, 2000)
    wait_forwarded(b, UPSTREAM_ORDERS, 2000)
    assert_exactly_once_in_order(results[PAYMENTS], read_all(a.bootstrap, PAYMENTS),
                                 allow_unacked=False)
    assert_exactly_once_in_order(results[ORDERS], read_all(b.bootstrap, UPSTREAM_ORDERS),
                                 allow_unacked=False)
    on_a, on_b = topics_on(a), topics_on(b)
    assert UPSTREAM_ORDERS not in on_a and ORDERS not in on_a, on_a
    assert PAYMENTS not in on_b and ORDERS not in on_b and "shop." + PAYMENTS not in on_b, on_b
    print("  2000 records each landed once, in order: A has %s, B has %s" % (
        PAYMENTS, UPSTREAM_ORDERS))

    seen = topics_on(sc)
    assert PAYMENTS in seen and ORDERS in seen and UPSTREAM_ORDERS not in seen, seen
    through = read_all(sc.bootstrap, ORDERS)
    assert_exactly_once_in_order(results[ORDERS], through, allow_unacked=False)
    print("  %s read through the sidecar by the app's name: all %d records; Metadata shows "
          "no upstream name" % (ORDERS, sum(len(v) for v in through.values())))
    return results


class TwoTopicProducer:
    """One confluent-kafka producer writing to both clusters' topics, so that
    the records of both share the sidecar's Produce requests. Records the
    ack latency of each record by topic."""

    def __init__(self, bootstrap):
        from confluent_kafka import Producer
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                                  "linger.ms": 5, "message.timeout.ms": 60000})
        self.acked = {PAYMENTS: [], ORDERS: []}
        self.latency = {PAYMENTS: [], ORDERS: []}
        self.errors = []

    def run(self, prefix, count):
        for i in range(count):
            for topic in (PAYMENTS, ORDERS):
                value = "%s-%s-%06d" % (prefix, topic.split(".")[0], i)
                sent = time.monotonic()

                def done(err, msg, topic=topic, value=value, sent=sent):
                    if err is not None:
                        self.errors.append((value, str(err)))
                        return
                    self.latency[topic].append(time.monotonic() - sent)
                    self.acked[topic].append({"partition": msg.partition(), "value": value})
                self.producer.produce(topic, value=value, on_delivery=done)
            self.producer.poll(0)
            if i % 100 == 99:
                time.sleep(0.02)  # a steady stream rather than one burst
        left = self.producer.flush(60)
        assert left == 0 and not self.errors, "%d unflushed, errors %s" % (left, self.errors[:5])

    def p50(self, topic, since=0):
        return statistics.median(self.latency[topic][since:])


def one_cluster_down(a, b, sc, before):
    print("== independence: cluster A down, B up")
    mixed = TwoTopicProducer(sc.bootstrap)
    started = time.monotonic()
    mixed.run("up", 500)
    wait_forwarded(b, UPSTREAM_ORDERS, 2500)
    wait_forwarded(a, PAYMENTS, 2500)
    healthy = time.monotonic() - started
    p50_up = mixed.p50(ORDERS)
    print("  both up: 500 records per topic acked (p50 %.1f ms) and forwarded in %.1f s"
          % (p50_up * 1e3, healthy))

    a.down_all()
    since = len(mixed.latency[ORDERS])
    started = time.monotonic()
    mixed.run("down", 500)
    acked = time.monotonic() - started
    wait_forwarded(b, UPSTREAM_ORDERS, 3000)
    flowing = time.monotonic() - started
    p50_down = mixed.p50(ORDERS, since)
    # The same load as when both were up: a down cluster must not slow the
    # other one. Generous bounds: the machines are noisy.
    assert flowing < max(3 * healthy, healthy + 5), (
        "B's records took %.1f s to arrive with A down, %.1f s with both up" % (flowing, healthy))
    assert p50_down < max(3 * p50_up, p50_up + 0.05), (
        "acks slowed down with A down: p50 %.1f ms, %.1f ms before" % (p50_down * 1e3,
                                                                        p50_up * 1e3))
    held = metric(scrape(sc), "kafka_sidecar_buffer_unforwarded_records", cluster="a")
    assert held >= 500, "cluster A's buffer holds %s records, expected >= 500" % held
    print("  A down: 1000 records acked in %.1f s (orders p50 %.1f ms); B has all its records "
          "after %.1f s; A's 500 wait in the buffer" % (acked, p50_down * 1e3, flowing))

    a.up_all()
    wait_forwarded(a, PAYMENTS, 3000)
    results = [before[PAYMENTS], mixed.acked[PAYMENTS]]
    assert_exactly_once_in_order(results, read_all(a.bootstrap, PAYMENTS), allow_unacked=False)
    results = [before[ORDERS], mixed.acked[ORDERS]]
    assert_exactly_once_in_order(results, read_all(b.bootstrap, UPSTREAM_ORDERS),
                                 allow_unacked=False)
    assert upstream_total(a.bootstrap, PAYMENTS, 3) == 3000
    assert upstream_total(b.bootstrap, UPSTREAM_ORDERS, 4) == 3000
    print("  A back: both clusters hold their 3000 records exactly once, in order")


def main():
    with MockUpstream("2.15", topics={PAYMENTS: 3}, name="cluster-a") as a, \
            MockUpstream("2.0", topics={UPSTREAM_ORDERS: 4}, name="cluster-b") as b, \
            Sidecar(upstream={"a": a, "b": b}, config=ROUTES) as sc:
        before = routing_and_renaming(a, b, sc)
        one_cluster_down(a, b, sc, before)
        sc.terminate()


if __name__ == "__main__":
    run_test(main)
