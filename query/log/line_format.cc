#include "query/log/line_format.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "query/log/template_exec.h"
#include "query/log/template_parser.h"

namespace sawmill::query::log {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class LineFormat final : public Stage {
 public:
  explicit LineFormat(tmpl::Template t) : t_(std::move(t)) {}
  bool Process(int64_t ts, std::string_view* line, LabelsBuilder* lbs) const override {
    thread_local std::string out;
    out.clear();
    tmpl::CallContext ctx{*line, ts, NowNs()};
    tmpl::LabelLookup lookup = [lbs](std::string_view name) { return lbs->Get(name); };
    tmpl::LabelEnumerator all = [lbs](const tmpl::LabelVisitor& visit) { lbs->ForEach(visit); };
    Status s = tmpl::ExecuteTemplate(t_, lookup, all, ctx, &out);
    if (!s.ok()) {
      lbs->SetErr(kTemplateFormatErr);
      lbs->SetErrDetails(lbs->arena().Copy(s.message()));
      return true;
    }
    *line = lbs->arena().Copy(out);
    return true;
  }

 private:
  tmpl::Template t_;
};

class LabelFormat final : public Stage {
 public:
  struct Item {
    std::string name;
    std::string source;                       // rename
    std::shared_ptr<const tmpl::Template> t;  // null for a rename
  };
  explicit LabelFormat(std::vector<Item> items) : items_(std::move(items)) {}

  bool Process(int64_t ts, std::string_view* line, LabelsBuilder* lbs) const override {
    thread_local std::vector<std::pair<std::string_view, std::string_view>> snapshot;
    thread_local std::string out;
    bool have_snapshot = false;
    for (const Item& it : items_) {
      if (it.t == nullptr) {
        std::optional<std::string_view> v = lbs->Get(it.source);
        if (!v.has_value()) continue;
        LabelCategory cat = LabelCategory::kParsed;
        for (const LabelsBuilder::Entry& e : lbs->entries()) {
          if (e.name == it.source) cat = e.category;
        }
        std::string_view value = *v;
        lbs->Del(it.source);
        lbs->Set(it.name, value, cat);
        continue;
      }
      if (!have_snapshot) {
        snapshot.clear();
        lbs->ForEach([&](std::string_view n, std::string_view v) { snapshot.emplace_back(n, v); });
        have_snapshot = true;
      }
      out.clear();
      tmpl::CallContext ctx{*line, ts, NowNs()};
      tmpl::LabelLookup lookup = [](std::string_view name) -> std::optional<std::string_view> {
        for (const auto& [n, v] : snapshot) {
          if (n == name) return v;
        }
        return std::nullopt;
      };
      tmpl::LabelEnumerator all = [](const tmpl::LabelVisitor& visit) {
        for (const auto& [n, v] : snapshot) visit(n, v);
      };
      Status s = tmpl::ExecuteTemplate(*it.t, lookup, all, ctx, &out);
      if (!s.ok()) {
        lbs->SetErr(kTemplateFormatErr);
        lbs->SetErrDetails(lbs->arena().Copy(s.message()));
        continue;
      }
      lbs->Set(it.name, lbs->arena().Copy(out));
    }
    return true;
  }

 private:
  std::vector<Item> items_;
};

}  // namespace

Result<StagePtr> LineFormatStage(std::string_view text) {
  SAW_ASSIGN_OR_RETURN(tmpl::Template t, tmpl::ParseTemplate("line", text));
  return StagePtr(std::make_unique<LineFormat>(std::move(t)));
}

Result<StagePtr> LabelFormatStage(const std::vector<LabelFormatSpec>& formats) {
  std::vector<LabelFormat::Item> items;
  for (const LabelFormatSpec& f : formats) {
    LabelFormat::Item it;
    it.name = f.name;
    if (f.rename) {
      it.source = f.value;
    } else {
      SAW_ASSIGN_OR_RETURN(tmpl::Template t, tmpl::ParseTemplate("label", f.value));
      it.t = std::make_shared<const tmpl::Template>(std::move(t));
    }
    items.push_back(std::move(it));
  }
  return StagePtr(std::make_unique<LabelFormat>(std::move(items)));
}

}  // namespace sawmill::query::log
