// describe(): the effective configuration printed back as YAML.
#include <yaml-cpp/yaml.h>

#include <string>

#include "config/config.h"
#include "config/enum_names.h"
#include "config/units.h"

namespace ks::config {
namespace {

// What stands in for a password. Loading it back gives a config that differs
// only in the password.
constexpr std::string_view kRedacted = "***";

// Values were expanded once already; doubling '$' keeps the output loadable
// without expanding them again.
std::string literal(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

void field(YAML::Emitter& out, std::string_view key, std::string_view value) {
  out << YAML::Key << std::string(key) << YAML::Value << literal(value);
}

void field(YAML::Emitter& out, std::string_view key, uint64_t value) {
  out << YAML::Key << std::string(key) << YAML::Value << value;
}

void size_field(YAML::Emitter& out, std::string_view key, uint64_t bytes) {
  field(out, key, format_size(bytes));
}

void duration_field(YAML::Emitter& out, std::string_view key, Duration d) {
  field(out, key, format_duration(d));
}

void begin_section(YAML::Emitter& out, std::string_view key) {
  out << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
}

void describe_tls(YAML::Emitter& out, const TlsConfig& tls) {
  begin_section(out, "tls");
  // Empty paths mean "not given" and cannot be written back as "".
  if (!tls.ca.empty()) field(out, "ca", tls.ca);
  if (!tls.cert.empty()) field(out, "cert", tls.cert);
  if (!tls.key.empty()) field(out, "key", tls.key);
  out << YAML::Key << "verify_hostname" << YAML::Value << tls.verify_hostname;
  out << YAML::EndMap;
}

void password_fields(YAML::Emitter& out, const Secret& password, const std::string& password_file) {
  if (!password.empty()) {
    out << YAML::Key << "password" << YAML::Value << YAML::DoubleQuoted << std::string(kRedacted);
  }
  if (!password_file.empty()) field(out, "password_file", password_file);
}

void describe_sasl(YAML::Emitter& out, const SaslConfig& sasl) {
  begin_section(out, "sasl");
  field(out, "mechanism", name_of(kSaslMechanisms, sasl.mechanism));
  field(out, "username", sasl.username);
  password_fields(out, sasl.password, sasl.password_file);
  out << YAML::EndMap;
}

void describe_listener_sasl(YAML::Emitter& out, const ListenerSaslConfig& sasl) {
  begin_section(out, "sasl");
  field(out, "mechanism", name_of(kSaslMechanisms, sasl.mechanism));
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq;
  for (const ListenerUser& user : sasl.users) {
    out << YAML::BeginMap;
    field(out, "username", user.username);
    password_fields(out, user.password, user.password_file);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;
}

void describe_cluster(YAML::Emitter& out, const ClusterConfig& c) {
  begin_section(out, c.name);
  out << YAML::Key << "bootstrap" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const HostPort& hp : c.bootstrap)
    out << to_string(hp);
  out << YAML::EndSeq;
  field(out, "client_id", c.client_id);
  duration_field(out, "request_timeout", c.request_timeout);
  duration_field(out, "retry_backoff", c.retry_backoff);
  duration_field(out, "retry_backoff_max", c.retry_backoff_max);
  if (c.tls) describe_tls(out, *c.tls);
  if (c.sasl) describe_sasl(out, *c.sasl);
  out << YAML::EndMap;
}

}  // namespace

std::string describe(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;

  begin_section(out, "listener");
  field(out, "address", config.listener.address);
  field(out, "port", config.listener.port);
  field(out, "advertised", to_string(config.listener.advertised));
  field(out, "max_connections", config.listener.max_connections);
  size_field(out, "max_request_bytes", config.listener.max_request_bytes);
  duration_field(out, "idle_timeout", config.listener.idle_timeout);
  duration_field(out, "request_timeout", config.listener.request_timeout);
  if (config.listener.sasl) describe_listener_sasl(out, *config.listener.sasl);
  if (const auto& tls = config.listener.tls) {
    begin_section(out, "tls");
    field(out, "cert", tls->cert);
    field(out, "key", tls->key);
    if (!tls->ca.empty()) field(out, "ca", tls->ca);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;

  begin_section(out, "admin");
  field(out, "address", config.admin.address);
  field(out, "port", config.admin.port);
  out << YAML::EndMap;

  begin_section(out, "log");
  field(out, "level", name_of(kLogLevels, config.log.level));
  field(out, "format", name_of(kLogFormats, config.log.format));
  out << YAML::EndMap;

  const BufferConfig& b = config.buffer;
  begin_section(out, "buffer");
  field(out, "dir", b.dir);
  size_field(out, "max_bytes", b.max_bytes);
  size_field(out, "segment_bytes", b.segment_bytes);
  field(out, "fsync", name_of(kFsyncPolicies, b.fsync));
  duration_field(out, "fsync_interval", b.fsync_interval);
  field(out, "when_full", name_of(kWhenFull, b.when_full));
  duration_field(out, "block_timeout", b.block_timeout);
  out << YAML::EndMap;

  begin_section(out, "clusters");
  for (const ClusterConfig& c : config.clusters)
    describe_cluster(out, c);
  out << YAML::EndMap;

  out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
  for (const Route& route : config.routes) {
    out << YAML::BeginMap;
    field(out, "topics", route.topics);
    field(out, "cluster", route.cluster);
    if (!route.rename.empty()) field(out, "rename", route.rename);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  if (!config.groups.empty()) {
    out << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
    for (const GroupRule& rule : config.groups) {
      out << YAML::BeginMap;
      field(out, "groups", rule.groups);
      field(out, "cluster", rule.cluster);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }

  if (!config.topics.empty()) {
    begin_section(out, "topics");
    for (const TopicConfig& t : config.topics) {
      begin_section(out, t.name);
      field(out, "partitions", static_cast<uint64_t>(t.partitions));
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }

  begin_section(out, "forward");
  field(out, "max_in_flight", static_cast<uint64_t>(config.forward.max_in_flight));
  duration_field(out, "linger", config.forward.linger);
  size_field(out, "max_request_bytes", config.forward.max_request_bytes);
  field(out, "compression", name_of(kCompressions, config.forward.compression));
  out << YAML::EndMap;

  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ks::config
