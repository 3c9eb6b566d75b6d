// Push body decoding throughput: ~1 MiB of loghub lines (tests/testdata/loghub, all files
// interleaved) spread over 100 streams of 3 labels, encoded as a client would send them:
//   - JSON (Loki v1 push format), plain and gzip-compressed;
//   - logproto protobuf, Snappy block-compressed (what Promtail/Alloy/winston-loki send),
//     and uncompressed (the wire reader alone).
// Figures are in bytes of raw line text per second (newlines excluded), single thread;
// counters give the body size and lines/s. Baselines: bare snappy / zlib on the same bodies.
#include <benchmark/benchmark.h>
#include <snappy.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/gzip.h"
#include "ingest/json_push.h"
#include "ingest/protobuf_push.h"

namespace sawmill::ingest {
namespace {

constexpr size_t kTargetBytes = size_t{1} << 20;
constexpr int kStreams = 100;

struct Bodies {
  size_t line_bytes = 0;
  size_t lines = 0;
  std::string json;
  std::string json_gzip;
  std::string wire;
  std::string snappy;
};

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

std::string GzipCompress(std::string_view in) {
  z_stream s{};
  deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, in.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

const Bodies& GetBodies() {
  static const Bodies* bodies = [] {
    // Read every loghub file, then take lines round-robin across files until ~1 MiB.
    std::vector<std::vector<std::string>> files;
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().extension() == ".log") paths.push_back(e.path().string());
    }
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) {
      std::ifstream in(p);
      std::vector<std::string>& lines = files.emplace_back();
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::vector<std::string> lines;
    size_t total = 0;
    for (size_t i = 0; total < kTargetBytes; ++i) {
      const auto& f = files[i % files.size()];
      const std::string& l = f[(i / files.size()) % f.size()];
      lines.push_back(l);
      total += l.size();
    }
    auto* b = new Bodies;
    b->line_bytes = total;
    b->lines = lines.size();
    // Stream s gets lines s, s+100, ...; timestamps advance by 1 µs per line.
    PushRequest req;
    std::vector<std::string> labels;
    for (int s = 0; s < kStreams; ++s) {
      labels.push_back("{app=\"app" + std::to_string(s % 10) + "\", env=\"prod\", instance=\"i-" +
                       std::to_string(s) + "\"}");
    }
    for (int s = 0; s < kStreams; ++s) req.streams.emplace_back().labels = labels[s];
    const int64_t t0 = 1700000000000000000;
    for (size_t i = 0; i < lines.size(); ++i) {
      req.streams[i % kStreams].entries.push_back(
          {t0 + static_cast<int64_t>(i) * 1000, lines[i], {}});
    }
    b->wire = EncodeLogprotoPush(req);
    snappy::Compress(b->wire.data(), b->wire.size(), &b->snappy);
    std::string& j = b->json;
    j = "{\"streams\":[";
    for (int s = 0; s < kStreams; ++s) {
      if (s > 0) j += ',';
      j += "{\"stream\":{\"app\":\"app" + std::to_string(s % 10) +
           "\",\"env\":\"prod\",\"instance\":\"i-" + std::to_string(s) + "\"},\"values\":[";
      bool first = true;
      for (const PushEntry& e : req.streams[s].entries) {
        if (!first) j += ',';
        first = false;
        j += "[\"" + std::to_string(e.ts_ns) + "\",";
        AppendJsonString(&j, e.line);
        j += ']';
      }
      j += "]}";
    }
    j += "]}";
    b->json_gzip = GzipCompress(b->json);
    return b;
  }();
  return *bodies;
}

void SetCounters(benchmark::State& state, size_t body_bytes) {
  const Bodies& b = GetBodies();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.line_bytes));
  state.counters["body_bytes"] = static_cast<double>(body_bytes);
  state.counters["lines/s"] = benchmark::Counter(static_cast<double>(state.iterations() * b.lines),
                                                 benchmark::Counter::kIsRate);
}

void BM_DecodeJson(benchmark::State& state) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    PushRequest req;
    if (!DecodeJsonPush(b.json, &req).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetCounters(state, b.json.size());
}
BENCHMARK(BM_DecodeJson);

void BM_DecodeJsonGzip(benchmark::State& state) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    std::string body;
    PushRequest req;
    if (!Gunzip(b.json_gzip, 64 << 20, &body).ok() ||
        !DecodeJsonPushOwned(std::move(body), &req).ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetCounters(state, b.json_gzip.size());
}
BENCHMARK(BM_DecodeJsonGzip);

void BM_DecodeProtobufSnappy(benchmark::State& state) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    PushRequest req;
    if (!DecodeProtobufPush(b.snappy, &req).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetCounters(state, b.snappy.size());
}
BENCHMARK(BM_DecodeProtobufSnappy);

void BM_DecodeProtobufUncompressed(benchmark::State& state) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    PushRequest req;
    if (!DecodeLogprotoPush(b.wire, &req).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetCounters(state, b.wire.size());
}
BENCHMARK(BM_DecodeProtobufUncompressed);

void BM_SnappyUncompressBaseline(benchmark::State& state) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    std::string out;
    snappy::Uncompress(b.snappy.data(), b.snappy.size(), &out);
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, b.snappy.size());
}
BENCHMARK(BM_SnappyUncompressBaseline);

void BM_GunzipBaseline(benchmark::State& state) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    std::string out;
    if (!Gunzip(b.json_gzip, 64 << 20, &out).ok()) state.SkipWithError("gunzip failed");
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, b.json_gzip.size());
}
BENCHMARK(BM_GunzipBaseline);

}  // namespace
}  // namespace sawmill::ingest
