#pragma once
// The one way our code includes Boost.Asio. Boost 1.74's awaitable.hpp uses
// std::exchange without including <utility>, so include it first.
// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
// clang-format on

namespace ks {
namespace asio = boost::asio;
using asio::awaitable;
using tcp = asio::ip::tcp;

// Completion token for operations whose errors are ordinary control flow
// (peer closed, timer cancelled): the error lands in `ec` instead of being
// thrown. (Boost 1.74 predates as_tuple.)
inline auto nothrow(boost::system::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}
}  // namespace ks
