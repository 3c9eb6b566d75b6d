// The `sawmill` binary: parses flags, starts the App and runs until SIGTERM or SIGINT, then
// shuts down gracefully (in-flight requests finish, heads are flushed) and exits 0.
#include <csignal>
#include <cstdio>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

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
  if (sawmill::Status s = app.Stop(); !s.ok()) {
    LogError("error stopping Sawmill", {{"err", s.ToString()}});
    return 1;
  }
  LogInfo("Sawmill stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sawmill::server;
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
