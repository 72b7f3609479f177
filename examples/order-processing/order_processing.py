#!/usr/bin/python3
"""The kafka-sidecar order-processing demo.

An order service places orders through its sidecar while payment,
inventory, notification, analytics, fraud and audit services read them,
each through a sidecar of its own. The Kafka cluster goes away and comes
back, the order service's sidecar is killed with kill -9, inventory is
stopped and started again, audit is rewound and replays everything. At
the end every acknowledged order is in the cluster once, and every
service processed every order once.

    scripts/demo.sh    # installs, builds, runs this
    /usr/bin/python3 examples/order-processing/order_processing.py  # after a build

The binaries default to build/; KS_BINARY and KS_MOCK_2_15 (what ctest
sets) or --sidecar and --mock override them. Needs Debian's
python3-confluent-kafka and python3-kafka.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the demo's modules

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from checks import (Report, check_cluster, check_payments, check_reader,  # noqa: E402
                    first_offsets, read_topic)
from processes import Cluster, DemoFailed, Sidecar, fail, wait_until  # noqa: E402
from services import (ORDERS, PAYMENTS, KafkaPythonReader, OrderReader,  # noqa: E402
                      OrderService, PaymentService)

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.normpath(os.path.join(HERE, "..", "..", "build"))
BROKERS = 3
TOPICS = {ORDERS: 6, PAYMENTS: 3}
READERS = ["payment", "inventory", "notification", "analytics", "fraud", "audit"]


class Story:
    """The demo's steps, narrated as they happen: one numbered line per
    step (with the time since the start), indented lines for what it
    showed. cleanup collects what to stop, in reverse order."""

    def __init__(self, args, workdir, cleanup):
        self.args = args
        self.workdir = workdir
        self.cleanup = cleanup
        self.started = time.monotonic()
        self.steps = 0
        self.orders = None
        self.readers = {}

    def step(self, text):
        self.steps += 1
        print("%5.1fs  %d. %s" % (time.monotonic() - self.started, self.steps, text), flush=True)

    def say(self, text):
        print("         " + text, flush=True)

    def run(self):
        """The story; returns the final report."""
        self.start_cluster_and_sidecars()
        self.start_order_service()
        self.start_readers()
        self.outage_and_kill9()
        self.inventory_stops()
        self.audit_replays()
        self.inventory_restarts()
        return self.finish()

    # --- the steps

    def start_cluster_and_sidecars(self):
        self.step("Test cluster: %d brokers, topic %s (%d partitions) and %s (%d)"
                  % (BROKERS, ORDERS, TOPICS[ORDERS], PAYMENTS, TOPICS[PAYMENTS]))
        self.cluster = Cluster(self.args.mock, self.workdir, BROKERS, TOPICS)
        self.cleanup.append(self.cluster.stop)
        self.sidecars = {}
        for service in ["order-service"] + READERS:
            sidecar = Sidecar(self.args.sidecar, self.workdir, service, self.cluster, TOPICS)
            self.sidecars[service] = sidecar
            self.cleanup.append(sidecar.stop)
            sidecar.start()
        for sidecar in self.sidecars.values():
            sidecar.wait_started()
        self.order_sidecar = self.sidecars["order-service"]
        self.say("%d sidecars, one per service; the order service's at %s, metrics at %s"
                 % (len(self.sidecars), self.order_sidecar.bootstrap,
                    self.order_sidecar.admin_url + "/metrics"))

    def start_order_service(self):
        self.step("The order service places %d orders a second through its sidecar "
                  "(idempotent producer, acks=all)" % self.args.rate)
        self.orders = OrderService(self.order_sidecar.bootstrap, self.args.rate,
                                   os.path.join(self.order_sidecar.dir, "client.log"))
        self.cleanup.append(self.stop_services)
        self.orders.start()
        wait_until(lambda: self.acked() >= self.args.rate, 20, "the first orders to be acked")
        m = self.order_sidecar.metrics()
        self.say("%d orders acked; sidecar /metrics: %d accepted, %d forwarded, %d buffered"
                 % (self.acked(), m["accepted_records_total"], m["forwarded_records_total"],
                    m["buffer_unforwarded_records"]))

    def start_readers(self):
        for name in READERS:
            args = (name, self.sidecars[name].bootstrap,
                    os.path.join(self.sidecars[name].dir, "client.log"), TOPICS[ORDERS])
            if name == "payment":
                self.readers[name] = PaymentService(*args)
            elif name == "fraud":
                self.readers[name] = KafkaPythonReader(*args)
            else:
                self.readers[name] = OrderReader(*args, subscribe=name != "audit")
        self.step("Payment, inventory and notification start, each in its own consumer "
                  "group, through its own sidecar")
        for name in ("payment", "inventory", "notification"):
            self.readers[name].start()
        self.step("Analytics and fraud (kafka-python) join groups of their own too; audit "
                  "takes every partition itself")
        for name in ("analytics", "fraud", "audit"):
            self.readers[name].start()
        started = time.monotonic()
        placed = self.wait_up_to_date(self.readers.values(), 30, "the services to read orders")
        self.say("%.1f s later all six are up to date: each has processed the first %d "
                 "orders; payment wrote a payment for each" % (time.monotonic() - started,
                                                              placed))

    def outage_and_kill9(self):
        self.step("The whole cluster goes down (down-all); orders keep coming")
        before = self.acked()
        self.cluster.command("down-all")
        down = time.monotonic()
        self.during_outage(down, before, 2)

        self.step("kill -9 the order service's sidecar, the cluster still down; start it "
                  "again")
        killed = time.monotonic()
        self.order_sidecar.kill9()
        self.order_sidecar.start()
        self.order_sidecar.wait_started()
        self.say("serving again %.1f s later; the new process's /metrics: %s"
                 % (time.monotonic() - killed, self.buffer_line()))
        self.during_outage(down, before, 2)

        self.step("The cluster comes back (up-all)")
        self.cluster.command("up-all")
        back = time.monotonic()
        during = self.acked() - before
        placed = self.orders.placed
        wait_until(lambda: self.order_sidecar.metrics()["buffer_unforwarded_records"] == 0,
                   30, "the sidecar to forward its backlog", interval=0.1)
        self.say("the sidecar forwarded its backlog in %.1f s; /metrics: %s"
                 % (time.monotonic() - back, self.buffer_line()))
        self.wait_caught_up(self.readers.values(), placed, 30,
                            "the services to catch up after the outage")
        self.say("every service caught up by itself %.1f s after the cluster came back"
                 % (time.monotonic() - back))
        self.say("the order service saw no error: %d orders acked while the cluster was "
                 "down, %d failed" % (during, len(self.orders.failed)))

    def inventory_stops(self):
        self.step("Inventory stops for a while: it commits its offsets and leaves its group")
        inventory = self.readers["inventory"]
        inventory.stop()
        self.inventory_stopped = time.monotonic()
        self.placed_at_inventory_stop = self.orders.placed
        self.say("stopped after %d orders; committed offsets (partition:offset) %s"
                 % (len(inventory.processed), offsets_text(inventory.runs[0].committed)))

    def audit_replays(self):
        self.step("Audit is rewound to offset 0 and replays every order")
        audit = self.readers["audit"]
        audit.stop()
        body = {"topic": ORDERS, "to-earliest": True}
        status, text = self.sidecars["audit"].http(
            "POST", "/v1/groups/audit/offsets/reset", body)
        if status != 200:
            fail("offsets reset answered %d: %s" % (status, text))
        answer = json.loads(text)
        if not answer["committed"] or any(p["new_offset"] != 0 for p in answer["partitions"]):
            fail("offsets reset did not rewind audit to 0: %s" % text)
        self.say("audit stopped; POST /v1/groups/audit/offsets/reset %s -> %d" %
                 (json.dumps(body), status))
        self.say("offsets %s -> 0" % offsets_text(
            {p["partition"]: p["old_offset"] for p in answer["partitions"]}))
        first_pass = {n for n, _, _ in audit.runs[0].records}
        started = time.monotonic()
        audit.start()
        wait_until(lambda: first_pass <= {n for n, _, _ in audit.runs[1].records} or
                   audit.error, 30, "audit to replay", interval=0.1)
        if audit.error:
            fail("audit stopped: %s" % audit.error)
        self.say("audit started again and read its %d orders again, from offset 0, in %.1f s"
                 % (len(first_pass), time.monotonic() - started))

    def inventory_restarts(self):
        self.step("Inventory starts again")
        inventory = self.readers["inventory"]
        started = time.monotonic()
        inventory.start()
        run = inventory.runs[1]
        wait_until(lambda: run.first_record_at or inventory.error, 30,
                   "inventory to rejoin its group", interval=0.1)
        if inventory.error:
            fail("inventory stopped: %s" % inventory.error)
        placed = self.orders.placed
        self.wait_caught_up([inventory], placed, 30, "inventory to catch up")
        self.say("back in its group %.1f s after it started, %.1f s after it left (the test "
                 "cluster rebalances a session timeout after a leave)"
                 % (run.first_record_at - started, run.first_record_at - self.inventory_stopped))
        self.say("it resumed at offsets %s, the ones it committed, and caught up with the "
                 "%d orders placed since it stopped" % (offsets_text(first_offsets(run)),
                                                      placed - self.placed_at_inventory_stop))

    def finish(self):
        self.step("The order service stops; the last orders are forwarded and processed")
        self.orders.stop()
        if self.orders.unacked_at_stop:
            fail("%d orders never acked" % self.orders.unacked_at_stop)
        placed = self.orders.placed
        wait_until(lambda: all(s.metrics()["buffer_unforwarded_records"] == 0
                               for s in self.sidecars.values()), 30,
                   "the sidecars to forward everything", interval=0.1)
        self.wait_caught_up(self.readers.values(), placed, 30,
                            "the services to process the last orders")
        for reader in self.readers.values():
            reader.request_stop()
        for reader in self.readers.values():
            reader.stop()
        self.say("every service committed and left; reading %s and %s back from the cluster"
                 % (ORDERS, PAYMENTS))

        acked = self.orders.acked
        report = Report()
        report.row("placed and acked", len(acked))
        if placed != len(acked) or self.orders.failed:
            report.problems.append("%d orders placed, %d acked, %d failed (e.g. %s)" % (
                placed, len(acked), len(self.orders.failed), self.orders.failed[:3]))
        check_cluster(report, acked, read_topic(self.cluster.bootstrap, ORDERS, TOPICS[ORDERS]))
        for reader in self.readers.values():
            check_reader(report, reader, acked)
            if reader.error:
                report.problems.append("%s: %s" % (reader.name, reader.error))
        check_payments(report, self.readers["payment"],
                       read_topic(self.cluster.bootstrap, PAYMENTS, TOPICS[PAYMENTS]))
        return report

    # --- what the steps look at

    def acked(self):
        return len(self.orders.acked)

    def wait_caught_up(self, readers, placed, timeout, what, poll=True):
        """Waits until each reader processed every acked order among the
        first `placed` (poll=False: says whether they did)."""
        def done():
            for r in readers:
                if r.error:
                    fail("%s stopped: %s" % (r.name, r.error))
            orders = [n for n in list(self.orders.acked) if n <= placed]
            return all(all(n in r.processed for n in orders) for r in readers)
        return wait_until(done, timeout, what, interval=0.1) if poll else done()

    def wait_up_to_date(self, readers, timeout, what):
        """Waits until each reader processed every order acked up to half a
        second ago (orders keep coming); returns how many that was."""
        def done():
            placed = self.orders.placed - self.args.rate // 2
            return self.wait_caught_up(readers, placed, 0, what, poll=False) and placed
        return wait_until(done, timeout, what, interval=0.1)

    def buffer_line(self):
        m = self.order_sidecar.metrics()
        return "%d buffered, oldest %.1f s, upstream_up %d" % (
            m["buffer_unforwarded_records"], m["buffer_oldest_unforwarded_age_seconds"],
            m["upstream_up"])

    def during_outage(self, down, before, seconds):
        """Each second: what the order service got and its sidecar's /metrics say."""
        end = time.monotonic() + seconds
        while time.monotonic() < end - 0.05:
            time.sleep(min(1.0, end - time.monotonic()))
            counts = sorted(len(r.processed) for r in self.readers.values())
            self.say("+%.1f s: %d more orders acked, %d failed; /metrics: %s; services wait "
                     "at %s" % (time.monotonic() - down, self.acked() - before,
                                     len(self.orders.failed), self.buffer_line(),
                                     "%d-%d" % (counts[0], counts[-1])))

    def stop_services(self, timeout=5):
        """Cleanup: every service at once, within `timeout` in all (their
        threads are daemons: what does not stop in time dies with the demo)."""
        services = [self.orders] + list(self.readers.values())
        for service in services:
            service.request_stop()
        deadline = time.monotonic() + timeout
        for service in services:
            service.join(max(0.0, deadline - time.monotonic()))


