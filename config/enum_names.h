#pragma once
// Internal to config/: the words for each enum in the file, used both to read
// them and to print them back (describe), so the two cannot drift apart.
#include <array>
#include <string_view>

#include "common/log.h"
#include "config/config.h"

namespace ks::config {

template <typename E>
struct Choice {
  std::string_view name;
  E value;
};

inline constexpr std::array<Choice<log::Level>, 4> kLogLevels{{{"debug", log::Level::debug},
                                                               {"info", log::Level::info},
                                                               {"warn", log::Level::warn},
                                                               {"error", log::Level::error}}};

inline constexpr std::array<Choice<LogFormat>, 2> kLogFormats{
    {{"text", LogFormat::text}, {"json", LogFormat::json}}};

inline constexpr std::array<Choice<FsyncPolicy>, 3> kFsyncPolicies{
    {{"always", FsyncPolicy::always},
     {"interval", FsyncPolicy::interval},
     {"never", FsyncPolicy::never}}};

inline constexpr std::array<Choice<WhenFull>, 3> kWhenFull{
    {{"block", WhenFull::block},
     {"reject", WhenFull::reject},
     {"drop_oldest", WhenFull::drop_oldest}}};

inline constexpr std::array<Choice<SaslMechanism>, 3> kSaslMechanisms{
    {{"PLAIN", SaslMechanism::plain},
     {"SCRAM-SHA-256", SaslMechanism::scram_sha_256},
     {"SCRAM-SHA-512", SaslMechanism::scram_sha_512}}};

inline constexpr std::array<Choice<Compression>, 5> kCompressions{{{"none", Compression::none},
                                                                   {"gzip", Compression::gzip},
                                                                   {"snappy", Compression::snappy},
                                                                   {"lz4", Compression::lz4},
                                                                   {"zstd", Compression::zstd}}};

template <typename E, size_t N>
constexpr std::string_view name_of(const std::array<Choice<E>, N>& choices, E value) {
  for (const Choice<E>& c : choices) {
    if (c.value == value) return c.name;
  }
  return "?";
}

}  // namespace ks::config
