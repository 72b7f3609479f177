#!/usr/bin/python3
"""Consumer groups routed to clusters by the `groups` rules, and topic
renames inside the consumer protocol, against both mock generations.

Two clusters: A gets the `payments.*` topics, B every other topic under
`shop.{topic}`; groups `billing-*` live on A, every other group on B.

1. Two confluent-kafka consumers in group `shop-readers` read topic
   `events` (upstream: `shop.events` on B) through the sidecar. Their
   subscriptions go to B's coordinator under upstream names and the leader
   sees them under the app's, so it assigns `events`: each member's
   consumer.assignment() names `events`, the two share the partitions, and
   every record is read once.
2. On B itself, the group's committed offsets are under `shop.events` (a
   consumer pointed straight at B reads them by the upstream name), at the
   log end. `kafka-sidecar offsets describe` and a dry-run reset over the
   admin API find them there, under `events`.
3. Group `shop-two-clients`: a kafka-python member (consumer protocol
   v0) and a confluent-kafka one (v1) share `views` through the sidecar.
4. Group `billing-x` reads `payments.orders` (on A, not renamed) and
   commits: the offsets are on A; B, which holds a topic of the same name
   as a decoy, has none for the group.

Then against two group_admin_broker.py clusters (the mocks have no group
admin APIs), with the same rules:
5. ListGroups lists each group only from the cluster its rule chooses: a
   group on the other cluster is left out.
6. DescribeGroups of groups on both clusters asks each cluster for its own
   and shows a consumer group's subscriptions and assignments under the
   app's topic names.
"""

import json
import sys
import threading
import time
import urllib.request

from group_admin_broker import DESCRIBE_GROUPS, LIST_GROUPS, Group, GroupAdminCluster
from group_admin_broker import Member as FixtureMember
from harness import (GENERATIONS, MockUpstream, Sidecar, offsets_ok, offsets_table, produce,
                     run_test, wait_forwarded, wait_until)

# 3 partitions, one per mock broker: against the 2.0.2 mock, `offsets
# describe` fails ("ListOffsets: no answer for ... partition 3") when one
# broker leads two partitions of a topic, with a single cluster too (a
# matter apart from group routing).
EVENTS, EVENTS_UP, EVENT_PARTITIONS, N = "events", "shop.events", 3, 300
VIEWS, VIEWS_UP = "views", "shop.views"
PAYMENTS, PAYMENT_PARTITIONS, M = "payments.orders", 2, 100
SHOP_GROUP, BILLING_GROUP = "shop-readers", "billing-x"
KPY_GROUP = "shop-two-clients"


class Member(threading.Thread):
    """One confluent-kafka group member reading `topic` until `stop` is set;
    then commits what it read (offset after the last record per partition)
    and, once every member of the run has committed, leaves (a member
    leaving starts a rebalance, during which the mock refuses commits)."""

    def __init__(self, bootstrap, group, topic, partitions, stop):
        super().__init__(daemon=True)
        self.bootstrap, self.group, self.topic, self.stop = bootstrap, group, topic, stop
        self.partitions = partitions
        self.records = []  # (topic, partition, offset, value)
        self.assignment = []  # consumer.assignment(), as of the last poll
        self.error = None
        self.committed = None  # a threading.Barrier shared by the run's members

    def run(self):
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self.group,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
        try:
            c.subscribe([self.topic])
            while not self.stop.is_set():
                m = c.poll(0.2)
                self.assignment = [(tp.topic, tp.partition) for tp in c.assignment()]
                if m is None:
                    continue
                if m.error():
                    raise AssertionError("%s: %s" % (self.group, m.error()))
                self.records.append((m.topic(), m.partition(), m.offset(), m.value().decode()))
            last = {}
            for topic, partition, offset, _ in self.records:
                last[(topic, partition)] = offset
            if last:
                c.commit(offsets=[TopicPartition(t, p, o + 1) for (t, p), o in last.items()],
                         asynchronous=False)
        except BaseException as e:  # reported by the test thread
            self.error = e
        finally:
            try:
                self.committed.wait(30)
            except threading.BrokenBarrierError:
                pass
            c.close()


class KafkaPythonMember(Member):
    """Member's story with kafka-python (consumer protocol v0 in JoinGroup v2)."""

    def run(self):
        from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
        c = None
        try:
            c = KafkaConsumer(self.topic, bootstrap_servers=self.bootstrap, group_id=self.group,
                              auto_offset_reset="earliest", enable_auto_commit=False,
                              session_timeout_ms=6000, heartbeat_interval_ms=500,
                              api_version_auto_timeout_ms=10000)
            while not self.stop.is_set():
                batches = c.poll(timeout_ms=200)
                self.assignment = [(tp.topic, tp.partition) for tp in c.assignment()]
                for records in batches.values():
                    self.records.extend((r.topic, r.partition, r.offset, r.value.decode())
                                        for r in records)
            last = {}
            for topic, partition, offset, _ in self.records:
                last[(topic, partition)] = offset
            if last:
                c.commit({TopicPartition(t, p): OffsetAndMetadata(o + 1, None)
                          for (t, p), o in last.items()})
        except BaseException as e:  # reported by the test thread
            self.error = e
        finally:
            try:
                self.committed.wait(30)
            except threading.BrokenBarrierError:
                pass
            if c is not None:
                c.close()


