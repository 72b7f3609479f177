#!/usr/bin/python3
"""forward.compression (issue 8): uncompressed client batches go upstream
compressed, in the wire form real consumers read.

For each codec (gzip, snappy, lz4, zstd), against each mock generation (the
2.0 mock speaks Produce up to v7, the first version zstd is allowed at):
1. confluent-kafka produces uncompressed through the sidecar; a consumer
   reading straight from the mock gets every value, in order, exactly once;
   the metrics show the batches compressed and fewer bytes sent than
   accepted.
2. Batches a client compressed itself (lz4, built by kafka-python's record
   code and sent by hand, so that every one is compressed) are forwarded
   as they are: nothing more is compressed, and their bytes reach the
   upstream as many as the sidecar accepted.
Then, against a 2.15 mock that offers Produce only up to v6, zstd is not
used: the batches go uncompressed and the sidecar says so once.
"""

import sys

from harness import (ApiKey, MockUpstream, Sidecar, assert_exactly_once_in_order, produce,
                     read_all, run_test, wait_forwarded, wait_until, GENERATIONS)
import raw_kafka
from test_admin_api import metric, scrape

TOPIC = "orders"
CODECS = ("gzip", "snappy", "lz4", "zstd")
COUNT = 2000
LZ4 = 3  # Kafka's codec id


def counters(sc):
    samples = scrape(sc)

    def value(name):
        return metric(samples, "kafka_sidecar_" + name, cluster="main")

    return {name: value(name) for name in (
        "accepted_bytes_total", "forwarded_bytes_total", "forwarded_records_total",
        "forward_compression_batches_total", "forward_compression_input_bytes_total",
        "forward_compression_output_bytes_total")}


def forwarded_all(sc, records):
    return lambda: counters(sc)["forwarded_records_total"] >= records


def check_codec(generation, codec):
    config = {"forward": {"compression": codec}}
    with MockUpstream(generation, topics={TOPIC: 3}) as up, \
            Sidecar(upstream=up, config=config) as sc:
        print("== forward.compression: %s, librdkafka %s mock" % (codec, up.version))
        plain = produce("confluent", sc.bootstrap, TOPIC, COUNT, "plain-" + codec)
        wait_forwarded(up, TOPIC, COUNT)
        wait_until(forwarded_all(sc, COUNT), 30, "the forwarded records counted")
        first = counters(sc)
        assert first["forward_compression_batches_total"] > 0, first
        saved = 1 - (first["forward_compression_output_bytes_total"] /
                     first["forward_compression_input_bytes_total"])
        assert saved > 0.3, "only %.0f%% saved: %s" % (100 * saved, first)
        assert first["forwarded_bytes_total"] < first["accepted_bytes_total"], first
        print("  %d batches compressed, %.0f%% of their bytes saved upstream" % (
            first["forward_compression_batches_total"], 100 * saved))

        values = ["lz4-%s-%06d" % (codec, i) for i in range(COUNT)]
        with raw_kafka.Connection(sc.bootstrap) as c:
            for start in range(0, COUNT, 200):
                records = raw_kafka.batch(values[start:start + 200], compression_type=LZ4)
                assert records[22] & 0x7 == LZ4, "kafka-python did not compress"
                assert c.produce(TOPIC, 0, records) == (0, -1)
        compressed = [(0, None, v) for v in values]
        wait_forwarded(up, TOPIC, 2 * COUNT)
        wait_until(forwarded_all(sc, 2 * COUNT), 30, "the forwarded records counted")
        second = counters(sc)
        assert (second["forward_compression_batches_total"] ==
                first["forward_compression_batches_total"]), (first, second)
        accepted = second["accepted_bytes_total"] - first["accepted_bytes_total"]
        forwarded = second["forwarded_bytes_total"] - first["forwarded_bytes_total"]
        assert accepted == forwarded, "lz4 batches changed: %d -> %d bytes" % (
            accepted, forwarded)

        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order([plain, compressed], upstream, allow_unacked=False)
        print("  %d records read back from the mock, in order, once; the lz4 batches "
              "untouched" % (2 * COUNT))
        sc.terminate()


def check_zstd_needs_produce_v7():
    with MockUpstream("2.15", topics={TOPIC: 1}) as up:
        up.api_version(ApiKey.PRODUCE, 0, 6)
        with Sidecar(upstream=up, config={"forward": {"compression": "zstd"}}) as sc:
            print("== zstd to brokers offering Produce up to v6, librdkafka %s mock" % up.version)
            sent = produce("confluent", sc.bootstrap, TOPIC, COUNT, "old-broker")
            wait_forwarded(up, TOPIC, COUNT)
            wait_until(forwarded_all(sc, COUNT), 30, "the forwarded records counted")
            seen = counters(sc)
            assert seen["forward_compression_batches_total"] == 0, seen
            assert seen["forwarded_bytes_total"] == seen["accepted_bytes_total"], seen
            lines = [l for l in sc.log().splitlines() if "forwarder.compression_unsupported" in l]
            assert len(lines) == 1, "want one log line, got %s" % lines
            assert "produce_version=6" in lines[0], lines[0]
            assert_exactly_once_in_order(sent, read_all(up.bootstrap, TOPIC),
                                         allow_unacked=False)
            print("  sent uncompressed, said once: %s" % lines[0].split(" ", 2)[-1])
            sc.terminate()


def main():
    for generation in GENERATIONS:
        for codec in CODECS:
            check_codec(generation, codec)
    check_zstd_needs_produce_v7()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
