#!/usr/bin/python3
"""Forwarding stays exactly once and in order while the upstream misbehaves:

1. Churn: while clients produce, partition leaders move every few hundred
   milliseconds, every broker answers 50 ms late, Produce requests fail with
   NOT_LEADER_OR_FOLLOWER, and one broker goes down for a second.
2. Lost ack: the upstream stores a forwarded batch but holds its answer
   back, and the broker goes down before sending it. The forwarder cannot
   know whether the batch landed; it reconciles with the upstream log
   instead of resending blindly (the mock, like a broker whose producer
   state was lost, would store a resent batch twice).
Against each mock generation.
"""

import sys
import time

from harness import (GENERATIONS, ApiKey, Err, MockUpstream, Sidecar,
                     assert_exactly_once_in_order, produce, produce_async, read_all, run_test,
                     wait_forwarded, wait_produce, wait_until, watermarks)

TOPIC = "moves"
PARTITIONS = 4


def churn(generation):
    with MockUpstream(generation, brokers=3, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== leader moves, latency, errors, librdkafka %s mock" % up.version)
        up.rtt(-1, 50)
        handles = [produce_async("confluent", sc.bootstrap, TOPIC, 4000, "churn-a",
                                 idempotent=True, linger_ms=1),
                   produce_async("kafka-python", sc.bootstrap, TOPIC, 2000, "churn-b",
                                 linger_ms=1)]
        moves = 0
        for step in range(12):
            for p in range(PARTITIONS):
                up.leader(TOPIC, p, (up.leader_of(TOPIC, p) % 3) + 1)
                moves += 1
            if step == 3:
                up.error(ApiKey.PRODUCE, Err.NOT_LEADER_OR_FOLLOWER, 5)
            if step == 6:
                up.down(2)
            if step == 8:
                up.up(2)
            time.sleep(0.25)
        results = [wait_produce(h) for h in handles]
        up.rtt(-1, 0)
        total = 6000
        got = wait_forwarded(up, TOPIC, total)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(results, upstream, allow_unacked=False)
        assert got == total, "upstream has %d records, %d were acked" % (got, total)
        print("  %d leader moves, injected errors, a broker down: all %d exactly once, in order"
              % (moves, total))
        sc.terminate()


def lost_ack(generation):
    with MockUpstream(generation, brokers=3, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== lost ack, librdkafka %s mock" % up.version)
        warm = produce("confluent", sc.bootstrap, TOPIC, 20, "warm", partition=0)
        wait_forwarded(up, TOPIC, 20)
        leader = up.leader_of(TOPIC, 0)
        # The next Produce to partition 0's leader is stored but answered only
        # after 20 s: long enough that the broker goes down first, however slow
        # the machine.
        up.broker_error(leader, ApiKey.PRODUCE, 0, rtt_ms=20000)
        res = produce("confluent", sc.bootstrap, TOPIC, 100, "lost", partition=0, linger_ms=20)
        wait_until(lambda: watermarks(up.bootstrap, TOPIC, 1)[0][1] > 20, 10,
                   "the batch to be stored upstream")
        up.down(leader)
        time.sleep(0.5)
        up.up(leader)
        total = 120
        got = wait_forwarded(up, TOPIC, total)
        time.sleep(1)  # a duplicate would arrive after the first copy
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order([warm, res], upstream, allow_unacked=False)
        got = sum(len(v) for v in upstream.values())
        assert got == total, "upstream has %d records, %d were acked" % (got, total)
        assert "forwarder.reconciled" in sc.log(), "the forwarder did not reconcile"
        print("  stored upstream, ack lost, broker down/up: reconciled, stored once")
        sc.terminate()


def main():
    for generation in GENERATIONS:
        churn(generation)
        lost_ack(generation)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
