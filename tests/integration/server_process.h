// Runs the real `sawmill` binary as a child process for end-to-end tests and collects what
// it prints (stderr and stdout together). The child never outlives the test: the destructor
// kills it, and the kernel kills it (PR_SET_PDEATHSIG) if the test process dies first.
//
//   auto server = ServerProcess::Start(SAW_SAWMILL_BINARY, {"-server.http-listen-port=0"});
//   Result<uint16_t> port = server->WaitUntilStarted();
//   ...
//   server->Signal(SIGTERM);
//   EXPECT_EQ(server->Wait(), 0);
//
// Waits are bounded (a generous default) so a broken server fails a test rather than hanging
// it; they are not timing assertions.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/result.h"

namespace sawmill::integration {

class ServerProcess {
 public:
  static constexpr std::chrono::seconds kDefaultWait{60};

  // Starts `binary` with `args` (argv[1..]).
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                      const std::vector<std::string>& args);
  ~ServerProcess();  // SIGKILLs the child if it is still running, and reaps it
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Waits until the output contains `text`. False if the child's output ended (it exited)
  // or `wait` passed first.
  bool WaitForOutput(std::string_view text, std::chrono::milliseconds wait = kDefaultWait);

  // Waits for "Sawmill started" and returns the port of the "server listening on addresses
  // http=HOST:PORT" line.
  Result<uint16_t> WaitUntilStarted(std::chrono::milliseconds wait = kDefaultWait);

  void Signal(int signo);

  // Waits for the child to exit and returns its exit code (128 + signal number when a signal
  // ended it). If it has not exited within `wait` it is killed and -1 is returned.
  int Wait(std::chrono::milliseconds wait = kDefaultWait);

  // Everything the child printed so far.
  std::string Output() const;

  // The child's process id (e.g. to count its threads in /proc/<pid>/task).
  pid_t pid() const { return pid_; }

 private:
  ServerProcess(pid_t pid, int output_fd);
  void ReadOutput();

  pid_t pid_;
  int output_fd_;
  bool reaped_ = false;
  int exit_code_ = -1;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string output_;          // guarded by mu_
  bool output_closed_ = false;  // guarded by mu_
  std::thread reader_;
};

}  // namespace sawmill::integration
