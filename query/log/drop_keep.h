// `drop` and `keep` (Loki's DropLabels/KeepLabels) and `decolorize` (LineColorRemover).
//   drop a, b="x", c=~"y.*"   removes a, and b/c when their value matches
//   keep a, b="x"             removes every label but a (and b when it matches); __error__ and
//                             __error_details__ are always kept
//   decolorize                strips ANSI color/escape sequences from the line
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "index/matcher.h"
#include "query/log/stage.h"

namespace sawmill::query::log {

// One item of a drop/keep list: a bare name, or a matcher on a name.
struct LabelRef {
  std::string name;
  std::optional<index::Matcher> matcher;
};

StagePtr DropLabelsStage(std::vector<LabelRef> labels);
StagePtr KeepLabelsStage(std::vector<LabelRef> labels);
StagePtr DecolorizeStage();

}  // namespace sawmill::query::log
