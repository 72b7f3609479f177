// `kafka-sidecar run`: wires the components on one io_context thread (the
// buffer writers have their own threads) and runs until SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "app/admin_endpoints.h"
#include "app/cluster_pipeline.h"
#include "app/commands.h"
#include "app/config_reload.h"
#include "app/group_clusters.h"
#include "app/producer_recovery.h"
#include "app/routing_sink.h"
#include "app/sidecar_metrics.h"
#include "app/upstream_client_options.h"
#include "common/log.h"
#include "common/password_file.h"
#include "config/config.h"
#include "proxy/admin/http_server.h"
#include "proxy/asio.h"
#include "proxy/protocol/messages.h"
#include "proxy/server/dispatcher.h"
#include "proxy/server/fetch_handler.h"
#include "proxy/server/group_handler.h"
#include "proxy/server/init_producer_id_handler.h"
#include "proxy/server/list_offsets_handler.h"
#include "proxy/server/listener.h"
#include "proxy/server/metadata_handler.h"
#include "proxy/server/offset_for_leader_epoch_handler.h"
#include "proxy/server/produce_handler.h"
#include "proxy/server/producer_state.h"
#include "proxy/server/sasl_session.h"
#include "proxy/server/topic_catalog.h"
#include "proxy/tls/pem_files.h"

namespace ks::app {
namespace {

// How long a clean shutdown waits for connections to send the answers to
// requests they had already read.
constexpr auto kDrainTimeout = std::chrono::seconds(10);
// Enough to keep up with the forwarding of a few clusters; each batch is
// compressed by one thread.
constexpr size_t kBackgroundThreads = 2;

log::Format log_format(config::LogFormat format) {
  switch (format) {
    case config::LogFormat::text:
      return log::Format::text;
    case config::LogFormat::json:
      return log::Format::json;
  }
  return log::Format::text;
}

int fail(std::string_view what) {
  log::error("sidecar.start_failed", "error={}", log::quote(what));
  // Said plainly too for a person at a terminal; JSON logs stay all JSON.
  if (log::format() == log::Format::text)
    std::fprintf(stderr, "kafka-sidecar: %.*s\n", static_cast<int>(what.size()), what.data());
  return 1;
}

// TLS 1.2 or later with the listener's certificate; with a CA, only clients
// presenting a certificate it signed. A problem is said with the file.
Result<void> set_up_tls(asio::ssl::context& context, const config::ListenerTlsConfig& files) {
  using tls::Pem;
  if (auto ok = tls::require_tls12(context, "listener.tls"); !ok) return ok;
  if (auto ok = tls::load_pem(context, Pem::certificate_chain, files.cert, "listener.tls.cert");
      !ok)
    return ok;
  if (auto ok = tls::load_pem(context, Pem::private_key, files.key, "listener.tls.key"); !ok)
    return ok;
  if (files.ca.empty()) return {};
  if (auto ok = tls::load_pem(context, Pem::ca, files.ca, "listener.tls.ca"); !ok) return ok;
  context.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  return {};
}

// Stop accepting; let every append already submitted complete and sync;
// let connections answer what they read; checkpoint; stop.
awaitable<void> shut_down(asio::io_context& io, server::Listener& listener,
                          admin::HttpServer& admin_server,
                          std::vector<std::unique_ptr<ClusterPipeline>>& clusters) {
  listener.stop();
  for (auto& cluster : clusters)
    cluster->close_buffer();
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  asio::steady_timer tick(io);
  while (listener.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(10));
    boost::system::error_code ignored;
    co_await tick.async_wait(nothrow(ignored));
  }
  for (auto& cluster : clusters)
    cluster->stop_forwarding();
  admin_server.stop();
  log::info("sidecar.stopped", "unanswered_connections={}", listener.open_connections());
  io.stop();
}

}  // namespace