def read_group(members, produce_records, timeout=120):
    """Runs `members` until they share the partitions, then calls
    produce_records() (records arriving before would be read twice when a
    late joiner takes partitions over) and runs them until together they
    read that many records; returns what they read and what was produced.
    Generous timeouts: under ASan a rebalance on the 2.0 mock once took
    more than a minute to settle."""
    stop = members[0].stop
    committed = threading.Barrier(len(members))
    for m in members:
        m.committed = committed
        m.start()
    try:
        wait_until(lambda: shared(members) or any(m.error for m in members), timeout,
                   "group %s to share the partitions" % members[0].group, interval=0.1)
        expected = produce_records() if not any(m.error for m in members) else set()
        wait_until(lambda: sum(len(m.records) for m in members) >= len(expected) or
                   any(m.error for m in members), timeout,
                   "%d records read by group %s" % (len(expected), members[0].group),
                   interval=0.1)
        time.sleep(1)  # a record read twice would show now
    finally:
        stop.set()
        for m in members:
            m.join(30)
    for m in members:
        if m.error:
            raise m.error
    return [r for m in members for r in m.records], expected


def shared(members):
    """The members' partitions are disjoint, each has some, and together
    they cover the topic."""
    owned = [{p for _, p in m.assignment} for m in members]
    if not all(owned):
        return False
    everything = set().union(*owned)
    return sum(len(o) for o in owned) == len(everything) == members[0].partitions


def check_shared(members, topics, read, expected):
    """Each member was assigned partitions of its own name for the topic,
    the members shared its partitions, and the records `read` are
    `expected`, each once."""
    values = [r[3] for r in read]
    assert len(values) == len(set(values)), "records read twice"
    assert set(values) == expected, "records missing"
    for m, topic in zip(members, topics):
        names = {t for t, _ in m.assignment}
        assert names == {topic}, "assignment %s does not name %s" % (m.assignment, topic)
        assert {r[0] for r in m.records} <= {topic}, "records of another topic"
    assert shared(members), "the members do not share the partitions: %s" % (
        [m.assignment for m in members])


