#include "app/admin_endpoints.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "app/offsets_commands.h"
#include "common/log.h"

namespace ks::app {
namespace {

using admin::HttpRequest;
using admin::HttpResponse;
using admin::http::status;
using admin::http::verb;
using nlohmann::json;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

double age_seconds(int64_t append_time_ms, int64_t now) {
  return append_time_ms < 0 ? 0.0
                            : static_cast<double>(std::max<int64_t>(0, now - append_time_ms)) / 1e3;
}

HttpResponse json_error(status code, std::string message) {
  return admin::json_response(code, json{{"error", std::move(message)}}.dump());
}

// Can the buffer take a write now? Writing (not only creating) a file tells
// a full disk from a merely existing directory.
std::optional<std::string> unwritable(const ClusterPipeline& cluster) {
  if (const auto failure = cluster.buffer_failure()) {
    return "buffer of cluster " + cluster.name() + " stopped after a failed write or sync (" +
           failure.message() + "); restart the sidecar";
  }
  // Known from the last append, even while the probe below happens to find
  // a few bytes free.
  if (cluster.buffer_disk_full()) {
    return "buffer directory " + cluster.dir().string() +
           " is full (no space left on device): produces are refused until space returns";
  }
  const std::string probe = (cluster.dir() / ".ready-probe").string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int error = fd < 0 ? errno : 0;
  if (fd >= 0) {
    if (::write(fd, "1", 1) != 1) error = errno;
    ::close(fd);
    ::unlink(probe.c_str());
  }
  if (error == 0) return std::nullopt;
  return "buffer directory " + cluster.dir().string() + " is not writable: " + std::strerror(error);
}

// Dead-lettered batches and records per partition, read from the log.
std::map<std::pair<std::string, int32_t>, std::pair<uint64_t, uint64_t>> dead_letters(
    const ClusterPipeline& cluster) {
  std::map<std::pair<std::string, int32_t>, std::pair<uint64_t, uint64_t>> counts;
  const buffer::Log& log = cluster.dead_letter_log();
  if (log.stats().records == 0) return counts;
  auto scanner = log.scan(log.begin());
  while (scanner.next()) {
    auto& [batches, records] =
        counts[{std::string(scanner.entry().topic), scanner.entry().partition}];
    ++batches;
    records += static_cast<uint64_t>(scanner.entry().record_count);
  }
  return counts;
}

json buffer_status(const config::Config& config, const ClusterPipeline& cluster, int64_t now) {
  const auto& forwarder = cluster.forwarder();
  const auto backlog = forwarder.backlog();
  const auto buffer = cluster.buffer_stats();
  const auto dead = dead_letters(cluster);
  json partitions = json::array();
  for (const auto& p : forwarder.partitions()) {
    const auto it = dead.find({p.topic, p.partition});
    partitions.push_back({
        {"topic", p.topic},
        {"upstream_topic", config.upstream_topic(p.topic)},
        {"partition", p.partition},
        {"unforwarded_batches", p.backlog.batches},
        {"unforwarded_records", p.backlog.records},
        {"unforwarded_bytes", p.backlog.bytes},
        {"oldest_unforwarded_age_seconds", age_seconds(p.backlog.oldest_append_time_ms, now)},
        {"forward_cursor", p.forwarded_until},
        {"next_sequence", p.next_sequence},
        {"last_upstream_offset", p.last_upstream_offset},
        {"dead_lettered_batches", it == dead.end() ? 0 : it->second.first},
        {"dead_lettered_records", it == dead.end() ? 0 : it->second.second},
    });
  }
  const auto& stats = forwarder.stats();
  return {
      {"cluster", cluster.name()},
      {"dir", cluster.dir().string()},
      {"paused", forwarder.paused()},
      {"upstream_up", cluster.forwarding_client().is_reachable()},
      {"writable", !cluster.buffer_failure()},
      {"disk_bytes", buffer.bytes},
      {"max_bytes", cluster.max_bytes()},
      {"segments", buffer.segments},
      {"unforwarded_batches", backlog.batches},
      {"unforwarded_records", backlog.records},
      {"unforwarded_bytes", backlog.bytes},
      {"oldest_unforwarded_age_seconds", age_seconds(backlog.oldest_append_time_ms, now)},
      {"accepted_records", cluster.accepted().records},
      {"forwarded_records", stats.forwarded_records},
      {"dead_lettered_records", stats.dead_lettered_records},
      {"dropped_records", stats.dropped_records},
      {"partitions", std::move(partitions)},
  };
}

// The clusters a request names with ?cluster=NAME, or all of them.
std::optional<std::vector<ClusterPipeline*>> selected(
    std::vector<std::unique_ptr<ClusterPipeline>>& clusters, const HttpRequest& request) {
  std::vector<ClusterPipeline*> chosen;
  const auto it = request.query.find("cluster");
  for (auto& cluster : clusters) {
    if (it == request.query.end() || it->second == cluster->name()) chosen.push_back(cluster.get());
  }
  if (chosen.empty()) return std::nullopt;
  return chosen;
}

// The reset's JSON body, as the CLI's options: {"topic": "orders",
// "to-earliest": true, "dry-run": true} is --topic orders --to-earliest
// --dry-run, so both take exactly the same options and give the same errors.
Result<ResetArgs> reset_args(const AdminContext& context, const HttpRequest& request) {
  const auto invalid = [](std::string message) {
    return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
  };
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return invalid(
        "the body must be a JSON object of the CLI's options, e.g. {\"topic\": \"orders\", "
        "\"to-earliest\": true}");
  }
  std::vector<std::string> words{"reset", "--config", context.config_file, "--group",
                                 request.path_args.at("group")};
  for (const auto& [key, value] : body.items()) {
    if (key == "group" || key == "config") {
      return invalid("\"" + key + "\" is not an option here: " +
                     (key == "group" ? "the group is in the path" : "the running config is used"));
    }
    if (value.is_boolean()) {
      if (value.get<bool>()) words.push_back("--" + key);
    } else if (value.is_number_integer() || value.is_string()) {
      words.push_back("--" + key);
      words.push_back(value.is_string() ? value.get<std::string>() : value.dump());
    } else {
      return invalid("\"" + key + "\" must be a string, an integer or true");
    }
  }
  const std::vector<std::string_view> views(words.begin(), words.end());
  auto parsed = parse_offsets_args(views);
  if (!parsed) return parsed.error();
  return std::get<ResetArgs>(*parsed);
}

awaitable<HttpResponse> reset(AdminContext context, HttpRequest request) {
  auto args = reset_args(context, request);
  if (!args) co_return json_error(status::bad_request, args.error().message);
  const std::string group = args->group;
  const std::string& cluster = context.config.cluster_for_group(group).name;
  const auto pipeline = std::find_if(context.clusters.begin(), context.clusters.end(),
                                     [&](const auto& c) { return c->name() == cluster; });
  GroupAdmin admin((*pipeline)->client());
  auto outcome = co_await reset_group_offsets({context.config, admin}, *args);
  if (!outcome) {
    const auto code = outcome.error().code;
    const status answer = code == std::errc::operation_not_permitted ? status::conflict
                          : code == std::errc::invalid_argument      ? status::bad_request
                                                                     : status::bad_gateway;
    co_return json_error(answer, outcome.error().message);
  }
  json partitions = json::array();
  for (const auto& row : outcome->rows) {
    partitions.push_back({{"topic", row.topic},
                          {"partition", row.partition},
                          {"old_offset", row.old_offset ? json(*row.old_offset) : json(nullptr)},
                          {"new_offset", row.new_offset}});
  }
  log::info("admin.offsets_reset", "group={} partitions={} committed={}", log::quote(group),
            outcome->rows.size(), outcome->committed);
  co_return admin::json_response(status::ok, json{{"group", group},
                                                  {"committed", outcome->committed},
                                                  {"members_unknown", outcome->members_unknown},
                                                  {"partitions", std::move(partitions)}}
                                                 .dump());
}

}  // namespace

