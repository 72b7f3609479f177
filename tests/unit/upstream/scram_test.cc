// The SCRAM client against RFC 7677's worked example and a server computed
// here, and each answer from the server that must be refused.
#include "proxy/upstream/scram.h"

#include <gtest/gtest.h>

#include "proxy/upstream/errc.h"
#include "tests/unit/upstream/scram_server.h"

namespace ks::upstream {
namespace {

// RFC 7677 section 3.
constexpr std::string_view kNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramClient rfc_client() {
  return ScramClient(ScramHash::sha256, "user", "pencil", std::string(kNonce));
}

TEST(Scram, ReproducesTheRfc7677Exchange) {
  ScramClient client = rfc_client();
  EXPECT_EQ(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  const auto final_message = client.client_final(kServerFirst);
  ASSERT_TRUE(final_message) << final_message.error().message;
  EXPECT_EQ(*final_message, kClientFinal);
  const auto verified = client.verify_server_final(kServerFinal);
  EXPECT_TRUE(verified) << verified.error().message;
}

TEST(Scram, RefusesATamperedServerSignature) {
  ScramClient client = rfc_client();
  ASSERT_TRUE(client.client_final(kServerFirst));
  const auto verified =
      client.verify_server_final("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, errc::authentication_failed);
  EXPECT_EQ(verified.error().message.find("pencil"), std::string::npos);
}

TEST(Scram, RefusesAServerFinalBeforeTheClientFinal) {
  const ScramClient client = rfc_client();
  EXPECT_FALSE(client.verify_server_final(kServerFinal));
}

TEST(Scram, ReportsTheServersError) {
  ScramClient client = rfc_client();
  ASSERT_TRUE(client.client_final(kServerFirst));
  const auto verified = client.verify_server_final("e=invalid-proof");
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("invalid-proof"), std::string::npos);
}

TEST(Scram, RefusesANonceThatDoesNotExtendOurs) {
  ScramClient client = rfc_client();
  EXPECT_FALSE(client.client_final("r=somebodyelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
  ScramClient again = rfc_client();
  EXPECT_FALSE(again.client_final("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
}

TEST(Scram, RefusesIterationCountsOutsideKafkasBounds) {
  for (const std::string_view count : {"4095", "16385", "0", "-1", "12x", ""}) {
    ScramClient client = rfc_client();
    const auto answer = client.client_final(
        "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=" + std::string(count));
    EXPECT_FALSE(answer) << count;
  }
}

TEST(Scram, RefusesMalformedServerFirstMessages) {
  for (const std::string_view message :
       {"", "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOx,i=4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=not*base64,i=4096", "r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096",
        "m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"}) {
    ScramClient client = rfc_client();
    EXPECT_FALSE(client.client_final(message)) << message;
  }
}

TEST(Scram, AcceptsExtensionsAfterTheIterationCount) {
  ScramClient client = rfc_client();
  const auto final_message = client.client_final(std::string(kServerFirst) + ",x=extension");
  EXPECT_TRUE(final_message);
}

TEST(Scram, Sha512RoundTripWithAServer) {
  test::ScramServer server(ScramHash::sha512, "s3cr=t,pw", "some salt bytes", 4096, "srv");
  ScramClient client(ScramHash::sha512, "al=ice,x", "s3cr=t,pw", "clientnonce");
  EXPECT_EQ(client.client_first(), "n,,n=al=3Dice=2Cx,r=clientnonce");
  const std::string server_first = server.first(client.client_first());
  const auto final_message = client.client_final(server_first);
  ASSERT_TRUE(final_message) << final_message.error().message;
  const std::string server_final = server.final(*final_message);
  ASSERT_TRUE(server_final.starts_with("v=")) << server_final;
  EXPECT_TRUE(client.verify_server_final(server_final));
}

TEST(Scram, AWrongPasswordFailsTheServersCheck) {
  test::ScramServer server(ScramHash::sha512, "right", "salt", 4096, "srv");
  ScramClient client(ScramHash::sha512, "alice", "wrong", "clientnonce");
  const auto final_message = client.client_final(server.first(client.client_first()));
  ASSERT_TRUE(final_message);
  EXPECT_EQ(server.final(*final_message), "e=invalid-proof");
}

TEST(Scram, Base64RoundTripsAndRejectsGarbage) {
  for (const std::string_view bytes : {"", "a", "ab", "abc", "abcd"})
    EXPECT_EQ(base64_decode(base64_encode(bytes)), std::string(bytes));
  EXPECT_EQ(base64_encode("n,,"), "biws");
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab*="));
}

TEST(Scram, NoncesArePrintableAndFresh) {
  const auto a = scram_nonce();
  const auto b = scram_nonce();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->find(','), std::string::npos);
}

}  // namespace
}  // namespace ks::upstream
