"""The demo's final check: the topics read back straight from the cluster,
and what each service processed, against the orders the order service was
acknowledged for."""

import collections
import json
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition

from processes import fail


def read_topic(bootstrap, topic, partitions):
    """{partition: [order number, ...]} in offset order, read straight from
    the cluster (assign, no consumer group)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "demo-check",
                  "enable.auto.commit": False, "enable.partition.eof": True})
    try:
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        out = {p: [] for p in range(partitions)}
        at_end = set()
        deadline = time.monotonic() + 30
        while len(at_end) < partitions:
            if time.monotonic() > deadline:
                fail("could not read topic %s to its end" % topic)
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(m.partition())
                    continue
                fail("reading %s: %s" % (topic, m.error()))
            at_end.discard(m.partition())
            out[m.partition()].append(json.loads(m.value())["order"])
        return out
    finally:
        c.close()


def first_offsets(run):
    """{partition: the first offset read} of a reader's run."""
    first = {}
    for _, partition, offset in run.records:
        first.setdefault(partition, offset)
    return first


class Report:
    """Rows of the final table (orders, lost, twice, replayed) and the
    problems found; no problem means the demo passed."""

    def __init__(self):
        self.rows = []
        self.problems = []

    def row(self, label, orders, lost=None, twice=None, replayed=None):
        self.rows.append((label, orders, lost, twice, replayed))
        if lost or twice:
            self.problems.append("%s: %d orders lost, %d twice" % (label, lost, twice))

    def print(self):
        print("%-26s %7s %6s %6s %9s" % ("", "orders", "lost", "twice", "replayed"))
        for label, *numbers in self.rows:
            line = "%-26s %7d %6s %6s %9s" % (label, numbers[0],
                                              *("" if n is None else n for n in numbers[1:]))
            print(line.rstrip())


def check_cluster(report, acked, upstream):
    """Every acked order in the cluster exactly once, in the partition it
    was acked for, and in order within its partition."""
    seen = collections.Counter(n for orders in upstream.values() for n in orders)
    report.row("delivered to the cluster", len(seen), len(set(acked) - set(seen)),
               sum(seen.values()) - len(seen))
    for p, orders in sorted(upstream.items()):
        for prev, n in zip(orders, orders[1:]):
            if n <= prev:
                report.problems.append("partition %d: order %d comes after order %d"
                                       % (p, n, prev))
        for n in orders:
            if n in acked and acked[n] != p:
                report.problems.append("order %d was acked for partition %d, is in %d"
                                       % (n, acked[n], p))
    unacked = set(seen) - set(acked)
    if unacked:
        report.problems.append("%d orders in the cluster were never acked" % len(unacked))


def check_reader(report, reader, acked):
    """A consumer group processed every order once; audit, in each of its
    two passes (the second, after the rewind, counts as replayed)."""
    runs = [[n for n, _, _ in run.records] for run in reader.runs]
    lost = len(set(acked) - reader.processed)
    if reader.name == "audit":
        twice = sum(len(r) - len(set(r)) for r in runs)
        replayed = len(set(runs[0]) & set(runs[1]))
        report.row(reader.name, len(reader.processed), lost, twice, replayed)
        replay = first_offsets(reader.runs[1])
        if any(offset != 0 for offset in replay.values()):
            report.problems.append("audit's replay did not start at offset 0: %s" % replay)
        if replayed != len(set(runs[0])):
            report.problems.append("audit replayed %d of the %d orders it had read"
                                   % (replayed, len(set(runs[0]))))
    else:
        everything = [n for r in runs for n in r]
        report.row(reader.name, len(reader.processed), lost, len(everything) - len(set(everything)))
    for before, after in zip(reader.runs, reader.runs[1:]):
        if reader.name == "audit":
            continue
        for p, offset in first_offsets(after).items():
            if offset != before.committed.get(p, 0):
                report.problems.append("%s resumed partition %d at offset %d, not at its "
                                       "committed %d" % (reader.name, p, offset,
                                                         before.committed.get(p, 0)))


def check_payments(report, payment, payments):
    """One payment in the cluster per order the payment service processed."""
    counted = collections.Counter(n for records in payments.values() for n in records)
    report.row("payments in the cluster", len(counted), len(payment.processed - set(counted)),
               sum(counted.values()) - len(counted))
    if set(counted) - payment.processed:
        report.problems.append("payments for orders the payment service never processed")
