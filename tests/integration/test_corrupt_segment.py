#!/usr/bin/python3
"""A damaged byte in the middle of the buffer (bit rot, a bad sector): the
policy of docs/GUARANTEES.md, end to end.

Five produce runs are buffered while the upstream is down and the sidecar
is stopped; one bit inside the middle batch is flipped on disk. On the next
start the frame's CRC-32C exposes it: the damaged range is skipped and
named in the log (buffer.corruption), the metric
kafka_sidecar_buffer_recovered_corrupt_bytes says how much, and every other
batch is forwarded exactly once, in order, when the upstream returns. Only
the damaged batch is lost.
"""

import os
import sys

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, buffer_inspect,
                     buffer_report, produce, read_all, run_test, wait_forwarded)
from test_admin_api import metric, scrape

TOPIC = "audit"


def main():
    # The partition count declared: the sidecar never sees the topic before the outage.
    with MockUpstream("2.15", topics={TOPIC: 1}) as up, \
            Sidecar(upstream=up, config={"topics": {TOPIC: {"partitions": 1}}}) as sc:
        print("== a flipped byte in the middle of a segment")
        up.down_all()
        batches = [produce("confluent", sc.bootstrap, TOPIC, 50, "b%d" % i) for i in range(5)]
        sc.terminate()

        p = buffer_inspect("--dump", config=sc.config_path)
        assert p.returncode == 0, p.stderr
        report = buffer_report(p.stdout)["main"]
        entries = report["entries"]
        assert len(entries) >= 5, "%d entries" % len(entries)
        (segment,) = report["segments"]
        victim_index = len(entries) // 2
        victim = entries[victim_index]
        # Each produce run is its own batches, in log order: the victim's
        # records are the ones after everything logged before it.
        first = sum(e["records"] for e in entries[:victim_index])
        lost = {"b%d-%06d" % divmod(n, 50) for n in range(first, first + victim["records"])}
        path = os.path.join(report["log"]["dir"], segment["name"])
        at = victim["position"] - segment["base"] + 60  # inside the Kafka batch
        with open(path, "r+b") as f:
            f.seek(at)
            byte = f.read(1)
            f.seek(at)
            f.write(bytes([byte[0] ^ 0x01]))
        print("  flipped one bit at offset %d of %s: batch %d of %d, %d records"
              % (at, segment["name"], victim_index + 1, len(entries), len(lost)))

        sc.start()
        log = sc.log()
        assert "buffer.corruption" in log, "the damage is not in the log"
        damaged = metric(scrape(sc), "kafka_sidecar_buffer_recovered_corrupt_bytes",
                         cluster="main")
        assert damaged >= 1, damaged
        up.up_all()
        acked = [a for r in batches for a in r["acked"]]
        kept = [a for a in acked if a["value"] not in lost]
        wait_forwarded(up, TOPIC, len(kept))
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(kept, upstream, allow_unacked=False)
        assert not any(r.value in lost for recs in upstream.values() for r in recs)
        print("  restarted: %d damaged bytes skipped and reported; the other %d records "
              "forwarded exactly once, in order" % (damaged, len(kept)))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
