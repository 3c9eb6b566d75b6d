// Chunk format throughput and size on the loghub sample (16 files, 32k lines, 4.4 MB).
// Every figure is in bytes of raw line text (newlines excluded): encode (build a chunk),
// decode+iterate (forward and backward, every entry touched), timestamp-only scan
// (SampleIterator), and the on-disk ratio per file and encoding (chunk bytes / raw line
// bytes). A baseline decompresses the same text blocks with bare snappy, for comparison.
//
// Timestamps are synthetic, and the ratio depends on them (the ts section holds one delta
// per entry), so BM_Ratio reports it for four timestamp precisions (TsModel), plus "text":
// the text alone compressed in 256 KiB blocks, the floor no timestamp encoding can beat.
// The throughput benchmarks use microsecond timestamps.
#include <benchmark/benchmark.h>
#include <snappy.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "storage/chunk_builder.h"
#include "storage/chunk_reader.h"
#include "storage/crc32c.h"
#include "storage/snappy_decompress.h"

namespace sawmill::storage {
namespace {

struct Line {
  int64_t ts;
  std::string text;
};

struct Corpus {
  std::string name;
  std::vector<Line> lines;
  size_t raw_bytes = 0;
};

enum class TsModel {
  kSeconds,  // 1 s precision, three lines in four share the second (timestamps parsed from
             // the lines: most loghub formats have second precision)
  kMillis,   // steps of 0..19 ms, one in eight equal to its predecessor
  kMicros,   // steps of 0..999 us, one in eight equal to its predecessor
  kNanos,    // steps of 0..999999 ns (an agent's wall clock at receive time)
};

int64_t NextTs(TsModel model, int64_t ts, std::mt19937_64* rng) {
  const uint64_t r = (*rng)();
  switch (model) {
    case TsModel::kSeconds:
      return ts + (r % 4 == 0 ? 1'000'000'000 : 0);
    case TsModel::kMillis:
      return ts + (r % 8 == 0 ? 0 : static_cast<int64_t>((r >> 3) % 20) * 1'000'000);
    case TsModel::kMicros:
      return ts + (r % 8 == 0 ? 0 : static_cast<int64_t>((r >> 3) % 1000) * 1000);
    case TsModel::kNanos:
      return ts + static_cast<int64_t>(r % 1'000'000);
  }
  return ts;
}

std::vector<Line> ToLines(const std::vector<std::string>& texts, TsModel model) {
  std::mt19937_64 rng(1);
  std::vector<Line> lines;
  int64_t ts = 1'700'000'000'000'000'000;
  for (const std::string& t : texts) {
    ts = NextTs(model, ts, &rng);
    lines.push_back({ts, t});
  }
  return lines;
}

void Restamp(std::vector<Line>* lines, TsModel model) {
  std::mt19937_64 rng(1);
  int64_t ts = 1'700'000'000'000'000'000;
  for (Line& l : *lines) l.ts = ts = NextTs(model, ts, &rng);
}

// Per-file corpora, plus "all": every file's lines concatenated, in name order.
const std::vector<Corpus>& Corpora() {
  static const std::vector<Corpus> corpora = [] {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().filename().string().ends_with("_2k.log")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Corpus> out;
    std::vector<std::string> all;
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::vector<std::string> texts;
      std::string line;
      while (std::getline(in, line)) texts.push_back(line);
      all.insert(all.end(), texts.begin(), texts.end());
      std::string name = f.filename().string();
      out.push_back({name.substr(0, name.find('_')), ToLines(texts, TsModel::kMicros), 0});
    }
    out.push_back({"all", ToLines(all, TsModel::kMicros), 0});
    for (Corpus& c : out) {
      for (const Line& l : c.lines) c.raw_bytes += l.text.size();
    }
    return out;
  }();
  return corpora;
}

const Corpus& AllLines() { return Corpora().back(); }

std::string Build(const Corpus& c, Encoding e) {
  ChunkOptions o;
  o.encoding = e;
  ChunkBuilder b(o);
  for (const Line& l : c.lines) {
    if (!b.Append(l.ts, l.text).ok()) std::abort();
  }
  Result<std::string> chunk = b.Finish();
  if (!chunk.ok()) std::abort();
  return std::move(chunk).value();
}

void BM_Encode(benchmark::State& state, Encoding e) {
  const Corpus& c = AllLines();
  size_t size = 0;
  for (auto _ : state) {
    std::string chunk = Build(c, e);
    size = chunk.size();
    benchmark::DoNotOptimize(chunk.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.raw_bytes));
  state.counters["ratio"] = static_cast<double>(size) / static_cast<double>(c.raw_bytes);
}

void BM_Decode(benchmark::State& state, Encoding e, Direction dir) {
  const Corpus& c = AllLines();
  const std::string chunk = Build(c, e);
  for (auto _ : state) {
    Result<ChunkReader> r = ChunkReader::Open(chunk);
    if (!r.ok()) std::abort();
    auto it = r->NewIterator(INT64_MIN, INT64_MAX, dir);
    size_t bytes = 0;
    while (it->Next()) {
      const EntryView& v = it->entry();
      bytes += v.line.size();
      benchmark::DoNotOptimize(v.line.data());
    }
    if (!it->status().ok() || bytes != c.raw_bytes) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.raw_bytes));
}

void BM_SampleScan(benchmark::State& state, Encoding e, Direction dir) {
  const Corpus& c = AllLines();
  const std::string chunk = Build(c, e);
  for (auto _ : state) {
    Result<ChunkReader> r = ChunkReader::Open(chunk);
    if (!r.ok()) std::abort();
    auto it = r->NewSampleIterator(INT64_MIN, INT64_MAX, dir);
    size_t bytes = 0;
    int64_t ts_sum = 0;
    while (it->Next()) {
      bytes += it->line_size();
      ts_sum += it->ts_ns();
    }
    benchmark::DoNotOptimize(ts_sum);
    if (!it->status().ok() || bytes != c.raw_bytes) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.raw_bytes));
}

