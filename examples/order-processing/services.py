"""The services of the demo: ordinary Kafka clients, each one given only the
address of its own sidecar. Nothing in them knows about the sidecar.

* OrderService places orders: an idempotent producer (acks=all).
* OrderReader is a service reading every order in its own consumer group:
  it processes each batch (records the orders), commits the batch's
  offsets, and on stop commits and leaves the group. PaymentService also
  writes one record per order to the `payments` topic.
"""

import json
import logging
import threading
import time

import kafka
import kafka.errors
import kafka.structs
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

ORDERS, PAYMENTS = "orders", "payments"
CUSTOMERS = ["customer-%04d" % i for i in range(1, 1001)]
ITEMS = [("coffee", 350), ("bagel", 275), ("tea", 300), ("muffin", 325), ("juice", 450)]


def client_logger(name, path):
    """librdkafka's log lines (reconnects and the like) go to a file."""
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    return logger


def order_value(n):
    customer = CUSTOMERS[n * 7 % len(CUSTOMERS)]
    item, cents = ITEMS[n % len(ITEMS)]
    qty = 1 + n % 3
    return customer, {"order": n, "customer": customer, "item": item, "qty": qty,
                      "cents": qty * cents}


class OrderService:
    """Places `rate` orders a second until stopped, keyed by customer, and
    remembers which partition each acknowledged order went to. A failed
    order (a delivery error) is what the order service would see as an
    error."""

    def __init__(self, bootstrap, rate, log_path):
        self.producer = Producer({
            "bootstrap.servers": bootstrap, "client.id": "order-service",
            "enable.idempotence": True, "acks": "all", "linger.ms": 5,
            "message.timeout.ms": 120000,
            "logger": client_logger("order-service", log_path)})
        self.rate = rate
        self.placed = 0
        self.acked = {}   # order number -> partition
        self.failed = []  # (order number, error)
        self.unacked_at_stop = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="order-service", daemon=True)

    def start(self):
        self._thread.start()

    def _on_delivery(self, err, msg):
        n = json.loads(msg.value())["order"]
        if err is not None:
            self.failed.append((n, str(err)))
        else:
            self.acked[n] = msg.partition()

    def _run(self):
        started = time.monotonic()
        while not self._stopping.is_set():
            due = int((time.monotonic() - started) * self.rate)
            while self.placed < due:
                self.placed += 1
                key, order = order_value(self.placed)
                self.producer.produce(ORDERS, key=key, value=json.dumps(order),
                                      on_delivery=self._on_delivery)
            self.producer.poll(0.005)
        self.unacked_at_stop = self.producer.flush(60)

    def stop(self, timeout=70):
        """Stops placing orders and waits for the acks of those placed."""
        self.request_stop()
        self.join(timeout)

    def request_stop(self):
        self._stopping.set()

    def join(self, timeout):
        if self._thread.is_alive():
            self._thread.join(timeout)


class Run:
    """One run of a reader, from start to stop: what it processed, in order."""

    def __init__(self):
        self.records = []    # (order, partition, offset)
        self.committed = {}  # partition -> offset committed last
        self.started = time.monotonic()
        self.first_record_at = None


