#include "buffer/errc.h"

#include <cerrno>
#include <string>

namespace ks::buffer {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "buffer"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::corruption:
        return "corrupt data";
      case errc::not_found:
        return "not found";
      case errc::unsupported_version:
        return "unsupported format version";
      case errc::position_released:
        return "position released";
      case errc::position_beyond_end:
        return "position beyond the end of the log";
      case errc::too_large:
        return "entry too large";
      case errc::buffer_full:
        return "buffer full";
      case errc::timeout:
        return "timed out waiting for buffer space";
      case errc::closed:
        return "buffer closed";
      case errc::nothing_to_drop:
        return "nothing to drop";
      case errc::read_only:
        return "log opened read-only";
      case errc::no_space:
        return "no space left on the buffer's file system";
    }
    return "unknown buffer error " + std::to_string(value);
  }
};

}  // namespace

bool is_no_space(std::error_code ec) {
  // std::errc has no EDQUOT, so it is compared by value.
  return ec == std::errc::no_space_on_device ||
         (ec.value() == EDQUOT &&
          (ec.category() == std::system_category() || ec.category() == std::generic_category()));
}

const std::error_category& error_category() {
  static const Category category;
  return category;
}

}  // namespace ks::buffer
