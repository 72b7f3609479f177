#!/usr/bin/python3
"""Producer driver on confluent-kafka-python, i.e. librdkafka 2.0.2 from
Debian. Interface and output: see common.py."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka import Producer, KafkaException  # noqa: E402


def main():
    args = common.parse_args(__doc__)
    started = time.monotonic()
    conf = {
        "bootstrap.servers": args.bootstrap,
        "acks": args.acks,
        "compression.type": args.compression,
        "linger.ms": args.linger_ms,
        "enable.idempotence": args.idempotent,
        # The whole run's budget: librdkafka keeps retrying until then.
        "message.timeout.ms": int(args.timeout * 1000),
        "client.id": "ks-test-" + args.prefix,
    }
    if args.batch_bytes is not None:
        conf["batch.size"] = args.batch_bytes
    if os.environ.get("KS_RDKAFKA_DEBUG"):  # e.g. "eos,msg,protocol": to the driver's log
        conf["debug"] = os.environ["KS_RDKAFKA_DEBUG"]
    try:
        producer = Producer(conf)
    except KafkaException as e:
        common.unsupported("produce_confluent: %s" % e)

    acked, errors = [], []

    def on_delivery(err, msg):
        v = msg.value().decode()
        if err is not None:
            errors.append({"value": v, "error": str(err)})
            return
        k = msg.key()
        acked.append({
            "partition": msg.partition(),
            "offset": msg.offset(),
            "key": k.decode() if k is not None else None,
            "value": v,
            "timestamp": common.timestamp(args, common.seq_of(v)),
        })

    partition = args.partition if args.partition >= 0 else -1
    for i in range(args.count):
        kw = dict(value=common.value(args, i), key=common.key(args, i),
                  timestamp=common.timestamp(args, i), on_delivery=on_delivery)
        if partition >= 0:
            kw["partition"] = partition
        h = common.headers(args, i)
        if h:
            kw["headers"] = h
        while True:
            try:
                producer.produce(args.topic, **kw)
                break
            except BufferError:  # local queue full: let deliveries drain
                producer.poll(0.1)
        producer.poll(0)

    deadline = started + args.timeout + 5
    while len(producer) > 0 and time.monotonic() < deadline:
        producer.flush(min(1.0, max(0.0, deadline - time.monotonic())))
    common.finish("confluent-kafka %s (librdkafka %s)"
                  % (confluent_kafka.version()[0], confluent_kafka.libversion()[0]),
                  args, acked, errors, started)


if __name__ == "__main__":
    main()
