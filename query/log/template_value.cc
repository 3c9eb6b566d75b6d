#include "query/log/template_value.h"

#include "query/log/go_format.h"
#include "query/log/template_helpers.h"

namespace sawmill::query::log::tmpl {

using K = Value::Kind;

std::string TypeName(const Value& v) {
  switch (v.kind) {
    case K::kInvalid:
      return "<nil>";
    case K::kNil:
      return "<nil>";
    case K::kString:
      return "string";
    case K::kInt:
      return "int";
    case K::kFloat:
      return "float64";
    case K::kBool:
      return "bool";
    case K::kTime:
      return "time.Time";
    case K::kMap:
      return "map[string]interface {}";
    case K::kList:
      return "[]interface {}";
  }
  return "?";
}

std::string ToText(const Value& v) {
  switch (v.kind) {
    case K::kInvalid:
      return "<no value>";
    case K::kNil:
      return "<nil>";
    case K::kString:
      return v.s;
    case K::kInt:
      return std::to_string(v.i);
    case K::kFloat:
      return GoFormatFloat(v.f);
    case K::kBool:
      return v.b ? "true" : "false";
    case K::kTime:
      return GoFormatTime("2006-01-02 15:04:05.999999999 -0700 MST", v.i, v.nanos);
    case K::kMap: {
      if (v.map == nullptr) return "map[]";
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, e] : *v.map) {
        if (!first) out += " ";
        first = false;
        out += k + ":" + ToText(e);
      }
      return out + "]";
    }
    case K::kList: {
      if (v.list == nullptr) return "[]";
      std::string out = "[";
      for (size_t i = 0; i < v.list->size(); ++i) {
        if (i > 0) out += " ";
        out += ToText((*v.list)[i]);
      }
      return out + "]";
    }
  }
  return "";
}

bool Truth(const Value& v) { return !Empty(v) || v.kind == K::kTime; }

}  // namespace sawmill::query::log::tmpl