int run(const std::string& config_file) {
  const auto loaded = config::load_file(config_file);
  if (!loaded.ok()) {
    std::fputs(config::check_config_report(loaded, config_file).c_str(), stderr);
    return 1;
  }
  // Mutable: a reload (SIGHUP) changes the routes in place, and every
  // component reads them from here.
  config::Config config = *loaded.config;
  log::set_level(config.log.level);
  log::set_format(log_format(config.log.format));

  asio::io_context io(1);
  // Work that must not stall the io thread serving the clients: checkpoint
  // saves (an fsync) and forward.compression. Declared after `io` and before
  // the clusters: joined after they stop and before `io`, which its
  // completions are posted to.
  asio::thread_pool background(kBackgroundThreads);
  SidecarMetrics metrics;
  std::vector<std::unique_ptr<ClusterPipeline>> clusters;
  for (const auto& cluster : config.clusters) {
    auto tls = upstream_tls(cluster);
    if (!tls) return fail(tls.error().message);
    clusters.push_back(std::make_unique<ClusterPipeline>(
        io.get_executor(), background.get_executor(), config, cluster, std::move(*tls)));
    if (auto opened = clusters.back()->open(metrics.sync_observer(cluster.name)); !opened)
      return fail(opened.error().message);
  }

  std::map<std::string, int32_t> declared;
  for (const auto& topic : config.topics)
    declared[topic.name] = topic.partitions;
  server::TopicCatalog catalog(std::filesystem::path(config.buffer.dir) / "topics", declared);
  if (const auto ec = catalog.load())
    return fail("cannot read the topic cache in " + config.buffer.dir + ": " + ec.message());
  RoutingSink sink(io.get_executor(), config, clusters);
  catalog.set_upstream_lookup(
      [&sink](std::vector<std::string> topics) { return sink.lookup(std::move(topics)); });

  server::BrokerIdentity identity;
  identity.host = config.listener.advertised.host;
  identity.port = config.listener.advertised.port;
  server::ProducerState producers;
  for (const auto& cluster : clusters) {
    // The last two segments hold what a client can still be retrying.
    const uint64_t learnt = restore_producers(cluster->log(), 2 * config.buffer.segment_bytes,
                                              io.get_executor(), producers);
    log::info("producers.restored", "cluster={} batches={}", cluster->name(), learnt);
  }
  server::MetadataHandler metadata(identity, catalog);
  server::ProduceHandler produce(catalog, producers, sink);
  server::InitProducerIdHandler init_producer_id(producers);
  server::UpstreamLocator locator([&sink](const std::string& topic) { return sink.route(topic); });
  server::FetchHandler fetch(locator);
  server::ListOffsetsHandler list_offsets(locator);
  server::OffsetForLeaderEpochHandler offset_for_leader_epoch(locator);
  // Each consumer group lives on the cluster its `groups` rule names.
  GroupClusters group_clusters(config, clusters);
  server::GroupHandler groups(identity, group_clusters.routing());

  using protocol::ApiKey;
  server::Dispatcher dispatcher;
  dispatcher.add(ApiKey::metadata, protocol::MetadataRequest::kMinVersion,
                 protocol::MetadataRequest::kMaxVersion,
                 [&](auto request) { return metadata.handle(std::move(request)); });
  dispatcher.add(ApiKey::produce, protocol::ProduceRequest::kMinVersion,
                 protocol::ProduceRequest::kMaxVersion,
                 [&](auto request) { return produce.handle(std::move(request)); });
  dispatcher.add(ApiKey::fetch, protocol::FetchRequest::kMinVersion,
                 protocol::FetchRequest::kMaxVersion,
                 [&](auto request) { return fetch.handle(std::move(request)); });
  dispatcher.add(ApiKey::list_offsets, protocol::ListOffsetsRequest::kMinVersion,
                 protocol::ListOffsetsRequest::kMaxVersion,
                 [&](auto request) { return list_offsets.handle(std::move(request)); });
  dispatcher.add(ApiKey::offset_for_leader_epoch,
                 protocol::OffsetForLeaderEpochRequest::kMinVersion,
                 protocol::OffsetForLeaderEpochRequest::kMaxVersion,
                 [&](auto request) { return offset_for_leader_epoch.handle(std::move(request)); });
  const auto add_group_api = [&](ApiKey key, int16_t max_version, auto method) {
    dispatcher.add(key, 0, max_version, [&groups, method](auto request) {
      return (groups.*method)(std::move(request));
    });
  };
  add_group_api(ApiKey::find_coordinator, 4, &server::GroupHandler::find_coordinator);
  add_group_api(ApiKey::join_group, 9, &server::GroupHandler::join_group);
  add_group_api(ApiKey::sync_group, 5, &server::GroupHandler::sync_group);
  add_group_api(ApiKey::heartbeat, 4, &server::GroupHandler::heartbeat);
  add_group_api(ApiKey::leave_group, 5, &server::GroupHandler::leave_group);
  add_group_api(ApiKey::offset_commit, 8, &server::GroupHandler::offset_commit);
  // v8 batches several groups, which may have different coordinators.
  add_group_api(ApiKey::offset_fetch, 7, &server::GroupHandler::offset_fetch);
  add_group_api(ApiKey::describe_groups, 5, &server::GroupHandler::describe_groups);
  add_group_api(ApiKey::list_groups, 4, &server::GroupHandler::list_groups);
  add_group_api(ApiKey::delete_groups, 2, &server::GroupHandler::delete_groups);
  dispatcher.add(ApiKey::init_producer_id, protocol::InitProducerIdRequest::kMinVersion,
                 protocol::InitProducerIdRequest::kMaxVersion,
                 [&](auto request) { return init_producer_id.handle(std::move(request)); });
  // Who may use the listener; checked here so that an unreadable password
  // file stops the start rather than every client's login.
  std::optional<server::ListenerAuth> auth;
  if (const auto& sasl = config.listener.sasl) {
    std::vector<server::PlainUser> users;
    for (const auto& user : sasl->users) {
      if (!user.password_file.empty()) {
        const auto password = read_password_file(user.password_file);
        if (!password || password->empty()) {
          return fail(fmt::format("listener.sasl: user {}: cannot read a password from {}",
                                  user.username, user.password_file));
        }
      }
      users.push_back({user.username, user.password.reveal(), user.password_file});
    }
    auth.emplace(server::PlainAuthenticator(std::move(users)));
    server::add_sasl_apis(dispatcher);
  }
  dispatcher.on_session_end([&clusters, &fetch](uint64_t session) {
    fetch.end_session(session);
    for (auto& cluster : clusters)
      cluster->client().close_lane(session);
  });
  dispatcher.on_request_done(
      [&metrics](protocol::ApiKey api, auto took) { metrics.observe_request(api, took); });

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.listener.address, ec);
  if (ec) return fail("listener.address " + config.listener.address + " is not an IP address");
  server::ConnectionLimits limits;
  limits.max_frame_bytes = config.listener.max_request_bytes;
  limits.idle_timeout = config.listener.idle_timeout;
  limits.request_timeout = config.listener.request_timeout;
  std::optional<asio::ssl::context> tls;
  if (config.listener.tls) {
    tls.emplace(asio::ssl::context::tls_server);
    if (auto ok = set_up_tls(*tls, *config.listener.tls); !ok) return fail(ok.error().message);
  }
  server::Listener listener(io.get_executor(), dispatcher, limits, config.listener.max_connections,
                            auth ? &*auth : nullptr, tls ? &*tls : nullptr);
  if (const auto error = listener.open(tcp::endpoint(address, config.listener.port))) {
    return fail(fmt::format("cannot listen on {}:{}: {}", config.listener.address,
                            config.listener.port, error.message()));
  }

  metrics.watch(&clusters, &listener);
  admin::HttpServer admin_server(io.get_executor());
  if (config.admin.port != 0) {
    const auto admin_address = asio::ip::make_address(config.admin.address, ec);
    if (ec) return fail("admin.address " + config.admin.address + " is not an IP address");
    if (const auto error = admin_server.open(tcp::endpoint(admin_address, config.admin.port))) {
      return fail(fmt::format("cannot serve the admin API on {}:{}: {}", config.admin.address,
                              config.admin.port, error.message()));
    }
    add_admin_endpoints(admin_server, {config, config_file, clusters, listener, metrics});
    admin_server.start();
  }

  for (auto& cluster : clusters)
    cluster->start();
  listener.start();
  log::info("sidecar.started",
            "listener={}:{} advertised={}:{} tls={} client_auth={} admin={} buffer={} "
            "clusters={}",
            config.listener.address, listener.port(), identity.host, identity.port,
            !tls                              ? "off"
            : config.listener.tls->ca.empty() ? "on"
                                              : "client_certificates",
            auth ? "PLAIN" : "none",
            config.admin.port == 0
                ? std::string("off")
                : fmt::format("{}:{}", config.admin.address, admin_server.port()),
            log::quote(config.buffer.dir), clusters.size());

  asio::signal_set reload_signal(io, SIGHUP);
  std::function<void()> await_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& error, int) {
      if (error) return;
      if (const auto outcome = reload_config(config_file, config, clusters, catalog)) {
        log::info("config.reloaded", "file={} {}", log::quote(config_file), *outcome);
      } else {
        log::error("config.reload_refused", "file={} reason={}", log::quote(config_file),
                   log::quote(outcome.error().message));
      }
      await_reload();
    });
  };
  await_reload();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    log::info("sidecar.stopping", "signal={}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    asio::co_spawn(io, shut_down(io, listener, admin_server, clusters), asio::detached);
  });
  io.run();
  background.join();
  return 0;
}

}  // namespace ks::app
