#!/usr/bin/python3
"""Produce and consume through one sidecar, in one process, while the
upstream fails under both: a partition's leader goes down and comes back,
a leader moves, the whole cluster goes down and comes back. The producer
keeps being acknowledged by the sidecar throughout; the consumer (a group
member, librdkafka 2.0.2) gets retriable errors while the cluster is away
and carries on by itself. At the end it has read every acknowledged record
exactly once, in order per partition: the records arrive once forwarded.
Against each mock generation.
"""

import time

from harness import (GENERATIONS, MockUpstream, Record, Sidecar, assert_exactly_once_in_order,
                     run_test, wait_forwarded)

TOPIC = "live"
PARTITIONS = 3
PER_TICK = 10  # records produced every 50 ms


class ProduceAndConsume:
    """A confluent-kafka producer and group consumer sharing one sidecar."""

    def __init__(self, bootstrap, group):
        from confluent_kafka import Consumer, Producer
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                                  "linger.ms": 5, "message.timeout.ms": 60000})
        # The default session (45 s) outlives the outages: the member stays
        # in the group and no partition is handed over.
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                                  "auto.offset.reset": "earliest",
                                  "enable.auto.commit": True, "auto.commit.interval.ms": 1000})
        self.consumer.subscribe([TOPIC])
        self.sent = 0
        self.acked = []
        self.failed = []
        self.consumed = {p: [] for p in range(PARTITIONS)}
        self.consume_errors = []
        self.last_consumed_at = None

    def _on_delivery(self, err, msg):
        if err is not None:
            self.failed.append((msg.value().decode(), str(err)))
        else:
            self.acked.append({"partition": msg.partition(), "key": msg.key().decode(),
                               "value": msg.value().decode()})

    def _consume(self, timeout):
        m = self.consumer.poll(timeout)
        if m is None:
            return
        if m.error():
            self.consume_errors.append(str(m.error()))
            return
        self.last_consumed_at = time.monotonic()
        self.consumed[m.partition()].append(Record(
            m.partition(), m.offset(), m.key().decode(), m.value().decode(), [],
            m.timestamp()[1]))

    def run(self, seconds, produce=True):
        """Produces PER_TICK records every 50 ms (if `produce`) and consumes,
        for `seconds`."""
        end = time.monotonic() + seconds
        next_tick = time.monotonic()
        while time.monotonic() < end:
            if produce and time.monotonic() >= next_tick:
                next_tick += 0.05
                for _ in range(PER_TICK):
                    i = self.sent
                    self.producer.produce(TOPIC, key="k%d" % (i % 12), value="live-%06d" % i,
                                          on_delivery=self._on_delivery)
                    self.sent += 1
            self.producer.poll(0)
            self._consume(0.05)

    def drain(self, up, timeout=120):
        """Waits for every ack and for the sidecar to forward them, then
        consumes until every acked record was read."""
        assert self.producer.flush(timeout) == 0, "producer: records still unacked"
        assert not self.failed, "sidecar refused records: %s" % self.failed[:3]
        wait_forwarded(up, TOPIC, len(self.acked), timeout)
        deadline = time.monotonic() + timeout
        while self.consumed_count() < len(self.acked) and time.monotonic() < deadline:
            self._consume(0.2)
        # Anything still arriving would be a duplicate: look a little longer.
        self.run(1.0, produce=False)

    def consumed_count(self):
        return sum(len(v) for v in self.consumed.values())

    def close(self):
        self.consumer.close()


def check(generation):
    with MockUpstream(generation, brokers=3, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== produce and consume through one sidecar, librdkafka %s mock" % up.version)
        live = ProduceAndConsume(sc.bootstrap, "live-" + generation)
        try:
            started = time.monotonic()
            while live.consumed_count() == 0:  # the group join takes a few seconds
                assert time.monotonic() - started < 30, "nothing consumed while all was well"
                live.run(0.5)
            print("  consuming after %.1f s" % (time.monotonic() - started))

            down = up.leader_of(TOPIC, 0)
            up.down(down)
            live.run(3)
            up.up(down)
            live.run(2)
            print("  partition 0's leader (broker %d) down 3 s and back" % down)

            target = up.leader_of(TOPIC, 1) % 3 + 1
            up.leader(TOPIC, 1, target)
            live.run(2)
            print("  partition 1's leader moved to broker %d" % target)

            before = live.consumed_count()
            up.down_all()
            live.run(4)
            during = live.consumed_count() - before
            up.up_all()
            returned = time.monotonic()
            live.run(2)
            print("  whole cluster down 4 s and back (%d records consumed meanwhile: "
                  "what was upstream before)" % during)

            live.drain(up)
            print("  the last record consumed %.1f s after the cluster returned"
                  % (live.last_consumed_at - returned))
            assert_exactly_once_in_order(live.acked, live.consumed, allow_unacked=False)
            assert live.consumed_count() == len(live.acked)
            print("  %d records produced and acked, %d consumed, each once, in order "
                  "(%d retriable errors seen by the consumer)"
                  % (len(live.acked), live.consumed_count(), len(live.consume_errors)))
        finally:
            live.close()
        sc.terminate()


def main():
    for generation in GENERATIONS:
        check(generation)


if __name__ == "__main__":
    run_test(main)
