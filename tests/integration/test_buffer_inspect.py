#!/usr/bin/python3
"""`kafka-sidecar buffer inspect` tells what the buffer holds, beside a
running sidecar and without changing it:

1. The upstream is down from the start (the topic's partitions declared in
   the config): a real client produces; inspections run all the while
   (each exits 0, finds no corruption: a frame still being written is an
   incomplete tail); then the report's per-partition record counts equal
   what was acked, all of it unforwarded. --dump prints one line per batch
   with the client's producer id, and no payload.
2. The upstream comes back: once everything is forwarded the checkpoint's
   cursors cover every partition (0 unforwarded).
3. Stopped, the buffer is left exactly as it was by an inspection; a
   flipped byte in the middle of a segment is reported (exit 1, the path
   on stderr) and still left alone.
Against each mock generation.
"""

import collections
import os
import sys
import threading

from harness import (GENERATIONS, MockUpstream, Sidecar, assert_exactly_once_in_order,
                     buffer_inspect, buffer_report, produce, read_all, run_test,
                     wait_forwarded, wait_until)

TOPIC = "inventory"
PARTITIONS = 4
COUNT = 3000
RUNS = 10  # producer runs, for many batches


def report_of(sc, *args):
    """Inspects the sidecar's buffer, which must be intact (exit 0); returns
    the report of its one cluster."""
    p = buffer_inspect(*args, config=sc.config_path)
    assert p.returncode == 0, "exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr)
    report = buffer_report(p.stdout)["main"]
    assert not report["corruption"], report["corruption"]
    return report, p.stdout


def inspect_until(sc, done, results):
    """Inspects again and again until `done` (at least once); appends to
    `results` (exit 0 and no corruption, an incomplete tail seen)."""
    while not done.is_set() or not results:
        p = buffer_inspect(config=sc.config_path)
        report = buffer_report(p.stdout)["main"]
        ok = p.returncode == 0 and not report["corruption"]
        if not ok:
            print("  inspection failed: exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
        results.append((ok, report["incomplete_tail"] is not None))


def files_of(directory):
    """{path: (size, mtime_ns)} of everything under `directory`."""
    out = {}
    for root, _, names in os.walk(directory):
        for name in names:
            st = os.stat(os.path.join(root, name))
            out[os.path.join(root, name)] = (st.st_size, st.st_mtime_ns)
    return out


def check(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up:
        print("== buffer inspect, librdkafka %s mock" % up.version)
        up.down_all()
        declared = {"topics": {TOPIC: {"partitions": PARTITIONS}}}
        with Sidecar(upstream=up, config=declared) as sc:
            # Many batches, inspected while they are being appended.
            done = threading.Event()
            live = []
            inspector = threading.Thread(target=inspect_until, args=(sc, done, live))
            inspector.start()
            try:
                results = [produce("confluent", sc.bootstrap, TOPIC, COUNT // RUNS,
                                   "inv%02d" % run, idempotent=True, linger_ms=0)
                           for run in range(RUNS)]
            finally:
                done.set()
                inspector.join()
            failed = sum(1 for ok, _ in live if not ok)
            assert live and not failed, \
                "%d of %d inspections during the produce failed" % (failed, len(live))
            print("  %d inspections while %d records were produced: no corruption (%d met a "
                  "frame being written)" % (len(live), COUNT, sum(1 for _, tail in live if tail)))

            acked = collections.Counter(a["partition"] for res in results for a in res.acked)
            assert sum(acked.values()) == COUNT and len(acked) == PARTITIONS, acked
            report, text = report_of(sc)
            for p in range(PARTITIONS):
                stats = report["partitions"][(TOPIC, p)]
                assert stats["records"] == acked[p], \
                    "partition %d: %s records buffered, %d acked" % (p, stats["records"], acked[p])
                assert stats["unforwarded_records"] == acked[p], stats
                assert stats["unforwarded_entries"] == stats["entries"], stats
            total = report["total"]
            assert total["records"] == COUNT and total["unforwarded_records"] == COUNT, total
            print("  upstream down: per partition %s records buffered, all unforwarded" %
                  [acked[p] for p in range(PARTITIONS)])

            dumped, dump_text = report_of(sc, "--dump")
            entries = dumped["entries"]
            assert len(entries) == total["entries"] >= RUNS * PARTITIONS, \
                "%d entry lines for %d batches" % (len(entries), total["entries"])
            per_partition = collections.Counter()
            for entry in entries:
                per_partition[entry["partition"]] += entry["records"]
                assert entry["producer_id"] >= 0 and entry["compression"] == "none", entry
                assert len(entry["record_lines"]) == entry["records"], entry
            assert dict(per_partition) == dict(acked), (per_partition, acked)
            assert "inv0" not in dump_text, "--dump printed a record's payload"
            print("  --dump: %d batches, one line each, no payload" % len(entries))

            up.up_all()
            wait_forwarded(up, TOPIC, COUNT)
            # The checkpoint follows the forwarder within its interval.
            wait_until(lambda: report_of(sc)[0]["total"]["unforwarded_records"] == 0, 30,
                       "the checkpoint to cover everything forwarded")
            report, _ = report_of(sc)
            assert report["checkpoint"]["state"] == "ok", report["checkpoint"]
            for p in range(PARTITIONS):
                stats = report["partitions"][(TOPIC, p)]
                assert isinstance(stats["forwarded_until"], int), stats
                assert stats["unforwarded_entries"] == 0, stats
            assert_exactly_once_in_order(results, read_all(up.bootstrap, TOPIC),
                                         allow_unacked=False)
            print("  upstream back: every cursor covers its partition, 0 unforwarded")
            sc.terminate()

            buffer_dir = os.path.join(sc.dir, "buffer")
            before = files_of(buffer_dir)
            report_of(sc, "--dump")
            assert files_of(buffer_dir) == before, "the inspection changed the buffer"

            # In the middle of a segment with frames after it: corruption, not a tail.
            fullest = max(report["segments"], key=lambda s: s["entries"])
            assert fullest["entries"] >= 3, report["segments"]
            segment = fullest["name"]
            path = os.path.join(report["log"]["dir"], segment)
            with open(path, "r+b") as f:
                size = os.path.getsize(path)
                f.seek(size // 2)
                byte = f.read(1)
                f.seek(size // 2)
                f.write(bytes([byte[0] ^ 0x40]))
            before = files_of(buffer_dir)
            p = buffer_inspect(config=sc.config_path)
            assert p.returncode == 1 and report["log"]["dir"] in p.stderr, \
                "exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr)
            damage = buffer_report(p.stdout)["main"]["corruption"]
            assert len(damage) == 1 and damage[0]["segment"] == segment and \
                damage[0]["offset"] <= size // 2 < damage[0]["offset"] + damage[0]["bytes"], damage
            assert files_of(buffer_dir) == before, "the inspection repaired the buffer"
            print("  stopped: inspecting changes nothing; a flipped byte is reported: %s" %
                  p.stderr.strip().splitlines()[-1])


def main():
    for generation in GENERATIONS:
        check(generation)
    p = buffer_inspect("--dir")
    assert p.returncode == 2 and "--dir needs a value" in p.stderr, p


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
