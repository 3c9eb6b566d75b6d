// BatchIterators (chunk_reader.h) made from other iterators: the entries of any EntryIterator
// copied into batches (heads, merged reads, filtered reads), and several batch sources read
// one after the other (a stream whose chunks and heads do not overlap in time).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "storage/chunk_reader.h"

namespace sawmill::storage {

// Batches of the entries of `it`, in its order, copied into a buffer of about 256 KiB (a
// batch holds at least one entry, whatever its size). `it` should iterate forward. Without
// `with_text` only the entries with structured metadata are copied (BatchIterator's "without
// text" contract): batches of up to 4,096 entries, whose text is empty when none has any.
std::unique_ptr<BatchIterator> NewEntryBatchIterator(std::unique_ptr<EntryIterator> it,
                                                     bool with_text = true);

// The batches of each source in turn; a source is opened when the previous one is exhausted.
using BatchSource = std::function<Result<std::unique_ptr<BatchIterator>>()>;
std::unique_ptr<BatchIterator> NewConcatBatchIterator(std::vector<BatchSource> sources);

}  // namespace sawmill::storage
