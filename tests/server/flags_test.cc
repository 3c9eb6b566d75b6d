#include "server/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sawmill::server {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;

Result<Config> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "sawmill");
  return ParseFlags(static_cast<int>(args.size()), args.data());
}

TEST(FlagsTest, DefaultsWithoutArguments) {
  Result<Config> c = Parse({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen_address, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 3100);
  EXPECT_EQ(c->store.data_dir, "./data");
  EXPECT_EQ(c->store.sync, storage::SyncPolicy::kGroupCommit);
  EXPECT_EQ(c->store.chunk.encoding, storage::Encoding::kSnappy);
  EXPECT_EQ(c->store.retention, nanoseconds(0));
  EXPECT_EQ(c->log_level, LogLevel::kInfo);
  EXPECT_FALSE(c->show_version);
  EXPECT_FALSE(c->show_help);
}

TEST(FlagsTest, AcceptsEverySpelling) {
  const std::vector<std::vector<const char*>> spellings = {
      {"-server.http-listen-port=0"},
      {"--server.http-listen-port=0"},
      {"-server.http-listen-port", "0"},
      {"--server.http-listen-port", "0"},
  };
  for (const auto& args : spellings) {
    SCOPED_TRACE(args[0]);
    Result<Config> c = Parse(args);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->listen_port, 0);
  }
}

