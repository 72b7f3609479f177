#include "tests/unit/upstream/fake_broker.h"

#include <array>

namespace ks::upstream::test {

FakeBroker::FakeBroker(asio::io_context& io, Script script)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      port_(acceptor_.local_endpoint().port()),
      script_(std::move(script)) {
  asio::co_spawn(io, accept_loop(), asio::detached);
}

FakeBroker::~FakeBroker() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

awaitable<void> FakeBroker::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(nothrow(ec));
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

awaitable<void> FakeBroker::serve(tcp::socket socket) {
  while (true) {
    boost::system::error_code ec;
    std::array<std::byte, 4> size_bytes{};
    co_await asio::async_read(socket, asio::buffer(size_bytes), nothrow(ec));
    if (ec) co_return;
    protocol::Reader size_reader(size_bytes);
    std::vector<std::byte> frame(static_cast<size_t>(size_reader.int32()));
    co_await asio::async_read(socket, asio::buffer(frame), nothrow(ec));
    if (ec) co_return;
    protocol::Reader reader(frame);
    const protocol::RequestHeader header = protocol::decode_request_header(reader);
    requests_.push_back(header);
    const auto answer = script_(header, protocol::Bytes(frame).subspan(reader.position()));
    if (!answer) co_return;  // closes the socket
    co_await asio::async_write(socket, asio::buffer(*answer), nothrow(ec));
    if (ec) co_return;
  }
}

std::vector<std::byte> raw_frame(int32_t declared_size, std::vector<std::byte> payload) {
  std::vector<std::byte> out;
  protocol::Writer writer(out);
  writer.int32(declared_size);
  writer.raw(payload);
  return out;
}

}  // namespace ks::upstream::test
