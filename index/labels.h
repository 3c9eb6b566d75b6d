// Label sets: what names a stream. A stream is its label set, sorted by name; the 64-bit
// fingerprint of that sorted set is the stream's id unless two sets collide (label_index.h).
//
// Text syntax, as in Loki and Prometheus: `{app="web", env="prod"}`. Names match
// [a-zA-Z_][a-zA-Z0-9_]*; values are quoted with ", ' or ` (backquotes are raw, the others
// take Go escapes: \" \' \\ \n \t \r \a \b \f \v \xNN \uNNNN \UNNNNNNNN) and must be valid
// UTF-8; whitespace around tokens is ignored; `{}` is the empty set. A label whose value is
// empty is the same as no label (as in Prometheus), so it is dropped. Duplicate names are
// refused.
//
// Printing is canonical, Loki's String(): `{a="x", b="y"}`, sorted, `, ` between pairs, values
// double-quoted with \\ \" \n \t \r and \xNN (other control bytes) escaped. Parse(ToString())
// gives back the same set.
//
// Thread-safety: a LabelSet is immutable once made, so const access is safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace sawmill::index {

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
  auto operator<=>(const Label&) const = default;
};

// OK when `name` matches [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);
bool IsValidUtf8(std::string_view s);

// The 64-bit fingerprint of labels already sorted by name: xxHash64 (seed 0) of
// name 0xff value 0xff for each label in order. Stable across versions: ids are persisted.
uint64_t FingerprintLabels(std::span<const Label> sorted);

// Appends `value` double-quoted with the escapes listed above.
void AppendQuoted(std::string* out, std::string_view value);

class LabelSet {
 public:
  LabelSet() : fingerprint_(FingerprintLabels({})) {}

  // Parses `{name="value", ...}`. Errors are InvalidArgument:
  //   `error parsing labels: parse error at line 1, col 6: ...` or, for a repeated name,
  //   `stream '{...}' has duplicate label name: 'app'` (Loki's wording).
  static Result<LabelSet> Parse(std::string_view text);
  // Validates names and values, drops empty values, sorts, refuses duplicates.
  static Result<LabelSet> FromLabels(std::vector<Label> labels);
  // Wraps labels as they are, keeping empty values: a LogQL query result can carry labels with
  // empty values (a logfmt bare word), which Loki prints. No validation.
  // REQUIRES: `sorted` is sorted by name with unique names.
  static LabelSet FromSortedUnchecked(std::vector<Label> sorted) {
    return LabelSet(std::move(sorted));
  }

  const std::vector<Label>& labels() const { return labels_; }
  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  // The value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  // Computed once, when the set is made.
  uint64_t Fingerprint() const { return fingerprint_; }

  std::string ToString() const;
  void AppendTo(std::string* out) const;

  bool operator==(const LabelSet& o) const {
    return fingerprint_ == o.fingerprint_ && labels_ == o.labels_;
  }

 private:
  explicit LabelSet(std::vector<Label> sorted)
      : labels_(std::move(sorted)), fingerprint_(FingerprintLabels(labels_)) {}

  std::vector<Label> labels_;
  uint64_t fingerprint_;
};

}  // namespace sawmill::index
