#!/usr/bin/python3
"""listener.tls: clients reach the sidecar over TLS (1.2 or later), with a
certificate from a CA the test makes with the openssl CLI.

1. confluent-kafka with security.protocol=SSL produces; a client speaking
   plain TCP to the TLS listener gets nothing acked (its bytes are no TLS
   handshake: `connection.tls_failed`), nor does a TLS 1.1 client;
2. with `ca` (client certificates) and SASL/PLAIN together (SASL_SSL): a
   client with a certificate the CA signed and the right password
   produces; one without a certificate is refused in the handshake;
3. upstream holds exactly the records of the clients that got in.
"""

import subprocess
import time

from harness import (MockUpstream, Sidecar, read_all, run_test, test_dir, wait_forwarded,
                     wait_until)
from tls_certs import TestCertificates

TOPIC = "orders"
COUNT = 50
USER, PASSWORD = "orders-svc", "tls-s3cret"


def produce(sc, prefix, timeout=15, **conf):
    from confluent_kafka import Producer
    errors = []
    p = Producer(dict({"bootstrap.servers": sc.bootstrap, "message.timeout.ms": timeout * 1000,
                       "error_cb": errors.append, "reconnect.backoff.ms": 100,
                       "reconnect.backoff.max.ms": 1000}, **conf))
    acked = []

    def on_delivery(err, msg):
        if err is None:
            acked.append(msg.value().decode())

    for i in range(COUNT):
        p.produce(TOPIC, value=b"%s-%06d" % (prefix.encode(), i), on_delivery=on_delivery)
    p.flush(timeout + 10)
    return acked, errors


def tls_version_refused(sc, version_flag):
    """True when an openssl client limited to `version_flag` cannot connect."""
    out = subprocess.run(["openssl", "s_client", "-connect", sc.bootstrap, version_flag,
                          "-cipher", "DEFAULT@SECLEVEL=0"], input=b"", capture_output=True,
                         timeout=20)
    return out.returncode != 0 or b"Cipher is (NONE)" in out.stdout


def main():
    # Clients connect to 127.0.0.1 and librdkafka checks the name.
    certs = TestCertificates(test_dir(), server_names=("IP:127.0.0.1", "DNS:localhost"))
    good = set()
    with MockUpstream("2.0", topics={TOPIC: 3}) as up:
        with Sidecar(upstream=up, config={"listener": {"tls": {
                "cert": certs.server_cert, "key": certs.server_key}}}) as sc:
            ssl = {"security.protocol": "SSL", "ssl.ca.location": certs.ca}
            acked, errors = produce(sc, "tls", **ssl)
            assert len(acked) == COUNT, (len(acked), errors)
            good |= set(acked)
            print("SSL: confluent-kafka produced %d records" % COUNT)

            acked, errors = produce(sc, "plain", timeout=5)
            assert acked == [], acked
            assert "connection.tls_failed" in sc.log()
            print("plain TCP to the TLS listener: nothing acked (%d client errors)" % len(errors))
            assert not tls_version_refused(sc, "-tls1_2")
            before = sc.log().count("connection.tls_failed")
            assert tls_version_refused(sc, "-tls1_1")
            # Refused by the sidecar, not by the openssl client's own policy.
            wait_until(lambda: sc.log().count("connection.tls_failed") > before, 10,
                       "the sidecar to refuse TLS 1.1")
            refusal = sc.log().split("connection.tls_failed")[-1].splitlines()[0]
            assert "protocol" in refusal or "version" in refusal, refusal
            print("TLS 1.2 accepted, TLS 1.1 refused")

        sasl = {"mechanism": "PLAIN", "users": [{"username": USER, "password": PASSWORD}]}
        with Sidecar(upstream=up, config={"listener": {"sasl": sasl, "tls": {
                "cert": certs.server_cert, "key": certs.server_key, "ca": certs.ca}}}) as sc:
            sasl_ssl = {"security.protocol": "SASL_SSL", "ssl.ca.location": certs.ca,
                        "sasl.mechanism": "PLAIN", "sasl.username": USER,
                        "sasl.password": PASSWORD}
            acked, errors = produce(sc, "mtls", **sasl_ssl,
                                    **{"ssl.certificate.location": certs.client_cert,
                                       "ssl.key.location": certs.client_key})
            assert len(acked) == COUNT, (len(acked), errors)
            good |= set(acked)
            print("SASL_SSL with a client certificate: produced %d records" % COUNT)

            acked, errors = produce(sc, "nocert", timeout=5, **sasl_ssl)
            assert acked == [], acked
            print("no client certificate: nothing acked (%d client errors)" % len(errors))

        wait_forwarded(up, TOPIC, len(good))
        time.sleep(1)
        values = {r.value for rs in read_all(up.bootstrap, TOPIC).values() for r in rs}
        assert values == good, sorted(values ^ good)[:10]
        print("upstream holds exactly the %d records of the clients that got in" % len(good))


if __name__ == "__main__":
    run_test(main)
