#include "proxy/upstream/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

namespace ks::upstream {
namespace {

Error tls_error(std::string what) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(what)};
}

// OpenSSL's reasons for unreadable files are vague ("system lib"): say
// first whether the file can be read at all.
std::optional<std::string> unreadable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::strerror(errno);
  std::fclose(f);
  return std::nullopt;
}

}  // namespace

TlsContext::TlsContext(bool verify_hostname)
    : context_(asio::ssl::context::tls_client), verify_hostname_(verify_hostname) {}

Result<std::shared_ptr<TlsContext>> TlsContext::create(const TlsOptions& options,
                                                       std::string_view where) {
  std::shared_ptr<TlsContext> tls(new TlsContext(options.verify_hostname));
  auto& context = tls->context_;
  const auto file_error = [&](std::string_view key, const std::string& path,
                              const std::string& reason) {
    ERR_clear_error();
    return tls_error(fmt::format("{}.{} {}: {}", where, key, path, reason));
  };
  boost::system::error_code ec;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1,
                      ec);
  if (ec || SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1)
    return tls_error(fmt::format("{}: cannot require TLS 1.2", where));
  if (options.ca.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) return tls_error(fmt::format("{}: no system CA certificates: {}", where, ec.message()));
  } else {
    if (auto problem = unreadable(options.ca)) return file_error("ca", options.ca, *problem);
    context.load_verify_file(options.ca, ec);
    if (ec) return file_error("ca", options.ca, ec.message());
  }
  if (!options.cert.empty()) {
    if (auto problem = unreadable(options.cert)) return file_error("cert", options.cert, *problem);
    context.use_certificate_chain_file(options.cert, ec);
    if (ec) return file_error("cert", options.cert, ec.message());
    if (auto problem = unreadable(options.key)) return file_error("key", options.key, *problem);
    // Also checks that the key belongs to the certificate.
    context.use_private_key_file(options.key, asio::ssl::context::pem, ec);
    if (ec) return file_error("key", options.key, ec.message());
  }
  context.set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return tls_error(fmt::format("{}: {}", where, ec.message()));
  return tls;
}

boost::system::error_code TlsContext::prepare(asio::ssl::stream<tcp::socket>& stream,
                                              const std::string& host) const {
  SSL* ssl = stream.native_handle();
  boost::system::error_code not_ip;
  asio::ip::make_address(host, not_ip);
  const bool is_name = static_cast<bool>(not_ip);
  // SNI carries names only (RFC 6066), never addresses. (SSL_ctrl is what
  // the SSL_set_tlsext_host_name macro expands to, minus its C cast.)
  if (is_name && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                          const_cast<char*>(host.c_str())) != 1)
    return {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
  if (!verify_hostname_) return {};
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int set = is_name ? X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0)
                          : X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  if (set != 1) return {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
  return {};
}

std::string describe_handshake_error(const boost::system::error_code& ec,
                                     asio::ssl::stream<tcp::socket>& stream) {
  const long verify = SSL_get_verify_result(stream.native_handle());
  ERR_clear_error();
  if (verify == X509_V_OK) return ec.message();
  return fmt::format("{} ({})", ec.message(), X509_verify_cert_error_string(verify));
}

}  // namespace ks::upstream
