#pragma once
// Internal to config/: the result of parsing one piece of text, either the
// value or a sentence saying what is wrong with it. The sentence becomes the
// message of a Diagnostic, so it must not quote anything secret.
#include <optional>
#include <string>
#include <utility>

namespace ks::config {

template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;  // set iff !value

  static Parsed ok(T v) { return Parsed{std::move(v), {}}; }
  static Parsed fail(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
};

}  // namespace ks::config
