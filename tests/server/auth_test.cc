#include "server/auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace sawmill::server {
namespace {

HttpRequest Request(std::string target, std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r(http::verb::get, target, 11);
  for (const auto& [k, v] : headers) r.set(k, v);
  return r;
}

class AuthTest : public ::testing::Test {
 protected:
  ~AuthTest() override {
    std::filesystem::remove(basic_);
    std::filesystem::remove(bearer_);
  }
  static void Write(const std::string& path, const std::string& text) {
    // A new file renamed into place, as a Kubernetes Secret update does (new inode).
    const std::string tmp = path + ".tmp";
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::rename(tmp, path);
  }
  const std::string basic_ = ::testing::TempDir() + "auth_test_basic_" + std::to_string(::getpid());
  const std::string bearer_ =
      ::testing::TempDir() + "auth_test_bearer_" + std::to_string(::getpid());
};

TEST_F(AuthTest, BasicAuthAcceptsOnlyListedCredentials) {
  Write(basic_, "# users\nalice:s3cret\n\nbob:pa:ss word\r\n");
  AuthOptions options;
  options.basic_auth_file = basic_;
  Result<std::unique_ptr<Auth>> auth = Auth::Open(options);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  struct Case {
    std::string authorization;
    bool ok;
  };
  const Case cases[] = {
      {"Basic YWxpY2U6czNjcmV0", true},      // alice:s3cret
      {"basic YWxpY2U6czNjcmV0", true},      // scheme is case-insensitive
      {"Basic Ym9iOnBhOnNzIHdvcmQ=", true},  // bob:pa:ss word
      {"Basic YWxpY2U6czNjcmV", false},      // truncated
      {"Basic YWxpY2U6d3Jvbmc=", false},     // alice:wrong
      {"Basic YWxpY2U=", false},             // alice (no colon)
      {"Basic IyB1c2Vycw==", false},         // "# users": a comment, not an entry
      {"Bearer YWxpY2U6czNjcmV0", false},    // not configured
      {"Basic !!!", false},
      {"", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.authorization);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!c.authorization.empty()) headers.push_back({"Authorization", c.authorization});
    std::optional<HttpResponse> refused = (*auth)->Check(Request("/loki/api/v1/labels", headers));
    EXPECT_EQ(!refused.has_value(), c.ok);
    if (refused.has_value()) {
      EXPECT_EQ(refused->result(), http::status::unauthorized);
      EXPECT_EQ(std::string((*refused)[http::field::www_authenticate]),
                R"(Basic realm="sawmill", charset="UTF-8")");
    }
  }
}

TEST_F(AuthTest, ReadyAndMetricsStayOpenUnlessMetricsAreProtected) {
  Write(bearer_, "tok\n");
  AuthOptions options;
  options.bearer_token_file = bearer_;
  Result<std::unique_ptr<Auth>> open = Auth::Open(options);
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE((*open)->Check(Request("/ready", {})).has_value());
  EXPECT_FALSE((*open)->Check(Request("/metrics", {})).has_value());
  EXPECT_TRUE((*open)->Check(Request("/config", {})).has_value());
  EXPECT_TRUE((*open)->Check(Request("/ready/x", {})).has_value());
  options.protect_metrics = true;
  Result<std::unique_ptr<Auth>> closed = Auth::Open(options);
  ASSERT_TRUE(closed.ok());
  EXPECT_FALSE((*closed)->Check(Request("/ready", {})).has_value());
  EXPECT_TRUE((*closed)->Check(Request("/metrics", {})).has_value());
  EXPECT_FALSE(
      (*closed)->Check(Request("/metrics", {{"Authorization", "Bearer tok"}})).has_value());
}

TEST_F(AuthTest, TokenFileIsReadAgainWhenItChanges) {
  Write(bearer_, "first\n");
  AuthOptions options;
  options.bearer_token_file = bearer_;
  Result<std::unique_ptr<Auth>> auth = Auth::Open(options);
  ASSERT_TRUE(auth.ok());
  auto check = [&](const char* token) {
    return !(*auth)
                ->Check(Request("/loki/api/v1/query",
                                {{"Authorization", std::string("Bearer ") + token}}))
                .has_value();
  };
  EXPECT_TRUE(check("first"));
  EXPECT_FALSE(check("second"));
  Write(bearer_, "second\nthird\n");
  EXPECT_FALSE(check("first"));
  EXPECT_TRUE(check("second"));
  EXPECT_TRUE(check("third"));
  // A file that disappears leaves the tokens read before in force.
  std::filesystem::remove(bearer_);
  EXPECT_TRUE(check("second"));
}

TEST_F(AuthTest, UnreadableFileFailsOpen) {
  AuthOptions options;
  options.basic_auth_file = "/no/such/dir/users";
  Result<std::unique_ptr<Auth>> auth = Auth::Open(options);
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.status().message().find("/no/such/dir/users"), std::string::npos);
}

TEST_F(AuthTest, AuthEnabledRequiresAnOrgIdOnTenantPathsOnly) {
  AuthOptions options;
  options.auth_enabled = true;
  Result<std::unique_ptr<Auth>> auth = Auth::Open(options);
  ASSERT_TRUE(auth.ok());
  std::optional<HttpResponse> refused = (*auth)->Check(Request("/loki/api/v1/push", {}));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->result(), http::status::unauthorized);
  EXPECT_EQ(refused->body(), "no org id\n");
  EXPECT_FALSE((*auth)->Check(Request("/loki/api/v1/push", {{"X-Scope-OrgID", "a"}})).has_value());
  for (const char* path : {"/ready", "/metrics", "/config", "/loki/api/v1/status/buildinfo",
                           "/loki/api/v1/format_query?query=%7Ba%3D%22b%22%7D"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE((*auth)->Check(Request(path, {})).has_value());
  }
  for (const char* path : {"/loki/api/v1/query_range?query=x", "/loki/api/v1/labels",
                           "/loki/api/v1/tail", "/otlp/v1/logs", "/api/prom/push"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE((*auth)->Check(Request(path, {})).has_value());
  }
}

TEST(AuthHelpersTest, ConstantTimeEqualsAndBase64) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0", 2), "a"));
  EXPECT_EQ(DecodeBase64("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(DecodeBase64("YQ=="), "a");
  EXPECT_EQ(DecodeBase64("YQ"), "a");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("Y"), std::nullopt);
  EXPECT_EQ(DecodeBase64("Y*=="), std::nullopt);
}

}  // namespace
}  // namespace sawmill::server