def committed(bootstrap, group, topic, partitions):
    """{partition: offset} the group committed for `topic`, asked straight of
    a cluster (no sidecar); -1001 where nothing is committed."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "enable.auto.commit": False})
    try:
        asked = [TopicPartition(topic, p) for p in range(partitions)]
        return {tp.partition: tp.offset for tp in c.committed(asked, timeout=20)}
    finally:
        c.close()


def check_replay_tools(sc, group, topic, offsets):
    """`offsets describe` and a dry-run reset over HTTP find the group on its
    cluster and show `offsets` ({partition: committed}) under the app's
    topic name."""
    rows = offsets_table(offsets_ok("describe", "--group", group, config=sc.config_path))
    shown = {int(r["PARTITION"]): int(r["COMMITTED"]) for r in rows if r["TOPIC"] == topic}
    assert shown == offsets and len(rows) == len(offsets), rows
    request = urllib.request.Request(
        "%s/v1/groups/%s/offsets/reset" % (sc.admin_url, group), method="POST",
        data=json.dumps({"topic": topic, "to-earliest": True, "dry-run": True}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        reset = json.loads(answer.read())
    old = {r["partition"]: r["old_offset"] for r in reset["partitions"]}
    assert old == offsets and {r["topic"] for r in reset["partitions"]} == {topic}, reset
    print("  offsets describe and a dry-run reset over HTTP find %s's offsets of %s" % (group, topic))


ROUTES = [{"topics": "payments.*", "cluster": "a"},
          {"topics": "*", "cluster": "b", "rename": "shop.{topic}"}]
GROUPS = [{"groups": "billing-*", "cluster": "a"}, {"groups": "*", "cluster": "b"}]


def check(generation):
    with MockUpstream(generation, topics={PAYMENTS: PAYMENT_PARTITIONS}) as a, \
            MockUpstream(generation, topics={EVENTS_UP: EVENT_PARTITIONS,
                                             VIEWS_UP: EVENT_PARTITIONS,
                                             PAYMENTS: PAYMENT_PARTITIONS}) as b, \
            Sidecar(upstream={"a": a, "b": b}, config={"routes": ROUTES, "groups": GROUPS}) as sc:
        print("== group routing, librdkafka %s mocks" % a.version)

        def produce_events(topic, prefix):
            def run():
                acked = produce("confluent", sc.bootstrap, topic, N, prefix, idempotent=True)
                wait_forwarded(b, "shop." + topic, N)
                return {r["value"] for r in acked.acked}
            return run

        stop = threading.Event()
        members = [Member(sc.bootstrap, SHOP_GROUP, EVENTS, EVENT_PARTITIONS, stop)
                   for _ in range(2)]
        read, expected = read_group(members, produce_events(EVENTS, "event"))
        check_shared(members, [EVENTS, EVENTS], read, expected)
        print("  2 members through the sidecar: %s and %s; %d records read once"
              % (members[0].assignment, members[1].assignment, N))

        on_b = committed(b.bootstrap, SHOP_GROUP, EVENTS_UP, EVENT_PARTITIONS)
        ends = {}
        for _, p, o, _ in read:
            ends[p] = max(ends.get(p, -1), o + 1)
        assert on_b == ends, "offsets on B under %s: %s, expected %s" % (EVENTS_UP, on_b, ends)
        print("  B holds the group's offsets under %s: %s" % (EVENTS_UP, on_b))
        check_replay_tools(sc, SHOP_GROUP, EVENTS, ends)

        # kafka-python and librdkafka in one group through the sidecar.
        stop = threading.Event()
        members = [KafkaPythonMember(sc.bootstrap, KPY_GROUP, VIEWS, EVENT_PARTITIONS, stop),
                   Member(sc.bootstrap, KPY_GROUP, VIEWS, EVENT_PARTITIONS, stop)]
        read, expected = read_group(members, produce_events(VIEWS, "view"))
        check_shared(members, [VIEWS, VIEWS], read, expected)
        print("  kafka-python %s and confluent-kafka %s in one group; %d records read once"
              % (members[0].assignment, members[1].assignment, N))

        def produce_payments():
            acked = produce("confluent", sc.bootstrap, PAYMENTS, M, "pay", idempotent=True)
            wait_forwarded(a, PAYMENTS, M)
            return {r["value"] for r in acked.acked}

        member = Member(sc.bootstrap, BILLING_GROUP, PAYMENTS, PAYMENT_PARTITIONS,
                        threading.Event())
        read, expected = read_group([member], produce_payments)
        assert sorted(r[3] for r in read) == sorted(expected)
        on_a = committed(a.bootstrap, BILLING_GROUP, PAYMENTS, PAYMENT_PARTITIONS)
        assert sum(on_a.values()) == M, "offsets of %s on A: %s" % (BILLING_GROUP, on_a)
        on_b = committed(b.bootstrap, BILLING_GROUP, PAYMENTS, PAYMENT_PARTITIONS)
        assert all(o < 0 for o in on_b.values()), "%s committed on B: %s" % (BILLING_GROUP, on_b)
        print("  %s's offsets are on A (%s), none on B" % (BILLING_GROUP, on_a))
        check_replay_tools(sc, BILLING_GROUP, PAYMENTS, on_a)
        sc.terminate()


def check_admin():
    with GroupAdminCluster() as a, GroupAdminCluster() as b:
        a.set_group(Group("billing-eu", 1, "Stable", [
            FixtureMember("billing-1", "billing-app", ["payments.captured"],
                          {"payments.captured": [0]})]))
        a.set_group(Group("only-on-a", 2, "Empty"))  # its rule says b
        b.set_group(Group("shop", 2, "Stable", [
            FixtureMember("shop-1", "shop-app", ["shop.orders", "shop.returns"],
                          {"shop.orders": [0, 1], "shop.returns": [0]})]))
        b.set_group(Group("billing-stale", 1, "Empty"))  # its rule says a
        with Sidecar(upstream={"a": a.bootstrap, "b": b.bootstrap},
                     config={"routes": ROUTES, "groups": GROUPS}) as sc:
            print("== group admin across two fixture clusters")
            from kafka import KafkaAdminClient
            client = KafkaAdminClient(bootstrap_servers=sc.bootstrap, request_timeout_ms=15000,
                                      api_version_auto_timeout_ms=10000)
            try:
                listed = sorted(g for g, _ in client.list_consumer_groups())
                described = client.describe_consumer_groups(["shop", "billing-eu"])
            finally:
                client.close()
            canned = {"analytics", "billing", "fraud", "audit", "connect-sink"}
            assert listed == sorted(canned | {"shop", "billing-eu"}), listed
            assert {br for br, _, _ in a.asked(LIST_GROUPS)} == {1, 2}, a.asked(LIST_GROUPS)
            assert {br for br, _, _ in b.asked(LIST_GROUPS)} == {1, 2}, b.asked(LIST_GROUPS)
            print("  every broker of both clusters asked; listed: %s" % listed)

            shop, billing = described
            (m,) = shop.members  # upstream: shop.orders, shop.returns
            assert m.member_metadata.subscription == ["orders", "returns"], m.member_metadata
            assert sorted(m.member_assignment.assignment) == [("orders", [0, 1]),
                                                              ("returns", [0])], m
            (m,) = billing.members
            assert m.member_metadata.subscription == ["payments.captured"], m.member_metadata
            assert m.member_assignment.assignment == [("payments.captured", [0])], m
            on_a = {g for _, _, groups in a.asked(DESCRIBE_GROUPS) for g in groups}
            on_b = {g for _, _, groups in b.asked(DESCRIBE_GROUPS) for g in groups}
            assert (on_a, on_b) == ({"billing-eu"}, {"shop"}), (on_a, on_b)
            print("  DescribeGroups: billing-eu asked of A, shop of B; members under the "
                  "app's topic names")
            sc.terminate()


def main():
    for generation in GENERATIONS:
        check(generation)
    check_admin()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
