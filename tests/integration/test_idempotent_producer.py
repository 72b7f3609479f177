#!/usr/bin/python3
"""Idempotent producers through the sidecar (the Java client's default,
librdkafka's enable.idempotence=true):

1. librdkafka 2.0.2 and 2.15.1 produce idempotently while the sidecar is
   killed (SIGKILL) and restarted under them: every record is acked and
   stored upstream exactly once, in order.
2. The sidecar checks sequences itself: the same batch sent twice is
   acknowledged twice and stored once, also when the second send reaches a
   restarted sidecar (it relearns sequences from its buffer); a gap is
   refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
3. Transactions are refused with a clear error, by InitProducerId and by
   Produce, and a transactional client sees that error.
"""

import re
import sys
import time

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, produce_async,
                     read_all, run_test, wait_forwarded, wait_produce)
import raw_kafka

TOPIC = "payments"
SEQ_TOPIC = "sequences"
TX_TOPIC = "transactions"
NONE = 0
OUT_OF_ORDER_SEQUENCE_NUMBER = 45
TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53


def killed_under_clients(up):
    with Sidecar(upstream=up) as sc:
        print("== idempotent clients while the sidecar is killed twice")
        handles = [produce_async("confluent", sc.bootstrap, TOPIC, 20000, "c", idempotent=True,
                                 linger_ms=1, timeout=90),
                   produce_async("rdkafka-2.15", sc.bootstrap, TOPIC, 20000, "r",
                                 idempotent=True, linger_ms=1, timeout=90)]
        for _ in range(2):
            time.sleep(1.0)
            sc.restart(kill=True)
        results = [wait_produce(h) for h in handles]
        restored = [int(n) for n in re.findall(r"producers.restored cluster=main batches=(\d+)",
                                               sc.log())]
        assert len(restored) == 3 and all(n > 0 for n in restored[1:]), \
            "the kills did not land while the clients produced: %s" % restored
        got = wait_forwarded(up, TOPIC, 40000)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order(results, upstream, allow_unacked=False)
        assert got == 40000, "upstream has %d records, 40000 were acked" % got
        print("  40000 acked, exactly once upstream, in order")
        sc.terminate()


def sequences(up):
    with Sidecar(upstream=up) as sc:
        print("== sequence checks")
        with raw_kafka.Connection(sc.bootstrap) as c:
            error, pid, epoch = c.init_producer_id()
            assert error == NONE and pid >= 0 and epoch == 0, (error, pid, epoch)
            first = raw_kafka.batch(["dup-%06d" % i for i in range(5)], pid, epoch, 0)
            assert c.produce(SEQ_TOPIC, 0, first)[0] == NONE
            assert c.produce(SEQ_TOPIC, 0, first)[0] == NONE, "a retried batch was refused"
            gap = raw_kafka.batch(["dup-%06d" % i for i in range(10, 15)], pid, epoch, 10)
            assert c.produce(SEQ_TOPIC, 0, gap)[0] == OUT_OF_ORDER_SEQUENCE_NUMBER
        print("  duplicate acknowledged, gap refused with OUT_OF_ORDER_SEQUENCE_NUMBER")

        sc.restart(kill=True)
        with raw_kafka.Connection(sc.bootstrap) as c:
            assert c.produce(SEQ_TOPIC, 0, first)[0] == NONE, "a retry after a restart was refused"
            second = raw_kafka.batch(["dup-%06d" % i for i in range(5, 10)], pid, epoch, 5)
            assert c.produce(SEQ_TOPIC, 0, second)[0] == NONE
        wait_forwarded(up, SEQ_TOPIC, 10)
        time.sleep(1)  # a duplicate would be forwarded right behind
        values = [r.value for r in read_all(up.bootstrap, SEQ_TOPIC)[0] if r.value.startswith("dup-")]
        assert values == ["dup-%06d" % i for i in range(10)], values
        assert "producers.restored cluster=main batches=1" in sc.log(), \
            "the restart did not relearn the producer's batch from the buffer"
        print("  after SIGKILL + restart the retry is still a duplicate: stored once")
        sc.terminate()


def transactions(up):
    with Sidecar(upstream=up) as sc:
        print("== transactions refused")
        with raw_kafka.Connection(sc.bootstrap) as c:
            assert c.init_producer_id("tx-1")[0] == TRANSACTIONAL_ID_AUTHORIZATION_FAILED
            tx = raw_kafka.batch(["tx-0"], 1, 0, 0, transactional=True)
            assert c.produce(TX_TOPIC, 0, tx, transactional_id="tx-1")[0] == \
                TRANSACTIONAL_ID_AUTHORIZATION_FAILED
            assert c.produce(TX_TOPIC, 0, tx)[0] == TRANSACTIONAL_ID_AUTHORIZATION_FAILED

        from confluent_kafka import KafkaError, KafkaException, Producer
        p = Producer({"bootstrap.servers": sc.bootstrap, "transactional.id": "tx-2"})
        try:
            p.init_transactions(10)
            raise AssertionError("init_transactions succeeded through the sidecar")
        except KafkaException as e:
            # Until FindCoordinator is served, librdkafka stops at the
            # coordinator lookup; either way the client fails at once,
            # fatally, instead of producing without its transaction.
            error = e.args[0]
            assert error.fatal() and error.code() in (
                TRANSACTIONAL_ID_AUTHORIZATION_FAILED, KafkaError._UNSUPPORTED_FEATURE), error
            print("  a transactional client is told: %s" % error.str())
        sc.terminate()


def main():
    with MockUpstream("2.15", topics={TOPIC: 3, SEQ_TOPIC: 1, TX_TOPIC: 1}) as up:
        sequences(up)
        transactions(up)
        killed_under_clients(up)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
