// log_gen: builds a large query benchmark dataset from the loghub samples and pushes it to a
// running server over HTTP (protobuf + Snappy, keep-alive connections), then flushes it.
//
// Streams: every (job, host, fmt) with job = one of the loghub systems (lowercase), host =
// host-0 .. host-(H-1), fmt = raw | json | logfmt, so 16 x 21 x 3 = 1,008 streams by default.
// Each stream replays its system's lines from a stream-dependent offset; `json` streams wrap
// each line as {"level":"..","duration":"..","msg":".."} and `logfmt` streams as
// `level=.. duration=.. msg=".."`, with level taken from the line and a duration that varies
// (so `| json | level="error"` and `| logfmt | duration > 1s` have work to do).
// Timestamps are spread evenly over [now - window, now - 1 min), increasing per stream, unique
// across streams.
//
//   log_gen --url 127.0.0.1:3100 --mb 1024 --hosts 21 --window 6h --connections 4
//           --lines tests/testdata/loghub [--tenant bench] [--no-flush]
#include <snappy.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/load/log_render.h"
#include "ingest/protobuf_push.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "3100";
  double mb = 1024;
  int hosts = 21;
  int64_t window_s = 6 * 3600;
  int connections = 4;
  size_t batch_bytes = 1 << 20;
  std::string lines_dir = "tests/testdata/loghub";
  std::string tenant = "bench";
  bool flush = true;
};

struct System {
  std::string job;
  std::vector<std::string> lines;
};

std::vector<System> LoadSystems(const std::string& dir) {
  std::vector<System> out;
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().string().ends_with("_2k.log")) files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    System s;
    s.job = p.filename().string().substr(0, p.filename().string().find('_'));
    for (char& c : s.job) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) s.lines.push_back(line);
    }
    out.push_back(std::move(s));
  }
  return out;
}

struct Stream {
  std::string labels;
  const System* system;
  int fmt;  // 0 raw, 1 json, 2 logfmt
  size_t cursor;
  int64_t next_ts;
  int64_t step;
  size_t remaining_bytes;
};

