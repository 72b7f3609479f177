#include "proxy/server/sasl_plain.h"

#include "common/password_file.h"

namespace ks::server {
namespace {

// Kafka's answer to a wrong username or password alike.
constexpr std::string_view kInvalidCredentials =
    "Authentication failed: Invalid username or password";

}  // namespace

PlainParse parse_plain_token(protocol::Bytes message) {
  const std::string_view text(reinterpret_cast<const char*>(message.data()), message.size());
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t nul = text.find('\0', start);
    parts.push_back(text.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  if (parts.size() != 3) {
    return {std::nullopt,
            "Invalid SASL/PLAIN response: expected 3 tokens, got " + std::to_string(parts.size())};
  }
  PlainToken token{parts[0], parts[1], parts[2]};
  if (token.username.empty()) {
    return {std::nullopt, "Authentication failed: username not specified"};
  }
  if (token.password.empty()) {
    return {std::nullopt, "Authentication failed: password not specified"};
  }
  if (!token.authzid.empty() && token.authzid != token.username) {
    return {std::nullopt,
            "Authentication failed: Client requested an authorization id that is different from "
            "username"};
  }
  return {token, ""};
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  // Every byte of the longer is looked at, whatever the shorter holds.
  const size_t n = std::max(a.size(), b.size());
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = diff | (x ^ y);
  }
  return diff == 0;
}

PlainAuthenticator::PlainAuthenticator(std::vector<PlainUser> users) : users_(std::move(users)) {}

PlainCheck PlainAuthenticator::check(protocol::Bytes message) const {
  PlainCheck out;
  const PlainParse parsed = parse_plain_token(message);
  if (!parsed.token) {
    out.error = parsed.error;
    return out;
  }
  const PlainToken& token = *parsed.token;
  out.username = std::string(token.username);
  out.error = std::string(kInvalidCredentials);
  for (const PlainUser& user : users_) {
    if (user.username != token.username) continue;
    std::optional<std::string> expected = user.password;
    if (!user.password_file.empty()) {
      expected = read_password_file(user.password_file);
      if (!expected || expected->empty()) {
        out.local_problem = "cannot read password_file " + user.password_file;
        return out;
      }
    }
    out.ok = equal_constant_time(*expected, token.password);
    if (out.ok) out.error.clear();
    return out;
  }
  return out;
}

}  // namespace ks::server