def offsets_text(offsets):
    return " ".join("%d:%d" % (p, o) for p, o in sorted(offsets.items())) or "none"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sidecar", default=os.environ.get("KS_BINARY") or
                   os.path.join(BUILD, "kafka-sidecar"),
                   help="kafka-sidecar binary (default: $KS_BINARY, else build/)")
    p.add_argument("--mock", default=os.environ.get("KS_MOCK_2_15") or
                   os.path.join(BUILD, "mock-upstream-2.15"),
                   help="test cluster binary (default: $KS_MOCK_2_15, else build/)")
    p.add_argument("--rate", type=int, default=100, help="orders a second (default 100)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs)")
    args = p.parse_args()
    # kill (SIGTERM) stops the demo and cleans up, as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    workdir = tempfile.mkdtemp(prefix="kafka-sidecar-demo-")
    cleanup = []  # what the story started, stopped in reverse order
    keep = args.keep
    story = Story(args, workdir, cleanup)
    code = 0
    try:
        report = story.run()
        print()
        report.print()
        print()
        for problem in report.problems:
            print("FAILED: " + problem)
        if report.problems:
            keep, code = True, 1
        else:
            print("all checks passed: nothing lost, nothing processed twice (%.0f s)"
                  % (time.monotonic() - story.started))
    except KeyboardInterrupt:
        print("interrupted")
        code = 130
    except Exception as e:
        keep, code = True, 1
        print("FAILED: %s" % (e if isinstance(e, DemoFailed) else repr(e)), flush=True)
        if not isinstance(e, DemoFailed):
            raise
    finally:
        for stop in reversed(cleanup):
            try:
                stop()
            except Exception as e:  # stop the rest anyway
                print("cleanup: %r" % e)
        if keep:
            print("configs and logs kept in %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
