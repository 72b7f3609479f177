#pragma once
// Internal to config/: the "did you mean" hint for misspelt keys, enum values
// and cluster names.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ks::config {

// The candidate closest to `word` by edit distance (a swap of two adjacent
// letters counts as one edit), if it is close enough to be a likely typo:
// at most a third of the longer word's letters differ. Ties go to the
// earlier candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string> candidates);

// " (did you mean \"x\"?)" or "" — appended to messages.
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

}  // namespace ks::config
