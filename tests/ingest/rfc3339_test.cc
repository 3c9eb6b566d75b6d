#include "ingest/rfc3339.h"

#include <gtest/gtest.h>

#include <string>

namespace sawmill::ingest {
namespace {

TEST(Rfc3339Test, ParsesWhatGoWrites) {
  struct Case {
    std::string in;
    int64_t want;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"2019-09-13T18:32:22.380001319Z", 1568399542380001319},
      {"2019-09-13T18:32:22Z", 1568399542000000000},
      {"2019-09-13T18:32:22.38Z", 1568399542380000000},
      {"2019-09-13T20:32:22.38+02:00", 1568399542380000000},
      {"2019-09-13T16:02:22.38-02:30", 1568399542380000000},
      {"2019-09-13T18:32:22,5Z", 1568399542500000000},
      {"2019-09-13T18:32:22.1234567891234Z", 1568399542123456789},  // digits past 9 dropped
      {"2024-02-29T00:00:00Z", 1709164800000000000},
      {"1969-12-31T23:59:59.999999999Z", -1},
      {"2262-04-11T23:47:16.854775807Z", INT64_MAX},
      {"1677-09-21T00:12:43.145224192Z", INT64_MIN},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    int64_t got = 0;
    ASSERT_TRUE(ParseRfc3339Nanos(c.in, &got));
    EXPECT_EQ(got, c.want);
  }
}

TEST(Rfc3339Test, RejectsWhatGoRejects) {
  const std::string bad[] = {
      "",
      "2019-09-13",
      "2019-09-13 18:32:22Z",
      "2019-09-13t18:32:22Z",
      "2019-09-13T18:32:22",
      "2019-09-13T18:32:22.Z",
      "2019-13-13T18:32:22Z",
      "2019-02-29T18:32:22Z",
      "2019-09-31T18:32:22Z",
      "2019-09-13T24:00:00Z",
      "2019-09-13T18:60:00Z",
      "2019-09-13T18:32:60Z",
      "2019-09-13T18:32:22+0200",
      "2019-09-13T18:32:22+24:00",
      "2019-09-13T18:32:22Zjunk",
      "19-09-13T18:32:22Z",
      "2262-04-11T23:47:16.854775808Z",
      "1677-09-21T00:12:43.145224191Z",
      "1568399542380001319",
  };
  for (const std::string& s : bad) {
    SCOPED_TRACE(s);
    int64_t got = 0;
    EXPECT_FALSE(ParseRfc3339Nanos(s, &got));
  }
}

}  // namespace
}  // namespace sawmill::ingest
