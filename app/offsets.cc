// `kafka-sidecar offsets`: runs a sub-command against the cluster holding
// the consumer group (config `groups`), on an io_context of its own.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <type_traits>
#include <variant>

#include "app/commands.h"
#include "app/offsets_commands.h"
#include "app/upstream_client_options.h"
#include "common/log.h"

namespace ks::app {

int offsets_failed(std::string_view message) {
  std::fprintf(stderr, "kafka-sidecar offsets: %.*s\n", static_cast<int>(message.size()),
               message.data());
  return 1;
}

int offsets(const OffsetsArgs& args) {
  const std::string& config_file =
      std::visit([](const auto& a) -> const std::string& { return a.config_file; }, args);
  const auto loaded = config::load_file(config_file);
  if (!loaded.ok()) {
    std::fputs(config::check_config_report(loaded, config_file).c_str(), stderr);
    return 1;
  }
  const config::Config& config = *loaded.config;
  const std::string& group =
      std::visit([](const auto& a) -> const std::string& { return a.group; }, args);
  const config::ClusterConfig& cluster = config.cluster_for_group(group);
  auto tls = upstream_tls(cluster);
  if (!tls) return offsets_failed(tls.error().message);
  // The client's connection notices are noise for a command; its warnings
  // (an unreachable broker) are not.
  log::set_level(std::max(config.log.level, log::Level::warn));

  asio::io_context io(1);
  upstream::Client client(io.get_executor(), client_options(cluster, "/offsets", std::move(*tls)));
  GroupAdmin admin(client);
  const OffsetsContext context{config, admin};
  std::optional<int> exit_code;
  std::exception_ptr failure;
  auto command = std::visit(
      [&](const auto& a) {
        using Args = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<Args, ResetArgs>)
          return reset_offsets(context, a);
        else
          return describe_offsets(context, a);
      },
      args);
  // The client's connections keep the io_context busy: stop it when done.
  asio::co_spawn(io, std::move(command), [&](std::exception_ptr error, int code) {
    failure = error;
    exit_code = code;
    io.stop();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return exit_code.value_or(1);
}

}  // namespace ks::app
