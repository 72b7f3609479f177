#include "common/log_fields.h"

#include <array>
#include <optional>

namespace ks::log {
namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the quoted value starting at text[pos] == '"'; on success `pos` is
// just past the closing quote. An escape we do not know is kept as written.
std::optional<std::string> read_quoted(std::string_view text, size_t& pos) {
  std::string value;
  for (size_t i = pos + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      pos = i + 1;
      return value;
    }
    if (c != '\\' || i + 1 == text.size()) {
      value += c;
      continue;
    }
    const char e = text[++i];
    switch (e) {
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case '"':
      case '\\':
        value += e;
        break;
      case 'x':
        if (i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
          value += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
          i += 2;
          break;
        }
        [[fallthrough]];
      default:
        value += '\\';
        value += e;
    }
  }
  return std::nullopt;  // no closing quote
}

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // bounds of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

constexpr std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "?";
}

// One byte as both quoting styles write it: the usual two-character
// escapes, other control characters as `control_prefix` and two hex digits
// ("\x" in text, "\u00" in JSON), the rest (UTF-8 included) as is.
void append_escaped(std::string& out, unsigned char byte, std::string_view control_prefix) {
  constexpr std::string_view kHex = "0123456789abcdef";
  switch (byte) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      if (byte < 0x20 || byte == 0x7f) {
        out += control_prefix;
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
      } else {
        out += static_cast<char>(byte);
      }
  }
}

void append_member(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

}  // namespace

std::string quote_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text)
    append_escaped(out, static_cast<unsigned char>(c), "\\x");
  out += '"';
  return out;
}

ParsedFields parse_fields(std::string_view text) {
  ParsedFields parsed;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
    if (pos == text.size()) break;
    const size_t start = pos;
    while (pos < text.size() && is_key_char(text[pos]))
      ++pos;
    Field field;
    field.key = text.substr(start, pos - start);
    bool ok = !field.key.empty() && pos < text.size() && text[pos] == '=';
    if (ok) {
      ++pos;
      if (pos < text.size() && text[pos] == '"') {
        auto value = read_quoted(text, pos);
        // The closing quote ends the field.
        ok = value && (pos == text.size() || text[pos] == ' ');
        if (ok) field.value = std::move(*value);
      } else {
        const size_t end = std::min(text.find(' ', pos), text.size());
        field.value = text.substr(pos, end - pos);
        pos = end;
      }
    }
    if (!ok) {
      parsed.unparsed = text.substr(start);
      break;
    }
    parsed.fields.push_back(std::move(field));
  }
  return parsed;
}

void append_json_string(std::string& out, std::string_view bytes) {
  out += '"';
  for (size_t i = 0; i < bytes.size();) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte >= 0x80) {
      if (const size_t n = utf8_sequence(bytes.substr(i)); n > 0) {
        out.append(bytes.substr(i, n));
        i += n;
      } else {
        out += "\\ufffd";
        ++i;
      }
      continue;
    }
    append_escaped(out, byte, "\\u00");
    ++i;
  }
  out += '"';
}

std::string json_line(std::string_view ts, Level level, std::string_view event,
                      std::string_view fields) {
  constexpr std::array<std::string_view, 4> kReserved = {"ts", "level", "event", "unparsed"};
  const ParsedFields parsed = parse_fields(fields);
  std::string out;
  out.reserve(64 + fields.size() + fields.size() / 4);
  out += "{\"ts\":";
  append_json_string(out, ts);
  out += ",\"level\":";
  append_json_string(out, level_name(level));
  out += ",\"event\":";
  append_json_string(out, event);
  for (const Field& field : parsed.fields) {
    if (std::find(kReserved.begin(), kReserved.end(), field.key) != kReserved.end()) {
      append_member(out, "_" + field.key, field.value);
    } else {
      append_member(out, field.key, field.value);
    }
  }
  if (!parsed.unparsed.empty()) append_member(out, "unparsed", parsed.unparsed);
  out += '}';
  return out;
}

}  // namespace ks::log
