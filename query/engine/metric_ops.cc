#include "query/engine/metric_ops.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>

#include "query/engine/constant_eval.h"

namespace sawmill::query::engine {
namespace {

// A result series' labels, kept as they are: a label with an empty value that a parser or
// label_format put on a series stays (Loki prints `{node=""}`), unlike stream labels. Sorts;
// the first of a repeated name wins.
index::LabelSet Make(std::vector<index::Label> labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const index::Label& a, const index::Label& b) { return a.name < b.name; });
  labels.erase(
      std::unique(labels.begin(), labels.end(),
                  [](const index::Label& a, const index::Label& b) { return a.name == b.name; }),
      labels.end());
  return index::LabelSet::FromSortedUnchecked(std::move(labels));
}

// Applies `op` to one pair of values; false when a comparison filters the point out.
bool Apply(const logql::BinOpExpr& e, double l, double r, bool keep_right, double* out) {
  if (logql::IsComparison(e.op)) {
    const bool holds = BinOpCompare(e.op, l, r);
    if (e.return_bool) {
      *out = holds ? 1 : 0;
      return true;
    }
    *out = keep_right ? r : l;
    return holds;
  }
  *out = *BinOpArith(e.op, l, r);
  return true;
}

// The matching signature of a series: its `on` labels, or all but the `ignoring` ones.
std::string Signature(const index::LabelSet& labels, const logql::VectorMatching& m, bool set_op) {
  std::vector<index::Label> keep;
  for (const index::Label& l : labels.labels()) {
    const bool listed = std::find(m.matching_labels.begin(), m.matching_labels.end(), l.name) !=
                        m.matching_labels.end();
    if (m.on ? listed : !listed) keep.push_back(l);
  }
  (void)set_op;
  return Make(std::move(keep)).ToString();
}

}  // namespace

index::LabelSet GroupLabels(const index::LabelSet& in, const std::optional<logql::Grouping>& g) {
  std::vector<index::Label> out;
  if (g.has_value()) {
    for (const index::Label& l : in.labels()) {
      const bool listed = std::find(g->labels.begin(), g->labels.end(), l.name) != g->labels.end();
      if (listed != g->without) out.push_back(l);
    }
  }
  return Make(std::move(out));
}

Result<std::vector<Dense>> Aggregate(const logql::VectorAggregationExpr& agg, std::vector<Dense> in,
                                     size_t steps) {
  using logql::VectorOp;
  if (agg.op == VectorOp::kSort || agg.op == VectorOp::kSortDesc) return in;  // a matrix
  if (agg.op == VectorOp::kTopK || agg.op == VectorOp::kBottomK) {
    // Per group and step, the k largest (smallest) samples keep their series and labels.
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i = 0; i < in.size(); ++i) {
      groups[GroupLabels(in[i].labels, agg.grouping).ToString()].push_back(i);
    }
    std::vector<Dense> out = in;
    for (Dense& d : out) std::fill(d.has.begin(), d.has.end(), 0);
    const size_t k = static_cast<size_t>(std::max(agg.param, 0));
    for (const auto& [key, members] : groups) {
      std::vector<size_t> present;
      for (size_t s = 0; s < steps; ++s) {
        present.clear();
        for (size_t i : members) {
          if (in[i].has[s]) present.push_back(i);
        }
        const bool top = agg.op == VectorOp::kTopK;
        std::sort(present.begin(), present.end(), [&](size_t a, size_t b) {
          const double x = in[a].v[s], y = in[b].v[s];
          if (x != y) return top ? x > y : x < y;
          return a < b;
        });
        for (size_t j = 0; j < present.size() && j < k; ++j) out[present[j]].has[s] = 1;
      }
    }
    std::erase_if(out, [](const Dense& d) {
      return std::find(d.has.begin(), d.has.end(), 1) == d.has.end();
    });
    return out;
  }
  struct Group {
    Dense d;
    std::vector<double> n, mean, m2;  // Welford for stddev/stdvar; n for avg
  };
  std::map<std::string, Group> groups;
  for (const Dense& s : in) {
    index::LabelSet key = GroupLabels(s.labels, agg.grouping);
    const std::string k = key.ToString();
    auto [it, inserted] = groups.try_emplace(k);
    Group& g = it->second;
    if (inserted) {
      g.d.labels = std::move(key);
      g.d.v.assign(steps, 0);
      g.d.has.assign(steps, 0);
      g.n.assign(steps, 0);
      g.mean.assign(steps, 0);
      g.m2.assign(steps, 0);
    }
    for (size_t i = 0; i < steps; ++i) {
      if (!s.has[i]) continue;
      const double x = s.v[i];
      const bool first = !g.d.has[i];
      g.d.has[i] = 1;
      g.n[i] += 1;
      const double delta = x - g.mean[i];
      g.mean[i] += delta / g.n[i];
      g.m2[i] += delta * (x - g.mean[i]);
      switch (agg.op) {
        case VectorOp::kMin:
          g.d.v[i] = first ? x : std::min(g.d.v[i], x);
          break;
        case VectorOp::kMax:
          g.d.v[i] = first ? x : std::max(g.d.v[i], x);
          break;
        case VectorOp::kCount:
          g.d.v[i] += 1;
          break;
        default:
          g.d.v[i] += x;
      }
    }
  }
  std::vector<Dense> out;
  for (auto& [k, g] : groups) {
    for (size_t i = 0; i < steps; ++i) {
      if (!g.d.has[i]) continue;
      switch (agg.op) {
        case VectorOp::kAvg:
          g.d.v[i] = g.mean[i];
          break;
        case VectorOp::kStdvar:
          g.d.v[i] = g.m2[i] / g.n[i];
          break;
        case VectorOp::kStddev:
          g.d.v[i] = std::sqrt(g.m2[i] / g.n[i]);
          break;
        default:
          break;
      }
    }
    out.push_back(std::move(g.d));
  }
  return out;
}

