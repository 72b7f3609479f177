#include "config/units.h"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <numeric>
#include <optional>
#include <span>

namespace ks::config {
namespace {

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr uint64_t kKiB = 1024;
// Both tables are in the order format_*() tries them: largest first, binary
// before decimal because buffer sizes are usually powers of two.
constexpr std::array<Unit, 8> kSizeUnits{{{"TiB", kKiB* kKiB* kKiB* kKiB},
                                          {"GiB", kKiB* kKiB* kKiB},
                                          {"MiB", kKiB* kKiB},
                                          {"KiB", kKiB},
                                          {"GB", 1000 * 1000 * 1000},
                                          {"MB", 1000 * 1000},
                                          {"KB", 1000},
                                          {"B", 1}}};
constexpr std::array<Unit, 4> kDurationUnits{
    {{"h", 60 * 60 * 1000}, {"m", 60 * 1000}, {"s", 1000}, {"ms", 1}}};

// A non-negative decimal number split at its point, e.g. "1.25" is
// {1, 25, 100}. Kept as integers so that scaling by a unit is exact.
struct Decimal {
  uint64_t whole = 0;
  uint64_t fraction = 0;
  uint64_t fraction_scale = 1;  // 10^(digits after the point)
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads the number at the front of `text` and leaves the rest (the unit) in
// it. The error names `original` so that a value that came from ${VAR} is
// shown as it was expanded.
Parsed<Decimal> take_decimal(std::string_view& text, std::string_view original,
                             std::string_view example) {
  if (!text.empty() && text.front() == '-') {
    return Parsed<Decimal>::fail(fmt::format("\"{}\" must not be negative", original));
  }
  if (text.empty() || !is_digit(text.front())) {
    return Parsed<Decimal>::fail(
        fmt::format("\"{}\" is not a number with a unit, e.g. \"{}\"", original, example));
  }
  Decimal d;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  while (!text.empty() && is_digit(text.front())) {
    const auto digit = static_cast<uint64_t>(text.front() - '0');
    if (d.whole > (kMax - digit) / 10) {
      return Parsed<Decimal>::fail(fmt::format("\"{}\" is too large", original));
    }
    d.whole = d.whole * 10 + digit;
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    if (text.empty() || !is_digit(text.front())) {
      return Parsed<Decimal>::fail(
          fmt::format("\"{}\" has no digits after the decimal point", original));
    }
    // 18 digits keep fraction_scale within uint64_t; nobody needs more.
    constexpr int kMaxFractionDigits = 18;
    for (int n = 0; !text.empty() && is_digit(text.front()); ++n) {
      if (n == kMaxFractionDigits) {
        return Parsed<Decimal>::fail(fmt::format("\"{}\" has too many decimal places", original));
      }
      d.fraction = d.fraction * 10 + static_cast<uint64_t>(text.front() - '0');
      d.fraction_scale *= 10;
      text.remove_prefix(1);
    }
  }
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  return Parsed<Decimal>::ok(d);
}

// whole * factor + fraction * factor / fraction_scale, or nullopt when that is
// not a whole number (`fractional`) or does not fit (`overflow`).
enum class ScaleError { fractional, overflow };
struct Scaled {
  uint64_t value = 0;
  std::optional<ScaleError> error;
};

Scaled scale(const Decimal& d, uint64_t factor) {
  uint64_t result = 0;
  if (__builtin_mul_overflow(d.whole, factor, &result)) return {0, ScaleError::overflow};
  // Reducing factor/fraction_scale by their gcd keeps every product below
  // `factor`, so the fraction part cannot overflow, and the result is whole
  // exactly when the reduced scale divides the fraction.
  const uint64_t g = std::gcd(factor, d.fraction_scale);
  const uint64_t scale_left = d.fraction_scale / g;
  if (d.fraction % scale_left != 0) return {0, ScaleError::fractional};
  const uint64_t part = (d.fraction / scale_left) * (factor / g);
  if (__builtin_add_overflow(result, part, &result)) return {0, ScaleError::overflow};
  return {result, std::nullopt};
}

std::optional<uint64_t> find_unit(std::string_view name, std::span<const Unit> units) {
  for (const Unit& u : units) {
    if (u.name == name) return u.factor;
  }
  return std::nullopt;
}

}  // namespace

Parsed<uint64_t> parse_size(std::string_view text) {
  using Result = Parsed<uint64_t>;
  std::string_view rest = text;
  const Parsed<Decimal> number = take_decimal(rest, text, "64MiB");
  if (!number.value) return Result::fail(number.error);
  // A bare number is bytes: sizes in bytes are unambiguous.
  const std::optional<uint64_t> factor = rest.empty() ? 1 : find_unit(rest, kSizeUnits);
  if (!factor) {
    return Result::fail(fmt::format(
        "unknown size unit \"{}\" in \"{}\" (use B, KB, MB, GB, KiB, MiB, GiB or TiB; units are "
        "case-sensitive)",
        rest, text));
  }
  const Scaled s = scale(*number.value, *factor);
  if (s.error == ScaleError::overflow)
    return Result::fail(fmt::format("\"{}\" is too large", text));
  if (s.error == ScaleError::fractional) {
    return Result::fail(fmt::format("\"{}\" is not a whole number of bytes", text));
  }
  return Result::ok(s.value);
}

Parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using Result = Parsed<std::chrono::milliseconds>;
  std::string_view rest = text;
  const Parsed<Decimal> number = take_decimal(rest, text, "50ms");
  if (!number.value) return Result::fail(number.error);
  if (rest.empty()) {
    return Result::fail(fmt::format(
        "\"{}\" has no unit; add one of ms, s, m, h (e.g. \"{}ms\" or \"{}s\")", text, text, text));
  }
  const std::optional<uint64_t> factor = find_unit(rest, kDurationUnits);
  if (!factor) {
    return Result::fail(
        fmt::format("unknown duration unit \"{}\" in \"{}\" (use ms, s, m or h)", rest, text));
  }
  const Scaled s = scale(*number.value, *factor);
  constexpr auto kMaxMillis = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (s.error == ScaleError::overflow || s.value > kMaxMillis) {
    return Result::fail(fmt::format("\"{}\" is too long", text));
  }
  if (s.error == ScaleError::fractional) {
    return Result::fail(fmt::format("\"{}\" is not a whole number of milliseconds", text));
  }
  return Result::ok(std::chrono::milliseconds(static_cast<int64_t>(s.value)));
}

namespace {

// The first unit (in table order) that divides `n`; the last unit is 1.
template <typename Int, size_t N>
std::string format_with(Int n, const std::array<Unit, N>& units) {
  for (const Unit& u : units) {
    const auto factor = static_cast<Int>(u.factor);
    if (n != 0 && n % factor == 0) return fmt::format("{}{}", n / factor, u.name);
  }
  return fmt::format("{}{}", n, units.back().name);
}

}  // namespace

std::string format_size(uint64_t bytes) {
  return format_with(bytes, kSizeUnits);
}

std::string format_duration(std::chrono::milliseconds d) {
  return format_with(d.count(), kDurationUnits);
}

}  // namespace ks::config
