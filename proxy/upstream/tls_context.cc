#include "proxy/upstream/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "proxy/tls/pem_files.h"

namespace ks::upstream {

TlsContext::TlsContext(bool verify_hostname)
    : context_(asio::ssl::context::tls_client), verify_hostname_(verify_hostname) {}

Result<std::shared_ptr<TlsContext>> TlsContext::create(const TlsOptions& options,
                                                       std::string_view where) {
  std::shared_ptr<TlsContext> made(new TlsContext(options.verify_hostname));
  auto& context = made->context_;
  const std::string key = std::string(where) + ".";
  if (auto ok = tls::require_tls12(context, where); !ok) return ok.error();
  if (options.ca.empty()) {
    boost::system::error_code ec;
    context.set_default_verify_paths(ec);
    if (ec) {
      return Error{std::make_error_code(std::errc::invalid_argument),
                   fmt::format("{}: no system CA certificates: {}", where, ec.message())};
    }
  } else if (auto ok = tls::load_pem(context, tls::Pem::ca, options.ca, key + "ca"); !ok) {
    return ok.error();
  }
  if (!options.cert.empty()) {
    if (auto ok = tls::load_pem(context, tls::Pem::certificate_chain, options.cert, key + "cert");
        !ok)
      return ok.error();
    if (auto ok = tls::load_pem(context, tls::Pem::private_key, options.key, key + "key"); !ok)
      return ok.error();
  }
  context.set_verify_mode(asio::ssl::verify_peer);
  return made;
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
