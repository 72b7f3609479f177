#include "proxy/tls/pem_files.h"

#include <fmt/format.h>
#include <openssl/err.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ks::tls {
namespace {

Error config_error(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

}  // namespace

Result<void> require_tls12(asio::ssl::context& context, std::string_view where) {
  boost::system::error_code ec;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1,
                      ec);
  if (ec || SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1)
    return config_error(fmt::format("{}: cannot require TLS 1.2", where));
  return {};
}

Result<void> load_pem(asio::ssl::context& context, Pem what, const std::string& path,
                      std::string_view key) {
  // OpenSSL says little about a file it cannot open ("asio.ssl error",
  // "system lib"): find out first whether it can be read at all.
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return config_error(fmt::format("{} {}: {}", key, path, std::strerror(errno)));
  }
  boost::system::error_code ec;
  switch (what) {
    case Pem::ca:
      context.load_verify_file(path, ec);
      break;
    case Pem::certificate_chain:
      context.use_certificate_chain_file(path, ec);
      break;
    case Pem::private_key:
      context.use_private_key_file(path, asio::ssl::context::pem, ec);
      break;
  }
  if (!ec) return {};
  ERR_clear_error();  // what asio did not take off OpenSSL's error queue
  return config_error(fmt::format("{} {}: {}", key, path, ec.message()));
}

}  // namespace ks::tls
