#!/usr/bin/python3
"""clusters.<name>.sasl: the sidecar logs in to the cluster with PLAIN,
SCRAM-SHA-256 and SCRAM-SHA-512, and a refused login neither loses records
nor turns into a storm of logins.

The cluster is an UpstreamGate (upstream_gate.py) in front of a mock: it
does the broker's side of SASL (the mock has none) and refuses any other
request before a successful login.

1. For each mechanism, with the right password (from a password_file), a
   confluent-kafka producer produces through the sidecar and every record
   arrives upstream exactly once, in order.
2. With a wrong password the produce is still acknowledged (buffered); the
   log says once, at error, who was refused by whom and why
   (upstream.authentication_failed ... SASL_AUTHENTICATION_FAILED), the
   metric counts it, and the gate sees at most a couple of attempts over
   several seconds: refused credentials are not sent again. The password is
   never in the log.
3. The right password written into the password_file: the next connect
   logs in and the buffered records arrive exactly once.
4. `kafka-sidecar offsets` logs in with the same config: it works with the
   right password and says why it cannot with the wrong one.
5. A wrong inline password corrected in the config file and applied with
   SIGHUP: the sidecar logs in with it and the buffered records arrive.
"""

import os
import signal
import time

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, offsets_cli, offsets_ok,
                     read_all, run_test, test_dir, wait_forwarded, wait_until)
from test_admin_api import metric, scrape
from upstream_gate import UpstreamGate

USER, PASSWORD, WRONG_PASSWORD = "alice", "s3cret-upstream-pw", "wrong-upstream-pw"
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
PARTITIONS = 3
COUNT = 60
FAILURES = "kafka_sidecar_upstream_authentication_failures_total"


