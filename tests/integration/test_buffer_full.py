#!/usr/bin/python3
"""A full buffer (max_bytes reached while the upstream is down) behaves as
configured, and never breaks the order or the exactly-once delivery of what
was acknowledged:

* reject: produces fail at once with a retriable error; the client keeps
  retrying; acked records arrive exactly once, in order.
* block: produces wait up to block_timeout, then fail with
  REQUEST_TIMED_OUT; the same guarantees.
* drop_oldest: every produce is acked; the oldest buffered records are
  dropped to make room (logged as buffer.dropped_oldest); what arrives is
  in order, without duplicates, and only whole dropped batches are missing.
* a batch larger than half of max_bytes could never be stored: it is
  refused for good (RECORD_LIST_TOO_LARGE), not retried until it expires.

Once the upstream is back the buffer drains and produces succeed again.
"""

import re
import sys
import time

from confluent_kafka import KafkaError, Producer

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, produce,
                     read_all, run_test, wait_forwarded, wait_until)

TOPIC = "clicks"
LIMITS = {"segment_bytes": "64KiB", "max_bytes": "256KiB", "block_timeout": "500ms"}
# The client's batches stay well below half of max_bytes (a loaded machine
# lets librdkafka fill 10000-record batches, about 280 KiB here).
BATCH_BYTES = 64 * 1024


def over_the_limit(policy):
    with MockUpstream("2.15", topics={TOPIC: 2}) as up, \
            Sidecar(upstream=up, config={"buffer": dict(LIMITS, when_full=policy)}) as sc:
        print("== when_full: %s" % policy)
        warm = produce("confluent", sc.bootstrap, TOPIC, 10, "warm", idempotent=True)
        wait_forwarded(up, TOPIC, 10)
        up.down_all()
        # Far more than 256 KiB: a few batches fit, the rest meet the limit.
        # reject/block: the client's 8 s delivery timeout ends the retries;
        # drop_oldest acks all, which takes longer on a loaded machine.
        full = produce("confluent", sc.bootstrap, TOPIC, 30000, "full", idempotent=True,
                       timeout=30 if policy == "drop_oldest" else 8, check=False,
                       extra_args=["--batch-bytes", str(BATCH_BYTES)])
        assert sc.running(), "the sidecar died on a full buffer"
        if policy == "drop_oldest":
            assert not full.errors, "drop_oldest refused records: %s" % full.errors[:3]
        else:
            assert full.acked and full.errors, \
                "expected some acked and some refused, got %d acked, %d refused" % (
                    len(full.acked), len(full.errors))
        print("  upstream down: %d acked, %d not" % (len(full.acked), len(full.errors)))

        up.up_all()
        after = produce("confluent", sc.bootstrap, TOPIC, 1000, "after", idempotent=True)
        if policy == "drop_oldest":
            check_dropped_oldest(up, sc, warm, full, after)
        else:
            wait_forwarded(up, TOPIC, 10 + len(full.acked) + 1000)
            upstream = read_all(up.bootstrap, TOPIC)
            assert_exactly_once_in_order([warm, full, after], upstream, allow_unacked=False)
        print("  upstream back: every acked record kept arrived exactly once, in order")
        sc.terminate()


def check_dropped_oldest(up, sc, warm, full, after):
    """Forwarding is in order, so once every `after` record is upstream, all
    that was kept of `full` is too."""
    def after_arrived():
        upstream = read_all(up.bootstrap, TOPIC)
        values = {r.value for records in upstream.values() for r in records}
        return all(a["value"] in values for a in after.acked) and upstream
    upstream = wait_until(after_arrived, 60, "the records produced after the outage")
    dropped = sum(int(n) for n in re.findall(r"buffer.dropped_oldest .*batches=(\d+)", sc.log()))
    assert dropped > 0, "nothing was dropped"
    # What is gone is the oldest part of each partition's stream.
    for p, records in upstream.items():
        present = [r.value for r in records if r.value.startswith("full-")]
        acked = [a["value"] for a in full.acked if a["partition"] == p]
        assert present == acked[len(acked) - len(present):], \
            "partition %d: what arrived is not the newest part of what was acked" % p
    kept = [a for a in full.acked
            if any(r.value == a["value"] for r in upstream[a["partition"]])]
    assert_exactly_once_in_order([warm, kept, after], upstream, allow_unacked=False)
    print("  %d batches dropped (%d of %d records); the newest %d arrived in order" % (
        dropped, len(full.acked) - len(kept), len(full.acked), len(kept)))


def batch_too_large():
    with MockUpstream("2.15", topics={TOPIC: 2}) as up, \
            Sidecar(upstream=up, config={"buffer": LIMITS}) as sc:
        print("== a batch larger than half of max_bytes")
        outcomes = []
        producer = Producer({"bootstrap.servers": sc.bootstrap, "message.timeout.ms": 30000})
        started = time.monotonic()
        producer.produce(TOPIC, value=b"x" * (160 * 1024), partition=0,
                         on_delivery=lambda err, msg: outcomes.append(err))
        producer.flush(40)
        took = time.monotonic() - started
        del producer  # closes its connection before the sidecar stops
        assert outcomes and outcomes[0] is not None, "the oversized batch was acked: %s" % outcomes
        assert outcomes[0].code() == KafkaError.RECORD_LIST_TOO_LARGE, outcomes[0]
        assert took < 10, "refused only after %.1f s: it was retried" % took
        assert "produce.batch_too_large" in sc.log(), "the refusal was not logged"
        small = produce("confluent", sc.bootstrap, TOPIC, 100, "small", idempotent=True)
        wait_forwarded(up, TOPIC, len(small.acked))
        print("  refused in %.1f s with %s; the next produce went through" % (
            took, outcomes[0].name()))
        sc.terminate()


def main():
    for policy in ("reject", "block", "drop_oldest"):
        over_the_limit(policy)
    batch_too_large()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
