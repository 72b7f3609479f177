#!/usr/bin/python3
"""listener.sasl: only clients that log in with SASL/PLAIN may use the
sidecar (a pod where other containers must not produce).

1. confluent-kafka (librdkafka 2.0.2: SaslHandshake v1 + SaslAuthenticate)
   and kafka-python 2.0.2 (SaslHandshake v0 + a bare token) produce and
   consume through the sidecar with the right credentials, one user's
   password from an environment variable, the other's from a file;
2. a wrong password fails with an authentication error, soon: librdkafka
   reports _AUTHENTICATION with the sidecar's message and keeps to its
   reconnect backoff; kafka-python (whose v0 exchange has no error
   message) gives up with NoBrokersAvailable;
3. a client without SASL cannot produce: its first request after
   ApiVersions closes the connection;
4. none of the refused clients' records reach the upstream cluster; the
   failures are counted by reason on /metrics and logged without the
   password; check-config never prints a password.

The upstream side does not matter here, so one mock generation is enough.
"""

import os
import subprocess
import time

from harness import (MockUpstream, Sidecar, read_all, run_test, sidecar_binary, test_dir,
                     wait_forwarded, wait_until)
from test_admin_api import metric, scrape

TOPIC = "orders"
PARTITIONS = 3
WRITER, WRITER_PASSWORD = "orders-svc", "w-s3cret!pa$$"
READER, READER_PASSWORD = "audit", "r-s3cret"
WRONG_PASSWORD = "guessed-wrong-pw"
COUNT = 100
FAILURES = "kafka_sidecar_client_authentication_failures_total"


def rdkafka_conf(sc, user=None, password=None, **extra):
    conf = {"bootstrap.servers": sc.bootstrap, "reconnect.backoff.ms": 100,
            "reconnect.backoff.max.ms": 1000}
    if user is not None:
        conf.update({"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
                     "sasl.username": user, "sasl.password": password})
    conf.update(extra)
    return conf


def produce_confluent(sc, prefix, user=None, password=None, timeout=20):
    """(acked values, errors from error_cb) after producing COUNT records."""
    from confluent_kafka import Producer
    errors = []
    conf = rdkafka_conf(sc, user, password, **{"message.timeout.ms": int(timeout * 1000),
                                               "error_cb": errors.append, "linger.ms": 5})
    p = Producer(conf)
    acked = []

    def on_delivery(err, msg):
        if err is None:
            acked.append(msg.value().decode())

    for i in range(COUNT):
        p.produce(TOPIC, key=b"k%d" % (i % 8), value=b"%s-%06d" % (prefix.encode(), i),
                  on_delivery=on_delivery)
    p.flush(timeout + 10)
    return acked, errors


def produce_kafka_python(sc, prefix, user, password):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=[sc.bootstrap], security_protocol="SASL_PLAINTEXT",
                      sasl_mechanism="PLAIN", sasl_plain_username=user,
                      sasl_plain_password=password, acks="all", max_block_ms=20000)
    futures = [p.send(TOPIC, key=b"k%d" % (i % 8), value=b"%s-%06d" % (prefix.encode(), i))
               for i in range(COUNT)]
    p.flush(30)
    acked = [f.get(timeout=10) for f in futures]
    p.close(10)
    return len(acked)


def consume_confluent(sc, user, password, want):
    """Values read through the sidecar from the beginning of every partition."""
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer(rdkafka_conf(sc, user, password, **{"group.id": "audit-rdkafka",
                                                      "enable.auto.commit": False}))
    c.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    values = set()
    deadline = time.monotonic() + 30
    while len(values) < want and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            values.add(m.value().decode())
    c.close()
    return values


def consume_kafka_python(sc, user, password, want):
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=[sc.bootstrap], security_protocol="SASL_PLAINTEXT",
                      sasl_mechanism="PLAIN", sasl_plain_username=user,
                      sasl_plain_password=password, enable_auto_commit=False,
                      group_id=None)
    parts = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
    c.assign(parts)
    c.seek_to_beginning(*parts)
    values = set()
    deadline = time.monotonic() + 30
    while len(values) < want and time.monotonic() < deadline:
        for records in c.poll(timeout_ms=500).values():
            values.update(r.value.decode() for r in records)
    c.close()
    return values


def wrong_password_confluent(sc):
    """librdkafka reports an authentication error within seconds and acks nothing."""
    from confluent_kafka import KafkaError
    started = time.monotonic()
    acked, errors = produce_confluent(sc, "c-bad", WRITER, WRONG_PASSWORD, timeout=6)
    assert acked == [], acked
    auth = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
    assert auth, "no authentication error, only %s" % errors
    assert "Invalid username or password" in auth[0].str(), auth[0].str()
    return time.monotonic() - started


