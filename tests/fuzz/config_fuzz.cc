// The configuration loader on arbitrary text: config::load_string, the
// module boundary where yaml-cpp's exceptions stop, must return a Config
// or diagnostics for any input, never throw or crash. A Config it returns
// is printed by describe() as YAML that loads again into a Config that
// describes the same (config.h); check-config's report is made either way.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// A fixed environment, so a run depends on its input alone.
std::optional<std::string> fuzz_env(const std::string& name) {
  if (name == "KAFKA_BOOTSTRAP") return "kafka-0:9092";
  if (name == "KS_BUFFER_DIR") return "/var/lib/kafka-sidecar";
  if (name == "EMPTY") return "";
  if (name == "DOLLAR") return "${KAFKA_BOOTSTRAP}";  // kept as is: one pass
  return std::nullopt;
}

ks::config::LoadResult load(std::string_view text, std::string_view name) {
  try {
    return ks::config::load_string(text, name, fuzz_env);
  } catch (...) {
    ks::fuzz::fail("load_string threw", __FILE__, __LINE__);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ks::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ks::config::LoadResult result = load(text, "fuzz.yaml");
  KS_FUZZ_CHECK(result.ok() == result.diagnostics.empty());
  (void)ks::config::check_config_report(result, "fuzz.yaml");
  if (!result.ok()) return 0;

  const std::string described = ks::config::describe(*result.config);
  const ks::config::LoadResult again = load(described, "described.yaml");
  KS_FUZZ_CHECK(again.ok());
  KS_FUZZ_CHECK(ks::config::describe(*again.config) == described);
  return 0;
}
