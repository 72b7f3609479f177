#!/usr/bin/python3
"""A two-broker Kafka cluster that knows consumer groups and, if asked,
the offsets of a few topics: it serves ApiVersions, Metadata,
FindCoordinator, DescribeGroups, ListGroups and DeleteGroups for a canned
set of groups, and ListOffsets, OffsetFetch and OffsetCommit for topics
whose partitions hold records with known timestamps. The librdkafka mocks
cannot: they lack the group admin APIs, ignore timestamps in ListOffsets
and refuse admin commits to any group that ever had a member.

Each group has a coordinator broker; like Kafka, a broker lists and
describes only the groups it coordinates and answers NOT_COORDINATOR for
the others, so a proxy in front of it must split requests by coordinator
and merge ListGroups across brokers. Partition p is led by broker
p % 2 + 1, which answers NOT_LEADER_OR_FOLLOWER for the others. Standard
library only (plus raw_kafka's Writer and Reader). In a test:

    with GroupAdminCluster() as cluster:
        ... cluster.bootstrap, cluster.requests, cluster.down(2) ...

    logs = {"orders": [PartitionLog(0, [ts0, ts1, ...]), ...]}
    with GroupAdminCluster(topics=logs) as cluster:
        cluster.set_group(Group("replay", 1, "Empty"))
        ... cluster.committed["replay"], cluster.asked(OFFSET_COMMIT) ...

or by hand: `python3 group_admin_broker.py` prints the bootstrap and serves
until interrupted.
"""

import socket
import socketserver
import struct
import threading

from raw_kafka import Reader, Writer, consumer_metadata

API_VERSIONS = 18
LIST_OFFSETS = 2
METADATA = 3
OFFSET_COMMIT = 8
OFFSET_FETCH = 9
FIND_COORDINATOR = 10
DESCRIBE_GROUPS = 15
LIST_GROUPS = 16
DELETE_GROUPS = 42

# The versions served, none flexible but ListGroups 3-4 (for the states
# filter): (min, max, first flexible version or None).
VERSIONS = {
    API_VERSIONS: (0, 2, None),
    LIST_OFFSETS: (1, 5, None),
    METADATA: (1, 1, None),
    OFFSET_COMMIT: (2, 7, None),
    OFFSET_FETCH: (1, 5, None),
    FIND_COORDINATOR: (0, 1, None),
    DESCRIBE_GROUPS: (0, 4, None),
    LIST_GROUPS: (0, 4, 3),
    DELETE_GROUPS: (0, 1, None),
}

NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
NOT_LEADER_OR_FOLLOWER = 6
NOT_COORDINATOR = 16
UNKNOWN_MEMBER_ID = 25
UNSUPPORTED_VERSION = 35
NON_EMPTY_GROUP = 68
GROUP_ID_NOT_FOUND = 69

EARLIEST = -2  # ListOffsets' special timestamps
LATEST = -1


def consumer_assignment(assigned):
    """ConsumerProtocolAssignment v0 of {topic: [partitions]}."""
    def topic(w, item):
        w.string(item[0]).array(item[1], Writer.int32)
    return Writer().int16(0).array(sorted(assigned.items()), topic).bytes(b"").value()


class Member:
    def __init__(self, member_id, client_id, topics, assigned, instance_id=None):
        self.member_id = member_id
        self.instance_id = instance_id
        self.client_id = client_id
        self.client_host = "/10.0.0.%d" % (len(member_id) % 200 + 1)
        self.metadata = consumer_metadata(topics)
        self.assignment = consumer_assignment(assigned)


class Group:
    def __init__(self, group_id, coordinator, state, members=(), protocol_type="consumer",
                 protocol="range"):
        self.group_id = group_id
        self.coordinator = coordinator
        self.state = state
        self.protocol_type = protocol_type
        self.protocol = protocol if members else ""
        self.members = list(members)


class PartitionLog:
    """The records of one partition, as far as offsets go: the log start
    offset and the timestamp of each record from there on."""

    def __init__(self, log_start, timestamps):
        self.log_start = log_start
        self.timestamps = list(timestamps)

    @property
    def log_end(self):
        return self.log_start + len(self.timestamps)

    def offset_for(self, timestamp):
        """(offset, timestamp) as Kafka's ListOffsets answers: the log start
        or end for EARLIEST and LATEST, else the first record at or after
        `timestamp` (-1, -1 past the last record)."""
        if timestamp == EARLIEST:
            return self.log_start, -1
        if timestamp == LATEST:
            return self.log_end, -1
        for i, ts in enumerate(self.timestamps):
            if ts >= timestamp:
                return self.log_start + i, ts
        return -1, -1


