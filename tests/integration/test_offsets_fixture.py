#!/usr/bin/python3
"""`kafka-sidecar offsets` against group_admin_broker.py, a two-broker
fixture of ours, for what the librdkafka mocks cannot show (see
test_offsets_cli.py): ListOffsets by timestamp, and a group state from
DescribeGroups.

The topic's four partitions hold records with known timestamps (one with
older records deleted, one with equal timestamps, one empty), split over
both brokers as leaders; the group lives on broker 2. Checked:

* --to-timestamp lands on the first record at or after the timestamp on
  every partition: the log start before the first record, the log end
  past the last one;
* describe shows the group's state, members and lag;
* a Stable group with members is refused from DescribeGroups, before any
  offset is read or committed (the fixture sees no OffsetCommit);
* an Empty group is reset, and the fixture stores the new offsets.
"""

import sys

from group_admin_broker import (DESCRIBE_GROUPS, FIND_COORDINATOR, LIST_OFFSETS, OFFSET_COMMIT,
                                Group, GroupAdminCluster, Member, PartitionLog)
from harness import Sidecar, offsets_ok, offsets_refused, offsets_table, run_test

TOPIC = "orders"
GROUP = "replay"
T0 = 1_700_000_000_000

LOGS = [
    PartitionLog(0, [T0 + 10 * i for i in range(10)]),       # 0-9: T0, T0+10, ... T0+90
    PartitionLog(40, [T0 + 25 + 10 * i for i in range(6)]),  # 40-45 (0-39 deleted): T0+25 ...
    PartitionLog(0, [T0 + 40, T0 + 50, T0 + 50, T0 + 60]),   # 0-3, two records at T0+50
    PartitionLog(7, []),                                     # empty, 7 records deleted
]
LOG_END = {0: 10, 1: 46, 2: 4, 3: 7}

# --to-timestamp T: the new offset of each partition.
AT_TIMESTAMP = {
    T0 - 1: {0: 0, 1: 40, 2: 0, 3: 7},         # before every record: the log start
    T0 + 50: {0: 5, 1: 43, 2: 1, 3: 7},        # the first of equal timestamps
    T0 + 55: {0: 6, 1: 43, 2: 3, 3: 7},        # between records: the next one
    T0 + 1000: {0: 10, 1: 46, 2: 4, 3: 7},     # after the last record: the log end
}


def committed_in(cluster):
    return {p: o for (t, p), o in cluster.committed.get(GROUP, {}).items() if t == TOPIC}


def describe(config):
    """(the state line, {partition: (committed, log end, lag)})."""
    out = offsets_ok("describe", "--group", GROUP, config=config)
    rows = {int(r["PARTITION"]): (int(r["COMMITTED"]), int(r["LOG-END"]), int(r["LAG"]))
            for r in offsets_table(out) if r["TOPIC"] == TOPIC}
    return out.splitlines()[0], rows


def expected_rows(committed):
    return {p: (c, LOG_END[p], LOG_END[p] - c) for p, c in committed.items()}


def check_describe(cluster, config, state_line):
    line, rows = describe(config)
    assert line == state_line, line
    assert rows == expected_rows(committed_in(cluster)), rows


def check_stable_group_refused(cluster, config):
    cluster.set_group(Group(GROUP, 2, "Stable", [
        Member("replay-a", "replay-1", [TOPIC], {TOPIC: [0, 1]}),
        Member("replay-b", "replay-2", [TOPIC], {TOPIC: [2, 3]})]))
    check_describe(cluster, config, "group replay: state Stable, 2 members")
    before = list(cluster.requests)
    for dry_run in ((), ("--dry-run",)):
        offsets_refused(1, "group replay has 2 active members (state Stable); stop them first",
                        "reset", "--group", GROUP, "--topic", TOPIC, "--to-earliest", *dry_run,
                        config=config)
    asked = {api for _, api, _, _ in cluster.requests[len(before):]}
    assert asked == {FIND_COORDINATOR, DESCRIBE_GROUPS}, cluster.requests[len(before):]
    assert not cluster.asked(OFFSET_COMMIT), cluster.asked(OFFSET_COMMIT)
    print("  a Stable group with 2 members is refused after DescribeGroups; no offset "
          "was read or committed")


def check_reset_by_timestamp(cluster, config):
    cluster.set_group(Group(GROUP, 2, "Empty"))
    check_describe(cluster, config, "group replay: state Empty, 0 members")
    for timestamp, wanted in AT_TIMESTAMP.items():
        old = committed_in(cluster)
        out = offsets_ok("reset", "--group", GROUP, "--topic", TOPIC,
                         "--to-timestamp", str(timestamp), config=config)
        assert "group replay: new offsets committed" in out, out
        shown = {int(r["PARTITION"]): (int(r["OLD"]), int(r["NEW"])) for r in offsets_table(out)}
        assert shown == {p: (old[p], wanted[p]) for p in wanted}, (timestamp, shown)
        assert committed_in(cluster) == wanted, (timestamp, committed_in(cluster))
        lookups = {b: sorted(p for (t, p), ts in asked.items() if ts == timestamp)
                   for b, _, asked in cluster.asked(LIST_OFFSETS)
                   if timestamp in asked.values()}
        assert lookups == {1: [0, 2], 2: [1, 3]}, lookups
        print("  --to-timestamp T0%+d -> %s, stored by the coordinator" % (
            timestamp - T0, [wanted[p] for p in sorted(wanted)]))
    check_describe(cluster, config, "group replay: state Empty, 0 members")
    print("  describe shows the state and the lag after the resets")


def main():
    with GroupAdminCluster(topics={TOPIC: LOGS}) as cluster:
        print("== offsets CLI against the fixture cluster")
        config = Sidecar(upstream=cluster.bootstrap, start=False).config_path
        cluster.committed[GROUP] = {(TOPIC, 0): 3, (TOPIC, 1): 41, (TOPIC, 2): 4, (TOPIC, 3): 7}
        check_stable_group_refused(cluster, config)
        check_reset_by_timestamp(cluster, config)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
