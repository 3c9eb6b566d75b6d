#include "query/log/drop_keep.h"

#include <re2/re2.h>

#include <utility>

namespace sawmill::query::log {
namespace {

class Drop final : public Stage {
 public:
  explicit Drop(std::vector<LabelRef> l) : l_(std::move(l)) {}
  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs) const override {
    for (const LabelRef& r : l_) {
      if (!r.matcher.has_value()) {
        lbs->Del(r.name);
        continue;
      }
      std::optional<std::string_view> v = lbs->Get(r.matcher->name());
      if (v.has_value() && r.matcher->Matches(*v)) lbs->Del(r.matcher->name());
    }
    return true;
  }

 private:
  std::vector<LabelRef> l_;
};

class Keep final : public Stage {
 public:
  explicit Keep(std::vector<LabelRef> l) : l_(std::move(l)) {}
  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs) const override {
    if (l_.empty()) return true;
    thread_local std::vector<std::string_view> del;
    del.clear();
    for (const LabelsBuilder::Entry& e : lbs->entries()) {
      bool keep = false;
      for (const LabelRef& r : l_) {
        if (r.matcher.has_value()) {
          if (r.matcher->name() == e.name && r.matcher->Matches(e.value)) keep = true;
        } else if (r.name == e.name) {
          keep = true;
        }
        if (keep) break;
      }
      if (!keep) del.push_back(e.name);
    }
    for (std::string_view name : del) lbs->Del(name);
    return true;
  }

 private:
  std::vector<LabelRef> l_;
};

class Decolorize final : public Stage {
 public:
  Decolorize()
      : re_("[\\x1b\\x{9b}][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x07)|"
            "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))") {}
  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    // Cheap test first: most lines have no escape at all.
    if (line->find('\x1b') == std::string_view::npos &&
        line->find("\xc2\x9b") == std::string_view::npos) {
      return true;
    }
    std::string s(*line);
    RE2::GlobalReplace(&s, re_, "");
    *line = lbs->arena().Copy(s);
    return true;
  }

 private:
  RE2 re_;
};

}  // namespace

StagePtr DropLabelsStage(std::vector<LabelRef> labels) {
  return std::make_unique<Drop>(std::move(labels));
}

StagePtr KeepLabelsStage(std::vector<LabelRef> labels) {
  return std::make_unique<Keep>(std::move(labels));
}

StagePtr DecolorizeStage() { return std::make_unique<Decolorize>(); }

}  // namespace sawmill::query::log
