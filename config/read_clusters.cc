// The `clusters` section: upstream Kafka clusters and how to reach them.
#include <fmt/format.h>

#include "config/sections.h"
#include "config/units.h"

namespace ks::config {
namespace {

// Cluster names appear in metric labels and logs, so keep them plain.
bool is_plain_name(std::string_view name) {
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return !name.empty();
}

std::vector<HostPort> read_bootstrap(Reader& r, const Item& item) {
  std::vector<HostPort> out;
  const std::optional<std::vector<Item>> elements = r.sequence(item);
  if (!elements) return out;
  if (elements->empty()) r.error(item, "needs at least one host:port");
  for (const Item& element : *elements) {
    if (auto hp = r.host_port(element)) out.push_back(std::move(*hp));
  }
  return out;
}

TlsConfig read_tls(Reader& r, const Item& item) {
  TlsConfig out;
  Mapping m(r, item);
  if (auto v = m.get("ca")) set_if(out.ca, r.string(*v));
  const std::optional<Item> cert = m.get("cert");
  if (cert) set_if(out.cert, r.string(*cert));
  const std::optional<Item> key = m.get("key");
  if (key) set_if(out.key, r.string(*key));
  if (auto v = m.get("verify_hostname")) set_if(out.verify_hostname, r.boolean(*v));
  m.reject_unknown();
  // A client certificate is useless without its private key and vice versa.
  if (cert && !key) r.error(item.mark, child_path(item.path, "key"), "is required with cert");
  if (key && !cert) r.error(item.mark, child_path(item.path, "cert"), "is required with key");
  return out;
}

SaslConfig read_sasl(Reader& r, const Item& item) {
  SaslConfig out;
  Mapping m(r, item);
  if (auto v = m.require("mechanism")) set_if(out.mechanism, r.one_of(*v, kSaslMechanisms));
  if (auto v = m.require("username")) set_if(out.username, r.string(*v));
  read_password(r, m, item, out.password, out.password_file);
  m.reject_unknown();
  return out;
}

ClusterConfig read_cluster(Reader& r, std::string name, const Item& item) {
  ClusterConfig out;
  out.name = std::move(name);
  if (!is_plain_name(out.name)) {
    r.error(item, "a cluster name uses only letters, digits, '.', '_' and '-'");
  }
  Mapping m(r, item);
  if (auto v = m.require("bootstrap")) out.bootstrap = read_bootstrap(r, *v);
  if (auto v = m.get("client_id")) set_if(out.client_id, r.string(*v));
  if (auto v = m.get("request_timeout")) {
    set_if(out.request_timeout, r.duration(*v, /*allow_zero=*/false));
  }
  const std::optional<Item> backoff = m.get("retry_backoff");
  if (backoff) set_if(out.retry_backoff, r.duration(*backoff, /*allow_zero=*/false));
  const std::optional<Item> backoff_max = m.get("retry_backoff_max");
  if (backoff_max) set_if(out.retry_backoff_max, r.duration(*backoff_max, /*allow_zero=*/false));
  if (auto v = m.get("tls")) out.tls = read_tls(r, *v);
  if (auto v = m.get("sasl")) out.sasl = read_sasl(r, *v);
  m.reject_unknown();

  if (out.retry_backoff > out.retry_backoff_max) {
    const Item& at = backoff_max ? *backoff_max : *backoff;
    r.error(at, fmt::format("retry_backoff ({}) is larger than retry_backoff_max ({})",
                            format_duration(out.retry_backoff),
                            format_duration(out.retry_backoff_max)));
  }
  return out;
}

}  // namespace

std::vector<ClusterConfig> read_clusters(Reader& r, const Item& item) {
  std::vector<ClusterConfig> out;
  Mapping clusters(r, item);
  for (const auto& [name, value] : clusters.entries()) {
    out.push_back(read_cluster(r, name, value));
  }
  // A list or a scalar was reported by Mapping already.
  if (out.empty() && (!item.node.IsDefined() || item.node.IsNull() || item.node.IsMap())) {
    r.error(item, "needs at least one cluster");
  }
  return out;
}

}  // namespace ks::config
