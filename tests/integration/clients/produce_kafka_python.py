#!/usr/bin/python3
"""Producer driver on kafka-python (Debian's python3-kafka 2.0.2, a pure
Python client). Interface and output: see common.py.

kafka-python 2.0.2 has no idempotent producer, so --idempotent exits 2.
It retries (10 times) with one request in flight per connection: the
documented way to keep per-partition order without idempotence."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from kafka.errors import KafkaError  # noqa: E402


def main():
    args = common.parse_args(__doc__)
    if args.idempotent:
        common.unsupported("produce_kafka_python: kafka-python %s has no idempotent producer"
                           % kafka.__version__)
    started = time.monotonic()
    options = {} if args.batch_bytes is None else {"batch_size": args.batch_bytes}
    try:
        producer = KafkaProducer(
            bootstrap_servers=args.bootstrap.split(","),
            acks={"all": "all", "1": 1, "0": 0}[args.acks],
            compression_type=None if args.compression == "none" else args.compression,
            linger_ms=args.linger_ms,
            retries=10,
            max_in_flight_requests_per_connection=1,
            client_id="ks-test-" + args.prefix,
            max_block_ms=int(args.timeout * 1000),
            **options,
        )
    except (KafkaError, AssertionError, ValueError) as e:
        # AssertionError: kafka-python's check for a missing codec library.
        common.unsupported("produce_kafka_python: %s" % e)

    acked, errors = [], []
    lock = threading.Lock()  # callbacks run on the client's I/O thread

    def on_ok(i, md):
        with lock:
            acked.append({
                "partition": md.partition,
                "offset": md.offset,
                "key": common.key(args, i),
                "value": common.value(args, i),
                "timestamp": common.timestamp(args, i),
            })

    def on_err(i, exc):
        with lock:
            errors.append({"value": common.value(args, i), "error": repr(exc)})

    for i in range(args.count):
        k = common.key(args, i)
        h = common.headers(args, i)
        try:
            fut = producer.send(
                args.topic,
                value=common.value(args, i).encode(),
                key=k.encode() if k is not None else None,
                headers=[(n, v.encode()) for n, v in h] if h else None,
                partition=args.partition if args.partition >= 0 else None,
                timestamp_ms=common.timestamp(args, i))
        except KafkaError as e:
            on_err(i, e)
            continue
        fut.add_callback(lambda md, i=i: on_ok(i, md))
        fut.add_errback(lambda exc, i=i: on_err(i, exc))

    producer.flush(timeout=max(1.0, args.timeout - (time.monotonic() - started)))
    producer.close(timeout=5)
    with lock:
        common.finish("kafka-python %s" % kafka.__version__, args, list(acked),
                      list(errors), started)


if __name__ == "__main__":
    main()
