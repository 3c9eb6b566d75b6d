// End-to-end: the real sawmill binary started from a configuration file (-config.file).
#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

std::unique_ptr<ServerProcess> StartSawmill(const std::vector<std::string>& args) {
  Result<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

std::string WriteFile(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

TEST(ConfigTest, StartsFromAFileFlagsOverrideItAndConfigShowsTheResult) {
  TempDir dir;
  ::setenv("SAWMILL_CONFIG_TEST_MAX_LINE", "100", 1);
  const std::string file = WriteFile(dir, "sawmill.yaml",
                                     "server:\n"
                                     "  http_listen_port: 1\n"  // overridden below
                                     "  log_level: debug\n"
                                     "storage:\n"
                                     "  path: " +
                                         dir.path() +
                                         "/data\n"
                                         "limits_config:\n"
                                         "  max_line_size: ${SAWMILL_CONFIG_TEST_MAX_LINE}\n"
                                         "  max_entries_limit_per_query: 7\n");
  auto server = StartSawmill(
      {"-config.file=" + file, "-config.expand-env=true", "-server.http-listen-port=0"});
  ASSERT_NE(server, nullptr);
  Result<uint16_t> port = server->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << server->Output();
  HttpClient client("127.0.0.1", *port);

  Result<HttpReply> config = client.Get("/config");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->status, 200);
  for (const std::string& want : std::vector<std::string>{
           "  http_listen_port: 0\n", "  log_level: debug\n", "  path: " + dir.path() + "/data\n",
           "  max_line_size: 100\n", "  max_entries_limit_per_query: 7\n"}) {
    EXPECT_NE(config->body.find(want), std::string::npos) << want << "\n" << config->body;
  }

  // The file's limits are in force: a 101-byte line is refused, a limit above 7 too.
  const std::string line(101, 'x');
  Result<HttpReply> push =
      client.Post("/loki/api/v1/push",
                  R"({"streams":[{"stream":{"app":"a"},"values":[[")" +
                      std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()) +
                      R"(",")" + line + R"("]]}]})");
  ASSERT_TRUE(push.ok()) << push.status().ToString();
  EXPECT_EQ(push->status, 400) << push->body;
  Result<HttpReply> query =
      client.Get("/loki/api/v1/query_range?query=%7Bapp%3D%22a%22%7D&limit=8");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_EQ(query->status, 400) << query->body;
  EXPECT_NE(query->body.find("max entries limit per query exceeded"), std::string::npos)
      << query->body;
  // The data directory is the file's.
  EXPECT_NE(server->Output().find("path=" + dir.path() + "/data"), std::string::npos)
      << server->Output();

  server->Signal(SIGTERM);
  EXPECT_EQ(server->Wait(), 0) << server->Output();
}

TEST(ConfigTest, InvalidFileFailsStartUpWithOneNamingTheKeyAndLine) {
  TempDir dir;
  const std::string file = WriteFile(
      dir, "bad.yaml", "server:\n  http_listen_port: 0\n  graceful_shutdown_timeut: 5s\n");
  auto server = StartSawmill({"-config.file=" + file, "-storage.path=" + dir.path()});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->Wait(), 1) << server->Output();
  const std::string out = server->Output();
  EXPECT_NE(out.find("invalid config file " + file +
                     ": line 3, col 3: server.graceful_shutdown_timeut: field not found"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace sawmill::integration
