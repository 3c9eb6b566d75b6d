// The dynamically typed values a LogQL template computes with: what Go's text/template holds
// in reflect.Values for Loki's templates (label values are strings; functions return ints,
// floats, bools, times, and fromJson maps/lists). kInvalid is Go's "no value" (a missing map
// key), printed "<no value>".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sawmill::query::log::tmpl {

struct Value {
  enum class Kind { kInvalid, kNil, kString, kInt, kFloat, kBool, kTime, kMap, kList };
  Kind kind = Kind::kInvalid;
  std::string s;
  int64_t i = 0;      // kInt; kTime: seconds since the epoch (UTC)
  int64_t nanos = 0;  // kTime: 0..999999999
  double f = 0;
  bool b = false;
  std::shared_ptr<const std::map<std::string, Value>> map;
  std::shared_ptr<const std::vector<Value>> list;

  static Value Str(std::string v) {
    Value x;
    x.kind = Kind::kString;
    x.s = std::move(v);
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Time(int64_t sec, int64_t nanos) {
    Value x;
    x.kind = Kind::kTime;
    x.i = sec;
    x.nanos = nanos;
    return x;
  }
  static Value TimeNs(int64_t ns) {
    int64_t sec = ns / 1000000000, n = ns % 1000000000;
    if (n < 0) n += 1000000000, --sec;
    return Time(sec, n);
  }
  static Value Nil() {
    Value x;
    x.kind = Kind::kNil;
    return x;
  }
};

// Go's fmt %v of a value (what an action prints).
std::string ToText(const Value& v);
// text/template's truth: false, 0, "", nil, empty map/list and no value are false.
bool Truth(const Value& v);
// Go's type name, for error messages ("string", "int", "float64", ...).
std::string TypeName(const Value& v);

}  // namespace sawmill::query::log::tmpl
