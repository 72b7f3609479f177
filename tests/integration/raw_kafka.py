"""Hand-made Kafka requests, for tests that need what no client library
sends on purpose: the same idempotent batch twice, a sequence gap, a
transactional batch, an API no client at hand sends. Batches are built by
kafka-python's record code (an implementation independent of ours); the
rest is the standard library, so test fixtures can speak Kafka with it too
(Writer, Reader)."""

import socket
import struct

PRODUCE = 0
JOIN_GROUP = 11
INIT_PRODUCER_ID = 22


def batch(values, producer_id=-1, producer_epoch=-1, base_sequence=-1, transactional=False,
          timestamp=1_700_000_000_000, compression_type=0):
    """A record batch v2 (bytes) holding `values` (str), no keys; compressed
    with Kafka's codec id `compression_type` when that makes it smaller."""
    from kafka.record.default_records import DefaultRecordBatchBuilder
    b = DefaultRecordBatchBuilder(magic=2, compression_type=compression_type,
                                  is_transactional=transactional,
                                  producer_id=producer_id, producer_epoch=producer_epoch,
                                  base_sequence=base_sequence, batch_size=1 << 20)
    for i, v in enumerate(values):
        b.append(i, timestamp=timestamp + i, key=None, value=v.encode(), headers=[])
    return bytes(b.build())


def _string(s):
    if s is None:
        return struct.pack(">h", -1)
    data = s.encode()
    return struct.pack(">h", len(data)) + data


class Writer:
    """Encodes a message field by field. `flexible` (KIP-482) switches
    strings, bytes and arrays to their compact forms; tags() writes an
    empty tagged-field section there and nothing otherwise."""

    def __init__(self, flexible=False):
        self.flexible = flexible
        self.out = bytearray()

    def value(self):
        return bytes(self.out)

    def int8(self, v):
        self.out += struct.pack(">b", v)
        return self

    def int16(self, v):
        self.out += struct.pack(">h", v)
        return self

    def int32(self, v):
        self.out += struct.pack(">i", v)
        return self

    def int64(self, v):
        self.out += struct.pack(">q", v)
        return self

    def bool(self, v):
        return self.int8(1 if v else 0)

    def uvarint(self, v):
        while v >= 0x80:
            self.out.append((v & 0x7F) | 0x80)
            v >>= 7
        self.out.append(v)
        return self

    def _length(self, n, wide):
        """A length or count; None is null (-1, or 0 in compact form)."""
        if self.flexible:
            return self.uvarint(0 if n is None else n + 1)
        return self.int32(-1 if n is None else n) if wide else self.int16(-1 if n is None else n)

    def string(self, s):
        data = None if s is None else s.encode()
        self._length(None if data is None else len(data), wide=False)
        self.out += data or b""
        return self

    def bytes(self, b):
        self._length(None if b is None else len(b), wide=True)
        self.out += b or b""
        return self

    def array(self, items, write_item):
        """`write_item(writer, item)` for each item; None is a null array."""
        self._length(None if items is None else len(items), wide=True)
        for item in items or ():
            write_item(self, item)
        return self

    def tags(self):
        return self.uvarint(0) if self.flexible else self


class Reader:
    """Decodes what Writer encodes; tagged fields are skipped."""

    def __init__(self, data, flexible=False):
        self.data = bytes(data)
        self.at = 0
        self.flexible = flexible

    def remaining(self):
        return len(self.data) - self.at

    def _unpack(self, fmt):
        v, = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return v

    def int8(self):
        return self._unpack(">b")

    def int16(self):
        return self._unpack(">h")

    def int32(self):
        return self._unpack(">i")

    def int64(self):
        return self._unpack(">q")

    def bool(self):
        return self.int8() != 0

    def uvarint(self):
        v = shift = 0
        while True:
            b = self.data[self.at]
            self.at += 1
            v |= (b & 0x7F) << shift
            if b < 0x80:
                return v
            shift += 7

    def _length(self, wide):
        if self.flexible:
            return self.uvarint() - 1
        return self.int32() if wide else self.int16()

    def _raw(self, n):
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def string(self):
        n = self._length(wide=False)
        return None if n < 0 else self._raw(n).decode()

    def bytes(self):
        n = self._length(wide=True)
        return None if n < 0 else self._raw(n)

    def array(self, read_item):
        n = self._length(wide=True)
        return None if n < 0 else [read_item(self) for _ in range(n)]

    def tags(self):
        if self.flexible:
            for _ in range(self.uvarint()):
                self.uvarint()
                self._raw(self.uvarint())


def consumer_metadata(topics):
    """ConsumerProtocolSubscription v0, as a consumer's JoinGroup carries it."""
    return Writer().int16(0).array(topics, Writer.string).bytes(b"").value()


class Connection:
    """One connection speaking request header v1 (non-flexible versions)."""

    def __init__(self, address, timeout=10):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.correlation = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the peer closed the connection")
            buf += chunk
        return buf

    def request(self, api_key, version, body, flexible=False):
        """Sends one request; returns the response body (after the
        correlation id, which is checked, and for a `flexible` version the
        response header's tagged fields)."""
        self.correlation += 1
        header = struct.pack(">hhi", api_key, version, self.correlation) + _string("ks-raw")
        if flexible:
            header += b"\x00"  # request header v2: no tagged fields
        frame = header + body
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        size, = struct.unpack(">i", self._recv(4))
        response = Reader(self._recv(size), flexible)
        correlation = response.int32()
        assert correlation == self.correlation, (correlation, self.correlation)
        response.tags()
        return response.data[response.at:]

    def init_producer_id(self, transactional_id=None):
        """InitProducerId v1: (error, producer id, epoch)."""
        body = _string(transactional_id) + struct.pack(">i", 60000)
        r = self.request(INIT_PRODUCER_ID, 1, body)
        _, error, producer_id, epoch = struct.unpack(">ihqh", r[:16])
        return error, producer_id, epoch

    def join_group(self, group, topics, session_timeout_ms, rebalance_timeout_ms, member_id=""):
        """JoinGroup v2 as a consumer with the range assignor; returns
        (error, generation id, member id, leader id) once the coordinator
        answers, which it does when the rebalance completes."""
        body = (Writer().string(group).int32(session_timeout_ms).int32(rebalance_timeout_ms)
                .string(member_id).string("consumer")
                .array([("range", consumer_metadata(topics))],
                       lambda w, p: w.string(p[0]).bytes(p[1])))
        r = Reader(self.request(JOIN_GROUP, 2, body.value()))
        r.int32()  # throttle time
        error, generation, _ = r.int16(), r.int32(), r.string()  # protocol name
        leader, member = r.string(), r.string()
        return error, generation, member, leader

    def produce(self, topic, partition, records, acks=-1, transactional_id=None):
        """Produce v7 of one batch: (error code, base offset)."""
        body = (_string(transactional_id) + struct.pack(">hii", acks, 30000, 1) + _string(topic)
                + struct.pack(">iii", 1, partition, len(records)) + records)
        r = self.request(PRODUCE, 7, body)
        n_topics, = struct.unpack(">i", r[:4])
        assert n_topics == 1
        name_len, = struct.unpack(">h", r[4:6])
        at = 6 + name_len
        n_parts, index, error, base_offset = struct.unpack(">iihq", r[at:at + 18])
        assert n_parts == 1 and index == partition
        return error, base_offset
