#!/usr/bin/python3
"""Long polls carry over: a consumer catching up on one partition while the
others are idle is not held up by the idle leaders' long polls.

The topic's 6 partitions are led by 3 brokers. 3000 records sit in
partition 0 only, in 300 small batches (the mock cluster returns one batch
per partition per Fetch). A consumer with librdkafka's default
fetch.wait.max.ms (500 ms) reads everything through the sidecar. If the
sidecar answered each Fetch only once every leader had answered, each
batch would wait for the idle leaders' 500 ms: 150 s. It must take about as
long as reading straight from the cluster (both generations of mock).
"""

import time

from harness import MockUpstream, Sidecar, run_per_generation

TOPIC = "lagging"
PARTITIONS = 6
BATCHES = 300
PER_BATCH = 10


def fill_partition_zero(bootstrap):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0, "batch.num.messages": PER_BATCH,
                  "enable.idempotence": False, "acks": "all"})
    for i in range(BATCHES * PER_BATCH):
        p.produce(TOPIC, value=b"r-%06d" % i, partition=0)
        if i % PER_BATCH == PER_BATCH - 1:
            p.flush(10)  # one batch per flush
    assert p.flush(30) == 0


def read_everything(bootstrap):
    """Seconds to read all records of every partition from the start."""
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "long-poll",
                  "enable.auto.commit": False})
    try:
        c.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
        started = time.monotonic()
        got = 0
        while got < BATCHES * PER_BATCH:
            assert time.monotonic() - started < 60, "read %d records in 60 s" % got
            m = c.poll(0.5)
            if m is not None and not m.error():
                got += 1
        return time.monotonic() - started
    finally:
        c.close()


def check(generation):
    with MockUpstream(generation, brokers=3, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        fill_partition_zero(up.bootstrap)
        direct = read_everything(up.bootstrap)
        through = read_everything(sc.bootstrap)
        print("librdkafka %s mock: %d batches in one of 6 partitions read in %.1f s through "
              "the sidecar, %.1f s straight from the cluster" % (up.version, BATCHES, through,
                                                                 direct))
        # Without the carry-over this takes BATCHES x 0.5 s = 150 s.
        assert through < max(4 * direct, 15), "%.1f s through the sidecar" % through
        sc.terminate()


if __name__ == "__main__":
    run_per_generation(check)
