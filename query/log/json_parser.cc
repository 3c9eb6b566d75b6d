#include "query/log/json_parser.h"

#include <charconv>

#include "index/labels.h"
#include "query/log/json_scan.h"
#include "query/log/label_name.h"

namespace sawmill::query::log {
namespace {

// A string value as Loki's readValue gives it: unescaped, or "" when unescaping fails or the
// text holds invalid UTF-8 / U+FFFD.
std::string_view ReadString(std::string_view raw, LabelsBuilder* lbs, std::string* buf) {
  if (raw.find('\\') == std::string_view::npos) {
    return ContainsRuneError(raw) ? std::string_view() : raw;
  }
  if (!json::UnescapeJsonString(raw, buf) || ContainsRuneError(*buf)) return {};
  return lbs->arena().Copy(*buf);
}

class JsonParser final : public Stage {
 public:
  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    thread_local std::string prefix, key_buf, value_buf, name;
    prefix.clear();
    std::string_view err = ParseObject(*line, lbs, &prefix, &key_buf, &value_buf, &name, 0);
    if (!err.empty()) {
      lbs->SetErr(kJsonParserErr);
      lbs->SetErrDetails(err);
    }
    return true;
  }

 private:
  static std::string_view ParseObject(std::string_view data, LabelsBuilder* lbs,
                                      std::string* prefix, std::string* key_buf,
                                      std::string* value_buf, std::string* name, int depth) {
    return json::ObjectEach(
        data, key_buf, [&](std::string_view key, const json::Value& v) -> std::string_view {
          switch (v.type) {
            case json::ValueType::kString:
            case json::ValueType::kNumber:
            case json::ValueType::kBoolean: {
              name->clear();
              if (prefix->empty()) {
                AppendSanitizedLabelName(name, key, true);
              } else {
                name->append(*prefix);
                name->push_back('_');
                AppendSanitizedLabelName(name, key, false);
              }
              if (name->empty()) return {};
              if (lbs->BaseHas(*name)) name->append(kDuplicateSuffix);
              std::string_view value = v.data;
              if (v.type == json::ValueType::kString) value = ReadString(v.data, lbs, value_buf);
              lbs->Set(lbs->arena().Copy(*name), value);
              return {};
            }
            case json::ValueType::kObject: {
              if (depth > 64) return {};  // deep nesting: stop descending (bounded stack)
              size_t len = prefix->size();
              if (!prefix->empty()) prefix->push_back('_');
              AppendSanitizedLabelName(prefix, key, prefix->empty());
              std::string_view err =
                  ParseObject(v.data, lbs, prefix, key_buf, value_buf, name, depth + 1);
              prefix->resize(len);
              return err;
            }
            default:
              return {};
          }
        });
  }
};

// A parsed path: object keys and array indexes.
struct PathElem {
  bool index;
  size_t i;
  std::string key;
};

Result<std::vector<PathElem>> ParsePath(std::string_view expr) {
  std::vector<PathElem> path;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument("cannot parse expression [" + std::string(expr) + "]: " + why);
  };
  bool expect_field = true;
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '[') {
      ++i;
      if (i < expr.size() && expr[i] == '"') {
        size_t end = expr.find('"', i + 1);
        if (end == std::string_view::npos || end + 1 >= expr.size() || expr[end + 1] != ']') {
          return fail("syntax error: unterminated string");
        }
        path.push_back({false, 0, std::string(expr.substr(i + 1, end - i - 1))});
        i = end + 2;
      } else {
        size_t end = expr.find(']', i);
        if (end == std::string_view::npos || end == i) return fail("syntax error: unexpected end");
        size_t n = 0;
        auto r = std::from_chars(expr.data() + i, expr.data() + end, n);
        if (r.ec != std::errc() || r.ptr != expr.data() + end) {
          return fail("syntax error: unexpected index");
        }
        path.push_back({true, n, {}});
        i = end + 1;
      }
      expect_field = false;
      continue;
    }
    if (c == '.') {
      if (path.empty() || expect_field) return fail("syntax error: unexpected DOT");
      ++i;
      expect_field = true;
      continue;
    }
    if (!expect_field) return fail("syntax error: unexpected FIELD");
    size_t start = i;
    while (i < expr.size() && expr[i] != '.' && expr[i] != '[') ++i;
    path.push_back({false, 0, std::string(expr.substr(start, i - start))});
    expect_field = false;
  }
  if (path.empty() || expect_field) return fail("syntax error: unexpected end");
  return path;
}

