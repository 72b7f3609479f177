// The sections with fixed keys and no references to other sections.
#include <fmt/format.h>

#include <limits>
#include <set>

#include "config/enum_names.h"
#include "config/sections.h"
#include "config/topic_name.h"
#include "config/units.h"

namespace ks::config {
namespace {

bool is_wildcard_address(std::string_view address) {
  return address == "0.0.0.0" || address == "::" || address == "[::]";
}

// Only PLAIN: the listener checks passwords itself, it keeps no SCRAM
// credentials (and on localhost PLAIN's cleartext is no weaker).
inline constexpr std::array<Choice<SaslMechanism>, 1> kListenerSaslMechanisms{
    {{"PLAIN", SaslMechanism::plain}}};

ListenerUser read_listener_user(Reader& r, const Item& item) {
  ListenerUser out;
  Mapping m(r, item);
  if (auto v = m.require("username")) {
    set_if(out.username, r.string(*v));
    if (out.username.empty()) r.error(*v, "must not be empty");
  }
  read_password(r, m, item, out.password, out.password_file);
  m.reject_unknown();
  return out;
}

ListenerSaslConfig read_listener_sasl(Reader& r, const Item& item) {
  ListenerSaslConfig out;
  Mapping m(r, item);
  if (auto v = m.require("mechanism")) set_if(out.mechanism, r.one_of(*v, kListenerSaslMechanisms));
  if (auto v = m.require("users")) {
    if (auto elements = r.sequence(*v)) {
      if (elements->empty()) r.error(*v, "needs at least one user");
      std::set<std::string> seen;
      for (const Item& element : *elements) {
        ListenerUser user = read_listener_user(r, element);
        if (!user.username.empty() && !seen.insert(user.username).second) {
          r.error(element, fmt::format("user {} is listed twice", user.username));
        }
        out.users.push_back(std::move(user));
      }
    }
  }
  m.reject_unknown();
  return out;
}

ListenerTlsConfig read_listener_tls(Reader& r, const Item& item) {
  ListenerTlsConfig out;
  Mapping m(r, item);
  if (auto v = m.require("cert")) set_if(out.cert, r.string(*v));
  if (auto v = m.require("key")) set_if(out.key, r.string(*v));
  if (auto v = m.get("ca")) set_if(out.ca, r.string(*v));
  m.reject_unknown();
  return out;
}

}  // namespace

ListenerConfig read_listener(Reader& r, const Item& item) {
  ListenerConfig out;
  Mapping m(r, item);
  if (auto v = m.get("address")) set_if(out.address, r.string(*v));
  if (auto v = m.get("port")) set_if(out.port, r.port(*v, /*allow_zero=*/false));
  if (auto v = m.get("max_connections")) {
    if (auto n = r.integer(*v, 1, 1'000'000)) out.max_connections = static_cast<uint32_t>(*n);
  }
  if (auto v = m.get("max_request_bytes")) {
    // At least a produce of one small batch; at most what a frame's size can say.
    set_if(out.max_request_bytes, r.size(*v, kKiB, std::numeric_limits<int32_t>::max()));
  }
  if (auto v = m.get("idle_timeout")) {
    set_if(out.idle_timeout, r.duration(*v, /*allow_zero=*/false));
  }
  if (auto v = m.get("request_timeout")) {
    set_if(out.request_timeout, r.duration(*v, /*allow_zero=*/false));
  }
  if (auto v = m.get("sasl")) out.sasl = read_listener_sasl(r, *v);
  if (auto v = m.get("tls")) out.tls = read_listener_tls(r, *v);
  const std::optional<Item> advertised = m.get("advertised");
  m.reject_unknown();
  if (advertised) {
    set_if(out.advertised, r.host_port(*advertised));
  } else if (is_wildcard_address(out.address)) {
    r.error(item.mark, child_path(item.path, "advertised"),
            fmt::format("is required when address is {}: clients must be told an address they "
                        "can connect to",
                        out.address));
  } else {
    out.advertised = HostPort{out.address, out.port};
  }
  return out;
}

AdminConfig read_admin(Reader& r, const Item& item) {
  AdminConfig out;
  Mapping m(r, item);
  if (auto v = m.get("address")) set_if(out.address, r.string(*v));
  if (auto v = m.get("port")) set_if(out.port, r.port(*v, /*allow_zero=*/true));
  m.reject_unknown();
  return out;
}

LogConfig read_log(Reader& r, const Item& item) {
  LogConfig out;
  Mapping m(r, item);
  if (auto v = m.get("level")) set_if(out.level, r.one_of(*v, kLogLevels));
  if (auto v = m.get("format")) set_if(out.format, r.one_of(*v, kLogFormats));
  m.reject_unknown();
  return out;
}

BufferConfig read_buffer(Reader& r, const Item& item) {
  // Small segments are allowed for tests; above 1GiB a segment takes too
  // long to delete and holds back space for too long after forwarding.
  constexpr uint64_t kMinSegment = 4 * kKiB;
  constexpr uint64_t kMaxSegment = kGiB;
  constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

  BufferConfig out;
  Mapping m(r, item);
  if (auto v = m.require("dir")) set_if(out.dir, r.string(*v));
  const std::optional<Item> max_bytes = m.get("max_bytes");
  if (max_bytes) set_if(out.max_bytes, r.size(*max_bytes, kMinSegment, kNoLimit));
  const std::optional<Item> segment_bytes = m.get("segment_bytes");
  if (segment_bytes) set_if(out.segment_bytes, r.size(*segment_bytes, kMinSegment, kMaxSegment));
  if (auto v = m.get("fsync")) set_if(out.fsync, r.one_of(*v, kFsyncPolicies));
  if (auto v = m.get("fsync_interval")) {
    set_if(out.fsync_interval, r.duration(*v, /*allow_zero=*/false));
  }
  if (auto v = m.get("when_full")) set_if(out.when_full, r.one_of(*v, kWhenFull));
  if (auto v = m.get("block_timeout")) {
    set_if(out.block_timeout, r.duration(*v, /*allow_zero=*/true));
  }
  m.reject_unknown();

  // The buffer holds whole segments, so one must fit. Reported at the key
  // the user wrote; with neither written the defaults agree.
  if (out.segment_bytes > out.max_bytes) {
    if (segment_bytes) {
      r.error(*segment_bytes,
              fmt::format("{} is larger than max_bytes ({})", format_size(out.segment_bytes),
                          format_size(out.max_bytes)));
    } else if (max_bytes) {
      r.error(*max_bytes, fmt::format("{} is smaller than segment_bytes ({}, the default); "
                                      "set a smaller segment_bytes too",
                                      format_size(out.max_bytes), format_size(out.segment_bytes)));
    }
  }
  return out;
}

ForwardConfig read_forward(Reader& r, const Item& item) {
  // Kafka keeps producer idempotence (no duplicates, no reordering on
  // retry) only with at most 5 requests in flight per connection.
  constexpr int64_t kMaxInFlight = 5;
  constexpr uint64_t kMinRequest = kKiB;
  constexpr uint64_t kMaxRequest = kGiB;

  ForwardConfig out;
  Mapping m(r, item);
  if (auto v = m.get("max_in_flight")) {
    if (auto n = r.integer(*v, 1, kMaxInFlight)) out.max_in_flight = static_cast<int>(*n);
  }
  if (auto v = m.get("linger")) set_if(out.linger, r.duration(*v, /*allow_zero=*/true));
  if (auto v = m.get("max_request_bytes")) {
    set_if(out.max_request_bytes, r.size(*v, kMinRequest, kMaxRequest));
  }
  if (auto v = m.get("compression")) set_if(out.compression, r.one_of(*v, kCompressions));
  m.reject_unknown();
  return out;
}

std::vector<TopicConfig> read_topics(Reader& r, const Item& item) {
  std::vector<TopicConfig> out;
  Mapping topics(r, item);
  for (const auto& [name, value] : topics.entries()) {
    if (auto problem = topic_name_problem(name)) r.error(value, *problem);
    TopicConfig topic{name};
    Mapping m(r, value);
    if (auto v = m.require("partitions")) {
      if (auto n = r.integer(*v, 1, std::numeric_limits<int32_t>::max())) {
        topic.partitions = static_cast<int32_t>(*n);
      }
    }
    m.reject_unknown();
    out.push_back(std::move(topic));
  }
  return out;
}

}  // namespace ks::config
