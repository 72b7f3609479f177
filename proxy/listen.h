#pragma once
// What every listening socket of ours does: the Kafka listener and the
// admin server.
#include <chrono>
#include <string_view>
#include <system_error>

#include "common/log.h"
#include "proxy/asio.h"

namespace ks {

// Opens, binds and listens; the error (address in use, bad address) comes
// back so the process can refuse to start with a clear message.
inline std::error_code listen_on(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

// After a failed accept (out of file descriptors and the like): log and
// pause, so a persistent condition does not spin the thread; the caller
// keeps serving.
inline awaitable<void> pause_after_accept_failure(tcp::acceptor& acceptor, std::string_view event,
                                                  const boost::system::error_code& error) {
  log::warn(event, "error={}", log::quote(error.message()));
  asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
  boost::system::error_code ignored;
  co_await pause.async_wait(nothrow(ignored));
}

}  // namespace ks
