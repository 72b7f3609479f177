#pragma once
// kafka-sidecar's configuration: the YAML file (DESIGN.md, "Configuration
// (YAML)") loaded into typed, validated values.
//
// Loading never throws and never stops at the first mistake: it returns
// either a Config that passed every check or the full list of problems, each
// naming the file, line, column and key, so one run of
// `kafka-sidecar check-config FILE` shows everything to fix.
//
// Defaults below are the values used when a key is absent.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "config/diagnostic.h"
#include "config/environment.h"
#include "config/host_port.h"
#include "config/secret.h"

namespace ks::config {

using Duration = std::chrono::milliseconds;

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

enum class SaslMechanism { plain, scram_sha_256, scram_sha_512 };

// A client allowed on the listener (listener.sasl.users).
struct ListenerUser {
  std::string username;
  // Exactly one of these is non-empty. The file is read at each
  // authentication, so a rotated password applies to new connections.
  Secret password;
  std::string password_file;

  bool operator==(const ListenerUser&) const = default;
};

// Authentication of local clients: when set, a connection must log in
// before anything but ApiVersions and the SASL requests is served.
struct ListenerSaslConfig {
  SaslMechanism mechanism = SaslMechanism::plain;  // only PLAIN is served
  std::vector<ListenerUser> users;                 // at least one; usernames unique

  bool operator==(const ListenerSaslConfig&) const = default;
};

// TLS on the listener (clients use security.protocol=SSL or SASL_SSL).
// Paths only, read when the sidecar starts.
struct ListenerTlsConfig {
  std::string cert;  // PEM, the certificate chain clients see; required
  std::string key;   // PEM, its private key; required
  std::string ca;    // "" = no client certificates; else only clients with one it signed

  bool operator==(const ListenerTlsConfig&) const = default;
};

// Where clients connect: the Kafka protocol endpoint.
struct ListenerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 9092;
  // The address put in Metadata responses, which clients reconnect to.
  // Defaults to address:port; must be given when address is a wildcard.
  HostPort advertised{"127.0.0.1", 9092};
  // Bounds on what clients may hold (issue: hostile or broken clients).
  uint32_t max_connections = 1000;          // more are accepted and closed at once
  uint64_t max_request_bytes = 100 * kMiB;  // a larger frame closes the connection
  // Nothing in flight and no request for this long, or answers left unread
  // for this long: closed (Kafka's connections.max.idle.ms).
  Duration idle_timeout = std::chrono::minutes(10);
  // Once a request's size has arrived, the rest must arrive within this.
  Duration request_timeout = std::chrono::seconds(30);
  std::optional<ListenerSaslConfig> sasl;  // absent: any local process may connect
  std::optional<ListenerTlsConfig> tls;    // absent: plain TCP

  bool operator==(const ListenerConfig&) const = default;
};

// Health, readiness and metrics over HTTP.
struct AdminConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 9644;  // 0 = no admin endpoint

  bool operator==(const AdminConfig&) const = default;
};

enum class LogFormat { text, json };

struct LogConfig {
  log::Level level = log::Level::info;
  LogFormat format = LogFormat::text;

  bool operator==(const LogConfig&) const = default;
};

enum class FsyncPolicy {
  always,    // before acknowledging each produce
  interval,  // every fsync_interval: survives a crash of the process, not of the machine
  never,     // leave it to the OS
};

// What a produce does when the buffer holds max_bytes. A full file system
// (ENOSPC, EDQUOT) is another matter: whatever when_full says, the produce
// is refused at once with KAFKA_STORAGE_ERROR (retriable), nothing of it is
// kept, and writes resume when space returns.
enum class WhenFull {
  block,        // wait up to block_timeout for the forwarder to free space
  reject,       // fail it at once with a retriable error
  drop_oldest,  // make room by discarding the oldest records not yet forwarded
};

// The local durable log that produces are appended to before forwarding.
struct BufferConfig {
  std::string dir;  // required
  uint64_t max_bytes = 10 * kGiB;
  uint64_t segment_bytes = 64 * kMiB;  // 4KiB..1GiB and <= max_bytes
  FsyncPolicy fsync = FsyncPolicy::always;
  Duration fsync_interval = std::chrono::milliseconds(50);
  WhenFull when_full = WhenFull::block;
  Duration block_timeout = std::chrono::seconds(30);

  bool operator==(const BufferConfig&) const = default;
};

// Paths only: the files are read (and their absence reported) when the
// connection is set up, so check-config can run on another machine.
struct TlsConfig {
  std::string ca;    // "" = the system's trusted CAs
  std::string cert;  // client certificate; given together with key or not at all
  std::string key;
  bool verify_hostname = true;

  bool operator==(const TlsConfig&) const = default;
};

