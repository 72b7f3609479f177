#!/usr/bin/python3
"""Every client library produces through the sidecar, against both mock
generations: librdkafka 2.0.2 (confluent-kafka), librdkafka 2.15.1 (C API),
kafka-python and kafkajs, with every compression codec each has, idempotent
where it can be, with keys, headers and explicit timestamps; acks=0, 1 and
all.

Read back straight from the upstream, every record is there exactly once,
in per-partition produce order, with its key, headers and timestamp intact.
Read back through the sidecar (Fetch and ListOffsets passed through), a
consumer sees the same records at the same offsets.
"""

import sys
import time

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order,
                     assert_records_match, client_runs, produce, read_all, run_per_generation,
                     wait_forwarded)

TOPIC = "orders"
N = 500


def check(generation):
    with MockUpstream(generation, topics={TOPIC: 3}) as up, Sidecar(upstream=up) as sc:
        print("== librdkafka %s mock, sidecar at %s" % (up.version, sc.bootstrap))
        # acks=0 gets no answer from the sidecar, and must still arrive.
        runs = client_runs() + [("confluent", dict(acks="0")), ("kafka-python", dict(acks="0"))]
        results = []
        for i, (client, opts) in enumerate(runs):
            t0 = time.monotonic()
            res = produce(client, sc.bootstrap, TOPIC, N, "r%02d" % i, timeout=60, **opts)
            print("  %-13s %-52s %d acked in %.2fs (%s)" % (
                client, opts, len(res.acked), time.monotonic() - t0, res["client"]))
            results.append(res)

        total = N * len(results)
        got = wait_forwarded(up, TOPIC, total)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(results, upstream, allow_unacked=False)
        assert got == total, "upstream has %d records, expected %d" % (got, total)
        assert_records_match(results, upstream)
        assert_records_match([r for r, (_, o) in zip(results, runs) if o.get("headers")],
                             upstream, headers=True)
        print("  upstream: %d records, exactly once, in order, content intact" % total)

        through = read_all(sc.bootstrap, TOPIC)
        assert through == upstream, "reading through the sidecar differs from the upstream"
        print("  read through the sidecar: the same %d records at the same offsets" % total)
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
