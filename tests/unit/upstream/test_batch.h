#pragma once
// A record batch v2 of 3 records built by kafka-python's
// DefaultRecordBatchBuilder (an independent implementation; the same
// fixture as tests/unit/protocol/record_batch_test.cc): producer id 4242,
// epoch 3, sequence 17. Tests set the producer fields they need with
// protocol::rewrite_producer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "proxy/protocol/record_batch.h"

namespace ks::upstream::test {

inline std::vector<std::byte> python_batch() {
  static const std::vector<uint8_t> kBytes = {
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d, 0x00, 0x00,
      0x00, 0x00, 0x02, 0xd1, 0x65, 0x61, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
      0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68,
      0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x92, 0x00, 0x03, 0x00, 0x00, 0x00,
      0x11, 0x00, 0x00, 0x00, 0x03, 0x26, 0x00, 0x00, 0x00, 0x04, 0x6b, 0x30, 0x0e, 0x76,
      0x61, 0x6c, 0x75, 0x65, 0x2d, 0x30, 0x02, 0x02, 0x68, 0x02, 0x76, 0x26, 0x00, 0x02,
      0x02, 0x04, 0x6b, 0x31, 0x0e, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x2d, 0x31, 0x02, 0x02,
      0x68, 0x02, 0x76, 0x26, 0x00, 0x04, 0x04, 0x04, 0x6b, 0x32, 0x0e, 0x76, 0x61, 0x6c,
      0x75, 0x65, 0x2d, 0x32, 0x02, 0x02, 0x68, 0x02, 0x76};
  std::vector<std::byte> out;
  for (uint8_t b : kBytes)
    out.push_back(static_cast<std::byte>(b));
  return out;
}

// The python batch without producer fields, as a non-idempotent client
// sends it.
inline std::vector<std::byte> plain_batch() {
  auto batch = python_batch();
  protocol::rewrite_producer(batch, -1, -1, -1);
  return batch;
}

// The python batch's header (producer, timestamps, epoch) around `count`
// records of order-like JSON values: a batch worth compressing.
inline std::vector<std::byte> orders_batch(int count) {
  std::vector<std::byte> records;
  protocol::Writer w(records);
  for (int i = 0; i < count; ++i) {
    const std::string value = "{\"order_id\":" + std::to_string(100000 + i) + ",\"customer\":\"c-" +
                              std::to_string(i % 17) + "\",\"status\":\"paid\",\"amount_cents\":" +
                              std::to_string(i * 131 % 9000) + "}";
    std::vector<std::byte> record;
    protocol::Writer r(record);
    r.int8(0);     // attributes
    r.varlong(i);  // timestamp delta
    r.varint(i);   // offset delta
    r.varint(-1);  // null key
    r.varint(static_cast<int32_t>(value.size()));
    r.raw(std::as_bytes(std::span(value)));
    r.varint(0);  // headers
    w.varint(static_cast<int32_t>(record.size()));
    w.raw(record);
  }
  auto batch = python_batch();
  batch.resize(protocol::kBatchHeaderSize);
  batch.insert(batch.end(), records.begin(), records.end());
  std::vector<std::byte> fields;
  protocol::Writer f(fields);
  f.int32(static_cast<int32_t>(batch.size() - protocol::kBatchLogOverhead));
  std::copy(fields.begin(), fields.end(), batch.begin() + protocol::batch_offset::length);
  fields.clear();
  f.int32(count - 1);
  std::copy(fields.begin(), fields.end(),
            batch.begin() + protocol::batch_offset::last_offset_delta);
  fields.clear();
  f.int32(count);
  std::copy(fields.begin(), fields.end(), batch.begin() + protocol::batch_offset::record_count);
  protocol::rewrite_producer(batch, 4242, 3, 17);  // and the CRC
  return batch;
}

}  // namespace ks::upstream::test
