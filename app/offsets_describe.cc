// `kafka-sidecar offsets describe`: a group's committed offsets against the
// log ends, and its state where the cluster can tell.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "app/offsets_commands.h"
#include "app/offsets_table.h"
#include "app/offsets_topic_names.h"

namespace ks::app {

awaitable<int> describe_offsets(OffsetsContext context, DescribeArgs args) {
  GroupAdmin& admin = context.admin;
  if (auto loaded = co_await admin.load_topics(); !loaded) {
    co_return offsets_failed(loaded.error().message);
  }
  auto group = co_await admin.describe(args.group);
  if (group) {
    std::printf("group %s: state %s, %zu member%s\n", args.group.c_str(), group->state.c_str(),
                group->members, group->members == 1 ? "" : "s");
  } else if (group.error().code == make_error_code(upstream::errc::unsupported_version)) {
    std::printf("group %s: state unknown (the cluster has no DescribeGroups)\n",
                args.group.c_str());
  } else {
    co_return offsets_failed(group.error().message);
  }

  std::optional<std::vector<TopicPartition>> whole_group;
  auto committed = co_await admin.committed(args.group, whole_group);
  if (committed && committed->empty()) {
    // The librdkafka mocks answer an all-partitions OffsetFetch with no
    // partitions: ask for every partition of the cluster by name instead.
    // (On a broker, a group without offsets just costs one more request.)
    committed = co_await admin.committed(args.group, admin.all_partitions());
  }
  if (!committed) co_return offsets_failed(committed.error().message);
  if (committed->empty()) {
    std::printf("group %s has no committed offsets\n", args.group.c_str());
    co_return 0;
  }

  std::vector<TopicPartition> partitions;
  for (const auto& [tp, offset] : *committed)
    partitions.push_back(tp);
  auto log_end = co_await admin.list_offsets(partitions, kLatest);
  if (!log_end) co_return offsets_failed(log_end.error().message);

  // Sorted by the app's topic names, which need not sort like the upstream ones.
  const std::string& cluster = context.config.cluster_for_group(args.group).name;
  std::vector<std::tuple<std::string, int32_t, int64_t, int64_t>> lines;
  for (const auto& [tp, offset] : *committed) {
    lines.emplace_back(app_topic_name(context.config, cluster, tp.topic), tp.partition, offset,
                       log_end->at(tp));
  }
  std::sort(lines.begin(), lines.end());
  std::vector<TableRow> rows;
  for (const auto& [topic, partition, offset, end] : lines) {
    rows.push_back({topic, std::to_string(partition), std::to_string(offset), std::to_string(end),
                    std::to_string(std::max<int64_t>(0, end - offset))});
  }
  const std::string table =
      format_table({"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG"}, rows);
  std::fputs(table.c_str(), stdout);
  co_return 0;
}

}  // namespace ks::app
