"""Hand-made Kafka requests, for tests that need what no client library
sends on purpose: the same idempotent batch twice, a sequence gap, a
transactional batch. Batches are built by kafka-python's record code (an
implementation independent of ours)."""

import socket
import struct

from kafka.record.default_records import DefaultRecordBatchBuilder

PRODUCE = 0
INIT_PRODUCER_ID = 22


def batch(values, producer_id=-1, producer_epoch=-1, base_sequence=-1, transactional=False,
          timestamp=1_700_000_000_000):
    """A record batch v2 (bytes) holding `values` (str), no keys."""
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=transactional,
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

    def request(self, api_key, version, body):
        """Sends one request; returns the response body (after the
        correlation id, which is checked)."""
        self.correlation += 1
        header = struct.pack(">hhi", api_key, version, self.correlation) + _string("ks-raw")
        frame = header + body
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        size, = struct.unpack(">i", self._recv(4))
        response = self._recv(size)
        correlation, = struct.unpack(">i", response[:4])
        assert correlation == self.correlation, (correlation, self.correlation)
        return response[4:]

    def init_producer_id(self, transactional_id=None):
        """InitProducerId v1: (error, producer id, epoch)."""
        body = _string(transactional_id) + struct.pack(">i", 60000)
        r = self.request(INIT_PRODUCER_ID, 1, body)
        _, error, producer_id, epoch = struct.unpack(">ihqh", r[:16])
        return error, producer_id, epoch

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
