#!/usr/bin/python3
"""The kafka-sidecar order demo.

An "order service" produces orders through kafka-sidecar while its Kafka
cluster goes away and the sidecar itself is killed with kill -9. When the
cluster comes back, every order the sidecar acknowledged is there: exactly
once, in order per partition.

    scripts/demo.sh    # installs, builds, runs this
    /usr/bin/python3 examples/order-processing/order_processing.py  # after a build

The binaries default to build/; KS_BINARY and KS_MOCK_2_15 (what ctest
sets) or --sidecar and --mock override them. Needs Debian's python3-kafka.
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaTimeoutError

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.normpath(os.path.join(HERE, "..", "..", "build"))
TOPIC, PARTITIONS, BROKERS = "orders", 3, 3


def say(line):
    print(line, flush=True)


class DemoFailed(Exception):
    pass


def fail(why):
    raise DemoFailed(why)


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            fail("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(0.1)


def free_port(preferred=9092):
    """9092 if nothing listens there, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the sidecar does
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                pass


# --- the pieces: a test Kafka cluster and the sidecar, as child processes

class Upstream:
    """tests/upstream's mock Kafka cluster (librdkafka's), controlled by
    commands on its stdin: `down-all`, `up-all`, ..."""

    def __init__(self, binary, workdir):
        bootstrap_file = os.path.join(workdir, "upstream.bootstrap")
        self.proc = subprocess.Popen(
            [binary, "--brokers", str(BROKERS), "--topic", "%s:%d" % (TOPIC, PARTITIONS),
             "--bootstrap-file", bootstrap_file],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(os.path.join(workdir, "upstream.log"), "wb"))
        try:
            wait_until(lambda: os.path.exists(bootstrap_file) or self.proc.poll() is not None,
                       20, "the test cluster to start")
            if self.proc.poll() is not None:
                fail("the test cluster exited with %s" % self.proc.returncode)
        except BaseException:
            self.stop()
            raise
        with open(bootstrap_file) as f:
            self.bootstrap = f.read().strip()  # "127.0.0.1:port,..."

    def command(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        if not select.select([self.proc.stdout], [], [], 10)[0]:
            fail("the test cluster did not answer %r" % line)
        answer = self.proc.stdout.readline().decode().strip()
        if not answer.startswith("ok"):
            fail("the test cluster answered %r to %r" % (answer, line))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # EOF: the mock exits
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Sidecar:
    def __init__(self, binary, workdir, upstream):
        self.binary = binary
        self.port = free_port()
        self.bootstrap = "127.0.0.1:%d" % self.port
        self.buffer_dir = os.path.join(workdir, "buffer")
        self.log_path = os.path.join(workdir, "sidecar.log")
        self.config_path = os.path.join(workdir, "sidecar.yaml")
        with open(os.path.join(HERE, "sidecar.yaml.template")) as f:
            config = f.read()
        config = (config.replace("@PORT@", str(self.port))
                  .replace("@BUFFER_DIR@", self.buffer_dir)
                  .replace("@BOOTSTRAP@", ", ".join(
                      '"%s"' % b for b in upstream.bootstrap.split(","))))
        with open(self.config_path, "w") as f:
            f.write(config)
        self.proc = None

    def start(self):
        starts = self.log().count("sidecar.started")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "run", "--config", self.config_path],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        # It logs sidecar.started once it listens (or exits if it cannot).
        wait_until(lambda: self.log().count("sidecar.started") > starts or
                   self.proc.poll() is not None, 30, "the sidecar to start")
        if self.proc.poll() is not None:
            fail("the sidecar exited with %s" % self.proc.returncode)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def buffer_bytes(self):
        return sum(os.path.getsize(os.path.join(d, f))
                   for d, _, files in os.walk(self.buffer_dir) for f in files)


# --- the order service and the check

CUSTOMERS = ["customer-%02d" % i for i in range(1, 13)]
ITEMS = ["coffee", "bagel", "tea", "muffin", "juice"]


class OrderService:
    """Produces orders through the sidecar like any Kafka producer would;
    remembers which partition each acknowledged order went to."""

    def __init__(self, bootstrap):
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap, client_id="order-service",
            acks="all",
            # kafka-python has no idempotent producer: one request in flight
            # per connection keeps each partition in order across retries.
            max_in_flight_requests_per_connection=1, retries=10, linger_ms=5,
            key_serializer=str.encode,
            value_serializer=lambda order: json.dumps(order).encode())
        self.next_order = 1
        self.acked = {}  # order number -> partition

    def place_orders(self, count):
        """Sends `count` orders and waits for each acknowledgement."""
        sent = []
        for _ in range(count):
            n = self.next_order
            self.next_order += 1
            order = {"order": n, "customer": CUSTOMERS[n * 7 % len(CUSTOMERS)],
                     "item": ITEMS[n % len(ITEMS)], "qty": 1 + n % 3}
            sent.append((n, self.producer.send(TOPIC, key=order["customer"], value=order)))
        try:
            self.producer.flush(timeout=30)
        except KafkaTimeoutError:
            fail("orders not acknowledged within 30s")
        for n, future in sent:
            try:
                self.acked[n] = future.get(timeout=0).partition
            except Exception as e:
                fail("order %d was not acknowledged: %r" % (n, e))
        return count

    def close(self):
        self.producer.close(timeout=1)


def upstream_count(bootstrap):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        tps = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
        return sum(consumer.end_offsets(tps).values())
    finally:
        consumer.close()


