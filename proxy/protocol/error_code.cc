#include "proxy/protocol/error_code.h"

namespace ks::protocol {

std::string_view name(ErrorCode code) {
  switch (code) {
#define KS_CASE(name, code, retriable) \
  case ErrorCode::name:                \
    return #name;
    KS_KAFKA_ERROR_CODES(KS_CASE)
#undef KS_CASE
  }
  return "unknown";
}

bool is_retriable(ErrorCode code) {
  switch (code) {
#define KS_CASE(name, code, retriable) \
  case ErrorCode::name:                \
    return retriable;
    KS_KAFKA_ERROR_CODES(KS_CASE)
#undef KS_CASE
  }
  return false;
}

}  // namespace ks::protocol
