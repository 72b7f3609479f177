#include "proxy/protocol/compression.h"

#include <fmt/format.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

namespace ks::protocol {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "compression"; }

  std::string message(int value) const override {
    switch (static_cast<compression_errc>(value)) {
      case compression_errc::unknown_codec:
        return "unknown compression codec";
      case compression_errc::corrupt_input:
        return "corrupt compressed data";
      case compression_errc::output_too_large:
        return "decompressed data too large";
      case compression_errc::codec_failure:
        return "compression library failure";
    }
    return "unknown compression error " + std::to_string(value);
  }
};

Error fail(compression_errc code, Codec codec, std::string_view detail) {
  return Error{make_error_code(code), fmt::format("{}: {}: {}", codec_name(codec),
                                                  make_error_code(code).message(), detail)};
}

const char* chars(Bytes b) {
  return reinterpret_cast<const char*>(b.data());
}
char* chars(std::vector<std::byte>& v) {
  return reinterpret_cast<char*>(v.data());
}

// The first output size to try when the stream does not say: room for a
// typical ratio, never more than allowed.
size_t initial_output(size_t input, size_t max_output) {
  return std::min(max_output, std::max<size_t>(4 * input, 64 * 1024));
}

// Grows `out` past `used` for a streaming decoder: doubles, up to
// `max_output`. False when `out` is at the limit already.
bool grow(std::vector<std::byte>& out, size_t max_output) {
  if (out.size() >= max_output) return false;
  out.resize(std::min(max_output, std::max<size_t>(2 * out.size(), 1024)));
  return true;
}

// ------------------------------------------------------------------ gzip

constexpr int kGzipWindowBits = 15 + 16;  // zlib: 15-bit window, gzip wrapper

Result<std::vector<std::byte>> gzip_compress(Bytes input) {
  if (input.size() > std::numeric_limits<uInt>::max() / 2)
    return fail(compression_errc::codec_failure, Codec::gzip, "input too large");
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return fail(compression_errc::codec_failure, Codec::gzip, "deflateInit2");
  }
  std::vector<std::byte> out(deflateBound(&z, static_cast<uLong>(input.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return fail(compression_errc::codec_failure, Codec::gzip, "deflate");
  return out;
}

// Reads concatenated gzip members too, as Java's GZIPInputStream does.
Result<std::vector<std::byte>> gzip_decompress(Bytes input, size_t max_output) {
  if (input.size() > std::numeric_limits<uInt>::max())
    return fail(compression_errc::corrupt_input, Codec::gzip, "input too large");
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK)
    return fail(compression_errc::codec_failure, Codec::gzip, "inflateInit2");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> end(&z, inflateEnd);
  std::vector<std::byte> out(initial_output(input.size(), max_output));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, max_output))
      return fail(compression_errc::output_too_large, Codec::gzip, "over the limit");
    const size_t room = std::min<size_t>(out.size() - used, std::numeric_limits<uInt>::max());
    z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&z, Z_NO_FLUSH);
    used += room - z.avail_out;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      if (inflateReset(&z) != Z_OK)
        return fail(compression_errc::codec_failure, Codec::gzip, "inflateReset");
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0)
      return fail(compression_errc::corrupt_input, Codec::gzip, "truncated stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return fail(compression_errc::corrupt_input, Codec::gzip, z.msg ? z.msg : "inflate");
  }
  out.resize(used);
  return out;
}

// ---------------------------------------------------------------- snappy

// Xerial's snappy-java stream: this magic, two int32 versions, then
// chunks of (int32 big-endian length, raw snappy block).
constexpr std::array<unsigned char, 8> kXerialMagic{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = kXerialMagic.size() + 8;

Result<std::vector<std::byte>> snappy_compress(Bytes input) {
  std::vector<std::byte> out(snappy::MaxCompressedLength(input.size()));
  size_t length = 0;
  snappy::RawCompress(chars(input), input.size(), chars(out), &length);
  out.resize(length);
  return out;
}

// Appends one raw snappy block to `out`.
Result<void> snappy_block(Bytes block, size_t max_output, std::vector<std::byte>& out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(chars(block), block.size(), &length))
    return fail(compression_errc::corrupt_input, Codec::snappy, "bad block header");
  if (length > max_output - out.size())
    return fail(compression_errc::output_too_large, Codec::snappy, "over the limit");
  const size_t at = out.size();
  out.resize(at + length);
  if (!snappy::RawUncompress(chars(block), block.size(), chars(out) + at))
    return fail(compression_errc::corrupt_input, Codec::snappy, "bad block");
  return {};
}

Result<std::vector<std::byte>> snappy_decompress(Bytes input, size_t max_output) {
  std::vector<std::byte> out;
  const bool xerial = input.size() >= kXerialHeaderSize &&
                      std::memcmp(input.data(), kXerialMagic.data(), kXerialMagic.size()) == 0;
  if (!xerial) {
    if (auto ok = snappy_block(input, max_output, out); !ok) return ok.error();
    return out;
  }
  Reader r(input.subspan(kXerialHeaderSize));
  while (r.remaining() > 0) {
    const int32_t length = r.int32();
    if (!r.ok() || length < 0 || static_cast<size_t>(length) > r.remaining())
      return fail(compression_errc::corrupt_input, Codec::snappy, "bad xerial chunk length");
    if (auto ok = snappy_block(r.take(static_cast<size_t>(length)), max_output, out); !ok)
      return ok.error();
  }
  return out;
}

// ------------------------------------------------------------------- lz4

