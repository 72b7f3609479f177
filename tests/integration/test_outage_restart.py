#!/usr/bin/python3
"""The sidecar's core promise: acknowledged records survive an upstream
outage and a crash of the sidecar, and arrive upstream exactly once and in
order per partition.

1. Outage + kill -9: all upstream brokers down; clients produce thousands of
   records to a multi-partition topic and every one is acked; the sidecar is
   killed with SIGKILL and restarted while the upstream is still down, and
   takes more records on its cold start (partition counts from its on-disk
   cache); the brokers come back; everything arrives exactly once, in order.
2. Cold start with the cluster down: a fresh sidecar (empty buffer) takes
   produces for a topic whose partition count the config declares, and
   answers a topic it cannot know with a retriable error, not a guess.
3. Crash while forwarding: a backlog drains after the outage and the
   sidecar is killed (SIGKILL) in the middle of it, twice, then stopped
   cleanly (SIGTERM) once; after each restart it reconciles with the
   upstream log, so nothing is sent twice.
Both against each mock generation.
"""

import re
import sys
import time

from harness import (GENERATIONS, MockUpstream, Sidecar, assert_exactly_once_in_order,
                     produce, produce_async, read_all, run_test, wait_forwarded, wait_produce)

TOPIC = "events"
PARTITIONS = 6


def outage_and_kill9(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== outage + kill -9, librdkafka %s mock" % up.version)
        results = [produce("confluent", sc.bootstrap, TOPIC, 100, "warm", idempotent=True)]
        wait_forwarded(up, TOPIC, 100)

        up.down_all()
        h1 = produce_async("confluent", sc.bootstrap, TOPIC, 3000, "down-a", idempotent=True)
        h2 = produce_async("kafkajs", sc.bootstrap, TOPIC, 1000, "down-b", idempotent=True)
        results += [wait_produce(h1), wait_produce(h2)]
        print("  upstream down: 4000 records acked by the sidecar")

        sc.kill9()
        sc.start()
        results.append(produce("kafka-python", sc.bootstrap, TOPIC, 1000, "after-kill"))
        print("  killed (SIGKILL), restarted, 1000 more acked, upstream still down")

        up.up_all()
        total = 100 + 4000 + 1000
        got = wait_forwarded(up, TOPIC, total)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(results, upstream, allow_unacked=False)
        assert got == total, "upstream has %d records, %d were acked" % (got, total)
        print("  upstream back: all %d acked records arrived exactly once, in order" % total)
        sc.terminate()


def cold_start(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS, "unknown": 2}) as up:
        print("== cold start with the cluster down, librdkafka %s mock" % up.version)
        up.down_all()
        declared = {"topics": {TOPIC: {"partitions": PARTITIONS}}}
        with Sidecar(upstream=up, config=declared) as sc:
            res = produce("confluent", sc.bootstrap, TOPIC, 500, "cold", idempotent=True)
            lost = produce("confluent", sc.bootstrap, "unknown", 10, "unknown", timeout=5,
                           check=False)
            assert not lost.acked and lost.errors, "records for an unknowable topic were acked"
            assert sc.running()
            print("  declared topic: 500 acked; an unknowable topic: refused, retriable")
            up.up_all()
            got = wait_forwarded(up, TOPIC, 500)
            assert_exactly_once_in_order([res], read_all(up.bootstrap, TOPIC),
                                         allow_unacked=False)
            assert got == 500, "upstream has %d records, 500 were acked" % got
            print("  cluster back: all 500 arrived exactly once, in order")
            sc.terminate()


def crash_while_forwarding(generation):
    # rtt slows forwarding down so that the kills land mid-drain. At debug,
    # reconciliations that find nothing upstream are logged too.
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up, config={"log": {"level": "debug"}}) as sc:
        print("== crash while forwarding, librdkafka %s mock" % up.version)
        results = [produce("confluent", sc.bootstrap, TOPIC, 50, "warm", idempotent=True)]
        wait_forwarded(up, TOPIC, 50)
        up.down_all()
        # Many small runs make many batches: forwarding takes a while.
        for run in range(30):
            results.append(produce("confluent", sc.bootstrap, TOPIC, 200, "backlog%02d" % run,
                                   idempotent=True, linger_ms=0))
        total = 50 + 30 * 200
        up.rtt(-1, 300)
        up.up_all()
        for kill in (True, True, False):
            time.sleep(1.5)
            sc.restart(kill=kill)
        # Each restart found batches still to forward: the stops landed mid-drain.
        pending = [int(n) for n in re.findall(r"forwarder.recovered .* batches=(\d+)", sc.log())]
        assert len(pending) == 4 and all(n > 0 for n in pending[1:]), \
            "batches pending at each restart: %s" % pending
        print("  SIGKILL, SIGKILL, SIGTERM while forwarding; batches pending at the restarts: %s"
              % pending[1:])
        up.rtt(-1, 0)
        got = wait_forwarded(up, TOPIC, total)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(results, upstream, allow_unacked=False)
        assert got == total, "upstream has %d records, %d were acked" % (got, total)
        reconciled = sc.log().count("forwarder.reconciled")
        assert reconciled > 0, "no reconciliation after the restarts"
        print("  all %d arrived exactly once, in order (%d reconciliations)" % (total, reconciled))
        sc.terminate()


def main():
    for generation in GENERATIONS:
        outage_and_kill9(generation)
        cold_start(generation)
        crash_while_forwarding(generation)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
