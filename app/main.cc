#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  const std::string_view cmd = argc > 1 ? argv[1] : "--help";
  if (cmd == "--version") {
    std::printf("kafka-sidecar %s\n", KS_VERSION);
    return 0;
  }
  std::printf("usage: kafka-sidecar run --config FILE | check-config FILE | --help | --version\n");
  return cmd == "--help" ? 0 : 2;
}