Result<MetricValue> BinaryOp(const logql::BinOpExpr& e, MetricValue lhs, MetricValue rhs,
                             size_t steps) {
  MetricValue out;
  if (lhs.is_scalar && rhs.is_scalar) {
    out.is_scalar = true;
    double v = 0;
    if (!Apply(e, lhs.scalar, rhs.scalar, false, &v)) return Status::NotFound("scalar filter");
    out.scalar = v;
    return out;
  }
  if (lhs.is_scalar || rhs.is_scalar) {
    if (logql::IsSetOp(e.op)) return Status::NotFound("set operation with a scalar");
    const bool scalar_left = lhs.is_scalar;
    const double c = scalar_left ? lhs.scalar : rhs.scalar;
    out.series = std::move(scalar_left ? rhs.series : lhs.series);
    for (Dense& d : out.series) {
      for (size_t i = 0; i < steps; ++i) {
        if (!d.has[i]) continue;
        double v = 0;
        const bool keep =
            scalar_left ? Apply(e, c, d.v[i], true, &v) : Apply(e, d.v[i], c, false, &v);
        d.v[i] = v;
        d.has[i] = keep;
      }
    }
    std::erase_if(out.series, [](const Dense& d) {
      return std::find(d.has.begin(), d.has.end(), 1) == d.has.end();
    });
    return out;
  }
  const logql::VectorMatching& m = e.matching;
  if (logql::IsSetOp(e.op)) {
    std::unordered_map<std::string, std::vector<char>> right;  // signature -> has, per step
    for (const Dense& d : rhs.series) {
      std::vector<char>& h = right[Signature(d.labels, m, true)];
      h.resize(steps, 0);
      for (size_t i = 0; i < steps; ++i) h[i] |= d.has[i];
    }
    std::unordered_map<std::string, std::vector<char>> left;
    for (Dense& d : lhs.series) {
      const std::string sig = Signature(d.labels, m, true);
      std::vector<char>& lh = left[sig];
      lh.resize(steps, 0);
      auto it = right.find(sig);
      for (size_t i = 0; i < steps; ++i) {
        lh[i] |= d.has[i];
        const bool in_right = it != right.end() && it->second[i];
        if (e.op == logql::BinOp::kAnd) d.has[i] = d.has[i] && in_right;
        if (e.op == logql::BinOp::kUnless) d.has[i] = d.has[i] && !in_right;
      }
    }
    out.series = std::move(lhs.series);
    if (e.op == logql::BinOp::kOr) {
      for (Dense& d : rhs.series) {
        auto it = left.find(Signature(d.labels, m, true));
        for (size_t i = 0; i < steps; ++i) {
          if (it != left.end() && it->second[i]) d.has[i] = 0;
        }
        out.series.push_back(std::move(d));
      }
    }
    std::erase_if(out.series, [](const Dense& d) {
      return std::find(d.has.begin(), d.has.end(), 1) == d.has.end();
    });
    return out;
  }
  // Arithmetic and comparisons: the "one" side is indexed by signature.
  const bool right_is_one = m.card != logql::Cardinality::kOneToMany;
  std::vector<Dense>& many = right_is_one ? lhs.series : rhs.series;
  std::vector<Dense>& one = right_is_one ? rhs.series : lhs.series;
  std::unordered_map<std::string, size_t> one_by_sig;
  for (size_t i = 0; i < one.size(); ++i) {
    if (!one_by_sig.try_emplace(Signature(one[i].labels, m, false), i).second) {
      return Status::InvalidArgument(
          "multiple matches for labels: many-to-one matching must be explicit "
          "(group_left/group_right)");
    }
  }
  for (Dense& d : many) {
    auto it = one_by_sig.find(Signature(d.labels, m, false));
    if (it == one_by_sig.end()) continue;
    const Dense& o = one[it->second];
    Dense r;
    if (m.card == logql::Cardinality::kOneToOne) {
      std::vector<index::Label> keep;
      for (const index::Label& l : d.labels.labels()) {
        const bool listed = std::find(m.matching_labels.begin(), m.matching_labels.end(), l.name) !=
                            m.matching_labels.end();
        if (m.on ? listed : !listed) keep.push_back(l);
      }
      r.labels = Make(std::move(keep));
    } else {
      std::vector<index::Label> labels = d.labels.labels();
      for (const std::string& name : m.include) {
        std::erase_if(labels, [&](const index::Label& l) { return l.name == name; });
        std::string_view v = o.labels.Get(name);
        if (!v.empty()) labels.push_back({name, std::string(v)});
      }
      r.labels = Make(std::move(labels));
    }
    r.v.assign(steps, 0);
    r.has.assign(steps, 0);
    for (size_t i = 0; i < steps; ++i) {
      if (!d.has[i] || !o.has[i]) continue;
      const double l = right_is_one ? d.v[i] : o.v[i];
      const double rv = right_is_one ? o.v[i] : d.v[i];
      double v = 0;
      r.has[i] = Apply(e, l, rv, false, &v);
      r.v[i] = v;
    }
    if (std::find(r.has.begin(), r.has.end(), 1) != r.has.end()) out.series.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Dense>> LabelReplace(const logql::LabelReplaceExpr& e, std::vector<Dense> in) {
  RE2 re("^(?:" + e.regex + ")$");
  if (!re.ok()) return Status::InvalidArgument("invalid regex in label_replace: " + re.error());
  if (!index::IsValidLabelName(e.dst)) {
    return Status::InvalidArgument("invalid destination label name in label_replace(): " + e.dst);
  }
  // Prometheus' $1 / ${1} / $name become RE2's \1 (named groups by their index).
  std::string rewrite;
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  for (size_t i = 0; i < e.replacement.size(); ++i) {
    const char c = e.replacement[i];
    if (c == '\\') {
      rewrite += "\\\\";
      continue;
    }
    if (c != '$' || i + 1 >= e.replacement.size()) {
      rewrite.push_back(c);
      continue;
    }
    size_t j = i + 1;
    const bool braced = e.replacement[j] == '{';
    if (braced) ++j;
    size_t k = j;
    while (
        k < e.replacement.size() &&
        (std::isalnum(static_cast<unsigned char>(e.replacement[k])) || e.replacement[k] == '_')) {
      ++k;
    }
    std::string ref = e.replacement.substr(j, k - j);
    if (braced && (k >= e.replacement.size() || e.replacement[k] != '}')) {
      rewrite.push_back(c);
      continue;
    }
    if (!ref.empty() && std::all_of(ref.begin(), ref.end(), ::isdigit)) {
      if (std::stoi(ref) <= re.NumberOfCapturingGroups()) rewrite += "\\" + ref;
    } else if (auto it = names.find(ref); it != names.end()) {
      rewrite += "\\" + std::to_string(it->second);
    }
    i = braced ? k : k - 1;
  }
  for (Dense& d : in) {
    std::string src(d.labels.Get(e.src));
    std::string value;
    if (!re.Extract(src, re, rewrite, &value)) continue;
    std::vector<index::Label> labels;
    for (const index::Label& l : d.labels.labels()) {
      if (l.name != e.dst) labels.push_back(l);
    }
    if (!value.empty()) labels.push_back({e.dst, value});
    d.labels = Make(std::move(labels));
  }
  return in;
}

}  // namespace sawmill::query::engine
