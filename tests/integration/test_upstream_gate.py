#!/usr/bin/python3
"""The UpstreamGate fixture (upstream_gate.py) proven with a real client,
confluent-kafka (librdkafka 2.0.2), straight through the gate to the mock
cluster, no sidecar:

1. SSL with the right CA: produce, and consume back in a consumer group
   (Metadata and FindCoordinator answers name the gate, or the client
   would reach the mock in plain TCP and fail); the wrong CA fails;
2. mutual TLS: a client with a certificate the CA signed gets in, one
   without fails the handshake (gate.handshake_failures);
3. SASL_SSL with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 and the right
   password works (gate.auth_successes); a wrong password fails with an
   authentication error (gate.auth_failures) and nothing is acked.

Against the 2.15 mock (flexible versions) and SCRAM on the 2.0 mock.
"""

import uuid

from harness import MockUpstream, run_test, test_dir, wait_until
from tls_certs import TestCertificates
from upstream_gate import UpstreamGate

TOPIC = "orders"
COUNT = 30
USER, PASSWORD = "alice", "s3cret-Pa$$"
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


def client_conf(gate, **extra):
    conf = {"bootstrap.servers": gate.bootstrap, "reconnect.backoff.ms": 100,
            "reconnect.backoff.max.ms": 1000}
    conf.update(extra)
    return conf


def ssl_conf(certs, ca=None, **extra):
    return dict({"security.protocol": "SSL", "ssl.ca.location": ca or certs.ca}, **extra)


def sasl_ssl_conf(certs, mechanism, password=PASSWORD):
    return {"security.protocol": "SASL_SSL", "ssl.ca.location": certs.ca,
            "sasl.mechanism": mechanism, "sasl.username": USER, "sasl.password": password}


def produce(gate, prefix, timeout=20, **conf):
    """(acked values, errors from error_cb) after producing COUNT records."""
    from confluent_kafka import Producer
    errors = []
    p = Producer(client_conf(gate, **{"message.timeout.ms": timeout * 1000,
                                      "error_cb": errors.append, "linger.ms": 5}, **conf))
    acked = []

    def on_delivery(err, msg):
        if err is None:
            acked.append(msg.value().decode())

    for i in range(COUNT):
        p.produce(TOPIC, value=b"%s-%06d" % (prefix.encode(), i), on_delivery=on_delivery)
    p.flush(timeout + 10)
    return acked, errors


def consume_group(gate, want, timeout=30, **conf):
    """Reads TOPIC in a new consumer group until every value of `want` came."""
    from confluent_kafka import Consumer
    c = Consumer(client_conf(gate, **{"group.id": "gate-" + uuid.uuid4().hex[:6],
                                      "auto.offset.reset": "earliest",
                                      "session.timeout.ms": 6000}, **conf))
    got = set()
    try:
        c.subscribe([TOPIC])

        def poll():
            m = c.poll(0.5)
            if m is not None:
                assert m.error() is None, m.error()
                got.add(m.value().decode())
            return set(want) <= got
        wait_until(poll, timeout, "%d records through the gate" % len(want), interval=0)
        c.commit(asynchronous=False)
    finally:
        c.close()
    return got


def check_tls(up, certs):
    with UpstreamGate(up, tls={"cert": certs.server_cert, "key": certs.server_key}) as gate:
        acked, errors = produce(gate, "ssl", **ssl_conf(certs))
        assert len(acked) == COUNT, (len(acked), errors)
        consume_group(gate, acked, **ssl_conf(certs))
        print("SSL: produced and consumed %d records in a group through the gate" % COUNT)

        acked, errors = produce(gate, "wrong-ca", timeout=3, **ssl_conf(certs, ca=certs.other_ca))
        assert acked == [] and errors, (acked, errors)
        assert any("certificate verify failed" in str(e) for e in errors), errors
        print("SSL with the wrong CA: refused (%s)" % errors[0])

    with UpstreamGate(up, tls={"cert": certs.server_cert, "key": certs.server_key,
                               "ca": certs.ca}) as gate:
        acked, errors = produce(gate, "mtls", **ssl_conf(
            certs, **{"ssl.certificate.location": certs.client_cert,
                      "ssl.key.location": certs.client_key}))
        assert len(acked) == COUNT, (len(acked), errors)
        assert gate.handshake_failures == 0
        acked, errors = produce(gate, "no-cert", timeout=3, **ssl_conf(certs))
        assert acked == [], acked
        assert gate.handshake_failures > 0
        print("mutual TLS: a client certificate gets in, none fails the handshake "
              "(%d failures)" % gate.handshake_failures)


def check_sasl(up, certs, mechanisms):
    from confluent_kafka import KafkaError
    tls = {"cert": certs.server_cert, "key": certs.server_key}
    sasl = {"mechanisms": MECHANISMS, "users": {USER: PASSWORD}}
    with UpstreamGate(up, tls=tls, sasl=sasl) as gate:
        for mechanism in mechanisms:
            before = gate.auth_successes
            conf = sasl_ssl_conf(certs, mechanism)
            acked, errors = produce(gate, mechanism.lower(), **conf)
            assert len(acked) == COUNT, (mechanism, len(acked), errors)
            assert gate.auth_successes > before
            assert gate.auth_failures == 0
            consume_group(gate, acked, **conf)
            print("%s %s: produced and consumed %d records (%d logins so far)" % (
                up.generation, mechanism, COUNT, gate.auth_successes))

            acked, errors = produce(gate, "wrong", timeout=3,
                                    **sasl_ssl_conf(certs, mechanism, password="wrong"))
            assert acked == [], acked
            auth = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
            assert auth and "Invalid username or password" in str(auth[0]), errors
            assert gate.auth_failures > 0
            print("%s %s with a wrong password: %s" % (up.generation, mechanism, auth[0]))
            gate.auth_failures = 0


def main():
    certs = TestCertificates(test_dir())
    with MockUpstream("2.15", topics={TOPIC: 3}) as up:
        check_tls(up, certs)
        check_sasl(up, certs, MECHANISMS)
    with MockUpstream("2.0", topics={TOPIC: 3}) as up:
        check_sasl(up, certs, ["SCRAM-SHA-512"])


if __name__ == "__main__":
    run_test(main)
