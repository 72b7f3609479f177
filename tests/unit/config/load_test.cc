// Loading whole files: defaults, the full schema, and the file as a whole (YAML
// syntax, unknown and duplicate keys, ${VAR}, several errors at once, files).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "tests/unit/config/config_test_support.h"

namespace ks::config {
namespace {

using namespace std::chrono_literals;
using testing::about;
using testing::dump;
using testing::load;
using testing::minimal_with;
using testing::only;

TEST(ConfigLoad, Defaults) {
  const LoadResult r = load(testing::kMinimal);
  ASSERT_TRUE(r.ok()) << dump(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.listener.address, "127.0.0.1");
  EXPECT_EQ(c.listener.port, 9092);
  EXPECT_EQ(c.listener.advertised, (HostPort{"127.0.0.1", 9092}));
  EXPECT_EQ(c.admin.address, "127.0.0.1");
  EXPECT_EQ(c.admin.port, 9644);
  EXPECT_EQ(c.log.level, log::Level::info);
  EXPECT_EQ(c.log.format, LogFormat::text);
  EXPECT_EQ(c.buffer.dir, "/data");
  EXPECT_EQ(c.buffer.max_bytes, 10 * kGiB);
  EXPECT_EQ(c.buffer.segment_bytes, 64 * kMiB);
  EXPECT_EQ(c.buffer.fsync, FsyncPolicy::always);
  EXPECT_EQ(c.buffer.fsync_interval, 50ms);
  EXPECT_EQ(c.buffer.when_full, WhenFull::block);
  EXPECT_EQ(c.buffer.block_timeout, 30s);
  ASSERT_EQ(c.clusters.size(), 1u);
  const ClusterConfig& main = c.clusters[0];
  EXPECT_EQ(main.name, "main");
  EXPECT_EQ(main.bootstrap, (std::vector<HostPort>{{"kafka-0", 9092}}));
  EXPECT_EQ(main.client_id, "kafka-sidecar");
  EXPECT_EQ(main.request_timeout, 30s);
  EXPECT_EQ(main.retry_backoff, 100ms);
  EXPECT_EQ(main.retry_backoff_max, 1s);
  EXPECT_FALSE(main.tls);
  EXPECT_FALSE(main.sasl);
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].topics, "*");
  EXPECT_EQ(c.routes[0].cluster, "main");
  EXPECT_TRUE(c.topics.empty());
  EXPECT_EQ(c.forward.max_in_flight, 5);
  EXPECT_EQ(c.forward.linger, 0ms);
  EXPECT_EQ(c.forward.max_request_bytes, kMiB);
  EXPECT_EQ(c.forward.compression, Compression::none);
}

constexpr std::string_view kFull = R"(
listener: { address: 0.0.0.0, port: 19092, advertised: "sidecar.local:19092" }
admin:    { address: 0.0.0.0, port: 0 }
log:      { level: debug, format: json }
buffer:
  dir: /var/lib/kafka-sidecar
  max_bytes: 2GiB
  segment_bytes: 16MiB
  fsync: interval
  fsync_interval: 20ms
  when_full: drop_oldest
  block_timeout: 1.5s
clusters:
  main:
    bootstrap: ["kafka-0:9092", "[::1]:9093"]
    client_id: shop
    request_timeout: 10s
    retry_backoff: 50ms
    retry_backoff_max: 2m
  payments:
    bootstrap: ["pay:9093"]
    tls:  { ca: /etc/ca.pem, cert: /etc/cert.pem, key: /etc/key.pem, verify_hostname: false }
    sasl: { mechanism: SCRAM-SHA-512, username: svc, password: "${PAY_PASSWORD}" }
routes:
  - { topics: "payments.*", cluster: payments }
  - { topics: "*", cluster: main, rename: "shop.{topic}" }
topics:
  orders: { partitions: 6 }
  payments.in: { partitions: 3 }
forward: { max_in_flight: 1, linger: 5ms, max_request_bytes: 4MiB, compression: lz4 }
)";

