#include "tests/unit/upstream/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <sstream>
#include <stdexcept>

namespace ks::upstream::test {
namespace {

void check(rd_kafka_resp_err_t err, const char* what) {
  if (err) throw std::runtime_error(std::string(what) + ": " + rd_kafka_err2str(err));
}

}  // namespace

MockCluster::MockCluster(int brokers) {
  char error[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock; keep its own chatter out of the test log.
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!handle_) throw std::runtime_error(std::string("rd_kafka_new: ") + error);
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

std::vector<std::string> MockCluster::bootstrap() const {
  std::vector<std::string> out;
  std::stringstream list(rd_kafka_mock_cluster_bootstraps(cluster_));
  for (std::string address; std::getline(list, address, ',');)
    out.push_back(address);
  return out;
}

void MockCluster::create_topic(const std::string& topic, int partitions, int replication) {
  check(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication),
        "rd_kafka_mock_topic_create");
}

void MockCluster::set_leader(const std::string& topic, int32_t partition, int32_t broker) {
  check(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker),
        "rd_kafka_mock_partition_set_leader");
}

void MockCluster::set_down(int32_t broker) {
  check(rd_kafka_mock_broker_set_down(cluster_, broker), "rd_kafka_mock_broker_set_down");
}

void MockCluster::set_up(int32_t broker) {
  check(rd_kafka_mock_broker_set_up(cluster_, broker), "rd_kafka_mock_broker_set_up");
}

void MockCluster::set_rtt(int32_t broker, int milliseconds) {
  check(rd_kafka_mock_broker_set_rtt(cluster_, broker, milliseconds),
        "rd_kafka_mock_broker_set_rtt");
}

bool MockCluster::modern() const {
  return rd_kafka_version() >= 0x020f0000;
}

NegotiatedVersions MockCluster::negotiated() const {
  if (modern()) return {12, 10, 12, 7};
  return {2, 7, 11, 5};
}

void MockCluster::drop_api(int16_t api_key) {
  check(rd_kafka_mock_set_apiversion(cluster_, api_key, -1, -1), "rd_kafka_mock_set_apiversion");
}

}  // namespace ks::upstream::test
