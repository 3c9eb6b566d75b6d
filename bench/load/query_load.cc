// query_load: times LogQL queries end to end over HTTP against a running server, as Grafana
// sends them (GET /loki/api/v1/query_range with ns times), and reports per query the median
// wall time over --repeat runs, the entries and streams returned, the bytes the server says
// it scanned (data.stats.summary.totalBytesProcessed) and MB/s of scanned text, total and per
// core (divided by the server machine's hardware threads, --cores).
//
// With --pid (the server's process id, on this machine), it also reports the server's CPU time
// per query (user + system of all its threads, /proc/<pid>/stat, averaged over the repeats)
// and the scanned MB per CPU second: the per-core rate whether or not the server had its
// cores to itself (wall time on a shared machine also counts the time others ran).
//
//   query_load --url 127.0.0.1:3100 --tenant bench --since 7h --limit 5000 --repeat 5
//              --direction backward --query '{job=~".+"} |= "error"' [--query ...] [--step 60s]
//              [--pid <server pid>]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

std::string UrlEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The CPU seconds (user + system, all threads) process `pid` has used, or -1.
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string f;
  // After the name: state (3) ... utime (14), stime (15).
  for (int i = 3; i < 14 && fields >> f; ++i) {
  }
  long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "3100", tenant = "bench", direction = "backward";
  int64_t since_s = 7 * 3600;
  std::string step;  // the query_range step parameter; the server's default when empty
  int limit = 5000, repeat = 5, pid = 0;
  unsigned cores = std::thread::hardware_concurrency();
  std::vector<std::string> queries;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url") {
      auto colon = v.rfind(':');
      host = v.substr(0, colon);
      port = v.substr(colon + 1);
    } else if (k == "--tenant") {
      tenant = v;
    } else if (k == "--since") {
      since_s = std::stoll(v) * (v.ends_with("h") ? 3600 : v.ends_with("m") ? 60 : 1);
    } else if (k == "--limit") {
      limit = std::stoi(v);
    } else if (k == "--repeat") {
      repeat = std::max(1, std::stoi(v));
    } else if (k == "--direction") {
      direction = v;
    } else if (k == "--step") {
      step = v;
    } else if (k == "--cores") {
      cores = static_cast<unsigned>(std::stoi(v));
    } else if (k == "--pid") {
      pid = std::stoi(v);
    } else if (k == "--query") {
      queries.push_back(v);
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (queries.empty()) queries.push_back(R"({job=~".+"} |= "error")");
  const int64_t end = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t start = end - since_s * 1000000000;

  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream conn(io);
  beast::error_code ec;
  conn.connect(resolver.resolve(host, port, ec), ec);
  if (ec) {
    std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
    return 2;
  }
  beast::flat_buffer buffer;
  int failures = 0;
  std::printf("%-10s %9s %8s %8s %12s %10s %10s%s  %s\n", "status", "median_ms", "min_ms",
              "entries", "scanned_MB", "MB/s", "MB/s/core", pid > 0 ? "   cpu_ms MB/cpu_s" : "",
              "query");
  for (const std::string& q : queries) {
    const std::string target = "/loki/api/v1/query_range?direction=" + direction +
                               "&end=" + std::to_string(end) + "&limit=" + std::to_string(limit) +
                               "&query=" + UrlEncode(q) + "&start=" + std::to_string(start) +
                               (step.empty() ? "" : "&step=" + step);
    std::vector<double> ms;
    int status = 0;
    size_t entries = 0;
    double scanned = 0;
    const double cpu0 = pid > 0 ? CpuSeconds(pid) : 0;
    for (int r = 0; r < repeat; ++r) {
      http::request<http::empty_body> req{http::verb::get, target, 11};
      req.set(http::field::host, host);
      req.set("X-Scope-OrgID", tenant);
      req.keep_alive(true);
      const auto t0 = std::chrono::steady_clock::now();
      http::write(conn, req, ec);
      http::response<http::string_body> res;
      if (!ec) http::read(conn, buffer, res, ec);
      const auto t1 = std::chrono::steady_clock::now();
      if (ec) {
        std::fprintf(stderr, "http: %s\n", ec.message().c_str());
        return 2;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      status = res.result_int();
      if (status != 200) {
        std::fprintf(stderr, "%d %s\n", status, res.body().substr(0, 300).c_str());
        break;
      }
      auto j = nlohmann::json::parse(res.body(), nullptr, false);
      entries = 0;
      for (const auto& s : j["data"]["result"]) entries += s["values"].size();
      scanned = j["data"]["stats"]["summary"]["totalBytesProcessed"].get<double>();
    }
    const double cpu_ms = pid > 0 ? (CpuSeconds(pid) - cpu0) * 1000 / repeat : 0;
    if (status != 200) {
      ++failures;
      continue;
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    const double mbps = scanned / 1e6 / (median / 1000);
    char cpu[40] = "";
    if (pid > 0) {
      std::snprintf(cpu, sizeof(cpu), " %8.0f %9.0f", cpu_ms,
                    cpu_ms > 0 ? scanned / 1e6 / (cpu_ms / 1000) : 0.0);
    }
    std::printf("%-10d %9.1f %8.1f %8zu %12.1f %10.0f %10.0f%s  %s\n", status, median, ms.front(),
                entries, scanned / 1e6, mbps, mbps / cores, cpu, q.c_str());
  }
  return failures == 0 ? 0 : 1;
}
