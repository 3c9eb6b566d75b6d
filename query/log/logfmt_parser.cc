#include "query/log/logfmt_parser.h"

#include "index/labels.h"
#include "query/log/label_name.h"
#include "query/log/logfmt_decoder.h"

namespace sawmill::query::log {
namespace {

class LogfmtParser final : public Stage {
 public:
  explicit LogfmtParser(LogfmtOptions o) : o_(o), loki3_(o.strict || o.keep_empty) {}

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    LogfmtDecoder dec(*line);
    thread_local std::string name;
    while (!dec.Eol()) {
      if (!dec.ScanKeyval()) {
        if (!loki3_ || o_.strict) break;
        continue;
      }
      name.clear();
      AppendSanitizedLabelName(&name, dec.key(), true);
      if (name.empty()) continue;
      if (lbs->BaseHas(name)) name.append(kDuplicateSuffix);
      std::string_view value = dec.value();
      if (ContainsRuneError(value)) value = {};
      if (loki3_ && !o_.keep_empty && value.empty()) continue;
      lbs->Set(lbs->arena().Copy(name), lbs->arena().Copy(value));
    }
    if (!dec.err().empty() && (!loki3_ || o_.strict)) {
      lbs->SetErr(kLogfmtParserErr);
      lbs->SetErrDetails(lbs->arena().Copy(dec.err()));
    }
    return true;
  }

 private:
  LogfmtOptions o_;
  bool loki3_;
};

class LogfmtExpressionParser final : public Stage {
 public:
  LogfmtExpressionParser(std::vector<std::pair<std::string, std::string>> e, LogfmtOptions o)
      : e_(std::move(e)), o_(o) {}

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    for (const auto& [id, key] : e_) {
      if (!lbs->BaseHas(id)) lbs->Set(id, {});
    }
    LogfmtDecoder dec(*line);
    thread_local std::string name;
    while (!dec.Eol()) {
      if (!dec.ScanKeyval()) {
        if (o_.keep_empty && !o_.strict) continue;
        break;
      }
      name.clear();
      AppendSanitizedLabelName(&name, dec.key(), true);
      if (name.empty()) continue;
      for (const auto& [id, key] : e_) {
        if (key != name) continue;
        std::string label = id;
        if (lbs->BaseHas(label)) label.append(kDuplicateSuffix);
        std::string_view value = dec.value();
        if (ContainsRuneError(value)) value = {};
        lbs->Set(lbs->arena().Copy(label), lbs->arena().Copy(value));
      }
    }
    if (!dec.err().empty() && !(o_.keep_empty && !o_.strict)) {
      lbs->SetErr(kLogfmtParserErr);
      lbs->SetErrDetails(lbs->arena().Copy(dec.err()));
    }
    return true;
  }

 private:
  std::vector<std::pair<std::string, std::string>> e_;
  LogfmtOptions o_;
};

}  // namespace

StagePtr LogfmtParserStage(LogfmtOptions options) {
  return std::make_unique<LogfmtParser>(options);
}

Result<StagePtr> LogfmtExpressionParserStage(
    const std::vector<std::pair<std::string, std::string>>& extractions, LogfmtOptions options) {
  for (const auto& [id, key] : extractions) {
    if (!index::IsValidLabelName(id)) {
      return Status::InvalidArgument("invalid extracted label name '" + id + "'");
    }
  }
  return StagePtr(std::make_unique<LogfmtExpressionParser>(extractions, options));
}

}  // namespace sawmill::query::log
