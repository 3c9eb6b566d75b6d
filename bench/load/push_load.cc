// push_load: a load generator for the push API. Several connections each POST
// protobuf + Snappy push bodies (logproto.PushRequest, as Promtail and Alloy send them) built
// from loghub lines, over keep-alive HTTP/1.1, and the tool reports lines/s, MB/s of line
// text, push latency percentiles and, when given the server's pid, its peak RSS.
// `--format otlp` sends OTLP/HTTP protobuf bodies to /otlp/v1/logs instead (what the
// collector's otlphttp exporter sends, uncompressed): one ResourceLogs per stream
// (service.name, k8s.pod.name as labels, host.name and a log attribute as metadata) and
// severity INFO on every record.
//
//   push_load --url 127.0.0.1:3100 --streams 100 --connections 4 --seconds 20
//             --batch-kb 1024 --lines <dir of *.log> [--pid <server pid>] [--tenant t]
//             [--format loki|otlp] [--prebuild-mb 1024]
//
// Bodies are built before the clock starts (each connection its own, with the timestamps it
// will send), up to what the run could send at 200 MB/s of lines or --prebuild-mb of bodies
// in all; only past that does a connection build bodies while it sends. Building a body
// (encoding and Snappy) took the generator ~0.3-0.6 of the 2 cores it shares with the
// server: the figures are the server's, so the generator should leave it the CPU, as clients
// on other machines do. --prebuild-mb 0 builds every body on the fly.
#include <snappy.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ingest/proto_wire.h"
#include "ingest/protobuf_push.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "3100";
  int streams = 100;
  int connections = 4;
  double seconds = 20;
  size_t batch_bytes = 1 << 20;
  std::string lines_dir = "tests/testdata/loghub";
  std::string tenant = "load";
  int pid = 0;
  bool otlp = false;
  size_t prebuild_bytes = size_t{1024} << 20;
};

// A body ready to send and what it holds.
struct Body {
  std::string bytes;
  size_t line_bytes = 0;
  size_t line_count = 0;
};

int64_t PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

std::vector<std::string> LoadLines(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".log") continue;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
  }
  return out;
}

// The streams as an OTLP ExportLogsServiceRequest (field numbers in ingest/otlp_protobuf.h).
std::string EncodeOtlp(const sawmill::ingest::PushRequest& req) {
  using namespace sawmill::ingest;  // NOLINT
  auto attr = [](std::string_view key, std::string_view value) {
    std::string any, kv;
    PutProtoBytesField(&any, 1, value);
    PutProtoBytesField(&kv, 1, key);
    PutProtoBytesField(&kv, 2, any);
    return kv;
  };
  std::string out;
  for (const PushStream& s : req.streams) {
    std::string resource, scope_logs, resource_logs;
    PutProtoBytesField(&resource, 1, attr("service.name", "load"));
    // The stream's name ({job="load", stream="sN"}) as the pod.
    std::string_view labels = s.labels;
    size_t q = labels.rfind("=\"");
    PutProtoBytesField(&resource, 1,
                       attr("k8s.pod.name", labels.substr(q + 2, labels.size() - q - 4)));
    PutProtoBytesField(&resource, 1, attr("host.name", "bench-host"));
    std::string scope;
    PutProtoBytesField(&scope, 1, "push_load");
    PutProtoBytesField(&scope_logs, 1, scope);
    for (const PushEntry& e : s.entries) {
      std::string rec, body;
      PutProtoFixed64Field(&rec, 1, static_cast<uint64_t>(e.ts_ns));
      PutProtoVarintField(&rec, 2, 9);  // SEVERITY_NUMBER_INFO
      PutProtoBytesField(&body, 1, e.line);
      PutProtoBytesField(&rec, 5, body);
      PutProtoBytesField(&rec, 6, attr("code.function", "main"));
      PutProtoBytesField(&scope_logs, 2, rec);
    }
    PutProtoBytesField(&resource_logs, 1, resource);
    PutProtoBytesField(&resource_logs, 2, scope_logs);
    PutProtoBytesField(&out, 1, resource_logs);
  }
  return out;
}

