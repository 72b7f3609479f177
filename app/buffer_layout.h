#pragma once
// Where one cluster's buffer lives under `buffer.dir`: the names `run`
// creates and `buffer inspect` reads, kept in one place so they agree.
#include <filesystem>
#include <string>

namespace ks::app {

struct ClusterBufferLayout {
  std::filesystem::path dir;          // <buffer.dir>/<cluster>
  std::filesystem::path log;          // the write-ahead log's segments
  std::filesystem::path checkpoint;   // the forwarder's checkpoint file
  std::filesystem::path dead_letter;  // a log of the batches the cluster refused for good
};

inline ClusterBufferLayout cluster_buffer_layout(const std::filesystem::path& cluster_dir) {
  return {cluster_dir, cluster_dir / "log", cluster_dir / "checkpoint",
          cluster_dir / "dead-letter"};
}

inline ClusterBufferLayout cluster_buffer_layout(const std::string& buffer_dir,
                                                 const std::string& cluster) {
  return cluster_buffer_layout(std::filesystem::path(buffer_dir) / cluster);
}

}  // namespace ks::app
