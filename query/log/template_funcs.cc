#include "query/log/template_funcs.h"

#include <re2/re2.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "query/log/go_format.h"
#include "query/log/template_helpers.h"
#include "query/log/units.h"

namespace sawmill::query::log::tmpl {
namespace {

using K = Value::Kind;
using Args = std::vector<Value>;
using Fn = std::function<Result<Value>(const Args&, const CallContext&)>;

Status Err(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

// A string argument: Go would refuse other types; we print them (%v) instead.
std::string S(const Value& v) { return v.kind == K::kString ? v.s : ToText(v); }

Result<int64_t> IntArg(const Value& v, std::string_view fn) {
  if (v.kind == K::kInt) return v.i;
  if (v.kind == K::kFloat && v.f == std::floor(v.f) && std::fabs(v.f) < 9e18) {
    return static_cast<int64_t>(v.f);
  }
  return Err("error calling " + std::string(fn) + ": wrong type for value; expected int; got " +
             TypeName(v));
}

Status Need(const Args& a, size_t n, std::string_view fn) {
  if (a.size() != n) {
    return Err("wrong number of args for " + std::string(fn) + ": want " + std::to_string(n) +
               " got " + std::to_string(a.size()));
  }
  return Status::OK();
}

#define NEED(n)                    \
  do {                             \
    Status st_ = Need(a, n, name); \
    if (!st_.ok()) return st_;     \
  } while (0)

Value FromJson(const nlohmann::json& j, int depth) {
  if (depth > 64) return Value::Nil();
  if (j.is_null()) return Value::Nil();
  if (j.is_boolean()) return Value::Bool(j.get<bool>());
  if (j.is_number()) return Value::Float(j.get<double>());
  if (j.is_string()) return Value::Str(j.get<std::string>());
  if (j.is_array()) {
    auto list = std::make_shared<std::vector<Value>>();
    for (const auto& e : j) list->push_back(FromJson(e, depth + 1));
    Value v;
    v.kind = K::kList;
    v.list = list;
    return v;
  }
  auto map = std::make_shared<std::map<std::string, Value>>();
  for (auto it = j.begin(); it != j.end(); ++it) (*map)[it.key()] = FromJson(it.value(), depth + 1);
  Value v;
  v.kind = K::kMap;
  v.map = map;
  return v;
}

std::string Sprint(const Args& a, bool ln) {
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0 && (ln || (a[i].kind != K::kString && a[i - 1].kind != K::kString))) out += " ";
    out += ToText(a[i]);
  }
  if (ln) out += "\n";
  return out;
}

const std::unordered_map<std::string_view, Fn>& Table() {
  static const auto* table = new std::unordered_map<std::string_view, Fn>{
      // text/template builtins
      {"not", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "not";
         NEED(1);
         return Value::Bool(!Truth(a[0]));
       }},
      {"len", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "len";
         NEED(1);
         switch (a[0].kind) {
           case K::kString: return Value::Int(static_cast<int64_t>(a[0].s.size()));
           case K::kMap: return Value::Int(a[0].map == nullptr ? 0 : static_cast<int64_t>(a[0].map->size()));
           case K::kList: return Value::Int(static_cast<int64_t>(a[0].list->size()));
           default: return Err("error calling len: len of type " + TypeName(a[0]));
         }
       }},
      {"index", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for index: want at least 1 got 0");
         Value cur = a[0];
         for (size_t i = 1; i < a.size(); ++i) {
           if (cur.kind == K::kMap && cur.map == nullptr) {
             cur = Value();
           } else if (cur.kind == K::kMap) {
             auto it = cur.map->find(S(a[i]));
             cur = it == cur.map->end() ? Value() : it->second;
           } else if (cur.kind == K::kList || cur.kind == K::kString) {
             int64_t idx = ToInt64(a[i]);
             size_t n = cur.kind == K::kList ? cur.list->size() : cur.s.size();
             if (idx < 0 || static_cast<size_t>(idx) >= n) {
               return Err("error calling index: index out of range: " + std::to_string(idx));
             }
             cur = cur.kind == K::kList ? (*cur.list)[static_cast<size_t>(idx)]
                                        : Value::Int(static_cast<uint8_t>(cur.s[static_cast<size_t>(idx)]));
           } else {
             return Err("error calling index: can't index item of type " + TypeName(cur));
           }
         }
         return cur;
       }},
      {"print", [](const Args& a, const CallContext&) -> Result<Value> { return Value::Str(Sprint(a, false)); }},
      {"println", [](const Args& a, const CallContext&) -> Result<Value> { return Value::Str(Sprint(a, true)); }},
      {"printf", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for printf: want at least 1 got 0");
         std::vector<Value> rest(a.begin() + 1, a.end());
         return Value::Str(GoSprintf(S(a[0]), rest));
       }},
      {"urlquery", [](const Args& a, const CallContext&) -> Result<Value> { return Value::Str(QueryEscape(Sprint(a, false))); }},
      {"html", [](const Args& a, const CallContext&) -> Result<Value> { return Value::Str(HtmlEscape(Sprint(a, false))); }},
      {"js", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string out;
         for (char c : Sprint(a, false)) {
           switch (c) {
             case '\\': out += "\\\\"; break;
             case '\'': out += "\\'"; break;
             case '"': out += "\\\""; break;
             case '<': out += "\\u003C"; break;
             case '>': out += "\\u003E"; break;
             case '&': out += "\\u0026"; break;
             case '=': out += "\\u003D"; break;
             case '\n': out += "\\u000A"; break;
             case '\r': out += "\\u000D"; break;
             case '\t': out += "\\u0009"; break;
             default: out.push_back(c);
           }
         }
         return Value::Str(out);
       }},
      {"eq", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.size() < 2) return Err("error calling eq: missing argument for comparison");
         for (size_t i = 1; i < a.size(); ++i) {
           auto c = CompareValues(a[0], a[i], false);
           if (!c.ok()) return Err("error calling eq: " + c.status().message());
           if (*c == 0) return Value::Bool(true);
         }
         return Value::Bool(false);
       }},
      {"ne", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "ne";
         NEED(2);
         auto c = CompareValues(a[0], a[1], false);
         if (!c.ok()) return Err("error calling ne: " + c.status().message());
         return Value::Bool(*c != 0);
       }},
      {"lt", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "lt";
         NEED(2);
         auto c = CompareValues(a[0], a[1], true);
         if (!c.ok()) return Err("error calling lt: " + c.status().message());
         return Value::Bool(*c < 0);
       }},
      {"le", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "le";
         NEED(2);
         auto c = CompareValues(a[0], a[1], true);
         if (!c.ok()) return Err("error calling le: " + c.status().message());
         return Value::Bool(*c <= 0);
       }},
      {"gt", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "gt";
         NEED(2);
         auto c = CompareValues(a[0], a[1], true);
         if (!c.ok()) return Err("error calling gt: " + c.status().message());
         return Value::Bool(*c > 0);
       }},
      {"ge", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "ge";
         NEED(2);
         auto c = CompareValues(a[0], a[1], true);
         if (!c.ok()) return Err("error calling ge: " + c.status().message());
         return Value::Bool(*c >= 0);
       }},
      // Loki's own
      {"__line__", [](const Args&, const CallContext& c) -> Result<Value> { return Value::Str(std::string(c.line)); }},
      {"__timestamp__", [](const Args&, const CallContext& c) -> Result<Value> { return Value::TimeNs(c.ts_ns); }},
      {"ToLower", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "ToLower"; NEED(1); return Value::Str(Lower(S(a[0]))); }},
      {"ToUpper", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "ToUpper"; NEED(1); return Value::Str(Upper(S(a[0]))); }},
      {"Replace", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "Replace";
         NEED(4);
         SAW_ASSIGN_OR_RETURN(int64_t n, IntArg(a[3], name));
         return Value::Str(ReplaceAll(S(a[0]), S(a[1]), S(a[2]), n));
       }},
      {"Trim", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "Trim"; NEED(2); return Value::Str(TrimCut(S(a[0]), S(a[1]), true, true)); }},
      {"TrimLeft", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "TrimLeft"; NEED(2); return Value::Str(TrimCut(S(a[0]), S(a[1]), true, false)); }},
      {"TrimRight", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "TrimRight"; NEED(2); return Value::Str(TrimCut(S(a[0]), S(a[1]), false, true)); }},
      {"TrimPrefix", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "TrimPrefix"; NEED(2);
         std::string s = S(a[0]), p = S(a[1]);
         return Value::Str(s.starts_with(p) ? s.substr(p.size()) : s);
       }},
      {"TrimSuffix", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "TrimSuffix"; NEED(2);
         std::string s = S(a[0]), p = S(a[1]);
         return Value::Str(s.ends_with(p) ? s.substr(0, s.size() - p.size()) : s);
       }},
      {"TrimSpace", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "TrimSpace"; NEED(1); return Value::Str(TrimSpace(S(a[0]))); }},
      {"regexReplaceAll", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "regexReplaceAll"; NEED(3);
         std::string err;
         auto re = Regex(S(a[0]), &err);
         if (re == nullptr) return Err("error calling regexReplaceAll: " + err);
         return Value::Str(RegexReplace(*re, S(a[1]), S(a[2]), false));
       }},
      {"regexReplaceAllLiteral", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "regexReplaceAllLiteral"; NEED(3);
         std::string err;
         auto re = Regex(S(a[0]), &err);
         if (re == nullptr) return Err("error calling regexReplaceAllLiteral: " + err);
         return Value::Str(RegexReplace(*re, S(a[1]), S(a[2]), true));
       }},
      {"count", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "count"; NEED(2);
         std::string err;
         auto re = Regex(S(a[0]), &err);
         if (re == nullptr) return Err("error calling count: " + err);
         return Value::Int(static_cast<int64_t>(RegexCount(*re, S(a[1]))));
       }},
      {"urlencode", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "urlencode"; NEED(1); return Value::Str(QueryEscape(S(a[0]))); }},
      {"urldecode", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "urldecode"; NEED(1);
         auto r = QueryUnescape(S(a[0]));
         if (!r.ok()) return Err("error calling urldecode: " + r.status().message());
         return Value::Str(*r);
       }},
      {"bytes", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "bytes"; NEED(1);
         uint64_t b;
         std::string err;
         if (!ParseHumanBytes(S(a[0]), &b, &err)) return Err("error calling bytes: " + err);
         return Value::Float(static_cast<double>(b));
       }},
      {"duration", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "duration"; NEED(1);
         int64_t d;
         std::string err;
         if (!ParseGoDuration(S(a[0]), &d, &err)) return Err("error calling duration: " + err);
         return Value::Float(static_cast<double>(d) / 1e9);
       }},
      {"duration_seconds", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "duration_seconds"; NEED(1);
         int64_t d;
         std::string err;
         if (!ParseGoDuration(S(a[0]), &d, &err)) return Err("error calling duration_seconds: " + err);
         return Value::Float(static_cast<double>(d) / 1e9);
       }},
      {"unixEpoch", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "unixEpoch"; NEED(1);
         int64_t s, n;
         if (!TimeArg(a[0], &s, &n)) return Err("error calling unixEpoch: wrong type for value; expected time.Time; got " + TypeName(a[0]));
         return Value::Str(std::to_string(s));
       }},
      {"unixEpochMillis", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "unixEpochMillis"; NEED(1);
         int64_t s, n;
         if (!TimeArg(a[0], &s, &n)) return Err("error calling unixEpochMillis: wrong type for value; expected time.Time; got " + TypeName(a[0]));
         return Value::Str(std::to_string(WrapAdd(WrapMul(s, 1000), n / 1000000)));
       }},
      {"unixEpochNanos", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "unixEpochNanos"; NEED(1);
         int64_t s, n;
         if (!TimeArg(a[0], &s, &n)) return Err("error calling unixEpochNanos: wrong type for value; expected time.Time; got " + TypeName(a[0]));
         return Value::Str(std::to_string(WrapAdd(WrapMul(s, 1000000000), n)));
       }},
      {"unixToTime", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "unixToTime"; NEED(1);
         std::string s = S(a[0]);
         int64_t v = 0;
         std::string err;
         double f;
         bool digits = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
         if (!digits || !ParseGoFloat(s, &f, &err)) return Err("error calling unixToTime: unable to parse timestamp " + GoQuote(s));
         v = std::strtoll(s.c_str(), nullptr, 10);
         switch (s.size()) {
           case 10: return Value::Time(v, 0);
           case 13: return Value::Time(v / 1000, (v % 1000) * 1000000);
           case 16: return Value::Time(v / 1000000, (v % 1000000) * 1000);
           case 19: return Value::TimeNs(v);
           default: return Err("error calling unixToTime: unable to parse timestamp " + GoQuote(s));
         }
       }},
      {"alignLeft", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "alignLeft"; NEED(2);
         SAW_ASSIGN_OR_RETURN(int64_t count, IntArg(a[0], name));
         std::string s = S(a[1]);
         int64_t l = static_cast<int64_t>(s.size());
         if (count < 0 || count == l) return Value::Str(s);
         if (count > l) return Value::Str(s + std::string(static_cast<size_t>(std::min<int64_t>(count - l, kMaxOutput)), ' '));
         return Value::Str(s.substr(0, static_cast<size_t>(count)));
       }},
      {"alignRight", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "alignRight"; NEED(2);
         SAW_ASSIGN_OR_RETURN(int64_t count, IntArg(a[0], name));
         std::string s = S(a[1]);
         int64_t l = static_cast<int64_t>(s.size());
         if (count < 0 || count == l) return Value::Str(s);
         if (count > l) return Value::Str(std::string(static_cast<size_t>(std::min<int64_t>(count - l, kMaxOutput)), ' ') + s);
         return Value::Str(s.substr(static_cast<size_t>(l - count)));
       }},
      // sprig subset
      {"lower", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "lower"; NEED(1); return Value::Str(Lower(S(a[0]))); }},
      {"upper", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "upper"; NEED(1); return Value::Str(Upper(S(a[0]))); }},
      {"title", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "title"; NEED(1); return Value::Str(Title(S(a[0]))); }},
      {"trunc", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "trunc"; NEED(2);
         SAW_ASSIGN_OR_RETURN(int64_t c, IntArg(a[0], name));
         std::string s = S(a[1]);
         int64_t l = static_cast<int64_t>(s.size());
         if (c < 0 && l + c > 0) return Value::Str(s.substr(static_cast<size_t>(l + c)));
         if (c >= 0 && l > c) return Value::Str(s.substr(0, static_cast<size_t>(c)));
         return Value::Str(s);
       }},
      {"substr", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "substr"; NEED(3);
         SAW_ASSIGN_OR_RETURN(int64_t start, IntArg(a[0], name));
         SAW_ASSIGN_OR_RETURN(int64_t end, IntArg(a[1], name));
         std::string s = S(a[2]);
         int64_t l = static_cast<int64_t>(s.size());
         auto oob = [] { return Err("error calling substr: runtime error: slice bounds out of range"); };
         if (start < 0) {
           if (end < 0 || end > l) return oob();
           return Value::Str(s.substr(0, static_cast<size_t>(end)));
         }
         if (end < 0 || end > l) {
           if (start > l) return oob();
           return Value::Str(s.substr(static_cast<size_t>(start)));
         }
         if (start > end) return oob();
         return Value::Str(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
       }},
      {"contains", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "contains"; NEED(2); return Value::Bool(S(a[1]).find(S(a[0])) != std::string::npos); }},
      {"hasPrefix", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "hasPrefix"; NEED(2); return Value::Bool(S(a[1]).starts_with(S(a[0]))); }},
      {"hasSuffix", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "hasSuffix"; NEED(2); return Value::Bool(S(a[1]).ends_with(S(a[0]))); }},
      {"indent", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "indent"; NEED(2);
         SAW_ASSIGN_OR_RETURN(int64_t n, IntArg(a[0], name));
         std::string pad(static_cast<size_t>(std::clamp<int64_t>(n, 0, 4096)), ' ');
         return Value::Str(pad + ReplaceAll(S(a[1]), "\n", "\n" + pad));
       }},
      {"nindent", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "nindent"; NEED(2);
         SAW_ASSIGN_OR_RETURN(int64_t n, IntArg(a[0], name));
         std::string pad(static_cast<size_t>(std::clamp<int64_t>(n, 0, 4096)), ' ');
         return Value::Str("\n" + pad + ReplaceAll(S(a[1]), "\n", "\n" + pad));
       }},
      {"replace", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "replace"; NEED(3); return Value::Str(ReplaceAll(S(a[2]), S(a[0]), S(a[1]))); }},
      {"repeat", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "repeat"; NEED(2);
         SAW_ASSIGN_OR_RETURN(int64_t n, IntArg(a[0], name));
         std::string s = S(a[1]);
         if (n < 0) return Err("error calling repeat: strings: negative Repeat count");
         if (!s.empty() && static_cast<uint64_t>(n) * s.size() > kMaxOutput) {
           return Err("error calling repeat: output too large");
         }
         std::string out;
         for (int64_t i = 0; i < n; ++i) out += s;
         return Value::Str(out);
       }},
      {"trim", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "trim"; NEED(1); return Value::Str(TrimSpace(S(a[0]))); }},
      {"trimAll", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "trimAll"; NEED(2); return Value::Str(TrimCut(S(a[1]), S(a[0]), true, true)); }},
      {"trimPrefix", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "trimPrefix"; NEED(2);
         std::string s = S(a[1]), p = S(a[0]);
         return Value::Str(s.starts_with(p) ? s.substr(p.size()) : s);
       }},
      {"trimSuffix", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "trimSuffix"; NEED(2);
         std::string s = S(a[1]), p = S(a[0]);
         return Value::Str(s.ends_with(p) ? s.substr(0, s.size() - p.size()) : s);
       }},
      {"int", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "int"; NEED(1); return Value::Int(ToInt64(a[0])); }},
      {"float64", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "float64"; NEED(1); return Value::Float(ToFloat64(a[0])); }},
      {"add", [](const Args& a, const CallContext&) -> Result<Value> {
         int64_t s = 0;
         for (const Value& v : a) s = WrapAdd(s, ToInt64(v));
         return Value::Int(s);
       }},
      {"sub", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "sub"; NEED(2); return Value::Int(WrapSub(ToInt64(a[0]), ToInt64(a[1]))); }},
      {"mul", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for mul: want at least 1 got 0");
         int64_t p = ToInt64(a[0]);
         for (size_t i = 1; i < a.size(); ++i) p = WrapMul(p, ToInt64(a[i]));
         return Value::Int(p);
       }},
      {"div", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "div"; NEED(2);
         int64_t d = ToInt64(a[1]);
         if (d == 0) return Err("error calling div: runtime error: integer divide by zero");
         int64_t n = ToInt64(a[0]);
         if (d == -1) return Value::Int(WrapSub(0, n));  // Go: MinInt64 / -1 wraps
         return Value::Int(n / d);
       }},
      {"mod", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "mod"; NEED(2);
         int64_t d = ToInt64(a[1]);
         if (d == 0) return Err("error calling mod: runtime error: integer divide by zero");
         if (d == -1) return Value::Int(0);
         return Value::Int(ToInt64(a[0]) % d);
       }},
      {"addf", [](const Args& a, const CallContext&) -> Result<Value> {
         double s = 0;
         for (const Value& v : a) s += ToFloat64(v);
         return Value::Float(s);
       }},
      {"subf", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for subf: want at least 1 got 0");
         double s = ToFloat64(a[0]);
         for (size_t i = 1; i < a.size(); ++i) s -= ToFloat64(a[i]);
         return Value::Float(s);
       }},
      {"mulf", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for mulf: want at least 1 got 0");
         double s = ToFloat64(a[0]);
         for (size_t i = 1; i < a.size(); ++i) s *= ToFloat64(a[i]);
         return Value::Float(s);
       }},
      {"divf", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for divf: want at least 1 got 0");
         double s = ToFloat64(a[0]);
         for (size_t i = 1; i < a.size(); ++i) {
           double d = ToFloat64(a[i]);
           if (d == 0) return Err("error calling divf: decimal division by 0");
           s /= d;
         }
         return Value::Float(s);
       }},
      {"max", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for max: want at least 1 got 0");
         int64_t m = ToInt64(a[0]);
         for (const Value& v : a) m = std::max(m, ToInt64(v));
         return Value::Int(m);
       }},
      {"min", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for min: want at least 1 got 0");
         int64_t m = ToInt64(a[0]);
         for (const Value& v : a) m = std::min(m, ToInt64(v));
         return Value::Int(m);
       }},
      {"maxf", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for maxf: want at least 1 got 0");
         double m = ToFloat64(a[0]);
         for (const Value& v : a) m = std::fmax(m, ToFloat64(v));
         return Value::Float(m);
       }},
      {"minf", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for minf: want at least 1 got 0");
         double m = ToFloat64(a[0]);
         for (const Value& v : a) m = std::fmin(m, ToFloat64(v));
         return Value::Float(m);
       }},
      {"ceil", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "ceil"; NEED(1); return Value::Float(std::ceil(ToFloat64(a[0]))); }},
      {"floor", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "floor"; NEED(1); return Value::Float(std::floor(ToFloat64(a[0]))); }},
      {"round", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.size() < 2 || a.size() > 3) return Err("wrong number of args for round: want 2 got " + std::to_string(a.size()));
         double on = a.size() == 3 ? ToFloat64(a[2]) : 0.5;
         double val = ToFloat64(a[0]);
         double pow = std::pow(10, static_cast<double>(ToInt64(a[1])));
         double digit = pow * val;
         double ip;
         double frac = std::modf(digit, &ip);
         double r = frac >= on ? std::ceil(digit) : std::floor(digit);
         return Value::Float(r / pow);
       }},
      {"fromJson", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "fromJson"; NEED(1);
         std::string text = S(a[0]);
         // Bounded nesting: nlohmann's tree is freed recursively.
         int depth = 0, max_depth = 0;
         bool in_string = false;
         for (size_t i = 0; i < text.size(); ++i) {
           char c = text[i];
           if (in_string) {
             if (c == '\\') ++i;
             else if (c == '"') in_string = false;
           } else if (c == '"') {
             in_string = true;
           } else if (c == '{' || c == '[') {
             max_depth = std::max(max_depth, ++depth);
           } else if (c == '}' || c == ']') {
             --depth;
           }
         }
         if (max_depth > 64) return Value::Nil();
         auto j = nlohmann::json::parse(text, nullptr, false);
         if (j.is_discarded()) return Value::Nil();
         return FromJson(j, 0);
       }},
      {"date", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "date"; NEED(2);
         int64_t s = 0, n = 0;
         if (!TimeArg(a[1], &s, &n)) {
           // sprig formats anything else as time.Now()
           auto now = std::chrono::system_clock::now().time_since_epoch();
           int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
           s = ns / 1000000000, n = ns % 1000000000;
         }
         return Value::Str(GoFormatTime(S(a[0]), s, n));
       }},
      {"toDate", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "toDate"; NEED(2);
         int64_t s, n;
         if (!GoParseTime(S(a[0]), S(a[1]), &s, &n)) return Value::Time(-62135596800, 0);
         return Value::Time(s, n);
       }},
      {"toDateInZone", [](const Args& a, const CallContext&) -> Result<Value> {
         std::string_view name = "toDateInZone"; NEED(3);
         int64_t s, n;
         if (!GoParseTime(S(a[0]), S(a[2]), &s, &n)) return Value::Time(-62135596800, 0);
         return Value::Time(s, n);
       }},
      {"now", [](const Args&, const CallContext& c) -> Result<Value> { return Value::TimeNs(c.now_ns); }},
      {"default", [](const Args& a, const CallContext&) -> Result<Value> {
         if (a.empty()) return Err("wrong number of args for default: want at least 1 got 0");
         if (a.size() == 1 || Empty(a[1])) return a[0];
         return a[1];
       }},
      {"b64enc", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "b64enc"; NEED(1); return Value::Str(B64Enc(S(a[0]))); }},
      {"b64dec", [](const Args& a, const CallContext&) -> Result<Value> { std::string_view name = "b64dec"; NEED(1); return Value::Str(B64Dec(S(a[0]))); }},
  };
  return *table;
}

}  // namespace

bool HasFunction(std::string_view name) {
  return name == "and" || name == "or" || Table().count(name) > 0;
}

Result<Value> CallFunction(std::string_view name, const std::vector<Value>& args,
                           const CallContext& ctx) {
  auto it = Table().find(name);
  if (it == Table().end()) return Err("function \"" + std::string(name) + "\" not defined");
  return it->second(args, ctx);
}

}  // namespace sawmill::query::log::tmpl
