#include "proxy/upstream/scram.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>

#include "proxy/upstream/errc.h"

namespace ks::upstream {
namespace {

// Kafka's ScramMechanism bounds: fewer iterations would weaken the stored
// key, more lets a hostile broker make us burn CPU on every connect.
constexpr int kMinIterations = 4096;
constexpr int kMaxIterations = 16384;

// base64("n,,"): the GS2 header, no channel binding, no authorization id.
constexpr std::string_view kChannelBinding = "biws";

using Bytes = std::vector<unsigned char>;

Error refused(std::string message) {
  return Error{make_error_code(errc::authentication_failed), std::move(message)};
}

const EVP_MD* digest(ScramHash hash) {
  return hash == ScramHash::sha256 ? EVP_sha256() : EVP_sha512();
}

const unsigned char* data(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// The OpenSSL primitives fail only without memory; they then return no
// bytes, which client_final() checks once at the end.
Bytes hmac(ScramHash hash, const Bytes& key, std::string_view message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (!HMAC(digest(hash), key.data(), static_cast<int>(key.size()), data(message), message.size(),
            out.data(), &size))
    size = 0;
  out.resize(size);
  return out;
}

Bytes hash_of(ScramHash hash, const Bytes& message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (!EVP_Digest(message.data(), message.size(), out.data(), &size, digest(hash), nullptr))
    size = 0;
  out.resize(size);
  return out;
}

Bytes salted_password(ScramHash hash, std::string_view password, std::string_view salt,
                      int iterations) {
  Bytes out(static_cast<size_t>(EVP_MD_get_size(digest(hash))));
  if (!PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), data(salt),
                         static_cast<int>(salt.size()), iterations, digest(hash),
                         static_cast<int>(out.size()), out.data()))
    out.clear();
  return out;
}

std::string_view as_text(const Bytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The value of attribute `name` ("r", "s", ...) at the front of `message`,
// which moves past it and its ','.
std::optional<std::string_view> take(std::string_view& message, char name) {
  if (message.size() < 2 || message[0] != name || message[1] != '=') return std::nullopt;
  const size_t comma = message.find(',');
  const std::string_view value =
      message.substr(2, comma == std::string_view::npos ? comma : comma - 2);
  message.remove_prefix(comma == std::string_view::npos ? message.size() : comma + 1);
  return value;
}

}  // namespace

std::optional<std::string> scram_nonce() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::nullopt;
  return base64_encode({reinterpret_cast<const char*>(bytes), sizeof bytes});
}

std::string scram_escape(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data(bytes),
                                   static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(size));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), data(text),
                                   static_cast<int>(text.size()));
  if (size < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = 0;
  if (text.ends_with("==")) {
    padding = 2;
  } else if (text.ends_with('=')) {
    padding = 1;
  }
  out.resize(static_cast<size_t>(size) - padding);
  return out;
}

ScramClient::ScramClient(ScramHash hash, std::string username, std::string password,
                         std::string nonce)
    : hash_(hash),
      username_(std::move(username)),
      password_(std::move(password)),
      nonce_(std::move(nonce)) {}

std::string ScramClient::client_first() const {
  return "n,,n=" + scram_escape(username_) + ",r=" + nonce_;
}

Result<std::string> ScramClient::client_final(std::string_view server_first) {
  std::string_view rest = server_first;
  const auto nonce = take(rest, 'r');
  const auto salt_text = take(rest, 's');
  const auto iterations_text = take(rest, 'i');
  // Extensions may follow; a mandatory one ("m=" first) we cannot honour.
  if (!nonce || !salt_text || !iterations_text || server_first.starts_with("m="))
    return refused("malformed SCRAM server-first message");
  if (!nonce->starts_with(nonce_) || nonce->size() == nonce_.size() ||
      nonce->find(',') != std::string_view::npos)
    return refused("SCRAM server nonce does not extend the client nonce");
  const auto salt = base64_decode(*salt_text);
  if (!salt || salt->empty()) return refused("SCRAM salt is not base64");
  int iterations = 0;
  const auto [end, ec] = std::from_chars(
      iterations_text->data(), iterations_text->data() + iterations_text->size(), iterations);
  if (ec != std::errc{} || end != iterations_text->data() + iterations_text->size())
    return refused("SCRAM iteration count is not a number");
  if (iterations < kMinIterations || iterations > kMaxIterations) {
    return refused(fmt::format("SCRAM iteration count {} is outside {}-{}", iterations,
                               kMinIterations, kMaxIterations));
  }

  const std::string without_proof = fmt::format("c={},r={}", kChannelBinding, *nonce);
  const std::string auth_message =
      fmt::format("n={},r={},{},{}", scram_escape(username_), nonce_, server_first, without_proof);
  const Bytes salted = salted_password(hash_, password_, *salt, iterations);
  const Bytes client_key = hmac(hash_, salted, "Client Key");
  const Bytes stored_key = hash_of(hash_, client_key);
  const Bytes client_signature = hmac(hash_, stored_key, auth_message);
  server_signature_ = hmac(hash_, hmac(hash_, salted, "Server Key"), auth_message);
  if (salted.empty() || client_key.empty() || client_signature.size() != client_key.size() ||
      server_signature_.empty())
    return refused("SCRAM: OpenSSL failed to compute the proof");
  Bytes proof = client_key;
  for (size_t i = 0; i < proof.size(); ++i)
    proof[i] ^= client_signature[i];
  return without_proof + ",p=" + base64_encode(as_text(proof));
}

Result<void> ScramClient::verify_server_final(std::string_view server_final) const {
  std::string_view rest = server_final;
  if (const auto error = take(rest, 'e'))
    return refused(fmt::format("SCRAM server error: {}", *error));
  const auto verifier = take(rest, 'v');
  const auto signature = verifier ? base64_decode(*verifier) : std::nullopt;
  if (!signature) return refused("malformed SCRAM server-final message");
  if (server_signature_.empty() || signature->size() != server_signature_.size() ||
      CRYPTO_memcmp(signature->data(), server_signature_.data(), signature->size()) != 0)
    return refused("the broker's SCRAM server signature is wrong: it does not know the password");
  return Result<void>{};
}

}  // namespace ks::upstream
