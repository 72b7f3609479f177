#pragma once
// Requests the tests send, built the way the forwarder and server will.
#include <string>

#include "proxy/protocol/messages.h"

namespace ks::upstream::test {

inline protocol::ProduceRequest produce_request(const std::string& topic, int32_t partition,
                                                protocol::Bytes batch, int16_t acks = -1) {
  protocol::ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = 5000;
  protocol::ProduceRequest::ProduceTopic t;
  t.name = topic;
  protocol::ProduceRequest::ProduceTopic::ProducePartition p;
  p.index = partition;
  p.records = batch;
  t.partitions.push_back(p);
  request.topics.push_back(std::move(t));
  return request;
}

inline protocol::FetchRequest fetch_request(const std::string& topic, int32_t partition,
                                            int64_t offset) {
  protocol::FetchRequest request;
  request.max_wait_ms = 100;
  request.min_bytes = 1;
  protocol::FetchRequest::FetchTopic t;
  t.topic = topic;
  protocol::FetchRequest::FetchTopic::FetchPartition p;
  p.partition = partition;
  p.fetch_offset = offset;
  p.partition_max_bytes = 1 << 20;
  t.partitions.push_back(p);
  request.topics.push_back(std::move(t));
  return request;
}

// Metadata for every topic.
inline protocol::MetadataRequest metadata_request() {
  return protocol::MetadataRequest{};
}

}  // namespace ks::upstream::test
