#include "storage/merge_iterator.h"

#include <algorithm>
#include <string>

namespace sawmill::storage {
namespace {

int64_t TsOf(const EntryIterator& it) { return it.entry().ts_ns; }
int64_t TsOf(const SampleIterator& it) { return it.ts_ns(); }

// The heap-based merge shared by entries and samples. Iter::Next() positions on the first
// element; the merge keeps every opened, non-exhausted source in a heap ordered by its
// current timestamp (then by source order, so ties come out in source order).
template <typename Iter>
class Merger {
 public:
  Merger(std::vector<LazySource<Iter>> sources, Direction direction)
      : sources_(std::move(sources)), backward_(direction == Direction::kBackward) {
    std::stable_sort(sources_.begin(), sources_.end(), [this](const auto& a, const auto& b) {
      return backward_ ? a.first_ts > b.first_ts : a.first_ts < b.first_ts;
    });
  }

  // Advances to the next element overall; false at the end or on error.
  bool Advance() {
    if (current_ != nullptr) {
      if (current_->it->Next()) {
        PushHeap(current_);
      } else if (!current_->it->status().ok()) {
        status_ = current_->it->status();
        return false;
      }
      current_ = nullptr;
    }
    if (!OpenDueSources()) return false;
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), Cmp{backward_});
    current_ = heap_.back();
    heap_.pop_back();
    return true;
  }

  Iter& current() const { return *current_->it; }
  // True when another open source is positioned on the same timestamp as the current one.
  bool TieAhead() {
    if (!OpenDueSources() || heap_.empty()) return false;
    return TsOf(*heap_.front()->it) == TsOf(*current_->it);
  }
  const Status& status() const { return status_; }

 private:
  struct Open {
    std::unique_ptr<Iter> it;
    size_t order;
  };
  struct Cmp {
    bool backward;
    // std heap is a max-heap: "less" means "comes out later".
    bool operator()(const Open* a, const Open* b) const {
      int64_t ta = TsOf(*a->it), tb = TsOf(*b->it);
      if (ta != tb) return backward ? ta < tb : ta > tb;
      return a->order > b->order;
    }
  };

  void PushHeap(Open* o) {
    heap_.push_back(o);
    std::push_heap(heap_.begin(), heap_.end(), Cmp{backward_});
  }

  bool Before(int64_t a, int64_t b) const { return backward_ ? a > b : a < b; }

  // Opens every unopened source that could yield something at or before the heap's front.
  bool OpenDueSources() {
    while (next_source_ < sources_.size()) {
      const LazySource<Iter>& src = sources_[next_source_];
      if (!heap_.empty()) {
        int64_t front = TsOf(*heap_.front()->it);
        if (Before(front, src.first_ts)) break;
      }
      if (current_ != nullptr && Before(TsOf(*current_->it), src.first_ts)) break;
      ++next_source_;
      auto opened = src.open();
      if (!opened.ok()) {
        status_ = opened.status();
        return false;
      }
      auto o = std::make_unique<Open>(Open{std::move(opened).value(), next_source_});
      if (o->it->Next()) {
        PushHeap(o.get());
      } else if (!o->it->status().ok()) {
        status_ = o->it->status();
        return false;
      }
      opened_.push_back(std::move(o));
    }
    return true;
  }

  std::vector<LazySource<Iter>> sources_;
  bool backward_;
  size_t next_source_ = 0;
  std::vector<std::unique_ptr<Open>> opened_;
  std::vector<Open*> heap_;
  Open* current_ = nullptr;
  Status status_;
};

class MergingIterator final : public EntryIterator {
 public:
  MergingIterator(std::vector<LazySource<EntryIterator>> sources, Direction direction)
      : merger_(std::move(sources), direction) {}

  bool Next() override {
    // Before leaving the entry returned last, remember its line if another source has an
    // entry at the same timestamp: that one may be the same entry stored twice. (Only the
    // returned entry's view is still valid here: its source has not moved yet.)
    if (has_entry_) {
      if (merger_.TieAhead()) {
        same_ts_lines_.emplace_back(entry_.line);
      } else if (!merger_.status().ok()) {
        return false;
      }
    }
    while (true) {
      if (!merger_.Advance()) {
        has_entry_ = false;
        return false;
      }
      const EntryView& e = merger_.current().entry();
      if (!has_entry_ || e.ts_ns != entry_.ts_ns) {
        same_ts_lines_.clear();
      } else if (std::find(same_ts_lines_.begin(), same_ts_lines_.end(), e.line) !=
                 same_ts_lines_.end()) {
        continue;  // a duplicate of an entry already returned; its line is saved already
      }
      entry_ = e;
      has_entry_ = true;
      return true;
    }
  }
  const EntryView& entry() const override { return entry_; }
  Status status() const override { return merger_.status(); }

 private:
  Merger<EntryIterator> merger_;
  EntryView entry_;
  bool has_entry_ = false;
  std::vector<std::string> same_ts_lines_;
};

class MergingSampleIterator final : public SampleIterator {
 public:
  MergingSampleIterator(std::vector<LazySource<SampleIterator>> sources, Direction direction)
      : merger_(std::move(sources), direction) {}
  bool Next() override { return merger_.Advance(); }
  int64_t ts_ns() const override { return merger_.current().ts_ns(); }
  uint32_t line_size() const override { return merger_.current().line_size(); }
  Status status() const override { return merger_.status(); }

 private:
  Merger<SampleIterator> merger_;
};

}  // namespace

std::unique_ptr<EntryIterator> NewMergingIterator(std::vector<LazySource<EntryIterator>> sources,
                                                  Direction direction) {
  return std::make_unique<MergingIterator>(std::move(sources), direction);
}

std::unique_ptr<SampleIterator> NewMergingSampleIterator(
    std::vector<LazySource<SampleIterator>> sources, Direction direction) {
  return std::make_unique<MergingSampleIterator>(std::move(sources), direction);
}

}  // namespace sawmill::storage
