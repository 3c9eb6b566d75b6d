// libFuzzer target for the Go text/template engine behind line_format and label_format:
// any input either fails to parse with a Status or runs (as line_format and as a
// label_format template) over a fixed entry without crashing, with bounded output.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/log/line_format.h"
#include "query/log/stage_pipeline.h"

namespace log = sawmill::query::log;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view tmpl(reinterpret_cast<const char*>(data), size);
  static const sawmill::index::LabelSet* labels = [] {
    return new sawmill::index::LabelSet(
        std::move(sawmill::index::LabelSet::Parse(R"({app="fuzz", n="42", f="1.5"})")).value());
  }();
  auto line = log::LineFormatStage(tmpl);
  auto label = log::LabelFormatStage({{"out", std::string(tmpl), false}});
  if (line.ok() != label.ok()) __builtin_trap();
  if (!line.ok()) return 0;
  std::vector<log::StagePtr> stages;
  stages.push_back(std::move(line).value());
  stages.push_back(std::move(label).value());
  auto pipeline = log::NewStagePipeline(std::move(stages));
  auto sp = pipeline->ForStream(*labels);
  log::LineResult r;
  if (sp->Process(1795111200123456789, "a line {\"k\": [1, 2]} 10.0.0.1", "", &r)) {
    if (r.line.size() > (1u << 21)) __builtin_trap();
  }
  return 0;
}