void add_admin_endpoints(admin::HttpServer& server, AdminContext context) {
  server.route(verb::get, "/metrics", [context](HttpRequest) -> awaitable<HttpResponse> {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = context.metrics.scrape();
    co_return response;
  });
  server.route(verb::get, "/healthz", [](HttpRequest) -> awaitable<HttpResponse> {
    co_return admin::text_response(status::ok, "ok");
  });
  server.route(verb::get, "/readyz", [context](HttpRequest) -> awaitable<HttpResponse> {
    std::vector<std::string> reasons;
    if (!context.listener.accepting()) reasons.push_back("the Kafka listener is not accepting");
    for (const auto& cluster : context.clusters) {
      if (auto why = unwritable(*cluster)) reasons.push_back(std::move(*why));
    }
    if (reasons.empty()) co_return admin::text_response(status::ok, "ready");
    std::string body = "not ready:";
    for (const auto& reason : reasons)
      body += "\n- " + reason;
    co_return admin::text_response(status::service_unavailable, std::move(body));
  });
  server.route(verb::get, "/v1/buffer", [context](HttpRequest) -> awaitable<HttpResponse> {
    const int64_t now = now_ms();
    json clusters = json::array();
    for (const auto& cluster : context.clusters)
      clusters.push_back(buffer_status(context.config, *cluster, now));
    co_return admin::json_response(status::ok, json{{"clusters", std::move(clusters)}}.dump());
  });
  for (const bool pause : {true, false}) {
    server.route(verb::post, pause ? "/v1/forwarder/pause" : "/v1/forwarder/resume",
                 [context, pause](HttpRequest request) -> awaitable<HttpResponse> {
                   const auto chosen = selected(context.clusters, request);
                   if (!chosen) {
                     co_return json_error(status::not_found,
                                          "no cluster named '" + request.query["cluster"] + "'");
                   }
                   json names = json::array();
                   for (ClusterPipeline* cluster : *chosen) {
                     if (pause) {
                       cluster->forwarder().pause();
                     } else {
                       cluster->forwarder().resume();
                     }
                     names.push_back(cluster->name());
                   }
                   co_return admin::json_response(
                       status::ok, json{{pause ? "paused" : "resumed", std::move(names)}}.dump());
                 });
  }
  server.route(verb::post, "/v1/groups/{group}/offsets/reset",
               [context](HttpRequest request) { return reset(context, std::move(request)); });
}

}  // namespace ks::app
