#!/usr/bin/python3
"""Produce through the sidecar against the same load sent straight to the
mock cluster, in the same run (the machines are noisy: only ratios travel).

For each setup, librdkafka (confluent-kafka) produces N records of SIZE
bytes to a 6-partition topic with acks=all and linger 1 ms, R rounds; the
benchmark reports throughput as a ratio to the direct baseline, the p50 and
p99 of per-record latency (produce() to delivery report), and the
sidecar's peak RSS. With the sidecar, a record counts as delivered when the
sidecar acknowledges it (durable locally); the run then also waits until
the cluster holds everything, so forwarding keeps up or the drain time shows.

    /usr/bin/python3 tests/bench/produce_latency.py [--records N] [--size B] [--rounds R]
                                                    [--rate RECORDS_PER_S]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import MockUpstream, Sidecar, upstream_total, wait_until  # noqa: E402

TOPIC = "bench"
PARTITIONS = 6


def produce(bootstrap, n, size, rate):
    """(records per second, latencies in ms). rate: records per second to
    pace at (latency without queueing), or 0 for as fast as possible."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 1,
                  "enable.idempotence": True})
    payload = b"x" * size
    latencies = []

    def done(err, _msg, sent):
        if err is not None:
            raise RuntimeError(err)
        latencies.append((time.monotonic() - sent) * 1000)

    start = time.monotonic()
    for i in range(n):
        if rate:
            ahead = start + i / rate - time.monotonic()
            if ahead > 0:
                p.poll(ahead)
        sent = time.monotonic()
        while True:
            try:
                p.produce(TOPIC, payload, key=str(i % 64).encode(),
                          on_delivery=lambda err, msg, sent=sent: done(err, msg, sent))
                break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    p.flush(60)
    elapsed = time.monotonic() - start
    assert len(latencies) == n, "%d of %d delivered" % (len(latencies), n)
    return n / elapsed, latencies


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rate", type=int, default=0,
                    help="records/s to pace at (0: as fast as possible)")
    args = ap.parse_args()
    setups = [("direct to the cluster", None),
              ("sidecar, fsync always", {"buffer": {"fsync": "always"}}),
              ("sidecar, fsync interval", {"buffer": {"fsync": "interval"}})]
    rows = {name: {"rate": [], "lat": [], "rss": [], "drain": []} for name, _ in setups}
    for _ in range(args.rounds):
        for name, config in setups:
            with MockUpstream("2.15", topics={TOPIC: PARTITIONS}) as up:
                if config is None:
                    rate, lat = produce(up.bootstrap, args.records, args.size, args.rate)
                else:
                    with Sidecar(upstream=up, config=config) as sc:
                        rate, lat = produce(sc.bootstrap, args.records, args.size, args.rate)
                        t0 = time.monotonic()
                        wait_until(lambda: upstream_total(up.bootstrap, TOPIC, PARTITIONS)
                                   >= args.records, 120, "the cluster to hold everything", 0.1)
                        rows[name]["drain"].append(time.monotonic() - t0)
                        rows[name]["rss"].append(peak_rss_mib(sc.proc.pid))
                rows[name]["rate"].append(rate)
                rows[name]["lat"].extend(lat)
    base = statistics.median(rows[setups[0][0]]["rate"])
    print("%d records of %d B, %s, %d rounds, median of rounds" % (
        args.records, args.size, "%d/s" % args.rate if args.rate else "as fast as possible",
        args.rounds))
    print("%-26s %10s %8s %9s %9s %10s %9s" % ("setup", "records/s", "ratio", "p50 ms",
                                               "p99 ms", "drain s", "peak RSS"))
    for name, _ in setups:
        r = rows[name]
        rate = statistics.median(r["rate"])
        drain = "%.2f" % statistics.median(r["drain"]) if r["drain"] else "-"
        rss = "%.0f MiB" % max(r["rss"]) if r["rss"] else "-"
        print("%-26s %10.0f %7.2fx %9.2f %9.2f %10s %9s" % (
            name, rate, rate / base, pct(r["lat"], 0.5), pct(r["lat"], 0.99), drain, rss))


if __name__ == "__main__":
    main()
