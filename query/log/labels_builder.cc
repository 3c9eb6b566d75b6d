#include "query/log/labels_builder.h"

#include <algorithm>
#include <functional>
#include <string>

#include "query/log/label_name.h"

namespace sawmill::query::log {
namespace {

// Combines the hash of one string into h; the length is mixed in so that ("ab","c") and
// ("a","bc") differ.
inline uint64_t HashBytes(uint64_t h, std::string_view s) {
  uint64_t x = std::hash<std::string_view>()(s) ^ (s.size() * 0x9E3779B97F4A7C15ULL);
  h ^= x + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

LabelsBuilder::LabelsBuilder(const index::LabelSet* base) : base_(base) {
  unchanged_ = std::make_unique<Final>();
  unchanged_->all = *base;
  unchanged_->stream = *base;
  Reset();
}

void LabelsBuilder::Reset(std::span<const std::pair<std::string_view, std::string_view>> metadata) {
  arena_.Reset();
  entries_.clear();
  for (const index::Label& l : base_->labels()) {
    entries_.push_back({l.name, l.value, LabelCategory::kStream});
  }
  metadata_count_ = 0;
  for (const auto& [name, value] : metadata) {
    if (name.empty()) continue;
    ++metadata_count_;
    // Loki's LabelsBuilder.Add: metadata named like a stream label gets the "_extracted"
    // suffix rather than replacing the stream's value.
    if (!base_->Get(name).empty()) {
      Set(arena_.Copy(std::string(name) + std::string(kDuplicateSuffix)), value,
          LabelCategory::kStructuredMetadata);
      continue;
    }
    Set(name, value, LabelCategory::kStructuredMetadata);
  }
  err_ = {};
  err_details_ = {};
  changed_ = false;
}

bool LabelsBuilder::BaseHas(std::string_view name) const {
  if (!base_->Get(name).empty()) return true;
  if (metadata_count_ == 0) return false;
  for (const Entry& e : entries_) {
    if (e.category == LabelCategory::kStructuredMetadata && e.name == name) return true;
  }
  return false;
}

std::optional<std::string_view> LabelsBuilder::Get(std::string_view name) const {
  if (name.size() >= 9 && name[0] == '_' && name[1] == '_') {
    if (name == kErrorLabel) {
      if (err_.empty()) return std::nullopt;
      return err_;
    }
    if (name == kErrorDetailsLabel) {
      if (err_details_.empty()) return std::nullopt;
      return err_details_;
    }
  }
  for (const Entry& e : entries_) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

void LabelsBuilder::Set(std::string_view name, std::string_view value, LabelCategory category) {
  changed_ = true;
  if (name == kErrorLabel) {
    err_ = value;
    return;
  }
  if (name == kErrorDetailsLabel) {
    err_details_ = value;
    return;
  }
  for (Entry& e : entries_) {
    if (e.name == name) {
      e.value = value;
      return;
    }
  }
  entries_.push_back({name, value, category});
}

void LabelsBuilder::Del(std::string_view name) {
  if (name == kErrorLabel) {
    if (!err_.empty()) changed_ = true;
    err_ = {};
    return;
  }
  if (name == kErrorDetailsLabel) {
    if (!err_details_.empty()) changed_ = true;
    err_details_ = {};
    return;
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].name == name) {
      entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
      changed_ = true;
      return;
    }
  }
}

const LabelsBuilder::Final& LabelsBuilder::Result() {
  if (!changed_ && metadata_count_ == 0) return *unchanged_;
  sorted_.clear();
  scratch_.clear();
  if (!err_.empty()) scratch_.push_back({kErrorLabel, err_, LabelCategory::kParsed});
  if (!err_details_.empty()) {
    scratch_.push_back({kErrorDetailsLabel, err_details_, LabelCategory::kParsed});
  }
  for (const Entry& e : entries_) sorted_.push_back(&e);
  for (const Entry& e : scratch_) sorted_.push_back(&e);
  std::sort(sorted_.begin(), sorted_.end(),
            [](const Entry* a, const Entry* b) { return a->name < b->name; });
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const Entry* e : sorted_) {
    h ^= static_cast<uint8_t>(e->category);
    h = HashBytes(h, e->name);
    h = HashBytes(h, e->value);
  }
  if (cache_.empty()) cache_.resize(kCacheSlots);
  Slot& slot = cache_[h % kCacheSlots];
  if (slot.final != nullptr && slot.hash == h && Same(*slot.final)) return *slot.final;
  auto f = std::make_unique<Final>();
  std::vector<index::Label> all, stream;
  all.reserve(sorted_.size());
  for (const Entry* e : sorted_) {
    index::Label l{std::string(e->name), std::string(e->value)};
    switch (e->category) {
      case LabelCategory::kStream:
        stream.push_back(l);
        break;
      case LabelCategory::kStructuredMetadata:
        f->structured_metadata.push_back(l);
        break;
      case LabelCategory::kParsed:
        f->parsed.push_back(l);
        break;
    }
    all.push_back(std::move(l));
  }
  f->all = index::LabelSet::FromSortedUnchecked(std::move(all));
  f->stream = index::LabelSet::FromSortedUnchecked(std::move(stream));
  slot.hash = h;
  slot.final = std::move(f);
  return *slot.final;
}

bool LabelsBuilder::Same(const Final& f) const {
  const auto& all = f.all.labels();
  if (all.size() != sorted_.size()) return false;
  size_t stream_i = 0, sm_i = 0, parsed_i = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const Entry* e = sorted_[i];
    if (all[i].name != e->name || all[i].value != e->value) return false;
    // The category must match too: the entry is next in its category's list.
    bool ok = false;
    switch (e->category) {
      case LabelCategory::kStream:
        ok = stream_i < f.stream.size() && f.stream.labels()[stream_i++].name == e->name;
        break;
      case LabelCategory::kStructuredMetadata:
        ok = sm_i < f.structured_metadata.size() && f.structured_metadata[sm_i++].name == e->name;
        break;
      case LabelCategory::kParsed:
        ok = parsed_i < f.parsed.size() && f.parsed[parsed_i++].name == e->name;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace sawmill::query::log
