#pragma once
// Filling an OpenSSL context from the config's PEM files, the same way for
// the listener (listener.tls) and the upstream clusters (clusters.*.tls):
// TLS 1.2 or later, and errors that name the config key, the file and the
// reason, so that a bad file stops the start with a message to act on.
#include <boost/asio/ssl.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy/asio.h"

namespace ks::tls {

enum class Pem {
  ca,                 // certificates to verify the peer's against
  certificate_chain,  // our certificate, then its intermediates
  private_key,        // our certificate's key (checked to match it)
};

// Refuses SSL 2/3, TLS 1.0 and 1.1. `where` names the config section.
Result<void> require_tls12(asio::ssl::context& context, std::string_view where);

// Loads `path` into `context`. An error reads "<key> <path>: <reason>",
// e.g. "listener.tls.cert /etc/tls/server.pem: No such file or directory".
Result<void> load_pem(asio::ssl::context& context, Pem what, const std::string& path,
                      std::string_view key);

}  // namespace ks::tls
