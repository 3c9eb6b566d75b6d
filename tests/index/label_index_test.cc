#include "index/label_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "storage/store.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::index {
namespace {

using storage::testing::TempDir;

constexpr int64_t kSec = 1000000000;
constexpr int64_t kDay = 86400 * kSec;
constexpr int64_t kBase = 1795132800LL * kSec;  // 2026-11-20T00:00:00Z, a bucket start

LabelSet L(std::string_view text) {
  auto ls = LabelSet::Parse(text);
  EXPECT_TRUE(ls.ok()) << ls.status().ToString();
  return std::move(ls).value();
}

Matcher M(MatchType t, std::string name, std::string value) {
  auto m = Matcher::Make(t, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

std::unique_ptr<storage::KvStore> OpenKv(const std::string& dir) {
  storage::KvOptions o;
  o.path = dir;
  o.block_cache_bytes = 8 << 20;
  auto kv = storage::KvStore::Open(o);
  EXPECT_TRUE(kv.ok()) << kv.status().ToString();
  return kv.ok() ? std::move(kv).value() : nullptr;
}

std::unique_ptr<LabelIndex> OpenIndex(storage::KvStore* kv, const IndexOptions& o = {}) {
  auto index = LabelIndex::Open(kv, o);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return index.ok() ? std::move(index).value() : nullptr;
}

std::vector<std::string> Names(const Result<std::vector<StreamRef>>& refs) {
  std::vector<std::string> out;
  EXPECT_TRUE(refs.ok()) << refs.status().ToString();
  if (!refs.ok()) return out;
  for (const StreamRef& r : *refs) out.push_back(r.labels->ToString());
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t Create(LabelIndex* index, std::string_view tenant, const LabelSet& ls, int64_t ts) {
  auto id = index->GetOrCreateStream(tenant, ls, ts);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : 0;
}

TEST(LabelIndexTest, SelectsByEveryMatcherKind) {
  TempDir dir;
  auto kv = OpenKv(dir.path());
  auto index = OpenIndex(kv.get());
  for (std::string_view s : {R"({app="web", env="prod"})", R"({app="web", env="dev"})",
                             R"({app="api", env="prod", team="core"})", R"({app="db"})"}) {
    Create(index.get(), "t", L(s), kBase);
  }
  using enum MatchType;
  auto sel = [&](std::vector<Matcher> ms) {
    return Names(index->Select("t", ms, kBase, kBase + kSec));
  };
  EXPECT_EQ(sel({M(kEqual, "app", "web")}),
            (std::vector<std::string>{R"({app="web", env="dev"})", R"({app="web", env="prod"})"}));
  EXPECT_EQ(sel({M(kEqual, "app", "web"), M(kNotEqual, "env", "dev")}),
            (std::vector<std::string>{R"({app="web", env="prod"})"}));
  EXPECT_EQ(sel({M(kRegexMatch, "app", "web|db")}).size(), 3u);
  EXPECT_EQ(sel({M(kRegexMatch, "app", "w.*"), M(kRegexNoMatch, "env", "d.v")}),
            (std::vector<std::string>{R"({app="web", env="prod"})"}));
  EXPECT_EQ(sel({M(kRegexMatch, "app", ".+"), M(kEqual, "team", "")}).size(), 3u);
  EXPECT_EQ(sel({M(kNotEqual, "team", "")}),
            (std::vector<std::string>{R"({app="api", env="prod", team="core"})"}));
  EXPECT_EQ(sel({M(kRegexMatch, "app", "we")}).size(), 0u);  // anchored
  EXPECT_EQ(sel({M(kEqual, "nope", "x")}).size(), 0u);
  // Another tenant and other times see nothing.
  EXPECT_TRUE(index->Select("u", std::vector{M(kEqual, "app", "web")}, kBase, kBase + 1)->empty());
  EXPECT_TRUE(
      index->Select("t", std::vector{M(kEqual, "app", "web")}, kBase + kDay, kBase + 2 * kDay)
          ->empty());
}

TEST(LabelIndexTest, RefusesSelectorsThatMatchEverything) {
  TempDir dir;
  auto kv = OpenKv(dir.path());
  auto index = OpenIndex(kv.get());
  using enum MatchType;
  const std::vector<std::vector<Matcher>> bad = {
      {M(kRegexMatch, "app", ".*")},
      {M(kNotEqual, "app", "x")},
      {M(kEqual, "app", "")},
      {M(kRegexNoMatch, "app", "a"), M(kRegexMatch, "env", "x|")},
      {},
  };
  for (const auto& ms : bad) {
    auto r = index->Select("t", ms, 0, kBase);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), kEmptyCompatibleMessage);
    EXPECT_TRUE(r.status().IsInvalidArgument());
  }
  EXPECT_EQ(std::string(kEmptyCompatibleMessage),
            "queries require at least one regexp or equality matcher that does not have an "
            "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, "
            "but app=~\".+\" will");
  EXPECT_TRUE(index->Select("t", std::vector{M(kRegexMatch, "app", ".+")}, 0, kBase).ok());
}

TEST(LabelIndexTest, SameLabelsSameIdAndBucketsByDay) {
  TempDir dir;
  auto kv = OpenKv(dir.path());
  auto index = OpenIndex(kv.get());
  LabelSet web = L(R"({app="web"})");
  uint64_t id = Create(index.get(), "t", web, kBase + 5 * kSec);
  EXPECT_EQ(id, web.Fingerprint());
  EXPECT_EQ(Create(index.get(), "t", L(R"({ app = "web" })"), kBase + 6 * kSec), id);
  EXPECT_EQ(Create(index.get(), "t", web, kBase + 2 * kDay), id);
  EXPECT_EQ(index->Stats().streams, 1u);
  EXPECT_EQ(index->Stats().memberships, 2u);
  std::vector<Matcher> ms{M(MatchType::kEqual, "app", "web")};
  EXPECT_EQ(index->Select("t", ms, kBase + kDay, kBase + 2 * kDay)->size(), 0u);
  EXPECT_EQ(index->Select("t", ms, kBase + kDay, kBase + 2 * kDay + 1)->size(), 1u);
  EXPECT_EQ(index->Select("t", ms, kBase - kDay, kBase)->size(), 0u);  // [from, to)
  EXPECT_FALSE(index->GetOrCreateStream("", web, kBase).ok());
}

TEST(LabelIndexTest, ForcedCollisionStaysTwoStreamsAcrossReopen) {
  TempDir dir;
  IndexOptions o;
  o.fingerprint = [](const LabelSet&) { return uint64_t{1234}; };
  LabelSet a = L(R"({app="a"})"), b = L(R"({app="b"})"), c = L(R"({app="c"})");
  uint64_t ida, idb, idc;
  {
    auto kv = OpenKv(dir.path());
    auto index = OpenIndex(kv.get(), o);
    ida = Create(index.get(), "t", a, kBase);
    idb = Create(index.get(), "t", b, kBase);
    EXPECT_EQ(ida, 1234u);
    EXPECT_EQ(idb, 1235u);
    EXPECT_EQ(Create(index.get(), "t", a, kBase + kDay), ida);
    EXPECT_EQ(Create(index.get(), "t", b, kBase + kDay), idb);
    EXPECT_EQ(index->Labels("t", idb)->ToString(), R"({app="b"})");
    EXPECT_EQ(
        Names(index->Select("t", std::vector{M(MatchType::kEqual, "app", "b")}, kBase, kBase + 1)),
        std::vector<std::string>{R"({app="b"})"});
  }
  auto kv = OpenKv(dir.path());
  auto index = OpenIndex(kv.get(), o);
  EXPECT_EQ(Create(index.get(), "t", b, kBase), idb);
  EXPECT_EQ(Create(index.get(), "t", a, kBase), ida);
  idc = Create(index.get(), "t", c, kBase);
  EXPECT_EQ(idc, 1236u);
  EXPECT_EQ(index->Stats().streams, 3u);
}

TEST(LabelIndexTest, SurvivesReopenThroughTheStore) {
  TempDir dir;
  std::vector<uint64_t> ids;
  {
    auto store = storage::Store::Open(storage::testing::TestOptions(dir.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto index = OpenIndex((*store)->kv());
    for (int i = 0; i < 50; ++i) {
      auto ls = L("{app=\"a" + std::to_string(i % 5) + "\", i=\"" + std::to_string(i) + "\"}");
      ids.push_back(Create(index.get(), "t", ls, kBase + (i % 3) * kDay));
    }
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = storage::Store::Open(storage::testing::TestOptions(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto index = OpenIndex((*store)->kv());
  EXPECT_EQ(index->Stats().streams, 50u);
  EXPECT_EQ(index->Stats().memberships, 50u);
  EXPECT_EQ(*index->LabelValues("t", "app", kBase, kBase + 3 * kDay),
            (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4"}));
  EXPECT_EQ(index
                ->Select("t", std::vector{M(MatchType::kEqual, "app", "a0")}, kBase + kDay,
                         kBase + 2 * kDay)
                ->size(),
            3u);  // i = 5, 20, 35
  EXPECT_EQ(index->Labels("t", ids[7])->Get("i"), "7");
  // A different bucket width would misread the rows.
  IndexOptions hourly;
  hourly.bucket_width_ns = 3600 * kSec;
  EXPECT_TRUE(LabelIndex::Open((*store)->kv(), hourly).status().IsInvalidArgument());
}

TEST(LabelIndexTest, LabelNamesValuesAndSeries) {
  TempDir dir;
  auto kv = OpenKv(dir.path());
  auto index = OpenIndex(kv.get());
  Create(index.get(), "t", L(R"({app="web", env="prod"})"), kBase);
  Create(index.get(), "t", L(R"({app="api", team="core"})"), kBase + kDay);
  Create(index.get(), "t", L(R"({app="db", env="dev"})"), kBase + kDay);
  EXPECT_EQ(*index->LabelNames("t", kBase, kBase + 1), (std::vector<std::string>{"app", "env"}));
  EXPECT_EQ(*index->LabelNames("t", kBase, kBase + 2 * kDay),
            (std::vector<std::string>{"app", "env", "team"}));
  EXPECT_EQ(*index->LabelValues("t", "app", kBase, kBase + 2 * kDay),
            (std::vector<std::string>{"api", "db", "web"}));
  EXPECT_EQ(*index->LabelValues("t", "app", kBase, kBase + 2 * kDay,
                                std::vector{M(MatchType::kRegexMatch, "env", ".+")}),
            (std::vector<std::string>{"db", "web"}));
  EXPECT_FALSE(index
                   ->LabelValues("t", "app", kBase, kBase + 2 * kDay,
                                 std::vector{M(MatchType::kRegexMatch, "env", ".*")})
                   .ok());
  std::vector<std::vector<Matcher>> selectors = {
      {M(MatchType::kEqual, "app", "web")},
      {M(MatchType::kRegexMatch, "app", "web|api")},
  };
  EXPECT_EQ(
      Names(index->Series("t", selectors, kBase, kBase + 2 * kDay)),
      (std::vector<std::string>{R"({app="api", team="core"})", R"({app="web", env="prod"})"}));
}

// Random streams over five days, random selectors: the index agrees with a brute-force scan.
TEST(LabelIndexTest, AgreesWithBruteForceReference) {
  TempDir dir;
  auto kv = OpenKv(dir.path());
  auto index = OpenIndex(kv.get());
  std::mt19937_64 rng(2024);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  struct Ref {
    LabelSet labels;
    std::set<int> days;
  };
  std::map<uint64_t, Ref> ref;
  for (int i = 0; i < 3000; ++i) {
    std::vector<Label> labels = {{"app", "app-" + std::to_string(pick(12))},
                                 {"env", std::vector<std::string>{"prod", "dev", "qa"}[pick(3)]},
                                 {"pod", "pod-" + std::to_string(i)}};
    if (pick(2) == 0) labels.push_back({"team", "t" + std::to_string(pick(4))});
    if (pick(5) == 0) labels.push_back({"region", "r" + std::to_string(pick(3))});
    auto ls = LabelSet::FromLabels(labels);
    ASSERT_TRUE(ls.ok());
    for (int k = 0, n = 1 + pick(3); k < n; ++k) {
      int day = pick(5);
      uint64_t id = Create(index.get(), "t", *ls, kBase + day * kDay + pick(86400) * kSec);
      auto [it, inserted] = ref.try_emplace(id, Ref{*ls, {}});
      ASSERT_EQ(it->second.labels, *ls);
      it->second.days.insert(day);
    }
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>> vocab = {
      {"app", {"app-1", "app-3", "app-11", "app-.*", "app-1|app-2", "app-(1|2)", ".+", ".*", ""}},
      {"env", {"prod", "dev", "prod|qa", "d.*", "", ".+"}},
      {"team", {"t0", "t1|t3", "", ".+", "t.", "x|"}},
      {"region", {"r0", "", ".+", "r[12]"}},
      {"pod", {"pod-7", "pod-1.*", "pod-42|pod-43|pod-9999"}},
      {"none", {"", "x", ".*"}},
  };
  int checked = 0, refused = 0, nonempty = 0;
  for (int q = 0; q < 400; ++q) {
    std::vector<Matcher> ms;
    for (int k = 0, n = 1 + pick(3); k < n; ++k) {
      const auto& [name, values] = vocab[pick(static_cast<int>(vocab.size()))];
      // Picked in separate statements: the order in which function arguments are evaluated
      // differs between GCC and clang, and the queries must be the same under both.
      const std::string& value = values[pick(values.size())];
      auto type = static_cast<MatchType>(pick(4));
      ms.push_back(M(type, name, value));
    }
    int from_day = pick(6) - 1, len = 1 + pick(3);
    int64_t from = kBase + from_day * kDay + pick(2) * kDay / 2;
    int64_t to = from + len * kDay / 2;
    std::string trace;
    for (const Matcher& m : ms) trace += m.ToString() + " ";
    SCOPED_TRACE(trace + std::to_string(from_day) + "/" + std::to_string(len));
    bool any_nonempty =
        std::any_of(ms.begin(), ms.end(), [](const Matcher& m) { return !m.MatchesEmpty(); });
    auto got = index->Select("t", ms, from, to);
    if (!any_nonempty) {
      EXPECT_FALSE(got.ok());
      ++refused;
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::vector<uint64_t> want;
    std::set<std::string> want_values;
    for (const auto& [id, r] : ref) {
      bool in_range = false;
      for (int d : r.days) {
        int64_t start = kBase + d * kDay;
        in_range |= start < to && from < start + kDay;
      }
      const auto& labels = r.labels;  // clang 14 can't capture a structured binding
      bool match = std::all_of(ms.begin(), ms.end(),
                               [&](const Matcher& m) { return m.Matches(labels.Get(m.name())); });
      if (in_range && match) {
        want.push_back(id);
        if (!r.labels.Get("team").empty()) want_values.emplace(r.labels.Get("team"));
      }
    }
    std::vector<uint64_t> got_ids;
    for (const StreamRef& s : *got) got_ids.push_back(s.id);
    ASSERT_EQ(got_ids, want);
    nonempty += !want.empty();
    auto values = index->LabelValues("t", "team", from, to, ms);
    ASSERT_TRUE(values.ok());
    EXPECT_EQ(*values, std::vector<std::string>(want_values.begin(), want_values.end()));
    ++checked;
  }
  EXPECT_GT(checked, 250);
  EXPECT_GT(refused, 5);
  EXPECT_GT(nonempty, 100);
}

}  // namespace
}  // namespace sawmill::index
