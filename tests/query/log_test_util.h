// Helpers for the table-driven tests of query/log stages: run a list of stages on one line of
// a stream and look at what comes out.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/log/stage.h"
#include "query/log/stage_pipeline.h"

namespace sawmill::query::log::testing {

struct Outcome {
  bool kept = false;
  std::string line;
  std::string labels;  // LabelSet::ToString() of the final labels
};

inline Outcome RunStages(std::vector<StagePtr> stages, std::string_view stream,
                         std::string_view line, int64_t ts = 0, std::string_view metadata = "") {
  auto labels = index::LabelSet::Parse(stream);
  EXPECT_TRUE(labels.ok()) << stream;
  auto pipeline = NewStagePipeline(std::move(stages));
  auto sp = pipeline->ForStream(*labels);
  LineResult r;
  Outcome o;
  o.kept = sp->Process(ts, line, metadata, &r);
  if (o.kept) {
    o.line = std::string(r.line);
    o.labels = r.labels->ToString();
  }
  return o;
}

template <typename... S>
std::vector<StagePtr> Stages(S&&... s) {
  std::vector<StagePtr> v;
  (v.push_back(std::move(s)), ...);
  return v;
}

}  // namespace sawmill::query::log::testing
