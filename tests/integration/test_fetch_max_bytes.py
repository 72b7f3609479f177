#!/usr/bin/python3
"""A Fetch's max_bytes bounds the whole response, also when its partitions
live on different upstream leaders (each of which bounds only its own
answer): one raw Fetch v4 (encoded and decoded by kafka-python's protocol
classes, not ours) for three partitions led by three brokers. Against each
mock generation.
"""

from kafka.protocol.fetch import FetchRequest, FetchResponse

from harness import GENERATIONS, MockUpstream, Sidecar, produce, run_test, wait_forwarded
from raw_kafka import Connection

TOPIC = "big"
PARTITIONS = 3
PER_PARTITION = 40


def fetch(address, max_bytes):
    """{partition: (error, records bytes)} of one Fetch v4 from offset 0."""
    request = FetchRequest[4](
        replica_id=-1, max_wait_time=100, min_bytes=1, max_bytes=max_bytes, isolation_level=0,
        topics=[(TOPIC, [(p, 0, 1 << 20) for p in range(PARTITIONS)])])
    with Connection(address) as c:
        body = c.request(FetchRequest[4].API_KEY, 4, request.encode())
    response = FetchResponse[4].decode(body)
    out = {}
    for topic, partitions in response.topics:
        assert topic == TOPIC
        for partition, error, _hw, _lso, _aborted, records in partitions:
            out[partition] = (error, len(records or b""))
    return out


def check(generation):
    with MockUpstream(generation, brokers=3, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc:
        print("== fetch max_bytes across leaders, librdkafka %s mock" % up.version)
        leaders = {up.leader_of(TOPIC, p) for p in range(PARTITIONS)}
        assert len(leaders) == PARTITIONS, "each partition on its own broker: %s" % leaders
        for p in range(PARTITIONS):
            produce("confluent", sc.bootstrap, TOPIC, PER_PARTITION, "p%d" % p, partition=p)
        wait_forwarded(up, TOPIC, PARTITIONS * PER_PARTITION)

        whole = fetch(sc.bootstrap, 1 << 24)
        assert all(e == 0 and n > 0 for e, n in whole.values()), whole
        print("  max_bytes 16 MiB: every partition has records %s" % whole)

        first = whole[0][1]
        limited = fetch(sc.bootstrap, first + whole[1][1] - 1)
        assert limited[0] == (0, first), limited
        assert limited[1] == (0, 0) and limited[2] == (0, 0), limited
        print("  max_bytes just under two partitions' records: only the first has records %s"
              % limited)

        tiny = fetch(sc.bootstrap, 1)
        assert tiny[0] == (0, first) and tiny[1] == (0, 0) and tiny[2] == (0, 0), tiny
        print("  max_bytes 1: the first partition's records still come whole")
        sc.terminate()


def main():
    for generation in GENERATIONS:
        check(generation)


if __name__ == "__main__":
    run_test(main)
