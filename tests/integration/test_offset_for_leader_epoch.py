#!/usr/bin/python3
"""OffsetForLeaderEpoch through the sidecar, against both mock generations:
for every partition and asked epoch, the sidecar's answer (at each version
it advertises, translated to the one the mock speaks) equals the answer
the partition's leader gives directly. A mock without the API (it closes
the connection) leaves the client with UNSUPPORTED_VERSION per partition.

No client at hand sends OffsetForLeaderEpoch on its own through the
sidecar: librdkafka 2.15 validates positions only with a leader epoch from
Metadata, which the sidecar does not report; hence raw requests.
"""

import sys

from harness import MockUpstream, Sidecar, api_versions, produce, run_per_generation
from raw_kafka import Connection, Reader, Writer

OFFSET_FOR_LEADER_EPOCH = 23
UNSUPPORTED_VERSION = 35
TOPIC = "orders"
PARTITIONS = 3
EPOCHS = (-1, 0, 1, 2, 3)
VERSIONS = (0, 1, 2, 3, 4)


def offset_for_leader_epoch(address, version, asked, current_leader_epoch=-1):
    """asked: [(topic, partition, leader epoch)] -> {(topic, partition,
    epoch asked): (error, leader epoch or None, end offset)}."""
    flexible = version >= 4
    w = Writer(flexible)
    if version >= 3:
        w.int32(-1)  # a consumer

    def partition(w, a):
        w.int32(a[1])
        if version >= 2:
            w.int32(current_leader_epoch)
        w.int32(a[2]).tags()
    topics = sorted({t for t, _, _ in asked})
    w.array([(t, [a for a in asked if a[0] == t]) for t in topics],
            lambda w, t: w.string(t[0]).array(t[1], partition).tags())
    w.tags()
    with Connection(address) as c:
        r = Reader(c.request(OFFSET_FOR_LEADER_EPOCH, version, w.value(), flexible), flexible)
    if version >= 2:
        r.int32()

    def answer(r):
        error, p = r.int16(), r.int32()
        epoch = r.int32() if version >= 1 else None
        end = r.int64()
        r.tags()
        return p, (error, epoch, end)

    out = []
    for topic, answers in r.array(lambda r: (r.string(), r.array(answer), r.tags())[:2]):
        out += [((topic, p), a) for p, a in answers]
    # Each (topic, partition) is asked once per request: key by the asked epoch.
    return {(t, p, e): dict(out)[(t, p)] for t, p, e in asked}


def as_version(answer, version):
    error, epoch, end = answer
    return error, epoch if version >= 1 else None, end


def check(generation):
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, Sidecar(upstream=up) as sc:
        print("== OffsetForLeaderEpoch, librdkafka %s mock" % up.version)
        produce("confluent", up.bootstrap, TOPIC, 60, "e1")
        up.leader(TOPIC, 0, up.leader_of(TOPIC, 0) % 3 + 1)  # a new epoch on partition 0
        produce("confluent", up.bootstrap, TOPIC, 60, "e2")
        mock_versions = api_versions(up.broker_address(1)).get(OFFSET_FOR_LEADER_EPOCH)

        if mock_versions is None:
            for version in VERSIONS:
                asked = [(TOPIC, p, 0) for p in range(PARTITIONS)]
                got = offset_for_leader_epoch(sc.bootstrap, version, asked)
                assert {a[0] for a in got.values()} == {UNSUPPORTED_VERSION}, (version, got)
            print("  the mock lacks the API: UNSUPPORTED_VERSION per partition, v0-4")
            sc.terminate()
            return

        low = mock_versions[0]
        for epoch in EPOCHS:
            direct = {}
            for p in range(PARTITIONS):
                leader = up.broker_address(up.leader_of(TOPIC, p))
                direct.update(offset_for_leader_epoch(leader, low, [(TOPIC, p, epoch)]))
            for version in VERSIONS:
                asked = [(TOPIC, p, epoch) for p in range(PARTITIONS)]
                got = offset_for_leader_epoch(sc.bootstrap, version, asked)
                want = {k: as_version(a, version) for k, a in direct.items()}
                assert got == want, (epoch, version, got, want)
            print("  epoch %2d: %s" % (epoch, sorted((p, a) for (_, p, _), a in direct.items())))

        # The current epoch check passes through both ways too.
        leader = up.broker_address(up.leader_of(TOPIC, 1))
        direct = offset_for_leader_epoch(leader, low, [(TOPIC, 1, 0)], current_leader_epoch=99)
        got = offset_for_leader_epoch(sc.bootstrap, 2, [(TOPIC, 1, 0)], current_leader_epoch=99)
        assert got == direct and direct[(TOPIC, 1, 0)][0] != 0, (got, direct)
        print("  a future current epoch: error %d both ways" % direct[(TOPIC, 1, 0)][0])
        print("  the sidecar answers as the leaders do, at v0-4 (the mock speaks v%d-%d)"
              % mock_versions)
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
