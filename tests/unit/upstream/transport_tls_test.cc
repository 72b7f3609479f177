// Transport over TLS against an in-process TLS server: the handshake is part
// of connect(), the broker's name goes out as SNI, and a refused
// certificate is a connect error naming the broker and the reason.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "proxy/upstream/tls_context.h"
#include "proxy/upstream/transport.h"
#include "tests/unit/upstream/run.h"
#include "tests/unit/upstream/test_certificates.h"

namespace ks::upstream::test {
namespace {

// Accepts on 127.0.0.1, completes TLS handshakes with `pem` and keeps the
// connections open; remembers the SNI name each client sent.
class TlsServer {
 public:
  TlsServer(asio::io_context& io, const Pem& pem)
      : context_(asio::ssl::context::tls_server),
        acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    context_.use_certificate_chain_file(pem.cert);
    context_.use_private_key_file(pem.key, asio::ssl::context::pem);
    asio::co_spawn(io, accept_loop(), asio::detached);
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const std::vector<std::string>& server_names() const { return server_names_; }

 private:
  awaitable<void> accept_loop() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(nothrow(ec));
      if (ec) co_return;
      auto stream = std::make_shared<asio::ssl::stream<tcp::socket>>(std::move(socket), context_);
      co_await stream->async_handshake(asio::ssl::stream_base::server, nothrow(ec));
      const char* name = SSL_get_servername(stream->native_handle(), TLSEXT_NAMETYPE_host_name);
      server_names_.push_back(name != nullptr ? name : "");
      streams_.push_back(std::move(stream));
    }
  }

  asio::ssl::context context_;
  tcp::acceptor acceptor_;
  std::vector<std::string> server_names_;
  std::vector<std::shared_ptr<asio::ssl::stream<tcp::socket>>> streams_;
};

class TransportTlsTest : public ::testing::Test {
 protected:
  std::shared_ptr<TlsContext> context(const std::string& ca, bool verify_hostname = true) {
    auto made = TlsContext::create({ca, "", "", verify_hostname}, "clusters.a.tls");
    EXPECT_TRUE(made) << made.error().message;
    return *made;
  }

  std::string connect(const std::shared_ptr<TlsContext>& tls, const std::string& host) {
    Transport transport(io_.get_executor(), tls);
    const auto connected = run(io_, transport.connect({host, server_.port()}));
    return connected ? "" : connected.error().message;
  }

  asio::io_context io_;
  TestCertificates certs_;
  Pem localhost_ = certs_.make("localhost");
  TlsServer server_{io_, localhost_};
};

TEST_F(TransportTlsTest, HandshakeCompletesInConnectAndSendsTheNameAsSni) {
  EXPECT_EQ(connect(context(localhost_.cert), "localhost"), "");
  ASSERT_TRUE(run_until(io_, [&] { return !server_.server_names().empty(); }));
  EXPECT_EQ(server_.server_names().back(), "localhost");
}

TEST_F(TransportTlsTest, UntrustedCertificateNamesTheBrokerAndTheReason) {
  const Pem other = certs_.make("other-ca");
  const std::string error = connect(context(other.cert), "localhost");
  const std::string prefix = "TLS handshake with localhost:" + std::to_string(server_.port()) +
                             " failed: certificate verify failed (";
  EXPECT_EQ(error.rfind(prefix, 0), 0u) << error;
  EXPECT_NE(error.find("self-signed certificate"), std::string::npos) << error;
}

TEST_F(TransportTlsTest, AnAddressTheCertificateLacksIsRefusedUnlessNamesAreNotChecked) {
  EXPECT_EQ(connect(context(localhost_.cert), "127.0.0.1"),
            "TLS handshake with 127.0.0.1:" + std::to_string(server_.port()) +
                " failed: certificate verify failed (IP address mismatch)");
  EXPECT_EQ(connect(context(localhost_.cert, /*verify_hostname=*/false), "127.0.0.1"), "");
  // No SNI for an address (RFC 6066).
  ASSERT_TRUE(run_until(io_, [&] { return !server_.server_names().empty(); }));
  EXPECT_EQ(server_.server_names().back(), "");
}

TEST_F(TransportTlsTest, AnotherNameIsAHostnameMismatch) {
  const Pem elsewhere = certs_.make("kafka.example.internal");
  TlsServer server(io_, elsewhere);
  Transport transport(io_.get_executor(), context(elsewhere.cert));
  const auto connected = run(io_, transport.connect({"localhost", server.port()}));
  ASSERT_FALSE(connected);
  EXPECT_NE(connected.error().message.find("certificate verify failed (hostname mismatch)"),
            std::string::npos)
      << connected.error().message;
}

}  // namespace
}  // namespace ks::upstream::test
