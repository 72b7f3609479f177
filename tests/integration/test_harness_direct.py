#!/usr/bin/python3
"""Self-test of the integration fixture, without the sidecar: against each
mock generation, every client driver produces straight to the mock, and
read_all + assert_exactly_once_in_order find each record exactly once and in
order. Also checks the mock controls the sidecar tests rely on: broker
down/up (refused while down, same port after up), response delay, injected
errors, leader moves. A failure here is a broken fixture, not a sidecar bug.
"""

import importlib.util
import sys
import time

from harness import (GENERATIONS, CLIENTS, ApiKey, Err, MockUpstream, produce,
                     produce_async, wait_produce, read_all, port_open,
                     assert_exactly_once_in_order, assert_records_match, run_test)

TOPIC = "direct"
N = 1000


def kafka_python_codecs():
    """kafka-python's snappy/lz4/zstd need Debian's python3-snappy,
    python3-lz4, python3-zstandard; test what is installed."""
    out = ["none", "gzip"]
    for codec, module in (("snappy", "snappy"), ("lz4", "lz4"), ("zstd", "zstandard")):
        if importlib.util.find_spec(module):
            out.append(codec)
        else:
            print("note: kafka-python %s not tested (no python module %s)" % (codec, module))
    return out


def runs_for(generation):
    """(client, options) for every produce run against one generation."""
    runs = []
    # confluent-kafka (librdkafka 2.0.2): every codec, idempotent, headers.
    for codec in sorted(CLIENTS["confluent"]["compression"]):
        runs.append(("confluent", dict(compression=codec, idempotent=True, headers=True)))
    runs.append(("confluent", dict(acks="1", key_mod=0)))
    # kafka-python: no idempotence.
    for codec in kafka_python_codecs():
        runs.append(("kafka-python", dict(compression=codec, headers=True)))
    # kafkajs: idempotence needs a controller the client can find, which the
    # 2.0.2 mock does not give (it reports ControllerId 0; README.md).
    for codec in sorted(CLIENTS["kafkajs"]["compression"]):
        runs.append(("kafkajs", dict(compression=codec, headers=True,
                                     idempotent=generation == "2.15")))
    # librdkafka 2.15.1: every codec, idempotent.
    for codec in sorted(CLIENTS["rdkafka-2.15"]["compression"]):
        runs.append(("rdkafka-2.15", dict(compression=codec, idempotent=True, headers=True)))
    return runs


def check_clients(generation):
    with MockUpstream(generation, topics={TOPIC: 3}) as up:
        print("== librdkafka %s mock at %s" % (up.version, up.bootstrap))
        results = []
        runs = runs_for(generation)
        for i, (client, opts) in enumerate(runs):
            t0 = time.monotonic()
            res = produce(client, up.bootstrap, TOPIC, N, "r%02d" % i, timeout=60, **opts)
            print("  %-13s %-50s %d acked in %.2fs (%s)" % (
                client, opts, len(res.acked), time.monotonic() - t0, res["client"]))
            results.append(res)
        upstream = read_all(up.bootstrap, TOPIC)
        total = sum(len(v) for v in upstream.values())
        assert total == N * len(results), "upstream has %d records, expected %d" % (
            total, N * len(results))
        assert_exactly_once_in_order(results, upstream, allow_unacked=False,
                                     check_offsets=True)
        # Timestamps of all, headers of the runs that sent them.
        assert_records_match(results, upstream)
        assert_records_match([r for r, (_, o) in zip(results, runs) if o.get("headers")],
                             upstream, headers=True)
        print("  read_all: %d records, exactly once, in order" % total)


def check_controls(generation):
    with MockUpstream(generation, topics={"ctl": 3}) as up:
        print("== controls, librdkafka %s" % up.version)
        b1 = up.brokers[1]

        # down: refused while down, back on the same port after up; a
        # producer started while its partition's leader is down delivers
        # once the broker is back.
        assert up.leader_of("ctl", 0) == 1
        up.down(1)
        assert not port_open(*b1), "broker 1 still accepts connections while down"
        h = produce_async("confluent", up.bootstrap, "ctl", 200, "down1", partition=0,
                          idempotent=True, timeout=60)
        time.sleep(2)
        up.up(1)
        assert up.brokers[1] == b1 and port_open(*b1), "broker 1 not back on its port"
        res_down = wait_produce(h)
        print("  down/up of a leader: 200 records delivered after up")

        # down-all / up-all, with the modern client.
        up.down_all()
        assert not any(port_open(*hp) for hp in up.brokers.values())
        h = produce_async("rdkafka-2.15", up.bootstrap, "ctl", 300, "downall",
                          idempotent=True, timeout=60)
        time.sleep(2)
        up.up_all()
        res_all = wait_produce(h)
        print("  down-all/up-all: 300 records delivered after up-all")

        # rtt delays answers.
        up.rtt(-1, 300)
        t0 = time.monotonic()
        res_rtt = produce("confluent", up.bootstrap, "ctl", 10, "rtt", linger_ms=0)
        took = time.monotonic() - t0
        up.rtt(-1, 0)
        assert took >= 0.3, "rtt 300 ms had no effect (%.2fs)" % took
        print("  rtt 300 ms: produce took %.2fs" % took)

        # Injected Produce errors are retried by the client and append
        # nothing, so no duplicates.
        up.error(ApiKey.PRODUCE, Err.NOT_LEADER_OR_FOLLOWER, 3)
        res_err = produce("confluent", up.bootstrap, "ctl", 100, "err", idempotent=True)
        print("  3 injected NOT_LEADER_OR_FOLLOWER: retried, delivered")

        # Leader moves.
        up.leader("ctl", 0, 2)
        assert up.leader_of("ctl", 0) == 2
        res_lead = produce("kafka-python", up.bootstrap, "ctl", 100, "lead", partition=0)

        # Errors in the protocol itself: bad commands answer "error".
        try:
            up.command("down 99")
            raise AssertionError("down 99 was accepted")
        except Exception as e:
            assert "bad number" in str(e), e

        upstream = read_all(up.bootstrap, "ctl")
        assert_exactly_once_in_order([res_down, res_all, res_rtt, res_err, res_lead],
                                     upstream, allow_unacked=False, check_offsets=True)
        assert all(r.partition == 0 for r in upstream[0])
        print("  read_all after the controls: exactly once, in order")


def check_checker():
    """assert_exactly_once_in_order itself catches loss, duplicates and
    reordering."""
    from harness import Record
    acked = [{"partition": 0, "key": None, "value": "p-%06d" % i} for i in range(4)]

    def up(values):
        return {0: [Record(0, o, None, v, [], 0) for o, v in enumerate(values)]}

    assert_exactly_once_in_order(acked, up(["p-000000", "p-000001", "p-000002", "p-000003"]))
    for bad, word in ((["p-000000", "p-000001", "p-000003"], "missing"),
                      (["p-000000", "p-000001", "p-000001", "p-000002", "p-000003"], "duplicate"),
                      (["p-000000", "p-000002", "p-000001", "p-000003"], "order")):
        try:
            assert_exactly_once_in_order(acked, up(bad))
        except AssertionError as e:
            assert word in str(e), str(e)
        else:
            raise AssertionError("checker missed %s" % word)
    print("== checker catches missing, duplicate, out-of-order records")


def main():
    check_checker()
    for generation in GENERATIONS:
        check_clients(generation)
        check_controls(generation)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
