#include "proxy/protocol/header.h"

#include <gtest/gtest.h>

namespace ks::protocol {
namespace {

TEST(Header, RequestHeaderV2SkipsTaggedFieldsForFlexibleApis) {
  std::vector<std::byte> buf;
  Writer w(buf);
  encode_request_header(w, {ApiKey::metadata, 12, 42, "client"});
  w.int8(9);  // first body byte
  Reader r(buf);
  const auto h = decode_request_header(r);
  EXPECT_EQ(h.api_key, ApiKey::metadata);
  EXPECT_EQ(h.api_version, 12);
  EXPECT_EQ(h.correlation_id, 42);
  EXPECT_EQ(h.client_id, "client");
  EXPECT_EQ(r.int8(), 9);
  EXPECT_TRUE(r.ok());
}

TEST(Header, ApiVersionsResponseHeaderIsAlwaysV0) {
  std::vector<std::byte> buf;
  Writer w(buf);
  encode_response_header(w, ApiKey::api_versions, 3, 7);
  EXPECT_EQ(buf.size(), 4u);
  buf.clear();
  encode_response_header(w, ApiKey::metadata, 9, 7);
  EXPECT_EQ(buf.size(), 5u);
}

TEST(Header, FrameSizeCoversEverythingAfterIt) {
  std::vector<std::byte> buf;
  Writer w(buf);
  const size_t at = begin_frame(w);
  w.int64(1);
  finish_frame(w, at);
  Reader r(buf);
  EXPECT_EQ(r.int32(), 8);
}

}  // namespace
}  // namespace ks::protocol