TEST(ConfigLoad, FullExample) {
  const LoadResult r = load(kFull, {{"PAY_PASSWORD", "hunter2"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.listener.address, "0.0.0.0");
  EXPECT_EQ(c.listener.port, 19092);
  EXPECT_EQ(c.listener.advertised, (HostPort{"sidecar.local", 19092}));
  EXPECT_EQ(c.admin.port, 0);
  EXPECT_EQ(c.log.level, log::Level::debug);
  EXPECT_EQ(c.log.format, LogFormat::json);
  EXPECT_EQ(c.buffer.max_bytes, 2 * kGiB);
  EXPECT_EQ(c.buffer.segment_bytes, 16 * kMiB);
  EXPECT_EQ(c.buffer.fsync, FsyncPolicy::interval);
  EXPECT_EQ(c.buffer.fsync_interval, 20ms);
  EXPECT_EQ(c.buffer.when_full, WhenFull::drop_oldest);
  EXPECT_EQ(c.buffer.block_timeout, 1500ms);
  ASSERT_EQ(c.clusters.size(), 2u);
  const ClusterConfig* main = c.cluster("main");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->bootstrap, (std::vector<HostPort>{{"kafka-0", 9092}, {"::1", 9093}}));
  EXPECT_EQ(main->client_id, "shop");
  EXPECT_EQ(main->request_timeout, 10s);
  EXPECT_EQ(main->retry_backoff, 50ms);
  EXPECT_EQ(main->retry_backoff_max, 2min);
  const ClusterConfig* pay = c.cluster("payments");
  ASSERT_NE(pay, nullptr);
  ASSERT_TRUE(pay->tls);
  EXPECT_EQ(pay->tls->ca, "/etc/ca.pem");
  EXPECT_EQ(pay->tls->cert, "/etc/cert.pem");
  EXPECT_EQ(pay->tls->key, "/etc/key.pem");
  EXPECT_FALSE(pay->tls->verify_hostname);
  ASSERT_TRUE(pay->sasl);
  EXPECT_EQ(pay->sasl->mechanism, SaslMechanism::scram_sha_512);
  EXPECT_EQ(pay->sasl->username, "svc");
  EXPECT_EQ(pay->sasl->password.reveal(), "hunter2");
  EXPECT_EQ(pay->sasl->password_file, "");
  ASSERT_EQ(c.routes.size(), 2u);
  EXPECT_EQ(c.routes[1].rename, "shop.{topic}");
  ASSERT_EQ(c.topics.size(), 2u);
  EXPECT_EQ(c.topics[0].name, "orders");
  EXPECT_EQ(c.topics[0].partitions, 6);
  EXPECT_EQ(c.topics[1].name, "payments.in");
  EXPECT_EQ(c.forward.max_in_flight, 1);
  EXPECT_EQ(c.forward.linger, 5ms);
  EXPECT_EQ(c.forward.max_request_bytes, 4 * kMiB);
  EXPECT_EQ(c.forward.compression, Compression::lz4);
}

TEST(ConfigLoad, EmptyFileReportsRequiredSections) {
  const LoadResult r = load("");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(only(r, "buffer").message, "is required but missing");
  EXPECT_EQ(only(r, "clusters").message, "is required but missing");
  EXPECT_EQ(r.diagnostics.size(), 2u) << dump(r);
}

TEST(ConfigLoad, MissingRequiredKeyPointsAtItsSection) {
  const LoadResult r =
      load("clusters: { main: { bootstrap: [\"k:1\"] } }\nbuffer:\n  max_bytes: 1GiB\n");
  const Diagnostic d = only(r, "buffer.dir");
  EXPECT_EQ(d.message, "is required but missing");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 1);
}

TEST(ConfigLoad, MalformedYamlGivesParserPosition) {
  const LoadResult r = load("buffer: { dir: /data\nclusters: {}\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.key_path, "");
  EXPECT_NE(d.message.find("invalid YAML"), std::string::npos) << d.message;
  EXPECT_EQ(to_string(d).rfind("test.yaml:2:", 0), 0u) << to_string(d);
}

TEST(ConfigLoad, BadIndentationIsMalformed) {
  const LoadResult r = load("buffer:\n  dir: /a\n   max_bytes: 1GiB\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].line, 3);
  EXPECT_NE(r.diagnostics[0].message.find("invalid YAML"), std::string::npos);
}

TEST(ConfigLoad, SecondDocumentIsRejected) {
  const LoadResult r = load(minimal_with("---\nbuffer: { dir: /other }\n"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].line, 5);
  EXPECT_NE(r.diagnostics[0].message.find("second YAML document"), std::string::npos);
}

TEST(ConfigLoad, SecondDocumentOfNothingIsRejected) {
  const LoadResult r = load(minimal_with("---\n"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_NE(r.diagnostics[0].message.find("second YAML document"), std::string::npos);
}

// yaml-cpp 0.7 never gets past a flow indicator outside a flow collection:
// loading these used to take memory until the process was killed (found by
// tests/fuzz/config_fuzz.cc).
TEST(ConfigLoad, StrayCommaIsMalformed) {
  const LoadResult r = load(",");
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].message, "invalid YAML: unexpected ','");
  EXPECT_EQ(r.diagnostics[0].line, 1);
  EXPECT_EQ(r.diagnostics[0].column, 1);
}

TEST(ConfigLoad, StrayCommaAfterADocumentIsMalformed) {
  const LoadResult r = load("[a, b] ,\n");
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].message, "invalid YAML: unexpected ','");
  EXPECT_EQ(r.diagnostics[0].column, 8);
}

