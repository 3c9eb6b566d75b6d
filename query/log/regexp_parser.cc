#include "query/log/regexp_parser.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "index/labels.h"
#include "query/log/label_name.h"
#include "query/log/pattern.h"

namespace sawmill::query::log {
namespace {

class RegexpParser final : public Stage {
 public:
  RegexpParser(std::unique_ptr<RE2> re, std::vector<std::pair<int, std::string>> names)
      : re_(std::move(re)), names_(std::move(names)) {
    groups_ = re_->NumberOfCapturingGroups() + 1;
  }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    thread_local std::vector<re2::StringPiece> groups;
    groups.assign(static_cast<size_t>(groups_), re2::StringPiece());
    std::string_view l = *line;
    if (!re_->Match(re2::StringPiece(l.data(), l.size()), 0, l.size(), RE2::UNANCHORED,
                    groups.data(), groups_)) {
      return true;
    }
    for (const auto& [i, name] : names_) {
      const re2::StringPiece& g = groups[static_cast<size_t>(i)];
      std::string_view value =
          g.data() == nullptr ? std::string_view() : std::string_view(g.data(), g.size());
      if (lbs->BaseHas(name)) {
        lbs->Set(lbs->arena().Copy(name + std::string(kDuplicateSuffix)), value);
      } else {
        lbs->Set(name, value);
      }
    }
    return true;
  }

 private:
  std::unique_ptr<RE2> re_;
  std::vector<std::pair<int, std::string>> names_;
  int groups_;
};

class PatternParser final : public Stage {
 public:
  explicit PatternParser(PatternMatcher m) : m_(std::move(m)) {
    for (const std::string& n : m_.names()) extracted_.push_back(n + std::string(kDuplicateSuffix));
  }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    thread_local std::vector<std::string_view> matches;
    m_.Matches(*line, &matches);
    for (size_t i = 0; i < matches.size(); ++i) {
      const std::string& name = m_.names()[i];
      lbs->Set(lbs->BaseHas(name) ? extracted_[i] : name, matches[i]);
    }
    return true;
  }

 private:
  PatternMatcher m_;
  std::vector<std::string> extracted_;
};

}  // namespace

Result<StagePtr> RegexpParserStage(std::string_view regex) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(re2::StringPiece(regex.data(), regex.size()), opts);
  if (!re->ok()) return Status::InvalidArgument("error parsing regexp: " + re->error());
  std::vector<std::pair<int, std::string>> names;
  std::set<std::string> seen;
  for (const auto& [name, index] : re->NamedCapturingGroups()) {
    if (!index::IsValidLabelName(name)) {
      return Status::InvalidArgument("invalid extracted label name '" + name + "'");
    }
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("duplicate extracted label name '" + name + "'");
    }
    names.emplace_back(index, name);
  }
  if (names.empty()) {
    return Status::InvalidArgument("at least one named capture must be supplied");
  }
  std::sort(names.begin(), names.end());
  return StagePtr(std::make_unique<RegexpParser>(std::move(re), std::move(names)));
}

Result<StagePtr> PatternParserStage(std::string_view pattern) {
  SAW_ASSIGN_OR_RETURN(PatternMatcher m, PatternMatcher::Parse(pattern, true));
  for (const std::string& n : m.names()) {
    if (!index::IsValidLabelName(n)) {
      return Status::InvalidArgument("invalid capture label name '" + n + "'");
    }
  }
  return StagePtr(std::make_unique<PatternParser>(std::move(m)));
}

}  // namespace sawmill::query::log
