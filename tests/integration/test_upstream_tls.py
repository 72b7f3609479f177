#!/usr/bin/python3
"""clusters.<name>.tls: the sidecar reaches its upstream cluster over TLS,
here an UpstreamGate (upstream_gate.py) with certificates from tls_certs.py
in front of the 2.15 mock.

1. the right CA: a real producer's records all arrive upstream, and read
   back through the sidecar (Fetch over TLS too); `offsets reset` reaches
   the cluster over TLS as well;
2. the wrong CA: the sidecar logs why ("TLS handshake with localhost:PORT
   failed: certificate verify failed (...)"), still acks (the records are
   buffered) and nothing arrives; restarted with the right CA, the
   buffered records flow;
3. a certificate for another name, and a broker named 127.0.0.1 whose
   certificate is for localhost only: a clear name or address mismatch;
   with verify_hostname: false the records flow;
4. mutual TLS: a gate that requires client certificates takes the
   sidecar's cert and key;
5. TLS and a SCRAM-SHA-512 login together (SASL_SSL), as the example
   config tls-sasl.yaml has it: the records arrive;
6. a missing or garbage CA file stops the start with the file and the
   reason; check-config does not read the files.
"""

import os
import subprocess
import time

from harness import (MockUpstream, Sidecar, SidecarError, assert_exactly_once_in_order,
                     offsets_ok, offsets_table, produce, read_all, run_test, sidecar_binary,
                     test_dir, upstream_total, wait_forwarded, wait_until)
from tls_certs import TestCertificates
from upstream_gate import UpstreamGate

PARTITIONS = 3
COUNT = 100
TOPICS = ("good", "wrong-ca", "by-ip", "mtls", "sasl-ssl")


def start_sidecar(bootstrap, sasl=None, **tls):
    cluster = {"tls": tls, "retry_backoff": "100ms", "retry_backoff_max": "500ms"}
    if sasl:
        cluster["sasl"] = sasl
    return Sidecar(upstream=bootstrap, config={
        "clusters": {"main": cluster},
        "topics": {t: {"partitions": PARTITIONS} for t in TOPICS}})


def reconfigure(sc, **tls):
    sc.config["clusters"]["main"]["tls"] = tls
    sc.write_config()
    sc.restart()


def wait_down(sc, reason, what):
    """Waits for the cluster to be logged down for `reason`; logged once
    however often the connect is retried."""
    def lines():
        return [line for line in sc.log().splitlines()
                if "upstream.down" in line and reason in line]
    wait_until(lines, 20, what)
    time.sleep(1)  # several retries
    assert len(lines()) == 1, lines()
    print("  logged: %s" % lines()[0].strip())


def check_buffered_only(up, sc, topic, res):
    assert len(res.acked) == COUNT, res.errors[:3]
    time.sleep(1)
    assert upstream_total(up.bootstrap, topic, PARTITIONS) == 0
    assert sc.running()


