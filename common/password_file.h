#pragma once
// Password files (password_file in the config), for the listener's users
// and the clusters' SASL logins alike. They are read at each use, so a
// rotated password applies without a restart.
#include <optional>
#include <string>

namespace ks {

// The file's content without one trailing newline (which editors and
// `echo` add, and is never part of the password); nullopt when it cannot
// be read.
std::optional<std::string> read_password_file(const std::string& path);

}  // namespace ks