struct SaslConfig {
  SaslMechanism mechanism = SaslMechanism::plain;
  std::string username;
  // Exactly one of these is non-empty. The file is read at use, so a
  // rotated password is picked up on reconnect.
  Secret password;
  std::string password_file;

  bool operator==(const SaslConfig&) const = default;
};

// An upstream Kafka cluster.
struct ClusterConfig {
  std::string name;                 // the key under `clusters`
  std::vector<HostPort> bootstrap;  // at least one
  std::string client_id = "kafka-sidecar";
  Duration request_timeout = std::chrono::seconds(30);
  Duration retry_backoff = std::chrono::milliseconds(100);  // first retry; doubles up to the max
  // Kafka clients' defaults (KIP-580): a cluster that comes back is retried
  // within a second, which bounds how long a drain waits to start.
  Duration retry_backoff_max = std::chrono::seconds(1);
  std::optional<TlsConfig> tls;
  std::optional<SaslConfig> sasl;

  bool operator==(const ClusterConfig&) const = default;
};

// Which cluster a topic goes to, and under which name.
struct Route {
  std::string topics;   // an exact topic name or a glob ('*', '?')
  std::string cluster;  // the name of a ClusterConfig
  std::string rename;   // "" = same name upstream; otherwise contains "{topic}"

  bool matches(std::string_view topic) const;
  // The topic's name on the upstream cluster: `rename` with every "{topic}"
  // replaced, or the topic itself.
  std::string upstream_name(std::string_view topic) const;
  // The topic whose upstream name is `upstream`, if the text fits `rename`
  // (whether this route is the one that topic takes is the caller's check).
  std::optional<std::string> topic_named(std::string_view upstream) const;

  bool operator==(const Route&) const = default;
};

// Which cluster a consumer group lives on: its coordinator, its members and
// its committed offsets are there.
struct GroupRule {
  std::string groups;   // an exact group id or a glob ('*', '?')
  std::string cluster;  // the name of a ClusterConfig

  bool matches(std::string_view group) const;
};

// A topic whose partition count is known ahead, so that produce works on a
// cold start while the upstream cluster is unreachable.
struct TopicConfig {
  std::string name;
  int32_t partitions = 1;

  bool operator==(const TopicConfig&) const = default;
};

// How buffered records are sent upstream.
// forward.compression: what uncompressed client batches are compressed
// with on their way upstream (Kafka's codecs; none: sent as they are).
enum class Compression { none, gzip, snappy, lz4, zstd };

struct ForwardConfig {
  int max_in_flight = 5;  // Produce requests per partition leader, 1..5 (idempotence limit)
  Duration linger = std::chrono::milliseconds(0);
  uint64_t max_request_bytes = 1 * kMiB;
  Compression compression = Compression::none;

  bool operator==(const ForwardConfig&) const = default;
};

struct Config {
  ListenerConfig listener;
  AdminConfig admin;
  LogConfig log;
  BufferConfig buffer;
  std::vector<ClusterConfig> clusters;  // in file order; at least one
  // First match wins. Never empty once loaded: without a `routes` section
  // there is one rule sending every topic to the only cluster.
  std::vector<Route> routes;
  // First match wins; a group no rule matches lives on the first cluster
  // (so one cluster needs no rules).
  std::vector<GroupRule> groups;
  std::vector<TopicConfig> topics;
  ForwardConfig forward;

  // The first route matching `topic`, or nullptr when none does.
  const Route* route_for(std::string_view topic) const;
  // The topic's name on its cluster: its route's rename, or the topic itself.
  std::string upstream_topic(std::string_view topic) const;
  const ClusterConfig* cluster(std::string_view name) const;
  // The cluster holding consumer group `group` (see `groups`).
  const ClusterConfig& cluster_for_group(std::string_view group) const;
};

struct LoadResult {
  std::optional<Config> config;         // set exactly when diagnostics is empty
  std::vector<Diagnostic> diagnostics;  // ordered by position in the file

  bool ok() const { return config.has_value(); }
};

// ${VAR} references in values are looked up with `env` (see env_expand.h).
LoadResult load_file(const std::string& path, const EnvLookup& env = process_env);
// `source_name` stands for the file name in diagnostics.
LoadResult load_string(std::string_view yaml, std::string_view source_name,
                       const EnvLookup& env = process_env);

// The effective configuration (defaults filled in, variables expanded) as
// YAML that load_string() accepts again. Passwords are shown as "***".
std::string describe(const Config& config);

// What `kafka-sidecar check-config FILE` prints: the diagnostics one per
// line and a count, or a line saying the file is valid followed by
// describe().
std::string check_config_report(const LoadResult& result, std::string_view file);

}  // namespace ks::config