class OrderReader:
    """Reads `orders` as consumer group `group` with confluent-kafka
    (librdkafka). With subscribe=False it takes every partition itself
    (assign) and still commits its offsets to the group: see the README for
    why audit does.

    The session timeout (10 s) outlasts the demo's outage, so a member
    stays in its group while the cluster is away; heartbeats resume when
    it is back."""

    library = "confluent-kafka"

    def __init__(self, name, bootstrap, log_path, partitions, subscribe=True):
        self.name = name
        self.group = name
        self.bootstrap = bootstrap
        self.partitions = partitions
        self.subscribe = subscribe
        self.log_path = log_path
        self.logger = client_logger(name, log_path)
        self.runs = []
        self.processed = set()     # orders processed, every run
        self.commit_failures = 0   # commits retried (the cluster was away)
        self.error = None          # what stopped the reader, if anything
        self._stopping = threading.Event()
        self._thread = None

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        self.runs.append(Run())
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout=30):
        """Commits what was processed, leaves the group, closes."""
        self.request_stop()
        self.join(timeout)
        if self.running:
            raise RuntimeError("%s did not stop within %ds" % (self.name, timeout))

    def request_stop(self):
        self._stopping.set()

    def join(self, timeout):
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        run = self.runs[-1]
        uncommitted = {}
        try:
            self._open()
            while not self._stopping.is_set():
                batch = self._poll()
                if batch:
                    if run.first_record_at is None:
                        run.first_record_at = time.monotonic()
                    self.process([order for order, _, _ in batch])
                    for order, partition, offset in batch:
                        run.records.append((order["order"], partition, offset))
                        self.processed.add(order["order"])
                        uncommitted[partition] = offset + 1
                if uncommitted and self._commit(run, uncommitted):
                    uncommitted = {}
            deadline = time.monotonic() + 15
            while uncommitted and not self._commit(run, uncommitted):
                if time.monotonic() > deadline:
                    self.error = "could not commit its last offsets"
                    break
                time.sleep(0.2)
        except Exception as e:
            self.error = repr(e)
        finally:
            self._close()

    def _commit(self, run, offsets):
        """Commits the offsets after the processed orders; False to retry."""
        if not self.before_commit() or not self._commit_offsets(offsets):
            self.commit_failures += 1
            return False
        run.committed.update(offsets)
        return True

    def process(self, orders):
        """Processing an order is recording it (done by _run)."""

    def before_commit(self):
        return True

    # --- the client library

    def _open(self):
        self.consumer = Consumer({
            "bootstrap.servers": self.bootstrap, "group.id": self.group,
            "client.id": self.name, "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000,
            "fetch.wait.max.ms": 50, "logger": self.logger})
        if self.subscribe:
            self.consumer.subscribe([ORDERS])
        else:
            self.consumer.assign([TopicPartition(ORDERS, p) for p in range(self.partitions)])

    def _poll(self):
        """[(order, partition, offset)] of the next messages, maybe none.
        Errors while the cluster is away are retriable: librdkafka goes on."""
        return [(json.loads(m.value()), m.partition(), m.offset())
                for m in self.consumer.consume(500, 0.2) if not m.error()]

    def _commit_offsets(self, offsets):
        try:
            self.consumer.commit(
                offsets=[TopicPartition(ORDERS, p, o) for p, o in offsets.items()],
                asynchronous=False)
            return True
        except KafkaException:
            return False

    def _close(self):
        if getattr(self, "consumer", None) is not None:
            self.consumer.close()
            self.consumer = None


class KafkaPythonReader(OrderReader):
    """The same service written with kafka-python: a consumer group member
    too. Its synchronous commit waits for the cluster by itself."""

    library = "kafka-python"

    def _open(self):
        # kafka-python logs through `logging`: into the service's log too.
        library_logger = logging.getLogger("kafka")
        library_logger.propagate = False
        library_logger.handlers = self.logger.handlers
        self.consumer = kafka.KafkaConsumer(
            ORDERS, bootstrap_servers=self.bootstrap, group_id=self.group,
            client_id=self.name, auto_offset_reset="earliest", enable_auto_commit=False,
            session_timeout_ms=10000, heartbeat_interval_ms=1000, fetch_max_wait_ms=50)

    def _poll(self):
        records = self.consumer.poll(timeout_ms=200, max_records=500)
        return [(json.loads(r.value), r.partition, r.offset)
                for rs in records.values() for r in rs]

    def _commit_offsets(self, offsets):
        try:
            self.consumer.commit({kafka.TopicPartition(ORDERS, p):
                                  kafka.structs.OffsetAndMetadata(o, None)
                                  for p, o in offsets.items()})
            return True
        except kafka.errors.KafkaError:
            return False


class PaymentService(OrderReader):
    """Charges each order: one record per order to `payments`, through its
    own sidecar. The order's offset is committed only once its payment is
    acknowledged, so a payment is never lost; it is never written twice as
    long as no order is processed twice."""

    def __init__(self, name, bootstrap, log_path, partitions):
        super().__init__(name, bootstrap, log_path, partitions)
        self.producer = Producer({
            "bootstrap.servers": bootstrap, "client.id": "payment-service",
            "enable.idempotence": True, "acks": "all", "linger.ms": 5,
            "logger": self.logger})
        self.payments_acked = 0
        self.payment_failures = []

    def _on_delivery(self, err, msg):
        if err is not None:
            self.payment_failures.append(str(err))
        else:
            self.payments_acked += 1

    def process(self, orders):
        for order in orders:
            self.producer.produce(PAYMENTS, key=str(order["order"]),
                                  value=json.dumps({"order": order["order"],
                                                    "cents": order["cents"]}),
                                  on_delivery=self._on_delivery)
            self.producer.poll(0)

    def before_commit(self):
        return self.producer.flush(10) == 0 and not self.payment_failures
