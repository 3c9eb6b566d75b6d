// One step of a compiled log pipeline: a line filter, a parser, a label filter, a formatter.
// Stages are immutable once built and shared by every stream of a query (so by several
// threads); whatever they produce for one entry goes into the entry's LabelsBuilder and its
// arena. Loki's Stage (pkg/logql/log/pipeline.go).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "query/log/labels_builder.h"

namespace sawmill::query::log {

class LineMatcher;  // line_filter.h

class Stage {
 public:
  virtual ~Stage() = default;
  // Runs on one entry. `line` may be replaced by a view into lbs->arena() (or any storage
  // valid until the builder's next Reset()). Returns false to drop the entry.
  virtual bool Process(int64_t ts_ns, std::string_view* line, LabelsBuilder* lbs) const = 0;
  // True for line filters: they neither read nor change labels.
  virtual bool IsLineFilter() const { return false; }
  // A line filter's matcher (null for other stages).
  virtual const LineMatcher* line_matcher() const { return nullptr; }
};

using StagePtr = std::unique_ptr<Stage>;

}  // namespace sawmill::query::log
