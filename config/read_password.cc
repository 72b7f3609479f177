// Passwords, for the clusters' sasl and the listener's users alike.
#include "config/sections.h"

namespace ks::config {

void read_password(Reader& r, Mapping& m, const Item& item, Secret& password,
                   std::string& password_file) {
  const std::optional<Item> inline_password = m.get("password");
  // Read like any string: Reader::string() never puts the value in a
  // message, which is what keeps the password out of diagnostics.
  if (inline_password) {
    if (auto s = r.string(*inline_password)) password = Secret(std::move(*s));
  }
  const std::optional<Item> file = m.get("password_file");
  if (file) set_if(password_file, r.string(*file));
  if (inline_password && file) {
    r.error(*file, "give either password or password_file, not both");
  } else if (!inline_password && !file) {
    r.error(item.mark, child_path(item.path, "password"),
            "is required (or password_file to read it from a file)");
  }
}

}  // namespace ks::config
