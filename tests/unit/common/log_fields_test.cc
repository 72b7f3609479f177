#include "common/log_fields.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"

namespace ks::log {
namespace {

using Members = std::vector<std::pair<std::string, std::string>>;

// A strict reader for what the logger writes: one JSON object whose members
// are all strings (RFC 8259: no raw control characters, only the defined
// escapes, well-formed UTF-8). Returns the decoded members, nullopt for
// anything that is not such an object.
class FlatJson {
 public:
  static std::optional<Members> parse(std::string_view text) {
    FlatJson reader(text);
    Members members;
    if (!reader.eat('{')) return std::nullopt;
    if (!reader.eat('}')) {
      do {
        auto key = reader.string();
        if (!key || !reader.eat(':')) return std::nullopt;
        auto value = reader.string();
        if (!value) return std::nullopt;
        members.emplace_back(std::move(*key), std::move(*value));
      } while (reader.eat(','));
      if (!reader.eat('}')) return std::nullopt;
    }
    if (reader.pos_ != text.size()) return std::nullopt;
    return members;
  }

 private:
  explicit FlatJson(std::string_view text) : text_(text) {}

  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::optional<uint32_t> hex4() {
    if (pos_ + 4 > text_.size()) return std::nullopt;
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        value |= c - 'A' + 10;
      } else {
        return std::nullopt;
      }
    }
    return value;
  }

  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  // Well-formed UTF-8 at pos_ (RFC 3629 table), copied to `out`.
  bool utf8(std::string& out) {
    const auto at = [&](size_t i) {
      return pos_ + i < text_.size() ? static_cast<unsigned char>(text_[pos_ + i]) : 0;
    };
    const unsigned char b0 = at(0);
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      n = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      n = 3;
      lo = b0 == 0xe0 ? 0xa0 : 0x80;
      hi = b0 == 0xed ? 0x9f : 0xbf;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      n = 4;
      lo = b0 == 0xf0 ? 0x90 : 0x80;
      hi = b0 == 0xf4 ? 0x8f : 0xbf;
    } else {
      return false;
    }
    if (at(1) < lo || at(1) > hi) return false;
    for (size_t i = 2; i < n; ++i)
      if (at(i) < 0x80 || at(i) > 0xbf) return false;
    out.append(text_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return std::nullopt;
      if (c >= 0x80) {
        if (!utf8(out)) return std::nullopt;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (pos_ == text_.size()) return std::nullopt;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xd800 && *cp <= 0xdbff) {
            if (!eat('\\') || !eat('u')) return std::nullopt;
            const auto low = hex4();
            if (!low || *low < 0xdc00 || *low > 0xdfff) return std::nullopt;
            *cp = 0x10000 + ((*cp - 0xd800) << 10) + (*low - 0xdc00);
          } else if (*cp >= 0xdc00 && *cp <= 0xdfff) {
            return std::nullopt;
          }
          put_utf8(out, *cp);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

constexpr std::string_view kTs = "2026-12-03T07:00:00.123Z";

Members parsed_json(std::string_view fields, Level level = Level::info) {
  const std::string line = json_line(kTs, level, "test.event", fields);
  auto members = FlatJson::parse(line);
  EXPECT_TRUE(members) << "not valid JSON: " << line;
  return members.value_or(Members{});
}

std::string value_of(const Members& members, std::string_view key) {
  for (const auto& [k, v] : members)
    if (k == key) return v;
  ADD_FAILURE() << "no member " << key;
  return "";
}

// Strings that have broken loggers: quotes, backslashes (also before the
// closing quote), escapes written out as text, control characters, UTF-8.
const std::vector<std::string> kTricky = {
    "",
    "plain",
    "with spaces",
    "\"",
    "say \"hi\"",
    "\\",
    "ends with backslash\\",
    "\\\"",
    "text \\n not a newline",
    "\\x41 written out",
    "line\nbreak",
    "cr\rtab\t",
    std::string("nul\0byte", 8),
    "\x01\x1f\x7f",
    "key=value inside",
    "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e",  // héllo € 𝄞
};
// Bytes that are not UTF-8: stray, cut short, overlong, a surrogate, above U+10FFFF.
const std::vector<std::string> kNotUtf8 = {
    "\xff\xfe", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
};

// The checker the tests below rely on must refuse what is not JSON.
TEST(LogTestChecker, RefusesWhatIsNotJson) {
  EXPECT_TRUE(FlatJson::parse(R"({"a":"b\u00e9\ud834\udd1e","c":"\n"})"));
  EXPECT_TRUE(FlatJson::parse("{}"));
  for (const std::string bad :
       {R"({"a":"b")", R"({"a":"b"} )", R"({"a":1})", R"({"a":"\x41"})", R"({"a":"\ud834"})",
        "{\"a\":\"line\nbreak\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xed\xa0\x80\"}", R"({"a":"b",})", R"({"a""b"})"}) {
    EXPECT_FALSE(FlatJson::parse(bad)) << bad;
  }
}

TEST(LogQuote, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(quote_text(""), R"("")");
  EXPECT_EQ(quote_text("connection refused"), R"("connection refused")");
  EXPECT_EQ(quote_text("a \"b\" \\ c"), R"("a \"b\" \\ c")");
  EXPECT_EQ(quote_text("1\n2\r3\t4"), R"("1\n2\r3\t4")");
  EXPECT_EQ(quote_text(std::string("\0\x1f\x7f", 3)), R"("\x00\x1f\x7f")");
  EXPECT_EQ(quote_text("h\xc3\xa9"), "\"h\xc3\xa9\"");  // other bytes as they are
  EXPECT_EQ(fmt::format("error={} n={}", quote("a \"b\""), 3), R"(error="a \"b\"" n=3)");
}

TEST(LogFields, BareAndQuotedValues) {
  const auto parsed = parse_fields(R"(cluster=main error="connection refused" partition=3)");
  ASSERT_EQ(parsed.fields.size(), 3u);
  EXPECT_EQ(parsed.fields[0].key, "cluster");
  EXPECT_EQ(parsed.fields[0].value, "main");
  EXPECT_EQ(parsed.fields[1].key, "error");
  EXPECT_EQ(parsed.fields[1].value, "connection refused");
  EXPECT_EQ(parsed.fields[2].value, "3");
  EXPECT_EQ(parsed.unparsed, "");
}

TEST(LogFields, EveryQuotedValueReadsBackAsWritten) {
  std::vector<std::string> all = kTricky;
  all.insert(all.end(), kNotUtf8.begin(), kNotUtf8.end());
  for (const auto& s : all) {
    const std::string text = "a=1 k=" + quote_text(s) + " z=2";
    const auto parsed = parse_fields(text);
    ASSERT_EQ(parsed.fields.size(), 3u) << text;
    EXPECT_EQ(parsed.fields[1].value, s) << text;
    EXPECT_EQ(parsed.fields[2].value, "2") << text;
    EXPECT_EQ(parsed.unparsed, "") << text;
  }
}

TEST(LogFields, EmptyValues) {
  const auto parsed = parse_fields(R"(a= b="" c=x)");
  ASSERT_EQ(parsed.fields.size(), 3u);
  EXPECT_EQ(parsed.fields[0].value, "");
  EXPECT_EQ(parsed.fields[1].value, "");
  EXPECT_EQ(parsed.fields[2].value, "x");
}

TEST(LogFields, BareValueMayHoldEqualsAndQuotesAfterItsStart) {
  const auto parsed = parse_fields(R"(expr=a=b size=4"5 listener=:::9092)");
  ASSERT_EQ(parsed.fields.size(), 3u);
  EXPECT_EQ(parsed.fields[0].value, "a=b");
  EXPECT_EQ(parsed.fields[1].value, "4\"5");
  EXPECT_EQ(parsed.fields[2].value, ":::9092");
}

TEST(LogFields, ExtraSpacesAreNotFields) {
  const auto parsed = parse_fields("  a=1   b=2  ");
  ASSERT_EQ(parsed.fields.size(), 2u);
  EXPECT_EQ(parsed.unparsed, "");
  EXPECT_TRUE(parse_fields("").fields.empty());
  EXPECT_TRUE(parse_fields("   ").unparsed.empty());
}

TEST(LogFields, WordWithoutKeyLeavesTheRestUnparsed) {
  const auto parsed = parse_fields("api_key=0 (Produce) version=3");
  ASSERT_EQ(parsed.fields.size(), 1u);
  EXPECT_EQ(parsed.fields[0].value, "0");
  EXPECT_EQ(parsed.unparsed, "(Produce) version=3");
}

TEST(LogFields, UnterminatedQuoteLeavesTheRestUnparsed) {
  const auto parsed = parse_fields(R"(a=1 b="no end \")");
  ASSERT_EQ(parsed.fields.size(), 1u);
  EXPECT_EQ(parsed.unparsed, R"(b="no end \")");
}

TEST(LogFields, TextGluedToAClosingQuoteLeavesTheRestUnparsed) {
  const auto parsed = parse_fields(R"(a="x"y b=1)");
  EXPECT_TRUE(parsed.fields.empty());
  EXPECT_EQ(parsed.unparsed, R"(a="x"y b=1)");
}

TEST(LogFields, KeyWithOddCharactersLeavesTheRestUnparsed) {
  EXPECT_EQ(parse_fields("a=1 k\"ey=2").unparsed, "k\"ey=2");
  EXPECT_EQ(parse_fields("a=1 =2").unparsed, "=2");
  EXPECT_EQ(parse_fields("a=1 b").unparsed, "b");
}

TEST(LogFields, UnknownEscapesAreKeptAsWritten) {
  const auto parsed = parse_fields(R"(a="x\qy" b="\x4" c="\xZZ" d="\x41")");
  ASSERT_EQ(parsed.fields.size(), 4u);
  EXPECT_EQ(parsed.fields[0].value, R"(x\qy)");
  EXPECT_EQ(parsed.fields[1].value, R"(\x4)");
  EXPECT_EQ(parsed.fields[2].value, R"(\xZZ)");
  EXPECT_EQ(parsed.fields[3].value, "A");
}

std::string json_string(std::string_view bytes) {
  std::string out;
  append_json_string(out, bytes);
  return out;
}

TEST(LogJsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("a \"b\" \\ c"), R"("a \"b\" \\ c")");
  EXPECT_EQ(json_string("1\n2\r3\t4"), R"("1\n2\r3\t4")");
  EXPECT_EQ(json_string(std::string("\0\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(json_string("/"), R"("/")");
}

TEST(LogJsonString, WellFormedUtf8PassesThrough) {
  EXPECT_EQ(json_string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e"),
            "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e\"");
  EXPECT_EQ(json_string("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
}

TEST(LogJsonString, EachByteThatIsNotUtf8BecomesAReplacementCharacter) {
  EXPECT_EQ(json_string("\xff"), R"("\ufffd")");
  EXPECT_EQ(json_string("a\xc3"), R"("a\ufffd")");                              // cut short
  EXPECT_EQ(json_string("\xc3z"), R"("\ufffdz")");                              // no continuation
  EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong
  EXPECT_EQ(json_string("\xe0\x80\xaf"), R"("\ufffd\ufffd\ufffd")");            // overlong
  EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate
  EXPECT_EQ(json_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(json_string("\x80"), R"("\ufffd")");                                // lone continuation
}

TEST(LogJsonLine, ExactLine) {
  EXPECT_EQ(
      json_line(kTs, Level::warn, "upstream.down", R"(cluster=main error="connection refused")"),
      R"({"ts":"2026-12-03T07:00:00.123Z","level":"warn","event":"upstream.down",)"
      R"("cluster":"main","error":"connection refused"})");
  EXPECT_EQ(json_line(kTs, Level::debug, "x", ""),
            R"({"ts":"2026-12-03T07:00:00.123Z","level":"debug","event":"x"})");
}

TEST(LogJsonLine, IntegerLookingValuesStayStrings) {
  EXPECT_EQ(json_line(kTs, Level::info, "e", "partition=3 offset=-1 kept=true"),
            R"({"ts":"2026-12-03T07:00:00.123Z","level":"info","event":"e",)"
            R"("partition":"3","offset":"-1","kept":"true"})");
}

TEST(LogJsonLine, ReservedKeysGetAnUnderscore) {
  const auto members = parsed_json("level=high ts=now event=x unparsed=y k=v");
  EXPECT_EQ(value_of(members, "level"), "info");
  EXPECT_EQ(value_of(members, "_level"), "high");
  EXPECT_EQ(value_of(members, "_ts"), "now");
  EXPECT_EQ(value_of(members, "_event"), "x");
  EXPECT_EQ(value_of(members, "_unparsed"), "y");
  EXPECT_EQ(value_of(members, "k"), "v");
}

TEST(LogJsonLine, TextThatDoesNotParseIsKeptInUnparsed) {
  const auto members = parsed_json("api_key=0 (Produce) version=3");
  ASSERT_EQ(members.size(), 5u);
  EXPECT_EQ(value_of(members, "api_key"), "0");
  EXPECT_EQ(value_of(members, "unparsed"), "(Produce) version=3");
}

TEST(LogJsonLine, TrickyValuesRoundTrip) {
  for (const auto& s : kTricky) {
    const auto members = parsed_json("k=" + quote_text(s) + " n=1");
    ASSERT_EQ(members.size(), 5u) << s;
    EXPECT_EQ(value_of(members, "k"), s);
    EXPECT_EQ(value_of(members, "n"), "1");
  }
  for (const auto& s : kNotUtf8) {
    const auto members = parsed_json("k=" + quote_text(s) + " n=1");
    ASSERT_EQ(members.size(), 5u) << s;
    std::string replaced;
    for (size_t i = 0; i < s.size(); ++i)
      replaced += "\xef\xbf\xbd";  // U+FFFD
    EXPECT_EQ(value_of(members, "k"), replaced);
  }
  // Bare values with bytes no call site should write still make valid JSON.
  parsed_json("k=\x01\xff\"\\ z=\n");
}

TEST(LogJsonLine, RandomBytesAlwaysMakeValidJson) {
  std::mt19937 random(20261203);
  // Bytes that matter to the grammar, to JSON and to UTF-8, more often.
  const std::string_view interesting = "= \"\\xnrt\n\t\x01\x7f\xc3\xa9\xe2\x82\xac\xf0\x9d\xed\xff";
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i) {
      text += random() % 2 ? interesting[random() % interesting.size()]
                           : static_cast<char>(random() % 256);
    }
    const std::string line = json_line(kTs, Level::info, text, text);
    ASSERT_TRUE(FlatJson::parse(line)) << "not valid JSON: " << line;
    const std::string quoted_line = json_line(kTs, Level::info, "e", "k=" + quote_text(text));
    const auto members = FlatJson::parse(quoted_line);
    ASSERT_TRUE(members) << "not valid JSON: " << quoted_line;
    ASSERT_EQ(members->size(), 4u) << quoted_line;  // parsed as one field
  }
}

// Counts how often it is formatted.
struct Costly {
  static inline int formatted = 0;
};

}  // namespace
}  // namespace ks::log

template <>
struct fmt::formatter<ks::log::Costly> : fmt::formatter<int> {
  template <typename FormatContext>
  auto format(ks::log::Costly, FormatContext& ctx) const {
    ++ks::log::Costly::formatted;
    return fmt::formatter<int>::format(42, ctx);
  }
};

namespace ks::log {
namespace {

class LogWriteTest : public ::testing::Test {
 protected:
  ~LogWriteTest() override {
    set_level(Level::info);
    set_format(Format::text);
  }
};

TEST_F(LogWriteTest, LevelIsCheckedBeforeAnyFormatting) {
  set_level(Level::warn);
  Costly::formatted = 0;
  testing::internal::CaptureStderr();
  info("test.skipped", "v={}", Costly{});
  warn("test.kept", "v={}", Costly{});
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(Costly::formatted, 1);
  EXPECT_EQ(out.find("test.skipped"), std::string::npos);
  EXPECT_NE(out.find(" WARN test.kept v=42\n"), std::string::npos) << out;
}

TEST_F(LogWriteTest, TextLineKeepsQuotedValuesOnOneLine) {
  testing::internal::CaptureStderr();
  info("test.event", "cluster=main error={}", quote("two\nlines \"quoted\""));
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.substr(24), " INFO test.event cluster=main error=\"two\\nlines \\\"quoted\\\"\"\n");
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  EXPECT_EQ(out[10], 'T');
  EXPECT_EQ(out[23], 'Z');
}

TEST_F(LogWriteTest, JsonLineIsOneObjectPerLine) {
  set_format(Format::json);
  testing::internal::CaptureStderr();
  warn("upstream.down", "cluster=main error={}", quote("connect: \"refused\"\n"));
  error("test.second", "");
  const std::string out = testing::internal::GetCapturedStderr();
  const size_t first_end = out.find('\n');
  ASSERT_NE(first_end, std::string::npos);
  ASSERT_EQ(out.back(), '\n');
  const auto first = FlatJson::parse(out.substr(0, first_end));
  const auto second = FlatJson::parse(out.substr(first_end + 1, out.size() - first_end - 2));
  ASSERT_TRUE(first) << out;
  ASSERT_TRUE(second) << out;
  ASSERT_EQ(first->size(), 5u);
  EXPECT_EQ((*first)[0].first, "ts");
  EXPECT_EQ((*first)[0].second.size(), 24u);
  EXPECT_EQ((*first)[1], (std::pair<std::string, std::string>("level", "warn")));
  EXPECT_EQ((*first)[2], (std::pair<std::string, std::string>("event", "upstream.down")));
  EXPECT_EQ(value_of(*first, "error"), "connect: \"refused\"\n");
  EXPECT_EQ(value_of(*second, "level"), "error");
}

}  // namespace
}  // namespace ks::log