// Builds one compressed body: ~batch_bytes of lines spread over `streams` streams, with
// timestamps from `ts` on. Returns the line bytes and lines it holds.
std::string BuildBody(const Options& o, const std::vector<std::string>& lines, size_t* cursor,
                      int64_t* ts, int conn, size_t* line_bytes, size_t* line_count) {
  // The label strings are made once: with 10,000 streams, making them for every body cost
  // the generator (on the same cores as the server) ~10,000 allocations per push.
  static const std::vector<std::string> labels = [&] {
    std::vector<std::string> out;
    for (int s = 0; s < o.streams; ++s) {
      out.push_back("{job=\"load\", stream=\"s" + std::to_string(s) + "\"}");
    }
    return out;
  }();
  sawmill::ingest::PushRequest req;
  req.streams.resize(o.streams);
  for (int s = 0; s < o.streams; ++s) req.streams[s].labels = labels[s];
  *line_bytes = 0;
  *line_count = 0;
  while (*line_bytes < o.batch_bytes) {
    const std::string& l = lines[(*cursor)++ % lines.size()];
    int s = static_cast<int>((*cursor + conn) % o.streams);
    req.streams[s].entries.push_back({(*ts)++, l, {}});
    *line_bytes += l.size();
    ++*line_count;
  }
  std::erase_if(req.streams, [](const auto& s) { return s.entries.empty(); });
  if (o.otlp) return EncodeOtlp(req);
  std::string raw = sawmill::ingest::EncodeLogprotoPush(req);
  std::string body;
  snappy::Compress(raw.data(), raw.size(), &body);
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url") {
      auto colon = v.rfind(':');
      o.host = v.substr(0, colon);
      o.port = v.substr(colon + 1);
    } else if (k == "--streams") {
      o.streams = std::stoi(v);
    } else if (k == "--connections") {
      o.connections = std::stoi(v);
    } else if (k == "--seconds") {
      o.seconds = std::stod(v);
    } else if (k == "--batch-kb") {
      o.batch_bytes = std::stoul(v) << 10;
    } else if (k == "--lines") {
      o.lines_dir = v;
    } else if (k == "--tenant") {
      o.tenant = v;
    } else if (k == "--pid") {
      o.pid = std::stoi(v);
    } else if (k == "--prebuild-mb") {
      o.prebuild_bytes = std::stoul(v) << 20;
    } else if (k == "--format") {
      o.otlp = v == "otlp";
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const std::vector<std::string> lines = LoadLines(o.lines_dir);
  if (lines.empty()) {
    std::fprintf(stderr, "no *.log lines in %s\n", o.lines_dir.c_str());
    return 2;
  }

  std::atomic<size_t> total_bytes{0}, total_lines{0}, errors{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  // Each connection builds its bodies, then all start together when the clock starts.
  std::latch built(o.connections), go(1);
  std::chrono::steady_clock::time_point start, deadline;
  const size_t prebuild_lines =
      static_cast<size_t>(o.seconds * 200e6) / static_cast<size_t>(o.connections);
  const size_t prebuild_cap = o.prebuild_bytes / static_cast<size_t>(o.connections);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      boost::asio::io_context io;
      tcp::resolver resolver(io);
      beast::tcp_stream stream(io);
      beast::error_code ec;
      size_t cursor = static_cast<size_t>(c) * 7919;
      // Connections write disjoint timestamp ranges, increasing within each stream.
      int64_t ts = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() +
                   static_cast<int64_t>(c) * 1000;
      auto next_body = [&] {
        Body b;
        int64_t batch_ts = ts;
        b.bytes = BuildBody(o, lines, &cursor, &batch_ts, c, &b.line_bytes, &b.line_count);
        ts += static_cast<int64_t>(o.connections) * 1000 * static_cast<int64_t>(b.line_count);
        return b;
      };
      std::vector<Body> ready;
      for (size_t lb = 0, bb = 0;
           o.prebuild_bytes > 0 && lb < prebuild_lines && bb < prebuild_cap;) {
        ready.push_back(next_body());
        lb += ready.back().line_bytes;
        bb += ready.back().bytes.size();
      }
      built.count_down();
      go.wait();
      stream.connect(resolver.resolve(o.host, o.port, ec), ec);
      if (ec) {
        ++errors;
        return;
      }
      std::vector<double> mine;
      beast::flat_buffer buffer;
      size_t next_ready = 0;
      while (std::chrono::steady_clock::now() < deadline) {
        Body b = next_ready < ready.size() ? std::move(ready[next_ready++]) : next_body();
        const size_t lb = b.line_bytes, lc = b.line_count;
        std::string body = std::move(b.bytes);
        http::request<http::string_body> req{http::verb::post,
                                             o.otlp ? "/otlp/v1/logs" : "/loki/api/v1/push", 11};
        req.set(http::field::host, o.host);
        req.set(http::field::content_type, "application/x-protobuf");
        req.set("X-Scope-OrgID", o.tenant);
        req.keep_alive(true);
        req.body() = std::move(body);
        req.prepare_payload();
        auto t0 = std::chrono::steady_clock::now();
        http::write(stream, req, ec);
        http::response<http::string_body> res;
        if (!ec) http::read(stream, buffer, res, ec);
        auto t1 = std::chrono::steady_clock::now();
        if (ec || res.result_int() != 204) {
          ++errors;
          if (ec) break;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        total_bytes += lb;
        total_lines += lc;
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  built.wait();
  start = std::chrono::steady_clock::now();
  deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(o.seconds));
  go.count_down();
  for (auto& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<size_t>(p * latencies_ms.size()))];
  };
  std::printf(
      "format=%s streams=%d connections=%d batch_kb=%zu seconds=%.1f pushes=%zu errors=%zu\n"
      "lines_per_s=%.0f MB_per_s=%.1f p50_ms=%.2f p99_ms=%.2f",
      o.otlp ? "otlp" : "loki", o.streams, o.connections, o.batch_bytes >> 10, secs,
      latencies_ms.size(), errors.load(), total_lines / secs, total_bytes / secs / 1e6, pct(0.50),
      pct(0.99));
  if (o.pid > 0) std::printf(" server_peak_rss_MB=%.1f", PeakRssKb(o.pid) / 1024.0);
  std::printf("\n");
  return errors.load() == 0 ? 0 : 1;
}
