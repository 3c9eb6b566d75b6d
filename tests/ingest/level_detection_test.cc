// detected_level as Loki's distributor derives it: labels, then metadata, then OTLP's
// severity_number, then the line (JSON, logfmt, keywords).
#include "ingest/level_detection.h"

#include <gtest/gtest.h>

namespace sawmill::ingest {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(LevelDetectionTest, FollowsLokisOrder) {
  struct Case {
    Pairs labels;
    Pairs metadata;
    std::string_view line;
    std::string_view want;
  };
  const Case cases[] = {
      {{}, {{"detected_level", "INFO"}}, "x", ""},  // already there: nothing added
      {{{"level", "WARNING"}}, {{"severity_text", "ERROR"}}, "x", "warn"},
      {{}, {{"severity_text", "Information"}}, "x", "info"},
      {{}, {{"severity_text", "Notice"}}, "x", "Notice"},                // unknown words are kept
      {{}, {{"severity_text", "ERROR"}, {"lvl", "dbg"}}, "x", "debug"},  // lvl outranks it
      {{}, {{"severity_number", "3"}}, "x", "trace"},
      {{}, {{"severity_number", "13"}}, "x", "warn"},
      {{}, {{"severity_number", "24"}}, "x", "fatal"},
      {{}, {{"severity_number", "30"}}, "x", "unknown"},
      {{}, {}, R"({"msg":"x","level":"ERR"})", "error"},
      {{}, {}, R"({"log":{"severity":"trc"}})", "trace"},
      {{}, {}, R"({"a":{"b":{"level":"error"}}})", "unknown"},  // two levels deep only
      {{}, {}, "ts=1 LEVEL=Warn msg=x", "warn"},
      {{}, {}, "ts=1 lvl=debug level=fatal", "fatal"},  // `level` outranks `lvl`
      {{}, {}, "GET / 200 [ERROR] upstream", "error"},
      {{}, {}, "starting up, info follows", "info"},
      {{}, {}, "nothing here", "unknown"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    EXPECT_EQ(DetectLevel(c.labels, c.metadata, c.line), c.want);
  }
}

}  // namespace
}  // namespace sawmill::ingest