def canned_groups():
    """{group id: Group}: two on broker 1, three on broker 2."""
    groups = [
        Group("analytics", 1, "Stable", [
            Member("analytics-a", "analytics-1", ["orders"], {"orders": [0, 1]}),
            Member("analytics-b", "analytics-2", ["orders"], {"orders": [2]}, "pod-b")]),
        Group("billing", 1, "Empty"),
        Group("fraud", 2, "Stable", [
            Member("fraud-a", "fraud-1", ["orders", "payments"],
                   {"orders": [0, 1, 2], "payments": [0]})]),
        Group("audit", 2, "Empty"),
        Group("connect-sink", 2, "Stable", [
            Member("worker-1", "connect-1", [], {})], protocol_type="connect",
            protocol="sessioned"),
    ]
    return {g.group_id: g for g in groups}


class GroupAdminCluster:
    """Brokers 1 and 2 on free localhost ports, serving from threads.

    `requests` records (broker id, api key, version, detail) for every
    request but ApiVersions and Metadata, where detail is the groups asked
    (DescribeGroups, DeleteGroups), the key (FindCoordinator), the states
    filter (ListGroups), {(topic, partition): timestamp} (ListOffsets),
    the group (OffsetFetch) or (group, {(topic, partition): offset})
    (OffsetCommit). `committed` holds the offsets committed per group.
    `topics` ({name: [PartitionLog]}) are what Metadata and ListOffsets
    know. `also_lists` makes a broker list a group it does not coordinate
    (as happens while a coordinator moves). down(id) refuses connections
    and drops open ones; up(id) listens again on the same port.
    """

    def __init__(self, topics=None):
        self.lock = threading.Lock()
        self.groups = canned_groups()
        self.topics = dict(topics or {})  # name -> [PartitionLog]
        self.committed = {}  # group id -> {(topic, partition): offset}
        self.requests = []
        self.also_lists = {}  # broker id -> [group ids]
        self.ports = {}
        self.servers = {}
        for broker_id in (1, 2):
            self._listen(broker_id, 0)

    @property
    def bootstrap(self):
        return ",".join("127.0.0.1:%d" % self.ports[b] for b in sorted(self.ports))

    def address(self, broker_id):
        return "127.0.0.1:%d" % self.ports[broker_id]

    def set_group(self, group):
        """Adds or replaces a Group (say, Stable with members, then Empty)."""
        with self.lock:
            self.groups[group.group_id] = group

    def move(self, group_id, broker_id):
        with self.lock:
            self.groups[group_id].coordinator = broker_id

    def asked(self, api_key):
        """[(broker id, version, detail)] of the requests for `api_key`."""
        with self.lock:
            return [(b, v, d) for b, k, v, d in self.requests if k == api_key]

    def down(self, broker_id):
        server = self.servers.pop(broker_id)
        server.shutdown()
        server.server_close()
        for conn in list(server.open_connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def up(self, broker_id):
        self._listen(broker_id, self.ports[broker_id])

    def stop(self):
        for broker_id in list(self.servers):
            self.down(broker_id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _listen(self, broker_id, port):
        cluster = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.server.open_connections.add(self.request)
                try:
                    cluster._serve(broker_id, self.request)
                finally:
                    self.server.open_connections.discard(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        server.open_connections = set()
        self.ports[broker_id] = server.server_address[1]
        self.servers[broker_id] = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    # -- the protocol

    def _serve(self, broker_id, sock):
        while True:
            head = _recv(sock, 4)
            if head is None:
                return
            size, = struct.unpack(">i", head)
            frame = _recv(sock, size)
            if frame is None:
                return
            answer = self._answer(broker_id, frame)
            if answer is None:  # what a Kafka broker does with an unknown API
                return
            sock.sendall(struct.pack(">i", len(answer)) + answer)

    def _answer(self, broker_id, frame):
        r = Reader(frame)
        api_key, version, correlation = r.int16(), r.int16(), r.int32()
        r.string()  # client id
        if api_key == API_VERSIONS and version > VERSIONS[API_VERSIONS][1]:
            # KIP-511: a newer client gets our versions at v0 and retries.
            return struct.pack(">i", correlation) + self._api_versions(0, UNSUPPORTED_VERSION)
        if api_key not in VERSIONS:
            return None
        low, high, first_flexible = VERSIONS[api_key]
        if not low <= version <= high:
            return None
        flexible = first_flexible is not None and version >= first_flexible
        r.flexible = flexible
        r.tags()  # request header v2
        w = Writer(flexible)
        w.int32(correlation).tags()  # response header v1 when flexible
        with self.lock:
            if api_key == API_VERSIONS:
                w.out += self._api_versions(version, NONE)
            elif api_key == METADATA:
                self._metadata(r, w)
            elif api_key == LIST_OFFSETS:
                self._list_offsets(broker_id, version, r, w)
            elif api_key == OFFSET_FETCH:
                self._offset_fetch(broker_id, version, r, w)
            elif api_key == OFFSET_COMMIT:
                self._offset_commit(broker_id, version, r, w)
            elif api_key == FIND_COORDINATOR:
                self._find_coordinator(broker_id, version, r, w)
            elif api_key == DESCRIBE_GROUPS:
                self._describe_groups(broker_id, version, r, w)
            elif api_key == LIST_GROUPS:
                self._list_groups(broker_id, version, r, w)
            elif api_key == DELETE_GROUPS:
                self._delete_groups(broker_id, r, w)
        return w.value()

    def _api_versions(self, version, error):
        w = Writer().int16(error)
        w.array(sorted(VERSIONS.items()), lambda w, kv: w.int16(kv[0]).int16(kv[1][0])
                .int16(kv[1][1]))
        if version >= 1:
            w.int32(0)  # throttle
        return w.value()

    def _metadata(self, r, w):
        asked = r.array(Reader.string)  # null: every topic

        def broker(w, b):
            w.int32(b).string("127.0.0.1").int32(self.ports[b]).string(None)

        def partition(w, p):
            leader = _leader(p)
            w.int16(NONE).int32(p).int32(leader)
            w.array([leader], Writer.int32).array([leader], Writer.int32)

        def topic(w, name):
            logs = self.topics.get(name, [])
            w.int16(NONE if name in self.topics else UNKNOWN_TOPIC_OR_PARTITION)
            w.string(name).bool(False).array(range(len(logs)), partition)
        w.array(sorted(self.ports), broker)
        w.int32(1)  # controller
        w.array(sorted(self.topics) if asked is None else asked, topic)

    def _log(self, topic, partition):
        logs = self.topics.get(topic, [])
        return logs[partition] if 0 <= partition < len(logs) else None

    def _coordinates(self, broker_id, group_id):
        group = self.groups.get(group_id)
        return (group.coordinator if group else _hashed_coordinator(group_id)) == broker_id

    def _list_offsets(self, broker_id, version, r, w):
        r.int32()  # replica id
        if version >= 2:
            r.int8()  # isolation level: every record is committed here

        def asked_partition(r):
            index = r.int32()
            if version >= 4:
                r.int32()  # current leader epoch
            return index, r.int64()
        asked = r.array(lambda r: (r.string(), r.array(asked_partition)))
        self.requests.append((broker_id, LIST_OFFSETS, version,
                              {(t, p): ts for t, parts in asked for p, ts in parts}))
        if version >= 2:
            w.int32(0)

        def topic(w, item):
            name, parts = item
            w.string(name).array(parts, lambda w, pt: partition(w, name, *pt))

        def partition(w, name, index, timestamp):
            log = self._log(name, index)
            if log is None:
                error, (offset, found) = UNKNOWN_TOPIC_OR_PARTITION, (-1, -1)
            elif _leader(index) != broker_id:
                error, (offset, found) = NOT_LEADER_OR_FOLLOWER, (-1, -1)
            else:
                error, (offset, found) = NONE, log.offset_for(timestamp)
            w.int32(index).int16(error).int64(found).int64(offset)
            if version >= 4:
                w.int32(0)  # leader epoch
        w.array(asked, topic)

    def _offset_fetch(self, broker_id, version, r, w):
        group_id = r.string()
        asked = r.array(lambda r: (r.string(), r.array(Reader.int32)))  # null: all
        self.requests.append((broker_id, OFFSET_FETCH, version, group_id))
        coordinates = self._coordinates(broker_id, group_id)
        committed = self.committed.get(group_id, {}) if coordinates else {}
        if asked is None:
            topics = sorted({t for t, _ in committed})
            asked = [(t, sorted(p for u, p in committed if u == t)) for t in topics]
        if version >= 3:
            w.int32(0)

        def partition(w, name, index):
            w.int32(index).int64(committed.get((name, index), -1))
            if version >= 5:
                w.int32(-1)  # leader epoch
            w.string("").int16(NONE if coordinates else NOT_COORDINATOR)
        w.array(asked, lambda w, item: w.string(item[0]).array(
            item[1], lambda w, index: partition(w, item[0], index)))
        if version >= 2:
            w.int16(NONE if coordinates else NOT_COORDINATOR)

    def _offset_commit(self, broker_id, version, r, w):
        group_id = r.string()
        r.int32()  # generation id: not checked
        member_id = r.string()
        if version >= 7:
            r.string()  # group instance id
        if version <= 4:
            r.int64()  # retention time

        def asked_partition(r):
            index, offset = r.int32(), r.int64()
            if version >= 6:
                r.int32()  # leader epoch
            r.string()  # metadata
            return index, offset
        asked = r.array(lambda r: (r.string(), r.array(asked_partition)))
        offsets = {(t, p): o for t, parts in asked for p, o in parts}
        self.requests.append((broker_id, OFFSET_COMMIT, version, (group_id, offsets)))
        group = self.groups.get(group_id)
        if not self._coordinates(broker_id, group_id):
            error = NOT_COORDINATOR
        elif group and group.members and member_id not in {m.member_id for m in group.members}:
            # Kafka refuses an admin commit (no member id) to a group with
            # members, and a commit from a member it does not know.
            error = UNKNOWN_MEMBER_ID
        else:
            error = NONE
            self.committed.setdefault(group_id, {}).update(offsets)
        if version >= 3:
            w.int32(0)
        w.array(asked, lambda w, item: w.string(item[0]).array(
            item[1], lambda w, pt: w.int32(pt[0]).int16(error)))

    def _find_coordinator(self, broker_id, version, r, w):
        key = r.string()
        self.requests.append((broker_id, FIND_COORDINATOR, version, key))
        group = self.groups.get(key)
        coordinator = group.coordinator if group else _hashed_coordinator(key)
        if version >= 1:
            w.int32(0).int16(NONE).string(None)
        else:
            w.int16(NONE)
        w.int32(coordinator).string("127.0.0.1").int32(self.ports[coordinator])

    def _describe_groups(self, broker_id, version, r, w):
        asked = r.array(Reader.string)
        self.requests.append((broker_id, DESCRIBE_GROUPS, version, asked))
        if version >= 1:
            w.int32(0)

        def member(w, m):
            w.string(m.member_id)
            if version >= 4:
                w.string(m.instance_id)
            w.string(m.client_id).string(m.client_host).bytes(m.metadata).bytes(m.assignment)

        def described(w, group_id):
            group = self.groups.get(group_id)
            if group and group.coordinator != broker_id:
                w.int16(NOT_COORDINATOR).string(group_id).string("").string("").string("")
                w.array([], member)
            elif group is None:
                w.int16(NONE).string(group_id).string("Dead").string("").string("")
                w.array([], member)
            else:
                w.int16(NONE).string(group_id).string(group.state).string(group.protocol_type)
                w.string(group.protocol).array(group.members, member)
            if version >= 3:
                w.int32(-2147483648)  # authorized operations: not asked
        w.array(asked, described)

    def _list_groups(self, broker_id, version, r, w):
        states = r.array(Reader.string) if version >= 4 else None
        r.tags()
        self.requests.append((broker_id, LIST_GROUPS, version, states))
        listed = [g for g in self.groups.values()
                  if g.coordinator == broker_id or g.group_id in self.also_lists.get(broker_id, ())]
        listed = [g for g in listed if not states or g.state in states]
        if version >= 1:
            w.int32(0)
        w.int16(NONE)

        def listed_group(w, g):
            w.string(g.group_id).string(g.protocol_type)
            if version >= 4:
                w.string(g.state)
            w.tags()
        w.array(listed, listed_group).tags()

    def _delete_groups(self, broker_id, r, w):
        asked = r.array(Reader.string)
        self.requests.append((broker_id, DELETE_GROUPS, 0, asked))
        w.int32(0)

        def result(w, group_id):
            group = self.groups.get(group_id)
            if group is None:
                error = GROUP_ID_NOT_FOUND
            elif group.coordinator != broker_id:
                error = NOT_COORDINATOR
            elif group.members:
                error = NON_EMPTY_GROUP
            else:
                error = NONE
                del self.groups[group_id]
            w.string(group_id).int16(error)
        w.array(asked, result)


def _leader(partition):
    return partition % 2 + 1


def _hashed_coordinator(group_id):
    """Where a group nobody created yet lives (Kafka hashes the id)."""
    return len(group_id) % 2 + 1


def _recv(sock, n):
    buf = b""
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


if __name__ == "__main__":
    with GroupAdminCluster() as cluster:
        print(cluster.bootstrap, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
