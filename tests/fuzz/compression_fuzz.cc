// Compressed records sections as a broker or a Java producer may hand them
// over: the input's first byte picks the codec (its id modulo 5, so none
// is tried too), the rest is the compressed bytes. Exercised as tests and
// inspection read batches: decompress, bounded; and as forward.compression
// writes them: compress. Invariants: no crash or UB, no output over the
// bound, and whatever decompresses compresses and decompresses back to the
// same bytes.
#include <cstddef>
#include <cstdint>

#include "proxy/protocol/compression.h"
#include "tests/fuzz/fuzz_check.h"

namespace ks::protocol {
namespace {

constexpr size_t kMaxOutput = 1 << 20;

}  // namespace
}  // namespace ks::protocol

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ks::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ks::protocol;
  if (size == 0) return 0;
  const auto codec = *codec_from_id(data[0] % 5);
  const auto input = ks::fuzz::as_bytes(data + 1, size - 1);
  const auto plain = decompress(codec, input, kMaxOutput);
  if (!plain) {
    KS_FUZZ_CHECK(plain.error().code != compression_errc::codec_failure);
    return 0;
  }
  KS_FUZZ_CHECK(codec != Codec::none);
  KS_FUZZ_CHECK(plain->size() <= kMaxOutput);
  const auto packed = compress(codec, *plain);
  KS_FUZZ_CHECK(packed.ok());
  const auto back = decompress(codec, *packed, kMaxOutput);
  KS_FUZZ_CHECK(back.ok() && *back == *plain);
  return 0;
}
