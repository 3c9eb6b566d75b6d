#include "query/log/label_filter.h"

#include <utility>

#include "query/log/ip_matcher.h"
#include "query/log/units.h"

namespace sawmill::query::log {
namespace {

template <typename T>
bool Compare(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
  }
  return false;
}

class StringFilter final : public Stage {
 public:
  explicit StringFilter(index::Matcher m) : m_(std::move(m)) {}
  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs) const override {
    return m_.Matches(lbs->Get(m_.name()).value_or(std::string_view()));
  }

 private:
  index::Matcher m_;
};

// Numeric, duration and bytes comparisons: `Parse(value, &T, &err)`.
template <typename T, bool (*Parse)(std::string_view, T*, std::string*)>
class ConvertingFilter final : public Stage {
 public:
  ConvertingFilter(std::string name, CompareOp op, T value)
      : name_(std::move(name)), op_(op), value_(value) {}
  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs) const override {
    if (lbs->HasErr()) return true;
    std::optional<std::string_view> v = lbs->Get(name_);
    if (!v.has_value()) return false;
    T parsed;
    thread_local std::string err;
    if (!Parse(*v, &parsed, &err)) {
      lbs->SetErr(kLabelFilterErr);
      lbs->SetErrDetails(lbs->arena().Copy(err));
      return true;
    }
    return Compare(op_, parsed, value_);
  }

 private:
  std::string name_;
  CompareOp op_;
  T value_;
};

class IpFilter final : public Stage {
 public:
  IpFilter(std::string name, bool equal, IpMatcher m)
      : name_(std::move(name)), equal_(equal), m_(m) {}
  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs) const override {
    if (lbs->HasErr()) return true;
    std::optional<std::string_view> v = lbs->Get(name_);
    if (!v.has_value()) return false;
    bool in = m_.MatchesLine(*v);
    return equal_ ? in : !in;
  }

 private:
  std::string name_;
  bool equal_;
  IpMatcher m_;
};

class Binary final : public Stage {
 public:
  Binary(StagePtr l, StagePtr r, bool is_and) : l_(std::move(l)), r_(std::move(r)), and_(is_and) {}
  bool Process(int64_t ts, std::string_view* line, LabelsBuilder* lbs) const override {
    bool lok = l_->Process(ts, line, lbs);
    if (!and_ && lok) return true;
    bool rok = r_->Process(ts, line, lbs);
    return and_ ? lok && rok : rok;
  }

 private:
  StagePtr l_, r_;
  bool and_;
};

}  // namespace

StagePtr StringLabelFilter(index::Matcher matcher) {
  return std::make_unique<StringFilter>(std::move(matcher));
}

StagePtr NumericLabelFilter(std::string name, CompareOp op, double value) {
  return std::make_unique<ConvertingFilter<double, ParseGoFloat>>(std::move(name), op, value);
}

StagePtr DurationLabelFilter(std::string name, CompareOp op, int64_t nanos) {
  return std::make_unique<ConvertingFilter<int64_t, ParseGoDuration>>(std::move(name), op, nanos);
}

StagePtr BytesLabelFilter(std::string name, CompareOp op, uint64_t bytes) {
  return std::make_unique<ConvertingFilter<uint64_t, ParseHumanBytes>>(std::move(name), op, bytes);
}

Result<StagePtr> IpLabelFilter(std::string name, bool equal, std::string_view pattern) {
  SAW_ASSIGN_OR_RETURN(IpMatcher m, IpMatcher::Parse(pattern));
  return StagePtr(std::make_unique<IpFilter>(std::move(name), equal, m));
}

StagePtr AndLabelFilter(StagePtr left, StagePtr right) {
  return std::make_unique<Binary>(std::move(left), std::move(right), true);
}

StagePtr OrLabelFilter(StagePtr left, StagePtr right) {
  return std::make_unique<Binary>(std::move(left), std::move(right), false);
}

}  // namespace sawmill::query::log
