#include "storage/batch_iterators.h"

#include <string>
#include <utility>

namespace sawmill::storage {
namespace {

constexpr size_t kBatchBytes = 256 << 10;
constexpr size_t kBatchEntries = 4096;

class EntryBatches final : public BatchIterator {
 public:
  EntryBatches(std::unique_ptr<EntryIterator> it, bool with_text)
      : it_(std::move(it)), with_text_(with_text) {}

  bool Next() override {
    text_.clear();
    entries_.clear();
    while (text_.size() < kBatchBytes && entries_.size() < kBatchEntries && it_->Next()) {
      const EntryView& e = it_->entry();
      entries_.push_back({e.ts_ns, static_cast<uint32_t>(text_.size()),
                          static_cast<uint32_t>(e.line.size()),
                          static_cast<uint32_t>(e.metadata.size())});
      if (with_text_ || !e.metadata.empty()) {
        text_.append(e.line);
        text_.append(e.metadata);
      }
    }
    return !entries_.empty();
  }
  std::string_view text() const override { return text_; }
  std::span<const BatchEntry> entries() const override { return entries_; }
  Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<EntryIterator> it_;
  const bool with_text_;
  std::string text_;
  std::vector<BatchEntry> entries_;
};

class ConcatBatches final : public BatchIterator {
 public:
  explicit ConcatBatches(std::vector<BatchSource> sources) : sources_(std::move(sources)) {}

  bool Next() override {
    while (status_.ok()) {
      if (current_ != nullptr) {
        if (current_->Next()) return true;
        status_ = current_->status();
        current_ = nullptr;
        continue;
      }
      if (next_ == sources_.size()) return false;
      Result<std::unique_ptr<BatchIterator>> opened = sources_[next_]();
      sources_[next_++] = nullptr;  // release what the source captured
      if (!opened.ok()) {
        status_ = opened.status();
        return false;
      }
      current_ = std::move(opened).value();
    }
    return false;
  }
  std::string_view text() const override { return current_->text(); }
  std::span<const BatchEntry> entries() const override { return current_->entries(); }
  Status status() const override { return status_; }

 private:
  std::vector<BatchSource> sources_;
  size_t next_ = 0;
  std::unique_ptr<BatchIterator> current_;
  Status status_;
};

}  // namespace

std::unique_ptr<BatchIterator> NewEntryBatchIterator(std::unique_ptr<EntryIterator> it,
                                                     bool with_text) {
  return std::make_unique<EntryBatches>(std::move(it), with_text);
}

std::unique_ptr<BatchIterator> NewConcatBatchIterator(std::vector<BatchSource> sources) {
  return std::make_unique<ConcatBatches>(std::move(sources));
}

}  // namespace sawmill::storage
