// The `sawmill` binary: parses flags, starts the App and runs until SIGTERM or SIGINT, then
// shuts down gracefully and exits 0:
//   1. /ready answers 503 (for -shutdown-delay, everything else is still served, so a load
//      balancer stops sending traffic first);
//   2. the HTTP server stops accepting and lets requests in flight finish;
//   3. the heads are flushed and the store closed.
// The whole is bounded by -server.graceful-shutdown-timeout (after the delay): past it, or on
// a second signal, the process exits at once with code 1. That is still crash-safe: every
// acknowledged write is in the WAL and comes back at the next start.
#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/app.h"
#include "server/build_info.h"
#include "server/flags.h"
#include "server/log.h"

namespace {

int Run(const sawmill::server::Config& config) {
  using namespace sawmill::server;
  // Installed first, so a signal that arrives during start-up is not fatal: it is seen as
  // soon as start-up is done.
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&received](const boost::system::error_code& ec, int signo) {
    if (!ec) received = signo;
  });

  const BuildInfo& b = GetBuildInfo();
  LogInfo("Starting Sawmill",
          {{"version", "(version=" + std::string(b.version) + ", branch=" + std::string(b.branch) +
                           ", revision=" + std::string(b.revision) + ")"}});
  App app(config);
  if (sawmill::Status s = app.Start(); !s.ok()) {
    LogError("error starting Sawmill", {{"err", s.ToString()}});
    return 1;
  }
  signals_ioc.run();  // returns once a signal has been handled
  LogInfo("received signal, shutting down", {{"signal", strsignal(received)}});
  app.BeginShutdown();

  // From now on a second signal, or the grace period running out, ends the process at once.
  signals_ioc.restart();
  signals.async_wait([](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    LogWarn("received a second signal, exiting immediately (acknowledged writes are in the WAL)",
            {{"signal", strsignal(signo)}});
    std::_Exit(1);
  });
  boost::asio::steady_timer grace(signals_ioc,
                                  config.shutdown_delay + config.graceful_shutdown_timeout);
  grace.async_wait([](const boost::system::error_code& ec) {
    if (ec) return;
    LogError(
        "graceful shutdown timed out, exiting immediately (acknowledged writes are in the WAL)");
    std::_Exit(1);
  });
  std::thread watchdog([&signals_ioc] { signals_ioc.run(); });

  if (config.shutdown_delay.count() > 0) {
    LogInfo("waiting for the shutdown delay before stopping",
            {{"delay_ms", static_cast<int64_t>(config.shutdown_delay.count())}});
    std::this_thread::sleep_for(config.shutdown_delay);
  }
  const sawmill::Status stopped = app.Stop();
  signals_ioc.stop();
  watchdog.join();
  if (!stopped.ok()) {
    LogError("error stopping Sawmill", {{"err", stopped.ToString()}});
    return 1;
  }
  LogInfo("Sawmill stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sawmill::server;
  // glibc gives busy threads malloc arenas of their own, up to 8 per core. Pushes allocate
  // ~1 MiB buffers per request (body, decoded body, head records) on the HTTP and push
  // threads and heads grow in blocks of up to 256 KiB; freed memory stayed spread over up to
  // 16 arenas and RSS was ~70 MB higher at 100 streams (bench/RESULTS.md, "Push over HTTP:
  // per-stream work and memory"), for no measurable throughput. MALLOC_ARENA_MAX, when set,
  // still decides.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  }
  // glibc's default thresholds move with the allocations it sees: a freed ~1 MiB request
  // buffer raises the mmap threshold, and free memory at an arena's top past twice that is
  // given back to the kernel, so the next request's buffers fault fresh zeroed pages in
  // again (clear_page ~5 % of the server's CPU pushing 100 streams). Fixed thresholds keep
  // up to 64 MiB of freed memory per arena for reuse; blocks of 32 MiB or more are still
  // mapped and unmapped on their own. GLIBC_TUNABLES, when set, still decides.
  if (std::getenv("GLIBC_TUNABLES") == nullptr) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
  }
  sawmill::Result<Config> config = ParseFlags(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "sawmill: %s\nRun 'sawmill -help' for usage.\n",
                 config.status().message().c_str());
    return 1;
  }
  if (config->show_help) {
    std::fputs(FlagsUsage().c_str(), stdout);
    return 0;
  }
  if (config->show_version) {
    std::fputs(VersionString().c_str(), stdout);
    return 0;
  }
  SetLogLevel(config->log_level);
  return Run(*config);
}
