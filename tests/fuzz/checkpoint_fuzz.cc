// The forwarder's checkpoint file (FORMAT.md "Checkpoint") on arbitrary
// bytes: load_checkpoint must say corruption or unsupported_version, or
// load it, never crash or allocate by a lying count. A file it loads is
// exactly what save_checkpoint writes for the loaded value (the format has
// one encoding per checkpoint), and loads back equal.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "buffer/checkpoint.h"
#include "buffer/coding.h"
#include "buffer/format.h"
#include "common/crc32c.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

std::string g_dir;

}  // namespace

// Most mutants fail the CRC and the body is never parsed: half of them get
// the right body length and CRC.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  using namespace ks::buffer;
  size = LLVMFuzzerMutate(data, size, max_size);
  if ((seed & 1) && size >= format::kCheckpointHeaderSize) {
    auto* bytes = reinterpret_cast<std::byte*>(data);
    if (seed & 2) {
      const auto length = static_cast<uint32_t>(size - format::kCheckpointHeaderSize);
      std::memcpy(bytes + 10, &length, sizeof length);
    }
    const uint32_t masked = format::mask_crc(ks::crc32c(std::span(bytes + 8, size - 8)));
    std::memcpy(bytes + 4, &masked, sizeof masked);
  }
  return size;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ks::fuzz::init();
  std::string root = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string dir = root + "/ks-fuzz-checkpoint-XXXXXX";
  KS_FUZZ_CHECK(mkdtemp(dir.data()) != nullptr);
  g_dir = dir;
  std::atexit([] { std::filesystem::remove_all(g_dir); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ks::buffer;
  const auto input = ks::fuzz::as_bytes(data, size);
  const std::string path = g_dir + "/checkpoint";
  ks::fuzz::write_file(path, input);

  Checkpoint loaded;
  const std::error_code ec = load_checkpoint(path, &loaded);
  if (ec) {
    KS_FUZZ_CHECK(ec == errc::corruption || ec == errc::unsupported_version);
    return 0;
  }
  const std::string saved = g_dir + "/saved";
  KS_FUZZ_CHECK(!save_checkpoint(saved, loaded));
  const std::vector<std::byte> bytes = ks::fuzz::read_file(saved);
  KS_FUZZ_CHECK(std::equal(bytes.begin(), bytes.end(), input.begin(), input.end()));
  Checkpoint again;
  KS_FUZZ_CHECK(!load_checkpoint(saved, &again));
  KS_FUZZ_CHECK(again == loaded);
  return 0;
}
