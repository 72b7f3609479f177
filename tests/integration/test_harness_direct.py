#!/usr/bin/python3
"""Self-test of the integration fixture, without the sidecar: against each
mock generation, every client driver produces straight to the mock, and
read_all + assert_exactly_once_in_order find each record exactly once and in
order. Also checks the mock controls the sidecar tests rely on: broker
down/up (refused while down, same port after up), response delay, injected
errors, leader moves. A failure here is a broken fixture, not a sidecar bug.
"""

import os
import sys
import time

from harness import (GENERATIONS, CLIENTS, ApiKey, Err, MockUpstream, Sidecar, SidecarError,
                     produce,
                     produce_async, wait_produce, read_all, port_open, api_versions,
                     watermarks, wait_until,
                     assert_exactly_once_in_order, assert_records_match, client_runs,
                     run_test)

TOPIC = "direct"
N = 1000


def check_clients(generation):
    with MockUpstream(generation, topics={TOPIC: 3}) as up:
        print("== librdkafka %s mock at %s" % (up.version, up.bootstrap))
        results = []
        # kafkajs idempotence needs a controller the client can find, which
        # the 2.0.2 mock does not give (it reports ControllerId 0; README.md).
        runs = client_runs(kafkajs_idempotent=generation == "2.15")
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


# What each mock generation advertises for the APIs the sidecar uses
# (tests/upstream/README.md, DESIGN.md). A new Debian librdkafka would change
# these: then the README and the sidecar's version translation need a look.
EXPECTED_VERSIONS = {
    "2.0": {0: (0, 7), 1: (0, 11), 2: (0, 5), 3: (0, 2), 8: (0, 7), 9: (0, 5),
            10: (0, 2), 11: (0, 5), 12: (0, 3), 13: (0, 1), 14: (0, 3),
            18: (0, 2), 22: (0, 4)},
    "2.15": {0: (0, 10), 1: (0, 16), 2: (0, 7), 3: (0, 12), 8: (0, 9), 9: (0, 6),
             10: (0, 3), 11: (0, 6), 12: (0, 5), 13: (0, 4), 14: (0, 4),
             18: (0, 2), 22: (0, 4), 23: (2, 2)},
}


def check_facts(generation):
    """The mock behaviours the sidecar's design rests on."""
    with MockUpstream(generation, topics={"facts": 1}) as up:
        print("== facts, librdkafka %s" % up.version)
        got = api_versions(up.broker_address(1))
        for key, want in EXPECTED_VERSIONS[generation].items():
            assert got.get(key) == want, "ApiKey %d: mock advertises %s, expected %s" % (
                key, got.get(key), want)
        for absent in (15, 16, 36, 61):  # DescribeGroups, ListGroups, SaslHandshake, DescribeProducers
            assert absent not in got, "ApiKey %d unexpectedly supported" % absent
        print("  ApiVersions as documented")

        # An ambiguous outcome: the Produce is appended but its answer is
        # held back (8 s: far longer than a loaded machine takes to see the
        # records appended) and the broker goes down before sending it. The
        # client resends after `up`, and the mock, which deduplicates only
        # transactional producers, stores the batch twice, idempotent or not.
        up.broker_error(1, ApiKey.PRODUCE, 0, rtt_ms=8000)
        h = produce_async("confluent", up.bootstrap, "facts", 50, "amb", partition=0,
                          idempotent=True, linger_ms=0, timeout=60)
        # Down only once all 50 are appended (and their answers held back).
        wait_until(lambda: watermarks(up.bootstrap, "facts", 1)[0][1] >= 50, 10,
                   "50 records appended upstream")
        up.down(1)
        time.sleep(0.5)
        up.up(1)
        res = wait_produce(h)
        values = [r.value for r in read_all(up.bootstrap, "facts")[0]]
        assert len(res.acked) == 50 and len(set(values)) == 50, (len(res.acked), values)
        # (The held-back answer blocks the later ones on that connection
        # too, so every request sent before the down is resent.)
        assert len(values) == 100, "expected each record twice upstream, got %d" % len(values)
        print("  held-back ack + down: all 50 idempotent records stored twice")


def check_sidecar_process():
    """Sidecar's process handling, on a stand-in that only listens."""
    fake = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_sidecar.py")
    with Sidecar(upstream="127.0.0.1:1", binary=fake) as sc:
        assert port_open("127.0.0.1", sc.port)
        port = sc.port
        sc.kill9()
        assert not sc.running() and sc.proc.returncode == -9
        sc.restart(kill=True)
        assert sc.port == port and port_open("127.0.0.1", port)
        sc.restart()  # SIGTERM, must exit 0, then start again
        sc.terminate()
        assert sc.proc.returncode == 0 and sc.starts == 3
        assert sc.log().count("fake sidecar listening") == 3
    try:
        Sidecar(upstream="127.0.0.1:1", binary="/bin/false")
        raise AssertionError("a sidecar that exits at once was taken as started")
    except SidecarError as e:
        assert "exited with 1" in str(e), e
    print("== Sidecar start/kill9/restart/terminate work")


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
    check_sidecar_process()
    for generation in GENERATIONS:
        check_facts(generation)
        check_clients(generation)
        check_controls(generation)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
