#!/usr/bin/python3
"""Group administration through the sidecar (DescribeGroups, ListGroups,
DeleteGroups), with real admin clients:

1. Against group_admin_broker.py, two brokers each coordinating some of
   the groups: ListGroups is merged across both brokers, DescribeGroups
   and DeleteGroups are split by coordinator and answered in the client's
   order, member metadata and assignments arrive byte for byte, a moved
   coordinator is looked up again, and a broker that is down leaves its
   groups with COORDINATOR_NOT_AVAILABLE.
2. Against the librdkafka mocks, which lack these APIs: every client gets
   UNSUPPORTED_VERSION at once (no hang, no retry loop) and the sidecar
   logs it once per API.
"""

import sys
import time

from group_admin_broker import (DESCRIBE_GROUPS, FIND_COORDINATOR, LIST_GROUPS,
                                GroupAdminCluster, consumer_assignment)
from harness import GENERATIONS, MockUpstream, Sidecar, api_versions, run_test, wait_until
from raw_kafka import Connection, Reader, Writer

NONE = 0
COORDINATOR_NOT_AVAILABLE = 15
NOT_COORDINATOR = 16
UNSUPPORTED_VERSION = 35
ALL_GROUPS = {"analytics", "billing", "fraud", "audit", "connect-sink"}


def admin(bootstrap):
    from kafka import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=bootstrap, api_version_auto_timeout_ms=10000,
                            request_timeout_ms=15000)


def describe_raw(bootstrap, groups, version=0):
    """[(error, group, state, [(member id, instance id, assignment)])]."""
    flexible = version >= 5
    body = Writer(flexible).array(groups, Writer.string)
    if version >= 3:
        body.bool(False)
    body.tags()

    def member(r):
        member_id = r.string()
        instance_id = r.string() if version >= 4 else None
        r.string(), r.string(), r.bytes()  # client id, host, metadata
        assignment = r.bytes()
        r.tags()
        return member_id, instance_id, assignment

    def group(r):
        error, group_id, state = r.int16(), r.string(), r.string()
        r.string(), r.string()  # protocol type, protocol
        members = r.array(member)
        if version >= 3:
            r.int32()
        r.tags()
        return error, group_id, state, members

    with Connection(bootstrap) as c:
        r = Reader(c.request(DESCRIBE_GROUPS, version, body.value(), flexible), flexible)
    if version >= 1:
        r.int32()
    return r.array(group)


def list_raw(bootstrap, version=0, states=None):
    """(error, {group id: state or None})."""
    flexible = version >= 3
    body = Writer(flexible)
    if version >= 4:
        body.array(states or [], Writer.string)
    body.tags()

    def group(r):
        group_id, _ = r.string(), r.string()
        state = r.string() if version >= 4 else None
        r.tags()
        return group_id, state

    with Connection(bootstrap) as c:
        r = Reader(c.request(LIST_GROUPS, version, body.value(), flexible), flexible)
    if version >= 1:
        r.int32()
    error = r.int16()
    return error, dict(r.array(group))


def check_versions(sc):
    advertised = api_versions(sc.bootstrap)
    for key, versions in {15: (0, 5), 16: (0, 4), 42: (0, 2), 23: (0, 4)}.items():
        assert advertised.get(key) == versions, (key, advertised.get(key))


def check_list(cluster, sc):
    cluster.also_lists[1] = ["audit"]  # its coordinator moving: both brokers list it
    client = admin(sc.bootstrap)
    try:
        listed = client.list_consumer_groups()
    finally:
        client.close()
    names = [g for g, _ in listed]
    assert sorted(names) == sorted(ALL_GROUPS), listed
    assert ("connect-sink", "connect") in listed, listed
    assert {b for b, _, _ in cluster.asked(LIST_GROUPS)} == {1, 2}, cluster.asked(LIST_GROUPS)
    print("  kafka-python lists the groups of both brokers once each: %s" % sorted(names))

    error, stable = list_raw(sc.bootstrap, version=4, states=["Stable"])
    assert error == NONE and stable == {"analytics": "Stable", "fraud": "Stable",
                                        "connect-sink": "Stable"}, (error, stable)
    assert cluster.asked(LIST_GROUPS)[-1][2] == ["Stable"], cluster.asked(LIST_GROUPS)
    print("  the v4 states filter reaches the brokers: %s" % sorted(stable))


def check_describe(cluster, sc):
    client = admin(sc.bootstrap)
    try:
        described = client.describe_consumer_groups(["fraud", "analytics"])
    finally:
        client.close()
    fraud, analytics = described
    assert (fraud.group, fraud.state, fraud.protocol) == ("fraud", "Stable", "range"), fraud
    assert [m.member_id for m in analytics.members] == ["analytics-a", "analytics-b"], analytics
    b = analytics.members[1]
    assert b.client_id == "analytics-2" and b.member_metadata.subscription == ["orders"], b
    assert b.member_assignment.assignment == [("orders", [2])], b
    print("  kafka-python describes members, subscriptions and assignments")

    before = len(cluster.asked(DESCRIBE_GROUPS))
    asked = ["fraud", "analytics", "nobody", "audit", "fraud"]
    answers = describe_raw(sc.bootstrap, asked, version=5)
    assert [a[1] for a in answers] == asked, answers
    assert [a[0] for a in answers] == [NONE] * 5, answers
    assert [a[2] for a in answers] == ["Stable", "Stable", "Dead", "Empty", "Stable"], answers
    members = {m[0]: m for m in answers[1][3]}
    assert members["analytics-b"][1] == "pod-b", members
    assert members["analytics-a"][2] == consumer_assignment({"orders": [0, 1]}), members
    split = {b: sorted(groups) for b, _, groups in cluster.asked(DESCRIBE_GROUPS)[before:]}
    assert split == {1: ["analytics", "nobody"], 2: ["audit", "fraud"]}, split
    print("  one DescribeGroups v5 for 5 groups went to each coordinator once (%s), "
          "answered in the client's order, assignments byte for byte" % split)

    from confluent_kafka.admin import AdminClient
    groups = AdminClient({"bootstrap.servers": sc.bootstrap}).list_groups(timeout=15)
    by_id = {g.id: g for g in groups}
    assert set(by_id) == ALL_GROUPS, by_id
    a = {m.id: m for m in by_id["analytics"].members}
    assert a["analytics-a"].assignment == consumer_assignment({"orders": [0, 1]}), a
    assert by_id["connect-sink"].protocol_type == "connect", by_id["connect-sink"]
    print("  librdkafka 2.0.2 lists and describes every group through the sidecar")