def produce(sc, topic, prefix):
    """[(partition, key, value)] acked after producing COUNT records."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": sc.bootstrap, "linger.ms": 5,
                  "message.timeout.ms": 20000, "enable.idempotence": True})
    acked = []

    def on_delivery(err, msg):
        if err is None:
            acked.append((msg.partition(), msg.key().decode(), msg.value().decode()))

    for i in range(COUNT):
        p.produce(topic, key=b"k%d" % (i % 8), value=b"%s-%06d" % (prefix.encode(), i),
                  on_delivery=on_delivery)
    p.flush(30)
    assert len(acked) == COUNT, "%d of %d acked" % (len(acked), COUNT)
    return acked


def write_password(path, password):
    # Replaced whole, as a mounted Secret is: the sidecar never reads half a file.
    with open(path + ".new", "w") as f:
        f.write(password + "\n")
    os.replace(path + ".new", path)


def sidecar_for(gate, mechanism, password_file, topic):
    sasl = {"mechanism": mechanism, "username": USER, "password_file": password_file}
    return Sidecar(upstream=gate.bootstrap,
                   config={"clusters": {"main": {"sasl": sasl}},
                           "topics": {topic: {"partitions": PARTITIONS}}})


def logs_in(up, mechanism):
    topic = "orders-" + mechanism.lower()
    up.create(topic, PARTITIONS)
    password_file = os.path.join(test_dir(), mechanism + ".password")
    write_password(password_file, PASSWORD)
    users = {"mechanisms": MECHANISMS, "users": {USER: PASSWORD}}
    with UpstreamGate(up, tls=None, sasl=users, host="localhost") as gate, \
            sidecar_for(gate, mechanism, password_file, topic) as sc:
        acked = produce(sc, topic, "ok")
        wait_forwarded(up, topic, COUNT)
        assert_exactly_once_in_order(acked, read_all(up.bootstrap, topic), allow_unacked=False)
        assert gate.auth_successes >= 1 and gate.auth_failures == 0, \
            (gate.auth_successes, gate.auth_failures)
        assert metric(scrape(sc), FAILURES, cluster="main") == 0
        assert PASSWORD not in sc.log(), "the password is in the log"
        print("%s: %d records upstream exactly once (%d logins)"
              % (mechanism, COUNT, gate.auth_successes))
        logins = gate.auth_successes
        offsets_ok("reset", "--group", "replay", "--topic", topic, "--to-earliest", "--dry-run",
                   config=sc.config_path)
        assert gate.auth_successes > logins, "offsets did not log in"


def wrong_then_right(up):
    mechanism = "SCRAM-SHA-256"
    topic = "orders-refused"
    up.create(topic, PARTITIONS)
    password_file = os.path.join(test_dir(), "refused.password")
    write_password(password_file, WRONG_PASSWORD)
    users = {"mechanisms": MECHANISMS, "users": {USER: PASSWORD}}
    with UpstreamGate(up, tls=None, sasl=users, host="localhost") as gate, \
            sidecar_for(gate, mechanism, password_file, topic) as sc:
        acked = produce(sc, topic, "held")
        print("wrong password: %d records acknowledged into the buffer" % len(acked))
        wait_until(lambda: "upstream.authentication_failed" in sc.log(), 10,
                   "upstream.authentication_failed in the log")
        first = gate.auth_failures
        time.sleep(5)
        attempts = gate.auth_failures
        assert 1 <= attempts <= 3, "%d refused logins in 5 s: a reconnect storm" % attempts
        assert attempts == first, "logins went on after the refusal: %d then %d" % (first, attempts)
        assert gate.auth_successes == 0
        log = sc.log()
        lines = [l for l in log.splitlines() if "upstream.authentication_failed" in l]
        assert len(lines) == 1, lines
        for part in ("ERROR", "cluster=main", "mechanism=SCRAM-SHA-256", 'username="alice"',
                     "broker=localhost:", "SASL SCRAM-SHA-256 login as alice to localhost:",
                     "SASL_AUTHENTICATION_FAILED", "Invalid username or password"):
            assert part in lines[0], (part, lines[0])
        failures = metric(scrape(sc), FAILURES, cluster="main")
        assert 1 <= failures <= attempts, (failures, attempts)
        assert sum(len(rs) for rs in read_all(up.bootstrap, topic).values()) == 0
        print("wrong password: logged once, %d refused login(s) in 5 s, nothing upstream: %s"
              % (attempts, lines[0]))
        cli = offsets_cli("describe", "--group", "replay", config=sc.config_path)
        output = cli.stdout + cli.stderr
        assert cli.returncode != 0 and "SASL_AUTHENTICATION_FAILED" in output, output
        assert WRONG_PASSWORD not in output, output

        write_password(password_file, PASSWORD)
        wait_forwarded(up, topic, COUNT, timeout=30)
        assert_exactly_once_in_order(acked, read_all(up.bootstrap, topic), allow_unacked=False)
        assert gate.auth_successes >= 1
        log = sc.log()
        assert WRONG_PASSWORD not in log and PASSWORD not in log, "a password is in the log"
        print("right password in the file: the %d buffered records arrived exactly once"
              % COUNT)


def reload_fixes_the_password(up):
    topic = "orders-reloaded"
    up.create(topic, PARTITIONS)
    users = {"mechanisms": MECHANISMS, "users": {USER: PASSWORD}}
    sasl = {"mechanism": "SCRAM-SHA-512", "username": USER, "password": WRONG_PASSWORD}
    with UpstreamGate(up, tls=None, sasl=users, host="localhost") as gate, \
            Sidecar(upstream=gate.bootstrap,
                    config={"clusters": {"main": {"sasl": sasl}},
                            "topics": {topic: {"partitions": PARTITIONS}}}) as sc:
        acked = produce(sc, topic, "reload")
        wait_until(lambda: "upstream.authentication_failed" in sc.log(), 10,
                   "upstream.authentication_failed in the log")
        sc.config["clusters"]["main"]["sasl"]["password"] = PASSWORD
        sc.write_config()
        sc.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "config.reloaded" in sc.log(), 10, "config.reloaded in the log")
        line = [l for l in sc.log().splitlines() if "config.reloaded" in l][0]
        assert "applied=[clusters.main.sasl]" in line, line
        wait_forwarded(up, topic, COUNT, timeout=30)
        assert_exactly_once_in_order(acked, read_all(up.bootstrap, topic), allow_unacked=False)
        log = sc.log()
        assert WRONG_PASSWORD not in log and PASSWORD not in log, "a password is in the log"
        print("inline password fixed and SIGHUP: the %d buffered records arrived exactly once"
              % COUNT)


def main():
    with MockUpstream("2.15") as up:
        for mechanism in MECHANISMS:
            logs_in(up, mechanism)
        wrong_then_right(up)
        reload_fixes_the_password(up)


if __name__ == "__main__":
    run_test(main)