Result<std::vector<std::byte>> lz4_compress(Bytes input) {
  // librdkafka's settings: independent blocks (Kafka requires them), the
  // default 64 KiB block size and level, no content size or checksum.
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  std::vector<std::byte> out(LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t length =
      LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(length))
    return fail(compression_errc::codec_failure, Codec::lz4, LZ4F_getErrorName(length));
  out.resize(length);
  return out;
}

Result<std::vector<std::byte>> lz4_decompress(Bytes input, size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
    return fail(compression_errc::codec_failure, Codec::lz4, "no context");
  const std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> dctx(
      raw, LZ4F_freeDecompressionContext);
  std::vector<std::byte> out(initial_output(input.size(), max_output));
  size_t used = 0;
  size_t consumed = 0;
  for (;;) {
    if (used == out.size() && !grow(out, max_output))
      return fail(compression_errc::output_too_large, Codec::lz4, "over the limit");
    size_t produced = out.size() - used;
    size_t taken = input.size() - consumed;
    const size_t hint = LZ4F_decompress(dctx.get(), out.data() + used, &produced,
                                        input.data() + consumed, &taken, nullptr);
    if (LZ4F_isError(hint))
      return fail(compression_errc::corrupt_input, Codec::lz4, LZ4F_getErrorName(hint));
    used += produced;
    consumed += taken;
    if (hint == 0) break;  // the frame is complete
    // More input wanted and none left; (output full loops to grow).
    if (consumed == input.size() && used < out.size())
      return fail(compression_errc::corrupt_input, Codec::lz4, "truncated frame");
  }
  if (consumed != input.size())
    return fail(compression_errc::corrupt_input, Codec::lz4, "bytes after the frame");
  out.resize(used);
  return out;
}

// ------------------------------------------------------------------ zstd

// librdkafka's default (ZSTD_CLEVEL_DEFAULT).
constexpr int kZstdLevel = 3;

Result<std::vector<std::byte>> zstd_compress(Bytes input) {
  std::vector<std::byte> out(ZSTD_compressBound(input.size()));
  const size_t length =
      ZSTD_compress(out.data(), out.size(), input.data(), input.size(), kZstdLevel);
  if (ZSTD_isError(length))
    return fail(compression_errc::codec_failure, Codec::zstd, ZSTD_getErrorName(length));
  out.resize(length);
  return out;
}

// The largest window a frame may ask the decoder to allocate: enough for
// any frame of up to `max_output` bytes (streaming writers that do not know
// the size use up to 8 MiB at their default levels), never over zstd's own
// default limit of 128 MiB.
int zstd_window_log(size_t max_output) {
  int log = 23;
  while (log < 27 && (size_t{1} << log) < max_output)
    ++log;
  return log;
}

// Reads concatenated frames too (the zstd format allows them).
Result<std::vector<std::byte>> zstd_decompress(Bytes input, size_t max_output) {
  const std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> stream(ZSTD_createDStream(),
                                                                        ZSTD_freeDStream);
  if (!stream || ZSTD_isError(ZSTD_DCtx_setParameter(stream.get(), ZSTD_d_windowLogMax,
                                                     zstd_window_log(max_output)))) {
    return fail(compression_errc::codec_failure, Codec::zstd, "no context");
  }
  std::vector<std::byte> out(initial_output(input.size(), max_output));
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t used = 0;
  size_t hint = 1;
  while (in.pos < in.size || hint != 0) {
    if (used == out.size() && !grow(out, max_output))
      return fail(compression_errc::output_too_large, Codec::zstd, "over the limit");
    ZSTD_outBuffer o{out.data(), out.size(), used};
    const size_t before = in.pos;
    hint = ZSTD_decompressStream(stream.get(), &o, &in);
    if (ZSTD_isError(hint))
      return fail(compression_errc::corrupt_input, Codec::zstd, ZSTD_getErrorName(hint));
    const bool progress = o.pos > used || in.pos > before;
    used = o.pos;
    if (hint != 0 && in.pos == in.size && !progress && used < out.size())
      return fail(compression_errc::corrupt_input, Codec::zstd, "truncated frame");
  }
  out.resize(used);
  return out;
}

}  // namespace

const std::error_category& compression_category() {
  static const Category category;
  return category;
}

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::none:
      return "none";
    case Codec::gzip:
      return "gzip";
    case Codec::snappy:
      return "snappy";
    case Codec::lz4:
      return "lz4";
    case Codec::zstd:
      return "zstd";
  }
  return "unknown";
}

std::optional<Codec> codec_from_id(int id) {
  if (id < 0 || id > static_cast<int>(Codec::zstd)) return std::nullopt;
  return static_cast<Codec>(id);
}

Result<std::vector<std::byte>> compress(Codec codec, Bytes input) {
  switch (codec) {
    case Codec::gzip:
      return gzip_compress(input);
    case Codec::snappy:
      return snappy_compress(input);
    case Codec::lz4:
      return lz4_compress(input);
    case Codec::zstd:
      return zstd_compress(input);
    case Codec::none:
      break;
  }
  return fail(compression_errc::unknown_codec, codec, "cannot compress with it");
}

Result<std::vector<std::byte>> decompress(Codec codec, Bytes input, size_t max_output) {
  switch (codec) {
    case Codec::gzip:
      return gzip_decompress(input, max_output);
    case Codec::snappy:
      return snappy_decompress(input, max_output);
    case Codec::lz4:
      return lz4_decompress(input, max_output);
    case Codec::zstd:
      return zstd_decompress(input, max_output);
    case Codec::none:
      break;
  }
  return fail(compression_errc::unknown_codec, codec, "cannot decompress with it");
}

}  // namespace ks::protocol