// ChunkReader::NewBatchIterator over the whole chunk, a block at a time (the metric engine's
// scans): with_text 0 decodes only the ts sections (timestamps, offsets, lengths), 1 also
// checks and decompresses the text sections.
void BM_BatchScan(benchmark::State& state, Encoding e, bool with_text) {
  const Corpus& c = AllLines();
  const std::string chunk = Build(c, e);
  for (auto _ : state) {
    Result<ChunkReader> r = ChunkReader::Open(chunk);
    if (!r.ok()) std::abort();
    auto it = r->NewBatchIterator(INT64_MIN, INT64_MAX, nullptr, with_text);
    size_t bytes = 0;
    while (it->Next()) {
      for (const BatchEntry& b : it->entries()) bytes += b.line_len;
      benchmark::DoNotOptimize(it->text().data());
    }
    if (!it->status().ok() || bytes != c.raw_bytes) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.raw_bytes));
}

// CRC32C, as checked on every section read, over `size` bytes of log text.
void BM_Crc32c(benchmark::State& state) {
  const Corpus& c = AllLines();
  std::string text;
  for (const Line& l : c.lines) {
    text += l.text;
    if (text.size() >= static_cast<size_t>(state.range(0))) break;
  }
  text.resize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::Value(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// Bare snappy on the same text, cut in 256 KiB blocks: the ceiling for BM_Decode/snappy.
// decoder:0 is libsnappy's RawUncompress, decoder:1 storage/snappy_decompress.h (what the
// chunk readers use), both into one reused buffer.
void BM_SnappyBaseline(benchmark::State& state) {
  const Corpus& c = AllLines();
  std::string text;
  for (const Line& l : c.lines) text += l.text;
  std::vector<std::string> blocks;
  std::vector<size_t> sizes;
  for (size_t off = 0; off < text.size(); off += 256 * 1024) {
    std::string out;
    sizes.push_back(std::min<size_t>(256 * 1024, text.size() - off));
    snappy::Compress(text.data() + off, sizes.back(), &out);
    blocks.push_back(std::move(out));
  }
  const bool ours = state.range(0) == 1;
  std::vector<char> buf(256 * 1024);
  for (auto _ : state) {
    for (size_t i = 0; i < blocks.size(); ++i) {
      const std::string& b = blocks[i];
      if (!(ours ? SnappyDecompress(b, buf.data(), sizes[i])
                 : snappy::RawUncompress(b.data(), b.size(), buf.data()))) {
        std::abort();
      }
      benchmark::DoNotOptimize(buf.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// On-disk size of one file's chunk, as a fraction of its raw line bytes, per timestamp
// model; "text" is the line text alone compressed in blocks of the same target size. The
// timing is the encode of that file (microsecond timestamps).
void BM_Ratio(benchmark::State& state, const Corpus* c, Encoding e) {
  for (auto _ : state) benchmark::DoNotOptimize(Build(*c, e).size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c->raw_bytes));

  const auto raw = static_cast<double>(c->raw_bytes);
  Corpus stamped = *c;
  const std::pair<const char*, TsModel> models[] = {{"s", TsModel::kSeconds},
                                                    {"ms", TsModel::kMillis},
                                                    {"us", TsModel::kMicros},
                                                    {"ns", TsModel::kNanos}};
  for (const auto& [name, model] : models) {
    Restamp(&stamped.lines, model);
    state.counters[name] = static_cast<double>(Build(stamped, e).size()) / raw;
  }
  std::string text, out;
  for (const Line& l : c->lines) text += l.text;
  size_t text_size = 0;
  const size_t target = ChunkOptions{}.block_target_bytes;
  for (size_t off = 0; off < text.size(); off += target) {
    out.clear();
    const std::string_view piece = std::string_view(text).substr(off, target);
    if (!Compress(e, piece, &out, ChunkOptions{}.zstd_level).ok()) std::abort();
    text_size += out.size();
  }
  state.counters["text"] = static_cast<double>(text_size) / raw;
  state.counters["raw_bytes"] = raw;
}

constexpr Encoding kEncodings[] = {Encoding::kSnappy, Encoding::kZstd, Encoding::kLz4,
                                   Encoding::kNone};

int RegisterAll() {
  for (Encoding e : kEncodings) {
    const std::string enc(EncodingName(e));
    benchmark::RegisterBenchmark(("BM_Encode/" + enc).c_str(), BM_Encode, e);
    benchmark::RegisterBenchmark(("BM_Decode/" + enc + "/forward").c_str(), BM_Decode, e,
                                 Direction::kForward);
    benchmark::RegisterBenchmark(("BM_Decode/" + enc + "/backward").c_str(), BM_Decode, e,
                                 Direction::kBackward);
    benchmark::RegisterBenchmark(("BM_BatchScan/" + enc + "/ts").c_str(), BM_BatchScan, e, false);
    benchmark::RegisterBenchmark(("BM_BatchScan/" + enc + "/text").c_str(), BM_BatchScan, e, true);
    benchmark::RegisterBenchmark(("BM_SampleScan/" + enc + "/forward").c_str(), BM_SampleScan, e,
                                 Direction::kForward);
    benchmark::RegisterBenchmark(("BM_SampleScan/" + enc + "/backward").c_str(), BM_SampleScan, e,
                                 Direction::kBackward);
  }
  benchmark::RegisterBenchmark("BM_Crc32c", BM_Crc32c)->Arg(4096)->Arg(80 << 10)->Arg(256 << 10);
  benchmark::RegisterBenchmark("BM_SnappyBaseline", BM_SnappyBaseline)
      ->ArgName("decoder")
      ->Arg(0)
      ->Arg(1);
  for (const Corpus& c : Corpora()) {
    for (Encoding e : {Encoding::kSnappy, Encoding::kZstd, Encoding::kLz4}) {
      benchmark::RegisterBenchmark(
          ("BM_Ratio/" + c.name + "/" + std::string(EncodingName(e))).c_str(), BM_Ratio, &c, e);
    }
  }
  return 0;
}
const int kRegistered = RegisterAll();

}  // namespace
}  // namespace sawmill::storage
