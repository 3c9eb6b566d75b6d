// libFuzzer target for the log pipeline's parsers: json, json with paths, logfmt (each flag
// combination), unpack, pattern and regexp stages, the pattern/ip line filters, and the
// logfmt picker (the unwrap fast path's scanner) checked against LogfmtDecoder. The
// first byte picks the stage; for the ones that take a parameter (pattern, paths, ip) the
// input's first line is the parameter and the rest the log line. Any input must leave a
// consistent result: no crash, no sanitizer report, labels that print.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/log/json_parser.h"
#include "query/log/json_scan.h"
#include "query/log/label_name.h"
#include "query/log/line_filter.h"
#include "query/log/logfmt_decoder.h"
#include "query/log/logfmt_parser.h"
#include "query/log/logfmt_picker.h"
#include "query/log/regexp_parser.h"
#include "query/log/stage_pipeline.h"

namespace log = sawmill::query::log;

namespace {

void Run(log::StagePtr stage, std::string_view line) {
  static const sawmill::index::LabelSet* labels = [] {
    return new sawmill::index::LabelSet(
        std::move(sawmill::index::LabelSet::Parse(R"({app="fuzz", level="info"})")).value());
  }();
  std::vector<log::StagePtr> stages;
  stages.push_back(std::move(stage));
  auto pipeline = log::NewStagePipeline(std::move(stages));
  auto sp = pipeline->ForStream(*labels);
  log::LineResult r;
  for (int i = 0; i < 2; ++i) {  // twice: the second run goes through the result cache
    if (sp->Process(i, line, "", &r)) {
      std::string s = r.labels->ToString();
      if (s.empty() || r.stream == nullptr) __builtin_trap();
    }
  }
}

// What LogfmtPicker must answer, from the general decoder (the engine's former ScanLogfmt):
// false on a syntax error or a "__" label name, else each name's last value.
bool PickReference(std::string_view line, const std::vector<std::string>& names,
                   std::vector<std::string>* values) {
  values->assign(names.size(), "");
  log::LogfmtDecoder dec(line);
  std::string name;
  while (!dec.Eol()) {
    if (!dec.ScanKeyval()) break;
    name.clear();
    log::AppendSanitizedLabelName(&name, dec.key(), true);
    if (name.empty()) continue;
    if (name.starts_with("__")) return false;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != name) continue;
      (*values)[i] = log::ContainsRuneError(dec.value()) ? "" : std::string(dec.value());
      break;
    }
  }
  return dec.err().empty();
}

// LogfmtUnquote as it was before its no-copy path: the reference for the current one.
bool UnquoteReference(std::string_view quoted, std::string* out) {
  std::string_view in = quoted.substr(1, quoted.size() - 2);
  std::string tmp;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 1 < in.size() && in[i + 1] == '\'') {
      tmp.push_back('\'');
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(in[i]) < ' ') return false;
    tmp.push_back(in[i]);
  }
  return log::json::UnescapeJsonString(tmp, out);
}

void CheckPicker(uint8_t which, std::string_view line) {
  {
    const std::string quoted = "\"" + std::string(line) + "\"";
    std::string got, want;
    const bool ok = log::LogfmtUnquote(quoted, &got);
    if (ok != UnquoteReference(quoted, &want) || (ok && got != want)) __builtin_trap();
  }
  static const char* kNames[] = {"a", "duration", "to_ok", "_1x", "level", "msg"};
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    if (which & (1 << i)) names.push_back(kNames[i]);
  }
  if (names.empty()) names.push_back("a");
  log::LogfmtPicker picker(names);
  std::vector<std::string> want;
  for (int round = 0; round < 2; ++round) {  // twice: buffers are reused
    const bool ok = picker.Pick(line);
    if (ok != PickReference(line, names, &want)) __builtin_trap();
    if (!ok) continue;
    for (size_t i = 0; i < names.size(); ++i) {
      if (picker.value(i) != want[i]) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t kind = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t nl = in.find('\n');
  std::string_view param = nl == std::string_view::npos ? in : in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  switch (kind % 11) {
    case 0:
      Run(log::JsonParserStage(), in);
      break;
    case 1:
      Run(log::LogfmtParserStage(), in);
      break;
    case 2:
      Run(log::LogfmtParserStage({.strict = true, .keep_empty = false}), in);
      break;
    case 3:
      Run(log::LogfmtParserStage({.strict = false, .keep_empty = true}), in);
      break;
    case 4:
      Run(log::UnpackParserStage(), in);
      break;
    case 5: {
      auto s = log::PatternParserStage(param);
      if (s.ok()) Run(std::move(s).value(), rest);
      auto f = log::PatternLineMatcher(param);
      if (f.ok()) (*f)->Matches(rest);
      break;
    }
    case 6: {
      auto s = log::JsonExpressionParserStage({{"a", std::string(param)}, {"b", "x.y[1]"}});
      if (s.ok()) Run(std::move(s).value(), rest);
      break;
    }
    case 7: {
      auto s = log::LogfmtExpressionParserStage({{"a", std::string(param)}, {"b", "level"}});
      if (s.ok()) Run(std::move(s).value(), rest);
      break;
    }
    case 8: {
      auto f = log::IpLineMatcher(param);
      if (f.ok()) (*f)->Matches(rest);
      break;
    }
    case 9: {
      auto f = log::RegexMatcher(param);
      if (f.ok()) (*f)->Matches(rest);
      break;
    }
    case 10:  // the second byte picks the wanted names
      if (!in.empty()) CheckPicker(static_cast<uint8_t>(in[0]), in.substr(1));
      break;
  }
  return 0;
}
