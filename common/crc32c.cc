#include "common/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ks {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78;  // reflected Castagnoli

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
constexpr auto kTables = [] {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i)
      c = (c >> 1) ^ ((c & 1) ? kPolynomial : 0);
    t[0][b] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (size_t b = 0; b < 256; ++b)
      t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  return t;
}();

uint32_t extend_portable(uint32_t crc, const unsigned char* p, size_t n) {
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    word ^= crc;
    crc = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
          kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
          kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
          kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n--)
    crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");

uint64_t load64(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// The crc32 instruction takes 3 cycles to give its result but can start
// one every cycle: three independent streams over three neighbouring
// blocks keep it busy (about three times one stream's speed), and their
// CRCs are joined after. Joining uses that the CRC register is linear: what
// `length` more bytes make of a register is (the register shifted through
// `length` zero bytes) XOR (the CRC of those bytes from zero).
template <size_t length>
struct ZeroShift {
  // table[k][b]: register b << 8k shifted through `length` zero bytes.
  std::array<std::array<uint32_t, 256>, 4> table{};

  __attribute__((target("sse4.2"))) ZeroShift() {
    for (size_t k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint64_t c = b << (8 * k);
        for (size_t i = 0; i < length; i += 8)
          c = _mm_crc32_u64(c, 0);
        table[k][b] = static_cast<uint32_t>(c);
      }
    }
  }
  uint32_t operator()(uint32_t c) const {
    return table[0][c & 0xff] ^ table[1][(c >> 8) & 0xff] ^ table[2][(c >> 16) & 0xff] ^
           table[3][c >> 24];
  }
};

constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;

template <size_t block>
__attribute__((target("sse4.2"))) uint32_t three_streams(uint32_t crc, const unsigned char*& p,
                                                         size_t& n) {
  static const ZeroShift<block> shift;
  while (n >= 3 * block) {
    uint64_t c0 = crc, c1 = 0, c2 = 0;
    for (size_t i = 0; i < block; i += 8) {
      c0 = _mm_crc32_u64(c0, load64(p + i));
      c1 = _mm_crc32_u64(c1, load64(p + block + i));
      c2 = _mm_crc32_u64(c2, load64(p + 2 * block + i));
    }
    crc = shift(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
    crc = shift(crc) ^ static_cast<uint32_t>(c2);
    p += 3 * block;
    n -= 3 * block;
  }
  return crc;
}

__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t crc, const unsigned char* p,
                                                        size_t n) {
  crc = three_streams<kLongBlock>(crc, p, n);
  crc = three_streams<kShortBlock>(crc, p, n);
  uint64_t c = crc;
  while (n >= 8) {
    c = _mm_crc32_u64(c, load64(p));
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n--)
    c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}
#endif

}  // namespace

uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  crc = ~crc;
#if defined(__x86_64__)
  crc = kHaveSse42 ? extend_sse42(crc, p, data.size()) : extend_portable(crc, p, data.size());
#else
  crc = extend_portable(crc, p, data.size());
#endif
  return ~crc;
}

}  // namespace ks