def main():
    certs = TestCertificates(test_dir())
    server = {"cert": certs.server_cert, "key": certs.server_key}
    with MockUpstream("2.15", topics={t: PARTITIONS for t in TOPICS}) as up, \
         UpstreamGate(up, tls=server) as gate:
        with start_sidecar(gate.bootstrap, ca=certs.ca) as sc:
            res = produce("confluent", sc.bootstrap, "good", COUNT, "good", idempotent=True)
            wait_forwarded(up, "good", COUNT)
            assert_exactly_once_in_order(res, read_all(up.bootstrap, "good"))
            assert_exactly_once_in_order(res, read_all(sc.bootstrap, "good"))
            print("right CA: %d records upstream, read back through the sidecar" % COUNT)
            out = offsets_ok("reset", "--group", "replay", "--topic", "good", "--to-earliest",
                             config=sc.config_path)
            assert len(offsets_table(out)) == PARTITIONS, out
            print("the offsets command reaches the cluster over TLS too")

        with start_sidecar(gate.bootstrap, ca=certs.other_ca) as sc:
            res = produce("confluent", sc.bootstrap, "wrong-ca", COUNT, "wrong-ca")
            wait_down(sc, "TLS handshake with %s failed: certificate verify failed ("
                      % gate.bootstrap, "the sidecar to log the refused certificate")
            check_buffered_only(up, sc, "wrong-ca", res)
            print("wrong CA: acked, buffered, nothing upstream")
            reconfigure(sc, ca=certs.ca)
            wait_forwarded(up, "wrong-ca", COUNT)
            assert_exactly_once_in_order(res, read_all(up.bootstrap, "wrong-ca"))
            print("restarted with the right CA: the buffered records arrived")

    with MockUpstream("2.15", topics={t: PARTITIONS for t in TOPICS}) as up:
        # A certificate the CA signed, but for another name.
        with UpstreamGate(up, tls={"cert": certs.client_cert, "key": certs.client_key}) as gate, \
             start_sidecar(gate.bootstrap, ca=certs.ca) as sc:
            res = produce("confluent", sc.bootstrap, "by-ip", COUNT, "other-name")
            wait_down(sc, "TLS handshake with %s failed: certificate verify failed "
                      "(hostname mismatch)" % gate.bootstrap,
                      "the sidecar to refuse a certificate for another name")
            check_buffered_only(up, sc, "by-ip", res)

        with UpstreamGate(up, tls=server, host="127.0.0.1") as gate, \
             start_sidecar(gate.bootstrap, ca=certs.ca) as sc:
            res = produce("confluent", sc.bootstrap, "by-ip", COUNT, "by-ip")
            wait_down(sc, "TLS handshake with %s failed: certificate verify failed "
                      "(IP address mismatch)" % gate.bootstrap,
                      "the sidecar to refuse a certificate without the address")
            check_buffered_only(up, sc, "by-ip", res)
            reconfigure(sc, ca=certs.ca, verify_hostname=False)
            wait_forwarded(up, "by-ip", COUNT)
            assert_exactly_once_in_order(res, read_all(up.bootstrap, "by-ip"))
            print("verify_hostname: false: the records arrived")

        with UpstreamGate(up, tls=dict(server, ca=certs.ca)) as gate, \
             start_sidecar(gate.bootstrap, ca=certs.ca, cert=certs.client_cert,
                           key=certs.client_key) as sc:
            res = produce("confluent", sc.bootstrap, "mtls", COUNT, "mtls", idempotent=True)
            wait_forwarded(up, "mtls", COUNT)
            assert_exactly_once_in_order(res, read_all(up.bootstrap, "mtls"))
            assert gate.handshake_failures == 0
            print("mutual TLS: %d records upstream" % COUNT)

        users = {"mechanisms": ["SCRAM-SHA-512"], "users": {"svc": "tls-and-scram"}}
        login = {"mechanism": "SCRAM-SHA-512", "username": "svc", "password": "tls-and-scram"}
        with UpstreamGate(up, tls=server, sasl=users) as gate, \
             start_sidecar(gate.bootstrap, sasl=login, ca=certs.ca) as sc:
            res = produce("confluent", sc.bootstrap, "sasl-ssl", COUNT, "sasl-ssl", idempotent=True)
            wait_forwarded(up, "sasl-ssl", COUNT)
            assert_exactly_once_in_order(res, read_all(up.bootstrap, "sasl-ssl"))
            assert gate.auth_successes >= 1 and gate.auth_failures == 0
            print("TLS with a SCRAM-SHA-512 login: %d records upstream" % COUNT)

    garbage = os.path.join(test_dir(), "garbage.pem")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    missing = os.path.join(test_dir(), "missing.pem")
    for ca, reason in ((missing, "No such file or directory"), (garbage, None)):
        sc = Sidecar(upstream="localhost:9", start=False, config={
            "clusters": {"main": {"tls": {"ca": ca}}}})
        try:
            sc.start()
            raise AssertionError("the sidecar started with ca %s" % ca)
        except SidecarError:
            pass
        said = next(line for line in sc.log().splitlines() if "kafka-sidecar:" in line)
        assert "clusters.main.tls.ca %s: " % ca in said, said
        if reason:
            assert reason in said, said
        print("ca %s: refused to start: %s" % (os.path.basename(ca), said))
        check = subprocess.run([sidecar_binary(), "check-config", sc.config_path],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


if __name__ == "__main__":
    run_test(main)
