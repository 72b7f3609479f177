// kafka-sidecar's command line. Exceptions stop here: everything below
// reports errors as values.
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"

namespace {

constexpr std::string_view kUsage =
    R"(kafka-sidecar: a local Kafka endpoint that buffers produced records durably
and forwards them, in order, to the real cluster.

usage:
  kafka-sidecar run --config FILE       run the sidecar
  kafka-sidecar check-config FILE       validate a config file and print every problem
  kafka-sidecar offsets reset --config FILE --group G --topic T [--partition P]
      (--to-earliest | --to-latest | --to-offset N | --to-timestamp MS | --shift-by N)
      [--dry-run]
                                        move a consumer group's committed offsets (replay);
                                        refused while the group has active members
  kafka-sidecar offsets describe --config FILE --group G
                                        a group's committed offsets, log ends and lag
  kafka-sidecar buffer inspect (--config FILE | --dir DIR) [--dump]
                                        what each cluster's buffer holds, how far it is
                                        forwarded, any corruption; only reads (safe beside
                                        a running sidecar). DIR: <buffer.dir>/<cluster>;
                                        --dump: a line per batch, never payloads
  kafka-sidecar --help                  this text
  kafka-sidecar --version               the version
)";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  const std::string_view command = args.empty() ? "--help" : args[0];
  try {
    if (command == "--help" || command == "-h" || command == "help") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    if (command == "--version") {
      std::printf("kafka-sidecar %s\n", KS_VERSION);
      return 0;
    }
    if (command == "check-config" && args.size() == 2)
      return ks::app::check_config(std::string(args[1]));
    if (command == "run" && args.size() == 3 && args[1] == "--config") {
      return ks::app::run(std::string(args[2]));
    }
    if (command == "offsets") {
      const auto parsed = ks::app::parse_offsets_args(std::span(args).subspan(1));
      if (!parsed) {
        std::fprintf(stderr, "kafka-sidecar: %s\n\n%s", parsed.error().message.c_str(),
                     kUsage.data());
        return 2;
      }
      return ks::app::offsets(*parsed);
    }
    if (command == "buffer") {
      const auto parsed = ks::app::parse_buffer_args(std::span(args).subspan(1));
      if (!parsed) {
        std::fprintf(stderr, "kafka-sidecar: %s\n\n%s", parsed.error().message.c_str(),
                     kUsage.data());
        return 2;
      }
      return ks::app::buffer_inspect(*parsed);
    }
    std::fprintf(stderr, "kafka-sidecar: unknown or incomplete command\n\n%s", kUsage.data());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kafka-sidecar: fatal: %s\n", e.what());
    return 1;
  }
}