TEST(ConfigLoad, StrayCommaInASecondDocumentIsMalformed) {
  const LoadResult r = load(minimal_with("---\n,\n"));
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].message, "invalid YAML: unexpected ','");
  EXPECT_EQ(r.diagnostics[0].line, 5);
}

TEST(ConfigLoad, DuplicateKey) {
  const LoadResult r = load(minimal_with("log: { level: info }\nlog: { level: debug }\n"));
  const Diagnostic d = only(r, "log");
  EXPECT_EQ(d.line, 5);
  EXPECT_EQ(d.message, "duplicate key (first given at line 4)");
}

TEST(ConfigLoad, UnknownKeyWithHint) {
  const LoadResult r = load(
      "buffer:\n  dir: /data\n  max_byte: 1GiB\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  const Diagnostic d = only(r, "buffer.max_byte");
  EXPECT_EQ(d.message, "unknown key (did you mean \"max_bytes\"?)");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 3);
}

TEST(ConfigLoad, UnknownKeyWithoutHintListsKnownKeys) {
  const LoadResult r = load(minimal_with("log: { colour: true }\n"));
  EXPECT_EQ(only(r, "log.colour").message, "unknown key (expected one of: level, format)");
}

TEST(ConfigLoad, UnknownTopLevelKey) {
  const LoadResult r =
      load("buffer: { dir: /data }\ncluster: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "cluster").message, "unknown key (did you mean \"clusters\"?)");
  EXPECT_EQ(only(r, "clusters").message, "is required but missing");
}

TEST(ConfigLoad, WrongShape) {
  const LoadResult r = load(minimal_with("admin: [1, 2]\nlog: { level: [debug] }\n"));
  EXPECT_EQ(only(r, "admin").message, "expected a mapping (key: value), found a list");
  EXPECT_EQ(only(r, "log.level").message, "expected a single value, found a list");
}

TEST(ConfigLoad, EmptyValue) {
  const LoadResult r = load(minimal_with("log:\n  level:\n"));
  const Diagnostic d = only(r, "log.level");
  EXPECT_EQ(d.message, "has no value");
  EXPECT_EQ(d.line, 5);  // the key, not wherever the parser went next
}

TEST(ConfigLoad, EmptyString) {
  const LoadResult r =
      load("buffer: { dir: \"\" }\nclusters: { main: { bootstrap: [\"k:1\"] } }\n");
  EXPECT_EQ(only(r, "buffer.dir").message, "must not be empty");
}

TEST(ConfigLoad, EmptyOptionalSectionMeansDefaults) {
  const LoadResult r = load(minimal_with("admin:\nforward: {}\n"));
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->admin.port, 9644);
}

TEST(ConfigLoad, SeveralErrorsAllReportedInFileOrder) {
  const LoadResult r = load(R"(listener: { port: 0 }
log: { level: loud }
buffer:
  dir: /data
  max_bytes: 10XB
  fsync_interval: 50
clusters:
  main: { bootstrap: ["kafka-0:9092", "kafka-1"] }
)");
  ASSERT_EQ(r.diagnostics.size(), 5u) << dump(r);
  const std::vector<std::string> expected{
      "test.yaml:1:19: listener.port: port 0 is out of range 1..65535",
      "test.yaml:2:15: log.level: \"loud\" is not one of debug, info, warn, error",
      "test.yaml:5:14: buffer.max_bytes: unknown size unit \"XB\" in \"10XB\" (use B, KB, MB, GB, "
      "KiB, MiB, GiB or TiB; units are case-sensitive)",
      "test.yaml:6:19: buffer.fsync_interval: \"50\" has no unit; add one of ms, s, m, h (e.g. "
      "\"50ms\" or \"50s\")",
      "test.yaml:8:39: clusters.main.bootstrap[1]: \"kafka-1\" is not host:port, e.g. "
      "\"kafka-0:9092\"",
  };
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(to_string(r.diagnostics[i]), expected[i]);
}

