#pragma once
// The single broker the sidecar pretends to be: leader of every partition
// and coordinator of every group, so clients never learn the upstream
// topology.
#include <cstdint>
#include <string>

namespace ks::server {

struct BrokerIdentity {
  int32_t node_id = 0;
  std::string host = "localhost";  // advertised to clients
  int32_t port = 9092;
  std::string cluster_id = "kafka-sidecar";
};

}  // namespace ks::server
