// `kafka-sidecar buffer inspect`: what each cluster's buffer holds and how
// far it is forwarded, read without changing a byte, so it is safe beside
// a running sidecar.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "app/buffer_inspection.h"
#include "app/buffer_report.h"
#include "app/commands.h"
#include "common/log.h"
#include "config/config.h"

namespace ks::app {
namespace {

void say(const std::string& message) {
  std::fprintf(stderr, "kafka-sidecar buffer inspect: %s\n", message.c_str());
}

// Why the inspection counts as failed (exit 1), for stderr; empty if not.
std::vector<std::string> problems(const ClusterInspection& inspection) {
  std::vector<std::string> out;
  const auto damaged = [&](const LogInspection& log) {
    uint64_t bytes = 0;
    for (const auto& damage : log.corruption)
      bytes += damage.range.size();
    if (!log.corruption.empty()) {
      out.push_back(fmt::format("corruption in {}: {} range{}, {} bytes lost", log.dir,
                                log.corruption.size(), log.corruption.size() == 1 ? "" : "s",
                                bytes));
    }
  };
  damaged(inspection.log);
  if (inspection.dead_letter) damaged(*inspection.dead_letter);
  if (inspection.checkpoint.state == CheckpointInspection::State::unreadable) {
    out.push_back(fmt::format("the checkpoint {} cannot be read: {}", inspection.checkpoint.path,
                              inspection.checkpoint.error.message()));
  }
  return out;
}

}  // namespace

int buffer_inspect(const BufferInspectArgs& args) {
  // The report says all the buffer's own log lines would; errors stay.
  log::set_level(log::Level::error);
  std::vector<std::pair<std::string, ClusterBufferLayout>> clusters;
  if (!args.config_file.empty()) {
    const auto loaded = config::load_file(args.config_file);
    if (!loaded.ok()) {
      std::fputs(config::check_config_report(loaded, args.config_file).c_str(), stderr);
      return 1;
    }
    for (const auto& cluster : loaded.config->clusters) {
      clusters.emplace_back(cluster.name,
                            cluster_buffer_layout(loaded.config->buffer.dir, cluster.name));
    }
  } else {
    ClusterBufferLayout layout = layout_for_dir(args.dir);
    clusters.emplace_back(layout.dir.filename().string(), std::move(layout));
  }

  EntryVisitor dump;
  if (args.dump) {
    dump = [](buffer::Position position, const buffer::EntryView& entry) {
      std::fputs(format_entry(position, entry).c_str(), stdout);
    };
  }
  int exit_code = 0;
  for (const auto& [name, layout] : clusters) {
    std::fputs(format_cluster_heading(name, layout).c_str(), stdout);
    const auto inspection = inspect_cluster_buffer(name, layout, dump);
    if (!inspection) {
      std::fflush(stdout);
      say(inspection.error().message);
      exit_code = 1;
      continue;
    }
    std::fputs(format_cluster_report(*inspection).c_str(), stdout);
    for (const auto& problem : problems(*inspection)) {
      std::fflush(stdout);
      say(problem);
      exit_code = 1;
    }
  }
  return exit_code;
}

}  // namespace ks::app
