#pragma once
// An in-process librdkafka mock cluster (rdkafka_mock.h): a real Kafka
// protocol cluster the tests can take down, slow down and re-lead.
//
// The tests run against both generations DESIGN.md names: Debian's 2.0.2
// and 2.15.1 (built from the npm package). What they do, as the tests rely on it:
// * Brokers are numbered 1..N and advertise 127.0.0.1 with the port that
//   rd_kafka_mock_cluster_bootstraps() lists.
// * ApiVersions is 0-2 in both: a v3 request gets UNSUPPORTED_VERSION in a
//   body that is neither v0 nor v3 (a one-byte count), so clients fall back to v0.
// * 2.0.2 speaks old, non-flexible versions only: Metadata 0-2, Produce 0-7,
//   Fetch 0-11, ListOffsets 0-5, InitProducerId 0-4. 2.15.1 speaks flexible
//   ones: Metadata 0-12, Produce 0-10, Fetch 0-16, ListOffsets 0-7.
// * Metadata below v4 has no allow_auto_topic_creation: 2.0.2 creates every
//   unknown topic named in a request (4 partitions, random leaders); 2.15.1
//   at v12 honours the flag. 2.15.1 ends Metadata v9+ answers with one
//   extra empty tagged-field byte.
// * A broker set down closes its connections and stops listening, so
//   connects are refused; set up listens again on the same port.
// * An RTT delays each response by that much, independently, so
//   pipelined requests overlap their waits.
// * Produce to a non-leader gets NOT_LEADER_OR_FOLLOWER. Batches are stored
//   verbatim except the base offset (and, in 2.15.1, the partition leader
//   epoch); only transactional producers are deduplicated. A 2.0.2 Fetch
//   answers with the one batch at the fetch offset.
#include <cstdint>
#include <string>
#include <vector>

// librdkafka's handle types, so that only mock_cluster.cc sees its headers.
struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace ks::upstream::test {

// The versions our client should settle on with each generation.
struct NegotiatedVersions {
  int16_t metadata;
  int16_t produce;
  int16_t fetch;
  int16_t list_offsets;
};

class MockCluster {
 public:
  explicit MockCluster(int brokers = 3);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // "127.0.0.1:port" of each broker, broker 1 first.
  std::vector<std::string> bootstrap() const;
  void create_topic(const std::string& topic, int partitions, int replication = 1);
  void set_leader(const std::string& topic, int32_t partition, int32_t broker);
  void set_down(int32_t broker);
  void set_up(int32_t broker);
  void set_rtt(int32_t broker, int milliseconds);
  // 2.15.1 rather than 2.0.2: flexible versions, AutoCreate::no honoured.
  bool modern() const;
  NegotiatedVersions negotiated() const;
  // Removes an API from the brokers' ApiVersions answer (applies to new connections).
  void drop_api(int16_t api_key);

 private:
  rd_kafka_s* handle_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
};

}  // namespace ks::upstream::test