def check_coordinator_moves(cluster, sc):
    assert describe_raw(sc.bootstrap, ["billing"])[0][0] == NONE  # billing's coordinator cached
    finds = len([k for _, _, k in cluster.asked(FIND_COORDINATOR) if k == "billing"])
    cluster.move("billing", 2)
    assert describe_raw(sc.bootstrap, ["billing"])[0][0] == NOT_COORDINATOR
    again = describe_raw(sc.bootstrap, ["billing"])[0]
    assert again[0] == NONE and again[2] == "Empty", again
    refound = len([k for _, _, k in cluster.asked(FIND_COORDINATOR) if k == "billing"])
    assert refound == finds + 1, (finds, refound)
    print("  NOT_COORDINATOR made the sidecar look billing's coordinator up again")


def check_delete(cluster, sc):
    from kafka.errors import GroupIdNotFoundError, NoError, NonEmptyGroupError
    client = admin(sc.bootstrap)
    try:
        results = dict(client.delete_consumer_groups(["audit", "analytics", "ghost"]))
        assert results == {"audit": NoError, "analytics": NonEmptyGroupError,
                           "ghost": GroupIdNotFoundError}, results
        listed = {g for g, _ in client.list_consumer_groups()}
    finally:
        client.close()
    cluster.also_lists.clear()
    assert listed == ALL_GROUPS - {"audit"}, listed
    print("  kafka-python deletes per group: %s" % {g: e.__name__ for g, e in results.items()})


def check_broker_down(cluster, sc):
    cluster.down(2)
    error, listed = list_raw(sc.bootstrap)
    assert error == COORDINATOR_NOT_AVAILABLE, error
    assert set(listed) == {"analytics"}, listed  # billing moved to broker 2
    answers = describe_raw(sc.bootstrap, ["analytics", "fraud"])
    assert [(a[1], a[0]) for a in answers] == [("analytics", NONE),
                                               ("fraud", COORDINATOR_NOT_AVAILABLE)], answers
    print("  broker 2 down: ListGroups says COORDINATOR_NOT_AVAILABLE with broker 1's groups, "
          "fraud (broker 2) too, analytics is described")
    cluster.up(2)
    wait_until(lambda: list_raw(sc.bootstrap)[0] == NONE, 30, "ListGroups to work again")
    assert describe_raw(sc.bootstrap, ["fraud"])[0][0] == NONE
    print("  broker 2 back: both answer again")


def check_fixture():
    with GroupAdminCluster() as cluster, Sidecar(upstream=cluster.bootstrap) as sc:
        print("== group admin, two-broker fixture")
        check_versions(sc)
        check_list(cluster, sc)
        check_describe(cluster, sc)
        check_coordinator_moves(cluster, sc)
        check_delete(cluster, sc)
        check_broker_down(cluster, sc)
        sc.terminate()


def quickly(what, fn, limit=10):
    start = time.monotonic()
    try:
        return fn()
    finally:
        took = time.monotonic() - start
        assert took < limit, "%s took %.1f s" % (what, took)


def check_mock(generation):
    from kafka.errors import UnsupportedVersionError
    with MockUpstream(generation) as up, Sidecar(upstream=up) as sc:
        print("== group admin against the librdkafka %s mock (no group admin APIs)" % up.version)
        client = admin(sc.bootstrap)
        try:
            for what, call in [("list", client.list_consumer_groups),
                               ("describe", lambda: client.describe_consumer_groups(["g"])),
                               ("describe again", lambda: client.describe_consumer_groups(["g"]))]:
                try:
                    quickly(what, call)
                    raise AssertionError("%s succeeded against a broker without the API" % what)
                except UnsupportedVersionError:
                    pass
            deleted = quickly("delete", lambda: client.delete_consumer_groups(["g", "h"]))
            assert deleted == [("g", UnsupportedVersionError), ("h", UnsupportedVersionError)], \
                deleted
        finally:
            client.close()
        print("  kafka-python: list, describe and delete fail at once with UNSUPPORTED_VERSION")

        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient
        try:
            quickly("confluent list_groups",
                    lambda: AdminClient({"bootstrap.servers": sc.bootstrap}).list_groups(timeout=8))
            raise AssertionError("list_groups succeeded against a broker without ListGroups")
        except KafkaException as e:
            assert e.args[0].code() == UNSUPPORTED_VERSION, e
        print("  librdkafka 2.0.2: list_groups fails at once with UNSUPPORTED_VERSION")

        log = sc.log()
        for api in ("describe_groups", "list_groups", "delete_groups"):
            lines = [l for l in log.splitlines()
                     if "upstream.api_unsupported" in l and "api=%s " % api in l]
            assert len(lines) == 1, (api, lines)
        print("  the sidecar logged it once per API")
        sc.terminate()


def main():
    check_fixture()
    for generation in GENERATIONS:
        check_mock(generation)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
