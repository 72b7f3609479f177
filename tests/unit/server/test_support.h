#pragma once
// Helpers shared by the proxy/server tests: the test thread drives an
// io_context, requests are framed the way a client frames them, and answers
// are decoded with the same generated codecs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "proxy/asio.h"
#include "proxy/protocol/header.h"
#include "proxy/server/request.h"
#include "tests/unit/io_runner.h"

namespace ks::server::test {

using namespace ks::io_test;

// A message with no fields, for test APIs whose bodies do not matter.
struct NoBody {
  void encode(protocol::Writer&, int16_t) const {}
};

// `size` zero bytes, to pad a request to a chosen frame size.
struct Padding {
  size_t size = 0;
  void encode(protocol::Writer& w, int16_t) const {
    const std::vector<std::byte> zeros(size);
    w.raw(zeros);
  }
};

// The bytes a client sends: size prefix, request header, body.
template <typename Message = NoBody>
std::vector<std::byte> request_frame(protocol::ApiKey key, int16_t version, int32_t correlation_id,
                                     const Message& body = {}) {
  std::vector<std::byte> out;
  protocol::Writer w(out);
  const size_t frame = protocol::begin_frame(w);
  protocol::encode_request_header(w, {key, version, correlation_id, "server-test"});
  body.encode(w, version);
  protocol::finish_frame(w, frame);
  return out;
}

// The Request a connection would hand to the dispatcher for that frame.
template <typename Message = NoBody>
std::shared_ptr<const Request> make_request(protocol::ApiKey key, int16_t version,
                                            int32_t correlation_id, const Message& body = {}) {
  auto request = std::make_shared<Request>();
  const auto framed = request_frame(key, version, correlation_id, body);
  request->frame.assign(framed.begin() + sizeof(int32_t), framed.end());
  protocol::Reader r(request->frame);
  request->header = protocol::decode_request_header(r);
  EXPECT_TRUE(r.ok());
  request->body_offset = r.position();
  return request;
}

template <typename Message>
struct Decoded {
  int32_t correlation_id = 0;
  Message body;
};

// Decodes a whole response frame of `Message` at `version`; it must be
// exactly one well-formed frame.
template <typename Message>
Decoded<Message> decode_response(const std::vector<std::byte>& frame, int16_t version) {
  Decoded<Message> out;
  protocol::Reader r(frame);
  const int32_t size = r.int32();
  EXPECT_EQ(static_cast<size_t>(size), r.remaining());
  out.correlation_id = protocol::decode_response_header(r, Message::kApiKey, version);
  out.body.decode(r, version);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u) << "trailing bytes: not the expected format";
  return out;
}

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string pattern = std::string(tmpdir != nullptr ? tmpdir : "/tmp") + "/server_test.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ks::server::test
