// Querier: how the engine reads streams and their entries. The engine never includes the
// store or the label index; server/ implements this interface over storage::Store and
// index::LabelIndex (server/store_querier.h), and tests may implement it over anything.
//
// Entries come out through storage's EntryIterator (chunk_reader.h), whose views point into
// decompressed blocks and stay valid until the next Next(): the engine copies what it keeps.
//
// Thread-safety: every method may be called from any thread concurrently; each returned
// iterator is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/labels.h"
#include "index/matcher.h"
#include "storage/chunk_reader.h"
#include "storage/result.h"

namespace sawmill::query::engine {

using storage::BatchEntry;
using storage::BatchIterator;
using storage::Direction;
using storage::EntryIterator;
using storage::EntryView;
using storage::SampleIterator;

// A stream selected by matchers. `labels` is immutable and shared.
struct SelectedStream {
  uint64_t id = 0;
  std::shared_ptr<const index::LabelSet> labels;
};

// What one stream holds in a time range (the index stats and volume figures).
struct StreamUsage {
  uint64_t chunks = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;  // uncompressed line + metadata bytes
};

// Where a stream's entries in a time range can lie, known without reading them: no entry of
// the range is older than min_ts or newer than max_ts. `empty`: certainly none in the range.
struct StreamSpan {
  bool empty = false;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
};

class Querier {
 public:
  virtual ~Querier() = default;

  // Streams of `tenant` present in [from_ns, to_ns) whose labels match every matcher, in
  // id order. InvalidArgument when every matcher matches the empty string.
  virtual Result<std::vector<SelectedStream>> SelectStreams(
      std::string_view tenant, std::span<const index::Matcher> matchers, int64_t from_ns,
      int64_t to_ns) = 0;

  // The entries of one stream with from_ns <= ts < to_ns, in `direction` order (equal
  // timestamps in stored order), merged over chunks and head.
  virtual Result<std::unique_ptr<EntryIterator>> OpenStream(std::string_view tenant,
                                                            uint64_t stream_id, int64_t from_ns,
                                                            int64_t to_ns, Direction direction) = 0;

  // Timestamps and line sizes of the same entries as OpenStream, without the line text: the
  // store reads only the chunks' timestamp sections (Store::ReadSamples). The default adapts
  // OpenStream, for queriers without a cheaper path.
  virtual Result<std::unique_ptr<SampleIterator>> OpenSamples(std::string_view tenant,
                                                              uint64_t stream_id, int64_t from_ns,
                                                              int64_t to_ns, Direction direction);

  // The same entries as OpenStream(.., kForward), a batch at a time (storage::BatchIterator:
  // a whole decompressed chunk block per batch where the store can, so that line filters can
  // search a block at once). Without `with_text`: timestamps and sizes, as OpenSamples, plus
  // the line and metadata of the entries that have structured metadata (the batches' text is
  // empty when none has; storage::BatchIterator). The default copies OpenStream's entries.
  virtual Result<std::unique_ptr<BatchIterator>> OpenBatches(std::string_view tenant,
                                                             uint64_t stream_id, int64_t from_ns,
                                                             int64_t to_ns, bool with_text);

  // The same entries as OpenStream(.., kBackward), with text, a whole chunk block per batch,
  // where the querier can read the stream's blocks as stored (storage::Store::
  // ReadBatchesBackward): batches newest first, each batch's entries in ascending order, so
  // the caller walks each batch from its end. Null (not an error) when it cannot (the
  // entries are in heads, chunks overlap, deletes filter them): the caller reads OpenStream.
  // The default returns null.
  virtual Result<std::unique_ptr<BatchIterator>> OpenBatchesBackward(std::string_view tenant,
                                                                     uint64_t stream_id,
                                                                     int64_t from_ns,
                                                                     int64_t to_ns);

  // What the stream holds in [from_ns, to_ns): the figures of the
  // index stats and volume endpoints. The default counts OpenSamples' entries and line sizes
  // (exact, no chunks); the store's answers from its chunk index without reading chunks.
  virtual Result<StreamUsage> Usage(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                    int64_t to_ns);

  // The span of the stream's entries in [from_ns, to_ns), cheaply (the store answers from its
  // chunk index and heads): a log query with a limit opens streams in the order of their
  // spans and skips those whose entries cannot make the answer. A wider span is always
  // correct, only slower. The default knows nothing: {false, from_ns, to_ns - 1}.
  virtual Result<StreamSpan> Span(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                  int64_t to_ns);

  // Label names of the streams present in [from_ns, to_ns), sorted.
  virtual Result<std::vector<std::string>> LabelNames(std::string_view tenant, int64_t from_ns,
                                                      int64_t to_ns) = 0;
  // Values of `name` in [from_ns, to_ns), sorted; only of the streams `matchers` select
  // when it is not empty.
  virtual Result<std::vector<std::string>> LabelValues(
      std::string_view tenant, std::string_view name, int64_t from_ns, int64_t to_ns,
      std::span<const index::Matcher> matchers) = 0;
  // Streams matching any of the selectors, each once, in id order.
  virtual Result<std::vector<SelectedStream>> Series(
      std::string_view tenant, std::span<const std::vector<index::Matcher>> selectors,
      int64_t from_ns, int64_t to_ns) = 0;
};

}  // namespace sawmill::query::engine
