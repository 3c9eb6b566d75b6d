#include "query/log/pipeline.h"

#include <gtest/gtest.h>

namespace sawmill::query::log {
namespace {

TEST(NoopPipelineTest, PassesEveryLineWithItsStreamLabels) {
  auto labels = index::LabelSet::Parse(R"({app="web"})");
  ASSERT_TRUE(labels.ok());
  auto pipeline = NoopPipeline();
  EXPECT_TRUE(pipeline->IsLineFilterOnly());
  auto stream = pipeline->ForStream(*labels);
  LineResult out;
  ASSERT_TRUE(stream->Process(1, "hello", "", &out));
  EXPECT_EQ(out.line, "hello");
  EXPECT_EQ(out.labels->ToString(), R"({app="web"})");
}

}  // namespace
}  // namespace sawmill::query::log
