#!/usr/bin/python3
"""A two-broker Kafka cluster that knows only consumer groups: it serves
ApiVersions, Metadata, FindCoordinator, DescribeGroups, ListGroups and
DeleteGroups for a canned set of groups, which the librdkafka mocks cannot
(they lack the group admin APIs).

Each group has a coordinator broker; like Kafka, a broker lists and
describes only the groups it coordinates and answers NOT_COORDINATOR for
the others, so a proxy in front of it must split requests by coordinator
and merge ListGroups across brokers. Standard library only (plus
raw_kafka's Writer and Reader). In a test:

    with GroupAdminCluster() as cluster:
        ... cluster.bootstrap, cluster.requests, cluster.down(2) ...

or by hand: `python3 group_admin_broker.py` prints the bootstrap and serves
until interrupted.
"""

import socket
import socketserver
import struct
import threading

from raw_kafka import Reader, Writer

API_VERSIONS = 18
METADATA = 3
FIND_COORDINATOR = 10
DESCRIBE_GROUPS = 15
LIST_GROUPS = 16
DELETE_GROUPS = 42

# The versions served, none flexible but ListGroups 3-4 (for the states
# filter): (min, max, first flexible version or None).
VERSIONS = {
    API_VERSIONS: (0, 2, None),
    METADATA: (1, 1, None),
    FIND_COORDINATOR: (0, 1, None),
    DESCRIBE_GROUPS: (0, 4, None),
    LIST_GROUPS: (0, 4, 3),
    DELETE_GROUPS: (0, 1, None),
}

NONE = 0
UNSUPPORTED_VERSION = 35
NOT_COORDINATOR = 16
NON_EMPTY_GROUP = 68
GROUP_ID_NOT_FOUND = 69


def consumer_metadata(topics):
    """ConsumerProtocolSubscription v0, as a consumer's JoinGroup carries it."""
    return Writer().int16(0).array(topics, Writer.string).bytes(b"").value()


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
    (DescribeGroups, DeleteGroups), the key (FindCoordinator) or the states
    filter (ListGroups). `also_lists` makes a broker list a group it does not
    coordinate (as happens while a coordinator moves). down(id) refuses
    connections and drops open ones; up(id) listens again on the same port.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.groups = canned_groups()
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
                self._metadata(w)
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

    def _metadata(self, w):
        def broker(w, b):
            w.int32(b).string("127.0.0.1").int32(self.ports[b]).string(None)
        w.array(sorted(self.ports), broker)
        w.int32(1)  # controller
        w.array([], None)  # topics: none needed for groups

    def _find_coordinator(self, broker_id, version, r, w):
        key = r.string()
        self.requests.append((broker_id, FIND_COORDINATOR, version, key))
        group = self.groups.get(key)
        # A group nobody created yet lives where Kafka's hash would put it.
        coordinator = group.coordinator if group else len(key) % 2 + 1
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