TEST(FlagsTest, ParsesEveryFlag) {
  Result<Config> c =
      Parse({"-server.http-listen-address=::1", "-server.http-listen-port=9000", "-storage.path",
             "/tmp/x", "-storage.sync-policy=fsync", "-storage.encoding=zstd",
             "-retention.period=744h", "-log.level=debug", "-version", "--help"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen_address, "::1");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_EQ(c->store.data_dir, "/tmp/x");
  EXPECT_EQ(c->store.sync, storage::SyncPolicy::kFsync);
  EXPECT_EQ(c->store.chunk.encoding, storage::Encoding::kZstd);
  EXPECT_EQ(c->store.retention, hours(744));
  EXPECT_EQ(c->log_level, LogLevel::kDebug);
  EXPECT_TRUE(c->show_version);
  EXPECT_TRUE(c->show_help);
}

TEST(FlagsTest, ParsesStoreTuningFlags) {
  Result<Config> c = Parse({"-ingester.chunk-block-size=64KiB", "-ingester.chunk-target-size=2MB",
                            "-ingester.chunk-idle-period=5m", "-ingester.max-chunk-age=1h",
                            "-ingester.out-of-order-window=30m", "-storage.block-cache-size=1GiB",
                            "-storage.write-buffer-size=32MiB", "-ingester.head-bytes-budget=0",
                            "-storage.group-commit-interval=2ms", "-ingester.chunk-encoding=lz4"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.chunk.block_target_bytes, 64u << 10);
  EXPECT_EQ(c->store.chunk_target_bytes, 2000000u);
  EXPECT_EQ(c->store.chunk_idle, std::chrono::minutes(5));
  EXPECT_EQ(c->store.chunk_max_age, hours(1));
  EXPECT_EQ(c->store.out_of_order_window, std::chrono::minutes(30));
  EXPECT_EQ(c->store.block_cache_bytes, 1ull << 30);
  EXPECT_EQ(c->store.write_buffer_bytes, 32ull << 20);
  EXPECT_EQ(c->store.head_bytes_budget, 0u);
  EXPECT_EQ(c->store.group_commit_interval, std::chrono::milliseconds(2));
  EXPECT_EQ(c->store.chunk.encoding, storage::Encoding::kLz4);
}

TEST(FlagsTest, ParsesLimitFlags) {
  Result<Config> d = Parse({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->limits.ingestion_rate_mb, 0);  // no rate limit unless configured
  EXPECT_EQ(d->limits.StreamLimit(), 200000u);
  EXPECT_TRUE(d->runtime_config_file.empty());

  Result<Config> c = Parse(
      {"-distributor.ingestion-rate-limit-mb=12.5", "-distributor.ingestion-burst-size-mb=20",
       "-ingester.max-streams-per-user=300", "-ingester.max-global-streams-per-user=0",
       "-validation.max-length-label-name=64", "-validation.max-length-label-value=128",
       "-runtime-config.file=/etc/sawmill/overrides.yaml", "-runtime-config.reload-period=1m"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_DOUBLE_EQ(c->limits.ingestion_rate_mb, 12.5);
  EXPECT_DOUBLE_EQ(c->limits.ingestion_burst_size_mb, 20);
  EXPECT_EQ(c->limits.StreamLimit(), 300u);
  EXPECT_EQ(c->limits.max_label_name_length, 64u);
  EXPECT_EQ(c->limits.max_label_value_length, 128u);
  EXPECT_EQ(c->runtime_config_file, "/etc/sawmill/overrides.yaml");
  EXPECT_EQ(c->runtime_config_reload_period, minutes(1));

  for (const char* bad :
       {"-distributor.ingestion-rate-limit-mb=-1", "-distributor.ingestion-rate-limit-mb=fast",
        "-ingester.max-streams-per-user=1.5", "-runtime-config.reload-period=0"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Parse({bad}).ok());
  }
}

TEST(FlagsTest, RejectsBadSizes) {
  for (const char* bad : {"-ingester.chunk-block-size=0", "-ingester.chunk-block-size=12XB",
                          "-storage.block-cache-size=KiB", "-ingester.chunk-idle-period=0s",
                          "-storage.write-buffer-size=64KiB"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Parse({bad}).ok());
  }
  EXPECT_EQ(*ParseBytes("1536KiB"), 1536u << 10);
}

TEST(FlagsTest, DataDirIsAnAliasOfStoragePath) {
  Result<Config> c = Parse({"-data.dir=/srv/logs"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.data_dir, "/srv/logs");
}

TEST(FlagsTest, BooleanFlagsTakeNoSeparateValue) {
  Result<Config> c = Parse({"-version", "-log.level=warn"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->show_version);
  EXPECT_EQ(c->log_level, LogLevel::kWarn);
  c = Parse({"-version=false"});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->show_version);
}

TEST(FlagsTest, RejectsBadInputWithClearMessages) {
  struct Case {
    std::vector<const char*> args;
    std::string want;
  };
  const Case cases[] = {
      {{"-no.such.flag"}, "flag provided but not defined: -no.such.flag"},
      {{"--no.such.flag=1"}, "flag provided but not defined: -no.such.flag"},
      {{"-storage.path"}, "flag needs an argument: -storage.path"},
      {{"-server.http-listen-port=abc"}, "invalid value \"abc\" for flag -server.http-listen-port"},
      {{"-server.http-listen-port=65536"}, "for flag -server.http-listen-port"},
      {{"-server.http-listen-port=-1"}, "for flag -server.http-listen-port"},
      {{"-server.http-listen-address=not-an-ip"}, "for flag -server.http-listen-address"},
      {{"-storage.sync-policy=sometimes"}, "for flag -storage.sync-policy"},
      {{"-storage.encoding=gzip"}, "for flag -storage.encoding"},
      {{"-retention.period=forever"}, "for flag -retention.period"},
      {{"-log.level=loud"}, "for flag -log.level"},
      {{"-version=maybe"}, "for flag -version"},
      {{"serve"}, "unexpected argument \"serve\""},
      {{"-"}, "unexpected argument"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    Result<Config> r = Parse(c.args);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(FlagsTest, MultiTenantQueriesAreOffUntilEnabled) {
  Result<Config> off = Parse({});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->multi_tenant_queries);
  Result<Config> on = Parse({"-querier.multi-tenant-queries-enabled=true"});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_TRUE(on->multi_tenant_queries);
  EXPECT_FALSE(Parse({"-querier.multi-tenant-queries-enabled=yes"}).ok());
}

TEST(FlagsTest, UsageListsEveryFlag) {
  const std::string usage = FlagsUsage();
  for (const char* name : {"-server.http-listen-address", "-server.http-listen-port",
                           "-storage.path", "-storage.sync-policy", "-storage.encoding",
                           "-retention.period", "-log.level", "-version", "-help"}) {
    EXPECT_NE(usage.find(name), std::string::npos) << name;
  }
}

TEST(DurationTest, ParsesPrometheusDurations) {
  struct Case {
    const char* text;
    nanoseconds want;
  };
  const Case cases[] = {
      {"0", nanoseconds(0)},
      {"0s", nanoseconds(0)},
      {"744h", hours(744)},
      {"30d", hours(24 * 30)},
      {"1w", hours(24 * 7)},
      {"1y", hours(24 * 365)},
      {"1h30m", minutes(90)},
      {"500ms", milliseconds(500)},
      {"1m500ms", milliseconds(60'500)},
      {"10us", nanoseconds(10'000)},
      {"7ns", nanoseconds(7)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<nanoseconds> d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(*d, c.want);
  }
}

TEST(DurationTest, RejectsMalformedDurations) {
  for (const char* text :
       {"", "h", "10", "1.5h", "-1h", "1x", "30m1h", "1h1h", "1h ", " 1h", "99999999999999y"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseDuration(text).ok());
  }
}

}  // namespace
}  // namespace sawmill::server
