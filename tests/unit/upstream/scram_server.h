#pragma once
// The server side of SCRAM (RFC 5802), written separately from the client
// it tests: what a Kafka broker computes, from the password it stores.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>
#include <vector>

#include "proxy/upstream/scram.h"

namespace ks::upstream::test {

class ScramServer {
 public:
  ScramServer(ScramHash hash, std::string password, std::string salt, int iterations,
              std::string server_nonce)
      : md_(hash == ScramHash::sha256 ? EVP_sha256() : EVP_sha512()),
        password_(std::move(password)),
        salt_(std::move(salt)),
        iterations_(iterations),
        server_nonce_(std::move(server_nonce)) {}

  // "n,,n=user,r=nonce" -> server-first.
  std::string first(std::string_view client_first) {
    client_first_bare_ = std::string(client_first.substr(3));
    const std::string nonce(client_first_bare_.substr(client_first_bare_.find(",r=") + 3));
    server_first_ = "r=" + nonce + server_nonce_ + ",s=" + base64_encode(salt_) +
                    ",i=" + std::to_string(iterations_);
    return server_first_;
  }

  // client-final -> server-final; "e=invalid-proof" when the proof is wrong.
  std::string final(std::string_view client_final) {
    const size_t at = client_final.find(",p=");
    const std::string without_proof(client_final.substr(0, at));
    const std::string proof = base64_decode(client_final.substr(at + 3)).value_or("");
    const std::string auth = client_first_bare_ + "," + server_first_ + "," + without_proof;
    std::string salted(static_cast<size_t>(EVP_MD_get_size(md_)), '\0');
    PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()),
                      reinterpret_cast<const unsigned char*>(salt_.data()),
                      static_cast<int>(salt_.size()), iterations_, md_,
                      static_cast<int>(salted.size()),
                      reinterpret_cast<unsigned char*>(salted.data()));
    const std::string stored_key = digest(hmac(salted, "Client Key"));
    const std::string signature = hmac(stored_key, auth);
    if (proof.size() != signature.size()) return "e=invalid-proof";
    std::string client_key = proof;
    for (size_t i = 0; i < client_key.size(); ++i)
      client_key[i] = static_cast<char>(client_key[i] ^ signature[i]);
    if (digest(client_key) != stored_key) return "e=invalid-proof";
    return "v=" + base64_encode(hmac(hmac(salted, "Server Key"), auth));
  }

 private:
  std::string hmac(std::string_view key, std::string_view message) const {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int size = 0;
    HMAC(md_, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
         reinterpret_cast<unsigned char*>(out.data()), &size);
    out.resize(size);
    return out;
  }
  std::string digest(std::string_view message) const {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int size = 0;
    EVP_Digest(message.data(), message.size(), reinterpret_cast<unsigned char*>(out.data()), &size,
               md_, nullptr);
    out.resize(size);
    return out;
  }

  const EVP_MD* md_;
  std::string password_;
  std::string salt_;
  int iterations_;
  std::string server_nonce_;
  std::string client_first_bare_;
  std::string server_first_;
};

}  // namespace ks::upstream::test
