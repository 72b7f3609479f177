#!/usr/bin/python3
"""The benchmark suite: the sidecar against going straight to the cluster,
side by side in the same run (the machines are noisy: only ratios travel).

    /usr/bin/python3 tests/bench/bench.py [--smoke]
        [--only produce,drain,consume,buffer,recovery,compression]

Scenarios (docs/PERFORMANCE.md explains each and records results):
  produce   the same librdkafka load (bench-produce: acks=all, linger 5 ms)
            straight to the mock cluster, then through the sidecar
            (fsync: always): throughput, ack latency p50/p99/p999, the
            sidecar's peak RSS and CPU.
  drain     the cluster down while the load is buffered, then up: the time
            until everything is upstream, as a rate against direct produce.
  consume   a consumer group (bench-consume) reading the same topic straight
            from the cluster and through the sidecar.
  buffer    the buffer's append + group commit (fsync always) with 1, 8 and
            64 concurrent producers against the disk's fdatasync'd
            sequential write limit, measured by the same tool (bench-buffer).
  recovery  a restart after kill -9 with a large buffer: time to listen.
  compression
            the drain scenario with JSON order records (bench-produce
            --payload orders) and forward.compression none, snappy, lz4 and
            zstd: the bytes sent upstream (the sidecar's metrics) against
            none's, and the sidecar CPU the drain took.

--smoke runs each with a small load (CI: it proves the suite works; no
timing is asserted). The buffer lives in $KS_TEST_DIR (default: a temp dir):
on a tmpfs an fsync is free, so point KS_TEST_DIR at a real disk for
numbers that mean something.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import (MockUpstream, Sidecar, _build_path, passed, port_open,  # noqa: E402
                     test_dir, upstream_total, wait_until, watermarks)
from test_admin_api import metric, scrape  # noqa: E402

PARTITIONS = 6
FULL = {"loads": [(1_000_000, 100), (200_000, 1024)], "drain": (200_000, 1024),
        "consume": (500_000, 100), "buffer_seconds": 3, "recovery_bytes": 1 << 30,
        "compression": (200_000, 1024)}
SMOKE = {"loads": [(20_000, 100), (5_000, 1024)], "drain": (5_000, 1024),
         "consume": (20_000, 100), "buffer_seconds": 0.3, "recovery_bytes": 16 << 20,
         "compression": (2_000, 1024)}
CODECS = ("none", "snappy", "lz4", "zstd")


def tool(name, *args, timeout=900):
    """Runs a bench driver; returns its JSON."""
    path = _build_path("KS_" + name.upper().replace("-", "_"), name)
    proc = subprocess.run([path] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s %s" % (name, proc.returncode, proc.stdout,
                                                      proc.stderr[-2000:]))
    return json.loads(proc.stdout)


def produce(bootstrap, topic, count, size, producers=1, payload="random"):
    return tool("bench-produce", "--bootstrap", bootstrap, "--topic", topic, "--count", count,
                "--size", size, "--producers", producers, "--linger-ms", 5, "--acks", "all",
                "--idempotent", "--payload", payload)


class ProcessUsage:
    """Peak RSS and CPU seconds of a process, from /proc."""

    def __init__(self, pid):
        self.pid = pid
        self.cpu_at_start = self.cpu()

    def cpu(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_used(self):
        return self.cpu() - self.cpu_at_start

    def peak_rss_mib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0


def sidecar(up, name, topic, compression="none"):
    """A fresh sidecar (empty buffer) that knows `topic`'s partition count
    ahead, so it takes produces while the cluster is down."""
    config = {"buffer": {"fsync": "always", "segment_bytes": "64MiB", "max_bytes": "4GiB"},
              "topics": {topic: {"partitions": PARTITIONS}},
              "forward": {"compression": compression}}
    return Sidecar(upstream=up, config=config, name=name)


def rate(result):
    return result["records"] / result["seconds"] if result["seconds"] > 0 else 0


def show(label, value, baseline, unit, higher_is_better=True, against="direct"):
    ratio = value / baseline if baseline else float("nan")
    print("  %-38s %12.1f %-10s %s %12.1f   ratio %.2fx%s" % (
        label, value, unit, against, baseline, ratio,
        "" if higher_is_better else " (lower is better)"))


def scenario_produce(up, loads):
    print("== produce: the same load straight to the cluster and through the sidecar")
    for count, size in loads:
        topic = "produce-%d" % size
        up.create(topic, PARTITIONS)
        direct = produce(up.bootstrap, topic, count, size)
        with sidecar(up, "bench-produce-%d" % size, topic) as sc:
            usage = ProcessUsage(sc.proc.pid)
            through = produce(sc.bootstrap, topic, count, size)
            cpu = usage.cpu_used()
            rss = usage.peak_rss_mib()
            wait_until(lambda: upstream_total(up.bootstrap, topic, PARTITIONS) >= 2 * count,
                       600, "the sidecar to forward %d records" % count, interval=0.5)
            sc.terminate()
        print(" %d records of %d B, acks=all:" % (count, size))
        show("throughput (records/s)", rate(through), rate(direct), "rec/s")
        show("throughput (MB/s)", through["bytes"] / through["seconds"] / 1e6,
             direct["bytes"] / direct["seconds"] / 1e6, "MB/s")
        for q in ("p50", "p99", "p999"):
            show("ack latency %s (ms)" % q, through["latency_ms"][q], direct["latency_ms"][q],
                 "ms", higher_is_better=False)
        print("  %-34s %12.1f MiB     cpu %.1f s (%.1f us/record)" % (
            "sidecar peak RSS", rss, cpu, cpu / count * 1e6))


def drain_backlog(up, sc, topic, total):
    """Brings the cluster back and times the forwarding of the backlog the
    sidecar held then (not all that was produced: brokers going down one by
    one let some batches through first). Polls the sidecar's own counter,
    which is cheap enough to poll every 10 ms (a drain takes about a
    second), then checks that the cluster holds `total` records. Returns
    (records drained, seconds)."""
    samples = scrape(sc)
    pending = metric(samples, "kafka_sidecar_buffer_unforwarded_records")
    target = metric(samples, "kafka_sidecar_forwarded_records_total") + pending
    started = time.monotonic()
    up.up_all()
    wait_until(lambda: metric(scrape(sc), "kafka_sidecar_forwarded_records_total") >= target,
               900, "the backlog to drain", interval=0.01)
    drained = time.monotonic() - started
    wait_until(lambda: upstream_total(up.bootstrap, topic, PARTITIONS) >= total,
               60, "the cluster to hold every record", interval=0.2)
    return pending, drained


def scenario_drain(up, count, size):
    print("== drain: %d records of %d B buffered while the cluster is down, then up" % (
        count, size))
    topic = "drain"
    up.create(topic, PARTITIONS)
    direct = produce(up.bootstrap, topic, count, size)
    with sidecar(up, "bench-drain", topic) as sc:
        up.down_all()
        produce(sc.bootstrap, topic, count, size)
        pending, drained = drain_backlog(up, sc, topic, 2 * count)
        sc.terminate()
    show("drain (records/s)", pending / drained, rate(direct), "rec/s")
    print("  %-34s %12.2f s for %d records" % ("drain time", drained, pending))


def scenario_compression(up, count, size):
    print("== compression: %d JSON orders of %d B buffered, then drained with "
          "forward.compression" % (count, size))
    results = {}
    for codec in CODECS:
        topic = "compression-" + codec
        up.create(topic, PARTITIONS)
        with sidecar(up, "bench-compression-" + codec, topic, compression=codec) as sc:
            up.down_all()
            produce(sc.bootstrap, topic, count, size, payload="orders")
            usage = ProcessUsage(sc.proc.pid)
            pending, drained = drain_backlog(up, sc, topic, count)
            cpu = usage.cpu_used()
            samples = scrape(sc)
            results[codec] = {
                "rate": pending / drained, "cpu": cpu,
                "accepted": metric(samples, "kafka_sidecar_accepted_bytes_total"),
                "upstream": metric(samples, "kafka_sidecar_forwarded_bytes_total")}
            sc.terminate()
    base = results["none"]
    for codec in CODECS:
        r = results[codec]
        print(" %s:" % codec)
        show("bytes sent upstream (MB)", r["upstream"] / 1e6, base["upstream"] / 1e6, "MB",
             higher_is_better=False, against="none  ")
        show("drain (records/s)", r["rate"], base["rate"], "rec/s", against="none  ")
        print("  %-38s %12.2f s         none   %12.2f s   (+%.2f s, %.1f us/record)" % (
            "sidecar CPU during the drain", r["cpu"], base["cpu"], r["cpu"] - base["cpu"],
            (r["cpu"] - base["cpu"]) / count * 1e6))


def scenario_consume(up, count, size):
    print("== consume: a consumer group straight from the cluster and through the sidecar")
    topic = "consume"
    up.create(topic, PARTITIONS)
    produce(up.bootstrap, topic, count, size)
    # The mock keeps only the newest records of a partition (its own
    # retention): read what it still holds.
    count = sum(hi - lo for lo, hi in watermarks(up.bootstrap, topic, PARTITIONS).values())
    direct = tool("bench-consume", "--bootstrap", up.bootstrap, "--topic", topic,
                  "--group", "direct", "--count", count)
    with sidecar(up, "bench-consume", topic) as sc:
        usage = ProcessUsage(sc.proc.pid)
        through = tool("bench-consume", "--bootstrap", sc.bootstrap, "--topic", topic,
                       "--group", "through", "--count", count)
        print(" %d records of %d B:" % (count, size))
        show("consume, first to last record (rec/s)", rate(through), rate(direct), "rec/s")
        # From subscribing: the group's join (the same either way) included.
        show("consume, from subscribe (rec/s)",
             count / (through["first_record_s"] + through["seconds"]),
             count / (direct["first_record_s"] + direct["seconds"]), "rec/s")
        print("  %-34s %12.1f MiB     cpu %.1f s" % ("sidecar peak RSS", usage.peak_rss_mib(),
                                                     usage.cpu_used()))
        sc.terminate()


def scenario_buffer(seconds):
    print("== buffer: append + group commit against the disk's fdatasync'd write limit")
    for producers in (1, 8, 64):
        r = tool("bench-buffer", "--dir", os.path.join(test_dir(), "bench-buffer"),
                 "--producers", producers, "--batch-bytes", 16384, "--seconds", seconds)
        a = r["appender"]
        show("%2d producers x 16 KiB (MB/s)" % producers, a["mb_per_s"], r["disk"]["mb_per_s"],
             "MB/s", against="disk  ")
        print("  %-34s %12.1f /s      append latency p50 %.2f ms, p99 %.2f ms" % (
            "fsyncs", a["fsyncs_per_s"], a["latency_ms"]["p50"], a["latency_ms"]["p99"]))


def scenario_recovery(up, total_bytes):
    size = 1024
    count = total_bytes // size
    print("== recovery: restart after kill -9 with %d MiB buffered" % (total_bytes >> 20))
    topic = "recovery"
    up.create(topic, PARTITIONS)
    with sidecar(up, "bench-recovery", topic) as sc:
        up.down_all()
        produce(sc.bootstrap, topic, count, size, producers=4)
        sc.kill9()
        started = time.monotonic()
        sc.start()
        wait_until(lambda: port_open("127.0.0.1", sc.port), 60, "the restart")
        took = time.monotonic() - started
        up.up_all()
        sc.terminate()
    print("  %-34s %12.2f s   (target: 2 s for 1 GiB)" % ("restart to listening", took))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small loads (CI)")
    parser.add_argument("--only", default="produce,drain,consume,buffer,recovery,compression")
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    only = set(args.only.split(","))
    print("bench: %s run, buffer in %s" % ("smoke" if args.smoke else "full", test_dir()))
    with MockUpstream("2.15", brokers=3) as up:
        if "produce" in only:
            scenario_produce(up, plan["loads"])
        if "drain" in only:
            scenario_drain(up, *plan["drain"])
        if "consume" in only:
            scenario_consume(up, *plan["consume"])
        if "buffer" in only:
            scenario_buffer(plan["buffer_seconds"])
        if "recovery" in only:
            scenario_recovery(up, plan["recovery_bytes"])
        if "compression" in only:
            scenario_compression(up, *plan["compression"])
    passed()


if __name__ == "__main__":
    main()