def read_orders(bootstrap):
    """{partition: [order number, ...]} in offset order, read straight from
    the cluster (no consumer group: assign + seek to the beginning)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             value_deserializer=json.loads)
    try:
        tps = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(tps)
        out = {p: [] for p in range(PARTITIONS)}
        deadline = time.monotonic() + 30
        while any(consumer.position(tp) < end[tp] for tp in tps):
            if time.monotonic() > deadline:
                fail("could not read the orders topic to its end")
            for tp, records in consumer.poll(timeout_ms=500).items():
                out[tp.partition] += [r.value["order"] for r in records]
        return out
    finally:
        consumer.close()


def check(acked, upstream):
    """Every acked order exactly once, in the partition it was acked for,
    and in order within each partition."""
    problems = []
    seen = {}
    for p, orders in sorted(upstream.items()):
        say("   partition %d: %d orders" % (p, len(orders)))
        for prev, n in zip(orders, orders[1:]):
            if n <= prev:
                problems.append("partition %d: order %d comes after order %d" % (p, n, prev))
        for n in orders:
            if n in seen:
                problems.append("order %d is there twice" % n)
            elif acked.get(n, p) != p:
                problems.append("order %d was acked for partition %d, is in %d"
                                % (n, acked[n], p))
            seen[n] = p
    missing = sorted(set(acked) - set(seen))
    if missing:
        problems.append("%d acked orders are missing: %s" % (len(missing), missing[:20]))
    unacked = sorted(set(seen) - set(acked))
    if unacked:
        problems.append("%d orders upstream were never acked: %s" % (len(unacked), unacked[:20]))
    return problems


# --- the story

def demo(args, workdir, cleanup):
    say("1. Starting a test Kafka cluster: %d brokers, topic '%s' with %d partitions"
        % (BROKERS, TOPIC, PARTITIONS))
    upstream = Upstream(args.mock, workdir)
    cleanup.append(upstream.stop)
    say("   cluster at %s" % upstream.bootstrap)

    sidecar = Sidecar(args.sidecar, workdir, upstream)
    cleanup.append(sidecar.stop)
    say("2. Starting kafka-sidecar on %s (buffer in %s, fsync always)"
        % (sidecar.bootstrap, sidecar.buffer_dir))
    sidecar.start()

    say("3. The order service produces orders through the sidecar (acks=all)")
    service = OrderService(sidecar.bootstrap)
    cleanup.append(service.close)
    service.place_orders(args.orders)
    wait_until(lambda: upstream_count(upstream.bootstrap) >= len(service.acked), 30,
               "the first orders to reach the cluster")
    say("   %d orders acked, and forwarded: the cluster has them" % len(service.acked))

    say("4. The whole cluster goes down (down-all)")
    upstream.command("down-all")
    during = service.place_orders(args.orders)
    say("   %d more orders acked by the sidecar while the cluster is down" % during)
    say("   buffer: %d orders acked, %d of them waiting for the cluster; %d KiB on disk"
        % (len(service.acked), during, sidecar.buffer_bytes() // 1024))

    say("5. kill -9 the sidecar, and start it again (the cluster is still down)")
    sidecar.kill9()
    sidecar.start()
    recovered = re.findall(r"forwarder\.recovered .*batches=(\d+)", sidecar.log())
    if recovered:
        say("   the restarted sidecar found %s batches still to forward in its buffer"
            % recovered[-1])
    after = service.place_orders(args.orders)
    during += after
    say("   the order service carries on: %d more orders acked (%d while the cluster is down)"
        % (after, during))

    say("6. The cluster comes back (up-all); the sidecar forwards its backlog")
    upstream.command("up-all")
    back = time.monotonic()
    total = len(service.acked)
    wait_until(lambda: upstream_count(upstream.bootstrap) >= total, 45,
               "all %d orders to reach the cluster" % total)
    say("   %d orders on the cluster %.1fs later" % (upstream_count(upstream.bootstrap),
                                                     time.monotonic() - back))

    say("7. Reading topic '%s' straight from the cluster" % TOPIC)
    problems = check(service.acked, read_orders(upstream.bootstrap))
    if problems:
        for p in problems[:30]:
            say("   " + p)
        fail("%d problems with the orders upstream" % len(problems))
    say("all %d orders delivered exactly once, in order" % total)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sidecar", default=os.environ.get("KS_BINARY") or
                   os.path.join(BUILD, "kafka-sidecar"),
                   help="kafka-sidecar binary (default: $KS_BINARY, else build/)")
    p.add_argument("--mock", default=os.environ.get("KS_MOCK_2_15") or
                   os.path.join(BUILD, "mock-upstream-2.15"),
                   help="test cluster binary (default: $KS_MOCK_2_15, else build/)")
    p.add_argument("--orders", type=int, default=200, help="orders per step (default 200)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (config, logs)")
    args = p.parse_args()
    # kill (SIGTERM) stops the demo and cleans up, as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    workdir = tempfile.mkdtemp(prefix="kafka-sidecar-demo-")
    cleanup = []  # what demo() started, stopped in reverse order
    started = time.monotonic()
    keep = args.keep
    try:
        demo(args, workdir, cleanup)
        say("(the demo took %.0fs)" % (time.monotonic() - started))
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
    except Exception as e:
        keep = True
        say("FAILED: %s" % (e if isinstance(e, DemoFailed) else repr(e)))
        log = os.path.join(workdir, "sidecar.log")
        if os.path.exists(log) and os.path.getsize(log):
            with open(log, errors="replace") as f:
                say("last lines of the sidecar's log:\n" + "".join(f.readlines()[-20:]))
        if not isinstance(e, DemoFailed):
            raise
        sys.exit(1)
    finally:
        for stop in reversed(cleanup):
            stop()
        if keep:
            say("config and logs kept in %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