// Finds the value at `path` in `data`. Returns false when absent or malformed.
bool Lookup(std::string_view data, const std::vector<PathElem>& path, json::Value* out) {
  std::string key_buf;
  json::Value cur;
  if (!json::GetValue(data, &cur).empty()) return false;
  for (const PathElem& e : path) {
    bool found = false;
    json::Value next;
    if (e.index) {
      if (cur.type != json::ValueType::kArray) return false;
      std::string_view body = cur.data.substr(1);
      size_t n = 0;
      while (true) {
        size_t t = json::NextToken(body);
        if (t == std::string_view::npos || body[t] == ']') break;
        json::Value v;
        if (!json::GetValue(body, &v).empty()) return false;
        if (n++ == e.i) {
          next = v, found = true;
          break;
        }
        body.remove_prefix(v.end);
        t = json::NextToken(body);
        if (t == std::string_view::npos || body[t] != ',') break;
        body.remove_prefix(t + 1);
      }
    } else {
      if (cur.type != json::ValueType::kObject) return false;
      json::ObjectEach(cur.data, &key_buf,
                       [&](std::string_view key, const json::Value& v) -> std::string_view {
                         if (key != e.key) return {};
                         next = v, found = true;
                         return "found";
                       });
    }
    if (!found) return false;
    cur = next;
  }
  *out = cur;
  return true;
}

class JsonExpressionParser final : public Stage {
 public:
  JsonExpressionParser(std::vector<std::string> ids, std::vector<std::vector<PathElem>> paths)
      : ids_(std::move(ids)), paths_(std::move(paths)) {}

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    std::string_view l = *line;
    if (l.empty()) return true;
    if (l[0] != '"' && l[0] != '{' && l[0] != '[') {
      lbs->SetErr(kJsonParserErr);
      return true;
    }
    for (size_t k = 0; k < ids_.size(); ++k) {
      json::Value v;
      std::string_view name = ids_[k];
      bool base = lbs->BaseHas(name);
      if (Lookup(l, paths_[k], &v)) {
        if (base) name = lbs->arena().Copy(ids_[k] + std::string(kDuplicateSuffix));
        lbs->Set(name, v.type == json::ValueType::kNull ? std::string_view() : v.data);
      } else if (!lbs->Get(name).has_value()) {
        lbs->Set(name, {});
      }
    }
    return true;
  }

 private:
  std::vector<std::string> ids_;
  std::vector<std::vector<PathElem>> paths_;
};

class UnpackParser final : public Stage {
 public:
  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs) const override {
    std::string_view l = *line;
    if (l.empty()) return true;
    if (l[0] != '{') {
      lbs->SetErr(kJsonParserErr);
      lbs->SetErrDetails("expecting json object(6), but it is not");
      return true;
    }
    thread_local std::string key_buf, value_buf;
    thread_local std::vector<std::pair<std::string_view, std::string_view>> found;
    found.clear();
    bool packed = false;
    std::string_view entry;
    std::string_view err = json::ObjectEach(
        l, &key_buf, [&](std::string_view key, const json::Value& v) -> std::string_view {
          if (v.type != json::ValueType::kString) return {};
          if (key == "_entry") {
            if (!json::UnescapeJsonString(v.data, &value_buf)) {
              return json::kMalformedStringEscape;
            }
            entry = lbs->arena().Copy(value_buf);
            packed = true;
            return {};
          }
          std::string name(key);
          if (lbs->BaseHas(name)) name.append(kDuplicateSuffix);
          found.emplace_back(lbs->arena().Copy(name), ReadString(v.data, lbs, &value_buf));
          return {};
        });
    if (!err.empty()) {
      lbs->SetErr(kJsonParserErr);
      lbs->SetErrDetails(err);
      return true;
    }
    if (packed) {
      for (const auto& [name, value] : found) {
        if (index::IsValidLabelName(name)) lbs->Set(name, value);
      }
      *line = entry;
    }
    return true;
  }
};

}  // namespace

StagePtr JsonParserStage() { return std::make_unique<JsonParser>(); }

Result<StagePtr> JsonExpressionParserStage(
    const std::vector<std::pair<std::string, std::string>>& extractions) {
  std::vector<std::string> ids;
  std::vector<std::vector<PathElem>> paths;
  for (const auto& [id, expr] : extractions) {
    SAW_ASSIGN_OR_RETURN(std::vector<PathElem> path, ParsePath(expr));
    if (!index::IsValidLabelName(id)) {
      return Status::InvalidArgument("invalid extracted label name '" + id + "'");
    }
    ids.push_back(id);
    paths.push_back(std::move(path));
  }
  return StagePtr(std::make_unique<JsonExpressionParser>(std::move(ids), std::move(paths)));
}

StagePtr UnpackParserStage() { return std::make_unique<UnpackParser>(); }

}  // namespace sawmill::query::log
