// The labels of one log entry while it crosses the pipeline: the stream's labels, the entry's
// structured metadata and what parsers and formatters add, plus the __error__ and
// __error_details__ that failing stages set. Loki's LabelsBuilder (pkg/logql/log/labels.go).
//
// Names and values are views: stream labels point into the stream's LabelSet, parsed values
// into the line or into arena(). Everything set during one entry must stay valid until the
// next Reset(), which callers get by copying into arena() whatever is not stable.
//
// Result() turns the current labels into the final sorted index::LabelSet, cached per distinct
// result so that a stream whose lines all end with the same labels builds them once.
//
// Not thread-safe: one per StreamPipeline.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "index/labels.h"
#include "query/log/arena.h"

namespace sawmill::query::log {

inline constexpr std::string_view kErrorLabel = "__error__";
inline constexpr std::string_view kErrorDetailsLabel = "__error_details__";

// Where a label comes from (for the categorize-labels response encoding).
enum class LabelCategory : uint8_t { kStream, kStructuredMetadata, kParsed };

class LabelsBuilder {
 public:
  // REQUIRES: `base` outlives the builder.
  explicit LabelsBuilder(const index::LabelSet* base);
  LabelsBuilder(const LabelsBuilder&) = delete;
  LabelsBuilder& operator=(const LabelsBuilder&) = delete;

  // Starts a new entry: back to the stream labels plus `metadata` (views that must stay valid
  // until the next Reset()).
  void Reset(std::span<const std::pair<std::string_view, std::string_view>> metadata = {});

  Arena& arena() { return arena_; }

  // True when the stream labels or the structured metadata (what the entry came with) have
  // `name`: a parser then stores its value as `name`_extracted.
  bool BaseHas(std::string_view name) const;
  // The current value of `name`, including __error__ and __error_details__.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Sets (or replaces) `name`. A new label gets `category`; a replaced one keeps its own.
  // Setting __error__/__error_details__ sets the error.
  void Set(std::string_view name, std::string_view value,
           LabelCategory category = LabelCategory::kParsed);
  void Del(std::string_view name);

  bool HasErr() const { return !err_.empty(); }
  std::string_view err() const { return err_; }
  std::string_view err_details() const { return err_details_; }
  void SetErr(std::string_view err) { err_ = err, changed_ = true; }
  void SetErrDetails(std::string_view details) { err_details_ = details, changed_ = true; }

  // The current labels, unsorted, without the error labels.
  struct Entry {
    std::string_view name;
    std::string_view value;
    LabelCategory category;
  };
  const std::vector<Entry>& entries() const { return entries_; }
  // Calls fn(name, value) for every label including the error labels, unsorted.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Entry& e : entries_) fn(e.name, e.value);
    if (!err_.empty()) fn(kErrorLabel, err_);
    if (!err_details_.empty()) fn(kErrorDetailsLabel, err_details_);
  }

  // The final labels of the entry. The reference stays valid until the next Result() (the
  // cache is a bounded direct-mapped table, so a later result may replace it).
  struct Final {
    index::LabelSet all;
    index::LabelSet stream;
    std::vector<index::Label> structured_metadata;
    std::vector<index::Label> parsed;
  };
  const Final& Result();

  const index::LabelSet& base() const { return *base_; }

 private:
  // Direct-mapped result cache: a stream whose lines end with a few distinct label sets builds
  // each once; lines whose labels are all different (a parsed request id) cost one LabelSet
  // each, with no cache bookkeeping beyond one slot.
  static constexpr size_t kCacheSlots = 256;

  bool Same(const Final& f) const;  // f holds exactly sorted_ (names, values, categories)

  const index::LabelSet* base_;
  Arena arena_;
  std::vector<Entry> entries_;
  size_t metadata_count_ = 0;
  std::string_view err_;
  std::string_view err_details_;
  bool changed_ = false;

  // Result cache, indexed by a hash of the sorted (category, name, value) triples.
  struct Slot {
    uint64_t hash = 0;
    std::unique_ptr<Final> final;
  };
  std::vector<Slot> cache_;
  std::unique_ptr<Final> unchanged_;  // the result when nothing changed and no metadata
  std::vector<const Entry*> sorted_;
  std::vector<Entry> scratch_;
};

}  // namespace sawmill::query::log
