#pragma once
// Encoding and decoding generated messages in the codec tests.
#include <gtest/gtest.h>

#include <vector>

#include "proxy/protocol/wire.h"

namespace ks::protocol::codec_test {

template <typename M>
std::vector<std::byte> encode(const M& m, int16_t version) {
  std::vector<std::byte> buf;
  Writer w(buf);
  m.encode(w, version);
  return buf;
}

// Decodes `body` as M, expecting it to be read whole. Byte views in the
// result point into `body`.
template <typename M>
M decode_exactly(Bytes body, int16_t version) {
  Reader r(body);
  M m;
  m.decode(r, version);
  EXPECT_TRUE(r.ok()) << "version " << version;
  EXPECT_EQ(r.remaining(), 0u) << "version " << version;
  return m;
}

// Every proper prefix of m's encoding must fail to decode, cleanly.
template <typename M>
void expect_every_truncation_fails(const M& m, int16_t version) {
  const auto full = encode(m, version);
  ASSERT_FALSE(full.empty());
  for (size_t n = 0; n < full.size(); ++n) {
    const Bytes cut = Bytes(full).first(n);
    Reader r(cut);
    M back;
    back.decode(r, version);
    EXPECT_FALSE(r.ok()) << "cut at " << n << " of " << full.size();
  }
}

}  // namespace ks::protocol::codec_test
