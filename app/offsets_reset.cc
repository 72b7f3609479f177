// `kafka-sidecar offsets reset`: moves a group's committed offsets on one
// topic (or one partition of it), as Kafka's kafka-consumer-groups
// --reset-offsets does, and refuses while the group has members.
#include <fmt/format.h>

#include <cstdio>

#include "app/offsets_commands.h"
#include "app/offsets_table.h"
#include "app/offsets_target.h"

namespace ks::app {
namespace {

// The user's topic name, and the upstream one where a route renames it.
std::string topic_label(const std::string& app_topic, const std::string& upstream_topic) {
  return app_topic == upstream_topic
             ? "'" + app_topic + "'"
             : fmt::format("'{}' ('{}' upstream)", app_topic, upstream_topic);
}

Error failed(std::errc code, std::string message) {
  return Error{std::make_error_code(code), std::move(message)};
}

}  // namespace

awaitable<Result<ResetOutcome>> reset_group_offsets(OffsetsContext context, ResetArgs args) {
  GroupAdmin& admin = context.admin;
  const std::string topic = context.config.upstream_topic(args.topic);
  if (auto loaded = co_await admin.load_topics(); !loaded) co_return loaded.error();
  auto partition_ids = admin.partitions_of(topic);
  if (!partition_ids) {
    co_return failed(std::errc::invalid_argument,
                     "unknown topic " + topic_label(args.topic, topic));
  }
  std::vector<TopicPartition> partitions;
  for (const int32_t p : *partition_ids) {
    if (!args.partition || *args.partition == p) partitions.push_back({topic, p});
  }
  if (partitions.empty()) {
    co_return failed(
        std::errc::invalid_argument,
        fmt::format("topic {} has no partition {} (it has {})", topic_label(args.topic, topic),
                    *args.partition, partition_ids->size()));
  }

  // Where the broker can tell, refuse before anything else; where it has
  // no DescribeGroups, the commit's answer tells (see GroupAdmin::commit).
  auto group = co_await admin.describe(args.group);
  ResetOutcome outcome;
  outcome.members_unknown = !group.ok();
  if (!group && group.error().code != make_error_code(upstream::errc::unsupported_version)) {
    co_return group.error();
  }
  if (group && !may_reset(*group)) {
    co_return failed(
        std::errc::operation_not_permitted,
        fmt::format("group {} has {} active member{} (state {}); stop them first", args.group,
                    group->members, group->members == 1 ? "" : "s", group->state));
  }

  auto log_start = co_await admin.list_offsets(partitions, kEarliest);
  if (!log_start) co_return log_start.error();
  auto log_end = co_await admin.list_offsets(partitions, kLatest);
  if (!log_end) co_return log_end.error();
  auto committed = co_await admin.committed(args.group, partitions);
  if (!committed) co_return committed.error();
  OffsetMap at_timestamp;
  if (args.target.kind == ResetTarget::Kind::timestamp) {
    auto found = co_await admin.list_offsets(partitions, args.target.value);
    if (!found) co_return found.error();
    at_timestamp = std::move(*found);
  }

  OffsetMap new_offsets;
  for (const auto& tp : partitions) {
    PartitionOffsets facts;
    facts.log_start = log_start->at(tp);
    facts.log_end = log_end->at(tp);
    if (const auto it = committed->find(tp); it != committed->end()) facts.committed = it->second;
    if (const auto it = at_timestamp.find(tp); it != at_timestamp.end() && it->second >= 0) {
      facts.at_timestamp = it->second;
    }
    const auto offset = new_offset(args.target, facts);
    if (!offset) {
      co_return failed(std::errc::invalid_argument,
                       fmt::format("cannot shift partition {} of {}: group {} has {}; nothing was "
                                   "reset",
                                   tp.partition, topic_label(args.topic, topic), args.group,
                                   offset.error().message));
    }
    new_offsets[tp] = *offset;
    outcome.rows.push_back({args.topic, tp.partition, facts.committed, *offset});
  }

  if (!args.dry_run) {
    auto done = co_await admin.commit(args.group, std::move(new_offsets));
    if (!done) co_return done.error();
    outcome.committed = true;
  }
  co_return outcome;
}

awaitable<int> reset_offsets(OffsetsContext context, ResetArgs args) {
  const std::string group = args.group;
  auto outcome = co_await reset_group_offsets(context, std::move(args));
  if (!outcome) co_return offsets_failed(outcome.error().message);
  std::vector<TableRow> rows;
  for (const auto& row : outcome->rows) {
    rows.push_back({row.topic, std::to_string(row.partition),
                    row.old_offset ? std::to_string(*row.old_offset) : "-",
                    std::to_string(row.new_offset)});
  }
  const std::string table = format_table({"TOPIC", "PARTITION", "OLD", "NEW"}, rows);
  std::fputs(table.c_str(), stdout);
  if (outcome->committed) {
    std::printf("group %s: new offsets committed\n", group.c_str());
  } else {
    std::printf("dry run: nothing committed\n");
    if (outcome->members_unknown) {
      std::printf(
          "(the cluster has no DescribeGroups: whether group %s has active members "
          "shows only when committing)\n",
          group.c_str());
    }
  }
  co_return 0;
}

}  // namespace ks::app
