#pragma once
// TLS towards one upstream cluster: the OpenSSL context its connections
// share (CA, optional client certificate, TLS 1.2 or later, the broker's
// certificate always verified), how each connection names the broker it
// expects (SNI and the name check), and what a failed handshake means in
// words an operator can act on.
#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy/asio.h"

namespace ks::upstream {

struct TlsOptions {
  std::string ca;    // PEM CA bundle; "" = the system's default trust store
  std::string cert;  // PEM client certificate (mutual TLS); with key, or neither
  std::string key;
  bool verify_hostname = true;  // false: any certificate the CA signed will do
};

class TlsContext {
 public:
  // Reads the files now, so that a bad one stops the start. Errors name
  // the file, prefixed by `where` (the config path, e.g. "clusters.a.tls"),
  // and give OpenSSL's reason.
  static Result<std::shared_ptr<TlsContext>> create(const TlsOptions& options,
                                                    std::string_view where);

  asio::ssl::context& context() { return context_; }

  // Readies a new connection to `host` (a name or an IP address): SNI for
  // a name, and unless verify_hostname is off, the name or address the
  // certificate must carry.
  boost::system::error_code prepare(asio::ssl::stream<tcp::socket>& stream,
                                    const std::string& host) const;

 private:
  explicit TlsContext(bool verify_hostname);

  asio::ssl::context context_;
  bool verify_hostname_;
};

// A failed handshake in words: OpenSSL's reason and, when the broker's
// certificate was refused, why, e.g. "certificate verify failed
// (self-signed certificate in certificate chain)".
std::string describe_handshake_error(const boost::system::error_code& ec,
                                     asio::ssl::stream<tcp::socket>& stream);

}  // namespace ks::upstream
