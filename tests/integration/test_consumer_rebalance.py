#!/usr/bin/python3
"""Rebalance through the sidecar (issue 4), against both mock generations:
kafkajs and librdkafka 2.15.1 as members of one consumer group.

1. Member A (kafkajs) joins a group on a topic of 4 partitions, then member
   B (rdkafka-2.15): they share the partitions (disjoint, covering all,
   each some). N records are produced; the two read each exactly once.
2. B stops (commits, leaves); A is reassigned all 4 partitions; M more
   records are produced; A reads them.
3. Over the whole run the group read every record exactly once.

What librdkafka's mock group coordinator (both generations) dictates:
* The leader is the member that joined first, and the mock answers a
  follower's SyncGroup that arrives after the leader's with INVALID_REQUEST
  (the group is already "up"; a real broker returns the assignment). A
  librdkafka leader with cached metadata syncs within a millisecond, before
  kafkajs can, so kafkajs must lead: A joins alone first (the kafkajs leader
  refreshes metadata before syncing, so B's SyncGroup comes first). Hence
  the records are produced once both members are in, not before.
* A first join waits 3 s for more members; a later one, and A's rejoin
  after B left, wait session.timeout.ms - 1 s (5 s with the 6 s session).
* While a rebalance is pending the mock refuses OffsetCommit
  (REBALANCE_IN_PROGRESS; a real broker accepts the current generation's
  commits), so a member reading records just as a rebalance began could
  not commit them and their next owner would read them again. The steps
  leave no such window: nothing is produced while the group rebalances.
"""

import sys
import time

from harness import (GroupMember, MockUpstream, Sidecar, assert_consumed_once,
                     produce, run_per_generation, wait_forwarded)

TOPIC = "events"
PARTITIONS = 4
GROUP = "rebalance"
N, M = 400, 200
ALL = set(range(PARTITIONS))


def consumed(*members):
    return sum(len(m.records) for m in members)


def shared(a, b):
    return (a.assignment and b.assignment and not a.assignment & b.assignment
            and a.assignment | b.assignment == ALL)


def check(generation):
    started = time.monotonic()
    with MockUpstream(generation, topics={TOPIC: PARTITIONS}) as up, \
            Sidecar(upstream=up) as sc, \
            GroupMember("kafkajs", sc.bootstrap, TOPIC, GROUP) as a:
        print("== rebalance, librdkafka %s mock" % up.version)
        a.wait_for(lambda: a.assignment == ALL, 30, "A to join alone")
        with GroupMember("rdkafka-2.15", sc.bootstrap, TOPIC, GROUP) as b:
            a.wait_for(lambda: shared(a, b), 30, "A and B to share the partitions")
            print("  A (kafkajs) has %s, B (rdkafka-2.15) has %s"
                  % (sorted(a.assignment), sorted(b.assignment)))
            first = produce("confluent", sc.bootstrap, TOPIC, N, "first", idempotent=True)
            wait_forwarded(up, TOPIC, N)
            a.wait_for(lambda: consumed(a, b) >= N, 30, "%d records read" % N)
            assert_consumed_once([a, b], [r["value"] for r in first.acked])
            assert a.records and b.records, "one member read nothing"
            print("  %d records read once: %d by A, %d by B"
                  % (N, len(a.records), len(b.records)))

            b.stop()
            a.wait_for(lambda: a.assignment == ALL, 30, "A to be assigned all partitions")
            print("  B left; A has all partitions")
            second = produce("confluent", sc.bootstrap, TOPIC, M, "second", idempotent=True)
            wait_forwarded(up, TOPIC, N + M)
            a.wait_for(lambda: consumed(a, b) >= N + M, 30, "%d records read" % (N + M))
            a.stop()  # a duplicate arriving late would show now
        assert_consumed_once([a, b], [r["value"] for r in first.acked + second.acked])
        print("  the group read all %d records exactly once (%.1fs)"
              % (N + M, time.monotonic() - started))
        sc.terminate()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_per_generation(check)
