#!/usr/bin/python3
"""A batch the upstream refuses for good (here TOPIC_AUTHORIZATION_FAILED,
a non-retriable error) is set aside in the cluster's dead-letter log, as the
client sent it, and logged; the partition does not stall: later batches are
forwarded, in order, right behind it. Against each mock generation.
"""

import glob
import os
import sys

from harness import (ApiKey, MockUpstream, Sidecar, assert_exactly_once_in_order,
                     produce, read_all, run_per_generation, wait_forwarded, wait_until)
import raw_kafka

TOPIC = "audit"
TOPIC_AUTHORIZATION_FAILED = 29


def check(generation):
    with MockUpstream(generation, topics={TOPIC: 1}) as up, Sidecar(upstream=up) as sc:
        print("== dead letter, librdkafka %s mock" % up.version)
        before = produce("confluent", sc.bootstrap, TOPIC, 50, "before")
        wait_forwarded(up, TOPIC, 50)
        up.error(ApiKey.PRODUCE, TOPIC_AUTHORIZATION_FAILED, 1)
        # One batch, sent by hand: a client might split the records in two.
        refused = ["refused-%06d" % i for i in range(30)]
        with raw_kafka.Connection(sc.bootstrap) as c:
            assert c.produce(TOPIC, 0, raw_kafka.batch(refused)) == (0, -1)
        wait_until(lambda: "forwarder.dead_letter" in sc.log(), 30, "the dead-letter log line")
        after = produce("confluent", sc.bootstrap, TOPIC, 50, "after")
        wait_forwarded(up, TOPIC, 100)

        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order([before, after], upstream, allow_unacked=False)
        assert not any(r.value.startswith("refused-") for r in upstream[0]), \
            "a refused record reached the upstream"
        line = [l for l in sc.log().splitlines() if "forwarder.dead_letter" in l][0]
        assert "error=topic_authorization_failed" in line and "kept=true" in line, line

        # The refused batch sits in the dead-letter log, values readable
        # (uncompressed batch, kept verbatim).
        kept = b"".join(open(f, "rb").read() for f in glob.glob(
            os.path.join(sc.dir, "buffer", "main", "dead-letter", "*.seg")))
        missing = [v for v in refused if v.encode() not in kept]
        assert not missing, "not in the dead-letter log: %s" % missing[:5]
        print("  refused batch kept in the dead-letter log (%d records), later batches forwarded"
              % len(refused))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
