#!/usr/bin/python3
"""Crash loop: nothing acknowledged is lost or duplicated however often the
sidecar is killed, while the upstream flaps.

Round after round, real producers write sequence-numbered records through
the sidecar (acks=all): two idempotent ones, librdkafka 2.0.2 (Debian's,
through confluent-kafka) and 2.15.1 (the modern protocol), and one
confluent-kafka producer without idempotence. Meanwhile a thread takes
every upstream broker down and up again at random, and the sidecar is
killed with SIGKILL at a random moment of each round and started again;
the producers ride through it (they retry until their message timeout).

At the end every acknowledged record must be upstream:
  * idempotent producers: exactly once, in order per partition;
  * the producer without idempotence: at least once. A kill between a
    batch becoming durable and its ack reaching the client makes the
    client resend it, and without sequence numbers nobody can tell the
    resend from new records: Kafka itself duplicates there. The test
    counts those duplicates and prints them.

    test_crash_loop.py [--kills N] [--seed S]   (CI runs the default 50)
"""

import argparse
import collections
import random
import sys
import threading
import time

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, produce_async,
                     read_all, run_test, wait_forwarded, wait_produce)

TOPIC = "ledger"
PARTITIONS = 4


class Flapper(threading.Thread):
    """Takes the whole upstream down and brings it back, at random."""

    def __init__(self, up, rng):
        super().__init__(daemon=True)
        self.up, self.rng = up, rng
        self.stopping = threading.Event()
        self.outages = 0

    def run(self):
        while not self.stopping.wait(self.rng.uniform(0.5, 2.0)):
            self.up.down_all()
            self.outages += 1
            self.stopping.wait(self.rng.uniform(0.2, 1.5))
            self.up.up_all()

    def stop(self):
        self.stopping.set()
        self.join(30)
        self.up.up_all()


def at_least_once(results, upstream):
    """Every acked value of these producers is upstream; returns the number
    of duplicate copies found."""
    acked = {a["value"] for r in results for a in r["acked"]}
    copies = collections.Counter(rec.value for recs in upstream.values() for rec in recs
                                 if rec.value in acked)
    missing = sorted(acked - set(copies))
    assert not missing, "lost %d acked records, e.g. %s" % (len(missing), missing[:10])
    return sum(n - 1 for n in copies.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with MockUpstream("2.15", topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up, config={"clusters": {"main": {"retry_backoff_max": "200ms"}}}) \
            as sc:
        print("== crash loop: %d kills, seed %d" % (args.kills, args.seed))
        flapper = Flapper(up, rng)
        flapper.start()
        idempotent, plain = [], []
        started = time.monotonic()
        for kill in range(args.kills):
            prefix = "r%03d" % kill
            handles = [
                ("idem", produce_async("confluent", sc.bootstrap, TOPIC, 300, prefix + "c",
                                       idempotent=True, timeout=120)),
                ("idem", produce_async("rdkafka-2.15", sc.bootstrap, TOPIC, 300, prefix + "r",
                                       idempotent=True, timeout=120)),
                ("plain", produce_async("confluent", sc.bootstrap, TOPIC, 100, prefix + "p",
                                        timeout=120)),
            ]
            time.sleep(rng.uniform(0.05, 0.6))
            sc.kill9()
            sc.start()
            for kind, h in handles:
                (idempotent if kind == "idem" else plain).append(wait_produce(h))
        flapper.stop()
        took = time.monotonic() - started
        acked = sum(len(r["acked"]) for r in idempotent + plain)
        print("  %d kills and %d upstream outages in %.0fs; %d records acked"
              % (args.kills, flapper.outages, took, acked))

        wait_forwarded(up, TOPIC, acked, timeout=120)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(idempotent, upstream)
        duplicates = at_least_once(plain, upstream)
        print("  idempotent producers: all %d acked records upstream exactly once, in order"
              % sum(len(r["acked"]) for r in idempotent))
        print("  producer without idempotence: all %d acked records upstream; %d resent "
              "copies" % (sum(len(r["acked"]) for r in plain), duplicates))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
