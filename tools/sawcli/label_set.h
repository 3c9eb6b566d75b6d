// A stream's label set as logcli prints it, and the set arithmetic logcli's default output
// uses: labels common to every stream of a result are printed once on stderr and left out of
// each line. Also parses the `{name="value", ...}` form users give to `push --labels`.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/result.h"

namespace sawmill::sawcli {

// Name/value pairs sorted by name, names unique. A value type.
class LabelSet {
 public:
  using Pair = std::pair<std::string, std::string>;

  LabelSet() = default;
  // Sorts `pairs` by name; a later duplicate name replaces an earlier one.
  explicit LabelSet(std::vector<Pair> pairs);

  // Parses `{a="b", c="d"}` (Go-quoted values, `{}` is empty). InvalidArgument with the
  // position of the first error otherwise.
  static Result<LabelSet> Parse(std::string_view text);

  const std::vector<Pair>& pairs() const { return pairs_; }
  bool empty() const { return pairs_.empty(); }
  // The value of `name`, or nullptr.
  const std::string* Get(std::string_view name) const;

  // Go's loghttp.LabelSet.String(): `{a="b", c="d"}`, values quoted like strconv.Quote.
  std::string String() const;

  // The pairs present with the same value in both sets.
  LabelSet Intersect(const LabelSet& other) const;
  // The pairs of this set that are not in `other` with the same value.
  LabelSet Subtract(const LabelSet& other) const;
  // Keeps (keep=true) or drops (keep=false) the pairs whose name is in `names`.
  LabelSet Filter(const std::vector<std::string>& names, bool keep) const;

  bool operator==(const LabelSet& other) const { return pairs_ == other.pairs_; }

 private:
  std::vector<Pair> pairs_;
};

// Appends `s` quoted like Go's strconv.Quote (printable UTF-8 kept; \n, \t, \", \\ and other
// control bytes escaped; invalid UTF-8 bytes as \xNN).
void AppendGoQuoted(std::string_view s, std::string* out);

}  // namespace sawmill::sawcli
