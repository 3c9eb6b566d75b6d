// OTLP logs decoding + mapping throughput (DecodeOtlpBody: decoder, labels, metadata,
// detected_level): ~1 MiB of loghub lines (tests/testdata/loghub, files interleaved) as
// 100 resources (service.name and k8s.pod.name promoted to labels, host.name metadata), each
// record with severity INFO, a trace and span id and two attributes, encoded as OTLP protobuf
// and as OTLP JSON. Figures are bytes of raw line text per second, single thread; counters
// give the body size and lines/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/otlp_body.h"
#include "ingest/proto_wire.h"

namespace sawmill::ingest {
namespace {

constexpr size_t kTargetBytes = size_t{1} << 20;
constexpr int kResources = 100;
constexpr int64_t kT0 = 1700000000000000000;

struct Bodies {
  size_t line_bytes = 0;
  size_t lines = 0;
  std::string protobuf;
  std::string json;
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

std::string Attr(std::string_view key, std::string_view value) {
  std::string any, kv;
  PutProtoBytesField(&any, 1, value);
  PutProtoBytesField(&kv, 1, key);
  PutProtoBytesField(&kv, 2, any);
  return kv;
}

std::string JsonAttr(std::string_view key, std::string_view value) {
  std::string s = "{\"key\":";
  AppendJsonString(&s, key);
  s += ",\"value\":{\"stringValue\":";
  AppendJsonString(&s, value);
  return s + "}}";
}

const Bodies& GetBodies() {
  static const Bodies* bodies = [] {
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().extension() == ".log") paths.push_back(e.path().string());
    }
    std::sort(paths.begin(), paths.end());
    std::vector<std::vector<std::string>> files;
    for (const std::string& p : paths) {
      std::ifstream in(p);
      std::vector<std::string>& lines = files.emplace_back();
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::vector<std::vector<std::string>> per_resource(kResources);
    auto* b = new Bodies;
    for (size_t i = 0; b->line_bytes < kTargetBytes; ++i) {
      const auto& f = files[i % files.size()];
      const std::string& l = f[(i / files.size()) % f.size()];
      per_resource[i % kResources].push_back(l);
      b->line_bytes += l.size();
      ++b->lines;
    }
    const std::string trace(16, '\x5b'), span(8, '\xee');
    const std::string trace_hex(32, 'a'), span_hex(16, 'b');
    std::string& j = b->json;
    j = "{\"resourceLogs\":[";
    int64_t ts = kT0;
    for (int r = 0; r < kResources; ++r) {
      const std::string pod = "pod-" + std::to_string(r);
      std::string resource, scope_logs, resource_logs, scope;
      PutProtoBytesField(&resource, 1, Attr("service.name", "app" + std::to_string(r % 10)));
      PutProtoBytesField(&resource, 1, Attr("k8s.pod.name", pod));
      PutProtoBytesField(&resource, 1, Attr("host.name", "node-" + std::to_string(r % 7)));
      PutProtoBytesField(&scope, 1, "bench");
      PutProtoBytesField(&scope_logs, 1, scope);
      if (r > 0) j += ',';
      j += "{\"resource\":{\"attributes\":[" +
           JsonAttr("service.name", "app" + std::to_string(r % 10)) + "," +
           JsonAttr("k8s.pod.name", pod) + "," +
           JsonAttr("host.name", "node-" + std::to_string(r % 7)) +
           "]},\"scopeLogs\":[{\"scope\":{\"name\":\"bench\"},\"logRecords\":[";
      bool first = true;
      for (const std::string& line : per_resource[r]) {
        std::string rec, body;
        PutProtoFixed64Field(&rec, 1, static_cast<uint64_t>(ts));
        PutProtoVarintField(&rec, 2, 9);
        PutProtoBytesField(&rec, 3, "INFO");
        PutProtoBytesField(&body, 1, line);
        PutProtoBytesField(&rec, 5, body);
        PutProtoBytesField(&rec, 6, Attr("code.function", "handle"));
        PutProtoBytesField(&rec, 6, Attr("thread.name", "worker-3"));
        PutProtoBytesField(&rec, 9, trace);
        PutProtoBytesField(&rec, 10, span);
        PutProtoBytesField(&scope_logs, 2, rec);
        if (!first) j += ',';
        first = false;
        j += "{\"timeUnixNano\":\"" + std::to_string(ts) +
             "\",\"severityNumber\":9,\"severityText\":\"INFO\",\"body\":{\"stringValue\":";
        AppendJsonString(&j, line);
        j += "},\"attributes\":[" + JsonAttr("code.function", "handle") + "," +
             JsonAttr("thread.name", "worker-3") + "],\"traceId\":\"" + trace_hex +
             "\",\"spanId\":\"" + span_hex + "\"}";
        ts += 1000;
      }
      j += "]}]}";
      PutProtoBytesField(&resource_logs, 1, resource);
      PutProtoBytesField(&resource_logs, 2, scope_logs);
      PutProtoBytesField(&b->protobuf, 1, resource_logs);
    }
    j += "]}";
    return b;
  }();
  return *bodies;
}

void Run(benchmark::State& state, std::string_view type, const std::string& body) {
  const Bodies& b = GetBodies();
  for (auto _ : state) {
    PushRequest req;
    Status st = DecodeOtlpBody(type, "", body, PushBodyLimits(), OtlpMappingOptions(), kT0, &req);
    if (!st.ok() || req.EntryCount() != b.lines) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(req);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.line_bytes));
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.counters["lines_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * b.lines), benchmark::Counter::kIsRate);
}

void BM_OtlpProtobuf(benchmark::State& state) {
  Run(state, "application/x-protobuf", GetBodies().protobuf);
}
BENCHMARK(BM_OtlpProtobuf)->Unit(benchmark::kMillisecond);

void BM_OtlpJson(benchmark::State& state) { Run(state, "application/json", GetBodies().json); }
BENCHMARK(BM_OtlpJson)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sawmill::ingest