std::string Render(Stream& s, size_t i) {
  const std::string& line = s.system->lines[(s.cursor + i) % s.system->lines.size()];
  if (s.fmt == 0) return line;
  if (s.fmt == 1) return sawmill::bench::RenderJson(line, s.cursor + i);
  return sawmill::bench::RenderLogfmt(line, s.cursor + i);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--no-flush") {
      o.flush = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", k.c_str());
      return 2;
    }
    std::string v = argv[++i];
    if (k == "--url") {
      auto colon = v.rfind(':');
      o.host = v.substr(0, colon);
      o.port = v.substr(colon + 1);
    } else if (k == "--mb") {
      o.mb = std::stod(v);
    } else if (k == "--hosts") {
      o.hosts = std::stoi(v);
    } else if (k == "--window") {
      o.window_s = std::stoll(v) * (v.ends_with("h") ? 3600 : v.ends_with("m") ? 60 : 1);
    } else if (k == "--connections") {
      o.connections = std::stoi(v);
    } else if (k == "--lines") {
      o.lines_dir = v;
    } else if (k == "--tenant") {
      o.tenant = v;
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const std::vector<System> systems = LoadSystems(o.lines_dir);
  if (systems.empty()) {
    std::fprintf(stderr, "no *_2k.log files in %s\n", o.lines_dir.c_str());
    return 2;
  }
  static const char* kFmts[] = {"raw", "json", "logfmt"};
  std::vector<Stream> streams;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t end = now - 60LL * 1000000000;
  const int64_t start = end - o.window_s * 1000000000;
  const size_t n_streams = systems.size() * static_cast<size_t>(o.hosts) * 3;
  const size_t per_stream = static_cast<size_t>(o.mb * 1e6 / static_cast<double>(n_streams));
  for (const System& sys : systems) {
    for (int h = 0; h < o.hosts; ++h) {
      for (int f = 0; f < 3; ++f) {
        Stream s;
        s.labels = "{fmt=\"" + std::string(kFmts[f]) + "\", host=\"host-" + std::to_string(h) +
                   "\", job=\"" + sys.job + "\"}";
        s.system = &sys;
        s.fmt = f;
        s.cursor = static_cast<size_t>(h * 131 + f * 17);
        // Average rendered line ~ 1.3x the raw line for json/logfmt: estimate entries per stream.
        size_t avg = 0;
        for (const std::string& l : sys.lines) avg += l.size();
        avg = avg / sys.lines.size() + (f == 0 ? 0 : 50);
        const int64_t entries = std::max<int64_t>(1, static_cast<int64_t>(per_stream / avg));
        s.step = (end - start) / (entries + entries / 5 + 1);      // margin: lines vary in size
        s.next_ts = start + static_cast<int64_t>(streams.size());  // unique across streams
        s.remaining_bytes = per_stream;
        streams.push_back(std::move(s));
      }
    }
  }

  std::atomic<size_t> total_bytes{0}, total_lines{0}, errors{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      boost::asio::io_context io;
      tcp::resolver resolver(io);
      beast::tcp_stream conn(io);
      beast::error_code ec;
      conn.connect(resolver.resolve(o.host, o.port, ec), ec);
      if (ec) {
        ++errors;
        return;
      }
      std::vector<Stream*> mine;
      for (size_t s = c; s < streams.size(); s += o.connections) mine.push_back(&streams[s]);
      beast::flat_buffer buffer;
      size_t i = 0;
      for (;;) {
        // One batch: a few entries of every stream this connection owns, in time order.
        sawmill::ingest::PushRequest req;
        size_t bytes = 0, lines = 0;
        for (Stream* s : mine) {
          if (s->remaining_bytes == 0 || s->next_ts >= end) continue;
          auto& ps = req.streams.emplace_back();
          ps.labels = req.Own(s->labels);
          for (int k = 0; k < 8 && s->remaining_bytes > 0 && s->next_ts < end; ++k) {
            std::string l = Render(*s, i + static_cast<size_t>(k));
            s->remaining_bytes -= std::min(s->remaining_bytes, l.size());
            bytes += l.size();
            ++lines;
            ps.entries.push_back({s->next_ts, req.Own(std::move(l)), {}});
            s->next_ts += s->step;
          }
          if (bytes >= o.batch_bytes) break;
        }
        i += 8;
        if (lines == 0) break;
        std::erase_if(req.streams, [](const auto& s) { return s.entries.empty(); });
        std::string raw = sawmill::ingest::EncodeLogprotoPush(req);
        std::string body;
        snappy::Compress(raw.data(), raw.size(), &body);
        http::request<http::string_body> hreq{http::verb::post, "/loki/api/v1/push", 11};
        hreq.set(http::field::host, o.host);
        hreq.set(http::field::content_type, "application/x-protobuf");
        hreq.set("X-Scope-OrgID", o.tenant);
        hreq.keep_alive(true);
        hreq.body() = std::move(body);
        hreq.prepare_payload();
        http::write(conn, hreq, ec);
        http::response<http::string_body> res;
        if (!ec) http::read(conn, buffer, res, ec);
        if (ec || res.result_int() != 204) {
          if (errors++ < 3) {
            std::fprintf(stderr, "push: %s %s\n", ec.message().c_str(), res.body().c_str());
          }
          if (ec) return;
          continue;
        }
        total_bytes += bytes;
        total_lines += lines;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "streams=%zu lines=%zu MB=%.1f seconds=%.1f MB_per_s=%.1f errors=%zu window=[%lld,%lld)\n",
      streams.size(), total_lines.load(), total_bytes / 1e6, secs, total_bytes / 1e6 / secs,
      errors.load(), static_cast<long long>(start), static_cast<long long>(end));
  if (o.flush) {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream conn(io);
    beast::error_code ec;
    conn.connect(resolver.resolve(o.host, o.port, ec), ec);
    http::request<http::string_body> req{http::verb::post, "/flush", 11};
    req.set(http::field::host, o.host);
    req.prepare_payload();
    const auto f0 = std::chrono::steady_clock::now();
    if (!ec) http::write(conn, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(conn, buffer, res, ec);
    std::printf("flush: %d in %.1f s\n", ec ? -1 : res.result_int(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - f0).count());
  }
  return errors.load() == 0 ? 0 : 1;
}