TEST(ConfigLoad, EnvExpansionInValues) {
  const LoadResult r = load(
      "listener: { port: \"${PORT}\" }\nbuffer: { dir: \"${DATA:-/var/lib/ks}\", max_bytes: "
      "\"${SIZE}\" }\nclusters: { main: { bootstrap: [\"${KAFKA}:9092\"] } }\n",
      {{"PORT", "19092"}, {"SIZE", "1GiB"}, {"KAFKA", "kafka-0"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->listener.port, 19092);
  EXPECT_EQ(r.config->buffer.dir, "/var/lib/ks");
  EXPECT_EQ(r.config->buffer.max_bytes, kGiB);
  EXPECT_EQ(r.config->clusters[0].bootstrap[0].host, "kafka-0");
}

TEST(ConfigLoad, EnvDollarEscape) {
  const LoadResult r = load(
      "buffer: { dir: \"/d/$${NOT_A_VAR}\" }\n"
      "clusters: { main: { bootstrap: [\"k:1\"] } }\n");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->buffer.dir, "/d/${NOT_A_VAR}");
}

TEST(ConfigLoad, EnvMissingVariableNamesVariableAndKey) {
  const LoadResult r = load(minimal_with("log: { level: \"${LOG_LEVEL}\" }\n"));
  const Diagnostic d = only(r, "log.level");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.message,
            "environment variable LOG_LEVEL is not set (write ${LOG_LEVEL:-default} to give a "
            "default)");
}

TEST(ConfigLoad, ExpandedValueIsValidated) {
  const LoadResult r =
      load(minimal_with("log: { level: \"${LOG_LEVEL}\" }\n"), {{"LOG_LEVEL", "loud"}});
  EXPECT_EQ(only(r, "log.level").message, "\"loud\" is not one of debug, info, warn, error");
}

TEST(ConfigLoad, KeysAreNotExpanded) {
  const LoadResult r = load(minimal_with("\"${X}\": 1\n"), {{"X", "log"}});
  EXPECT_EQ(about(r, "${X}").size(), 1u) << dump(r);
}

TEST(ConfigLoad, FileIsRead) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("ks_config_test_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << testing::kMinimal;
  }
  const LoadResult r = load_file(path.string(), testing::env_of({}));
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.config->buffer.dir, "/data");
}

TEST(ConfigLoad, DiagnosticsNameTheFile) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("ks_config_bad_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "buffer: {}\nclusters: { main: { bootstrap: [\"k:1\"] } }\n";
  }
  const LoadResult r = load_file(path.string(), testing::env_of({}));
  std::filesystem::remove(path);
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_EQ(to_string(r.diagnostics[0]),
            path.string() + ":1:1: buffer.dir: is required but missing");
}

TEST(ConfigLoad, MissingFile) {
  const LoadResult r = load_file("/nonexistent/sidecar.yaml", testing::env_of({}));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(to_string(r.diagnostics[0]),
            "/nonexistent/sidecar.yaml: cannot read the configuration file: No such file or "
            "directory");
}

TEST(ConfigLoad, DirectoryInsteadOfFile) {
  const LoadResult r =
      load_file(std::filesystem::temp_directory_path().string(), testing::env_of({}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("Is a directory"), std::string::npos)
      << r.diagnostics[0].message;
}

TEST(ConfigDiagnostic, Format) {
  EXPECT_EQ(to_string(Diagnostic{"f.yaml", 3, 7, "buffer.max_bytes", "bad"}),
            "f.yaml:3:7: buffer.max_bytes: bad");
  EXPECT_EQ(to_string(Diagnostic{"f.yaml", 3, 7, "", "bad"}), "f.yaml:3:7: bad");
  EXPECT_EQ(to_string(Diagnostic{"f.yaml", 0, 0, "", "bad"}), "f.yaml: bad");
}

}  // namespace
}  // namespace ks::config