def wrong_password_kafka_python(sc):
    from kafka import KafkaProducer
    from kafka.errors import KafkaError, NoBrokersAvailable
    started = time.monotonic()
    try:
        KafkaProducer(bootstrap_servers=[sc.bootstrap], security_protocol="SASL_PLAINTEXT",
                      sasl_mechanism="PLAIN", sasl_plain_username=WRITER,
                      sasl_plain_password=WRONG_PASSWORD, max_block_ms=5000)
    except (NoBrokersAvailable, KafkaError) as e:
        took = time.monotonic() - started
        assert took < 15, "kafka-python took %.1fs to fail" % took
        return type(e).__name__
    raise AssertionError("kafka-python produced with a wrong password")


def without_sasl_confluent(sc):
    acked, errors = produce_confluent(sc, "c-nosasl", timeout=5)
    assert acked == [], acked
    return errors


def check_config_hides_passwords(sc):
    out = subprocess.run([sidecar_binary(), "check-config", sc.config_path],
                         capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert "username: " + WRITER in text, text
    assert WRITER_PASSWORD not in text and READER_PASSWORD not in text, text
    assert 'password: "***"' in text, text
    # A missing variable is reported, by name, at the key.
    env = {k: v for k, v in os.environ.items() if k != "KS_TEST_WRITER_PASSWORD"}
    out = subprocess.run([sidecar_binary(), "check-config", sc.config_path],
                         capture_output=True, text=True, env=env)
    assert out.returncode != 0
    assert "listener.sasl.users" in out.stdout + out.stderr, out.stdout + out.stderr
    assert "KS_TEST_WRITER_PASSWORD is not set" in out.stdout + out.stderr


def main():
    os.environ["KS_TEST_WRITER_PASSWORD"] = WRITER_PASSWORD
    password_file = os.path.join(test_dir(), "audit.password")
    with open(password_file, "w") as f:
        f.write(READER_PASSWORD + "\n")
    sasl = {"mechanism": "PLAIN", "users": [
        {"username": WRITER, "password": "${KS_TEST_WRITER_PASSWORD}"},
        {"username": READER, "password_file": password_file},
    ]}
    with MockUpstream("2.0", topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up, config={"listener": {"sasl": sasl},
                                         "topics": {TOPIC: {"partitions": PARTITIONS}}}) as sc:
        check_config_hides_passwords(sc)

        acked, errors = produce_confluent(sc, "c-ok", WRITER, WRITER_PASSWORD)
        assert len(acked) == COUNT, (len(acked), errors)
        assert produce_kafka_python(sc, "k-ok", WRITER, WRITER_PASSWORD) == COUNT
        print("right password: confluent-kafka and kafka-python produced %d each" % COUNT)

        wait_forwarded(up, TOPIC, 2 * COUNT)
        good = {"c-ok-%06d" % i for i in range(COUNT)} | {"k-ok-%06d" % i for i in range(COUNT)}
        assert consume_confluent(sc, READER, READER_PASSWORD, len(good)) == good
        assert consume_kafka_python(sc, READER, READER_PASSWORD, len(good)) == good
        print("right password: both read every record back through the sidecar")

        before = metric(scrape(sc), FAILURES, reason="credentials")
        took = wrong_password_confluent(sc)
        failed = metric(scrape(sc), FAILURES, reason="credentials") - before
        # librdkafka's reconnect backoff (100 ms doubling to 1 s), not a storm.
        assert 1 <= failed <= 3 * took + 5, (failed, took)
        print("wrong password: confluent-kafka got _AUTHENTICATION; %d logins in %.1fs"
              % (failed, took))
        print("wrong password: kafka-python failed with %s" % wrong_password_kafka_python(sc))

        errors = without_sasl_confluent(sc)
        assert metric(scrape(sc), FAILURES, reason="unauthenticated") >= 1
        print("no SASL: nothing acked (%d client errors)" % len(errors))

        # Give anything wrongly accepted time to be forwarded, then look.
        time.sleep(2)
        values = [r.value for rs in read_all(up.bootstrap, TOPIC).values() for r in rs]
        assert sorted(values) == sorted(good), sorted(set(values) - good)[:10]
        log = sc.log()
        assert "connection.authentication_failed" in log, log
        assert "connection.unauthenticated_request" in log, log
        for secret in (WRITER_PASSWORD, READER_PASSWORD, WRONG_PASSWORD):
            assert secret not in log, "a password is in the log"
        print("upstream holds exactly the %d records of the logged-in clients" % len(good))


if __name__ == "__main__":
    run_test(main)
