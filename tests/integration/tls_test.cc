// End-to-end: the real sawmill binary serving HTTPS with a self-signed certificate made at
// test time (openssl CLI).
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

// Writes cert.pem and key.pem (CN and IP SAN 127.0.0.1) into `dir`.
bool MakeCertificate(const std::string& dir) {
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
      dir + "/key.pem' -out '" + dir + "/cert.pem' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST(TlsTest, ServesHttpsWithTheConfiguredCertificate) {
  TempDir dir;
  ASSERT_TRUE(MakeCertificate(dir.path())) << "openssl req failed";
  const std::string file = dir.path() + "/sawmill.yaml";
  std::ofstream(file) << "server:\n  http_listen_port: 0\n  http_tls_config:\n    cert_file: "
                      << dir.path() << "/cert.pem\n    key_file: " << dir.path()
                      << "/key.pem\nstorage:\n  path: " << dir.path() << "/data\n";
  auto server = ServerProcess::Start(SAW_SAWMILL_BINARY, {"-config.file=" + file});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Result<uint16_t> port = (*server)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << (*server)->Output();

  HttpClient https("127.0.0.1", *port);
  https.UseTls(dir.path() + "/cert.pem");
  Result<HttpReply> ready = https.Get("/ready");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "ready\n");
  const std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  Result<HttpReply> push =
      https.Post("/loki/api/v1/push", R"({"streams":[{"stream":{"app":"tls"},"values":[[")" + ts +
                                          R"(","over tls"]]}]})");
  ASSERT_TRUE(push.ok()) << push.status().ToString();
  EXPECT_EQ(push->status, 204) << push->body;
  Result<HttpReply> query = https.Get("/loki/api/v1/query_range?query=%7Bapp%3D%22tls%22%7D");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_NE(query->body.find("over tls"), std::string::npos) << query->body;

  // Plain HTTP on the TLS port gets no answer; a client trusting another CA refuses the server.
  HttpClient plain("127.0.0.1", *port, std::chrono::seconds(10));
  EXPECT_FALSE(plain.Get("/ready").ok());
  TempDir other;
  ASSERT_TRUE(MakeCertificate(other.path()));
  HttpClient wrong_ca("127.0.0.1", *port);
  wrong_ca.UseTls(other.path() + "/cert.pem");
  EXPECT_FALSE(wrong_ca.Get("/ready").ok());
  // The server still serves after those.
  EXPECT_TRUE(https.Get("/ready").ok());

  (*server)->Signal(SIGTERM);
  EXPECT_EQ((*server)->Wait(), 0) << (*server)->Output();
}

TEST(TlsTest, UnusableCertificateStopsStartUp) {
  TempDir dir;
  ASSERT_TRUE(MakeCertificate(dir.path()));
  TempDir other;
  ASSERT_TRUE(MakeCertificate(other.path()));
  struct Case {
    std::vector<std::string> flags;
    std::string want;
  };
  const Case cases[] = {
      {{"-server.http-tls-cert-path=" + dir.path() + "/cert.pem"}, "needs both"},
      {{"-server.http-tls-cert-path=" + dir.path() + "/missing.pem",
        "-server.http-tls-key-path=" + dir.path() + "/key.pem"},
       "TLS certificate " + dir.path() + "/missing.pem"},
      {{"-server.http-tls-cert-path=" + dir.path() + "/cert.pem",
        "-server.http-tls-key-path=" + other.path() + "/key.pem"},
       "TLS key " + other.path() + "/key.pem"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    std::vector<std::string> args = c.flags;
    args.push_back("-server.http-listen-port=0");
    args.push_back("-storage.path=" + dir.path() + "/data");
    auto server = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
    ASSERT_TRUE(server.ok());
    EXPECT_EQ((*server)->Wait(), 1) << (*server)->Output();
    EXPECT_NE((*server)->Output().find(c.want), std::string::npos) << (*server)->Output();
  }
}

}  // namespace
}  // namespace sawmill::integration
