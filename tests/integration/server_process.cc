#include "tests/integration/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace sawmill::integration {

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& binary,
                                                            const std::vector<std::string>& args) {
  // Everything the child needs is prepared before fork(): after it only async-signal-safe
  // calls are allowed.
  std::vector<std::string> argv_storage;
  argv_storage.push_back(binary);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::IOError(std::string("pipe: ") + strerror(errno));
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status::IOError(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died before prctl took effect
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return std::unique_ptr<ServerProcess>(new ServerProcess(pid, fds[0]));
}

ServerProcess::ServerProcess(pid_t pid, int output_fd)
    : pid_(pid), output_fd_(output_fd), reader_([this] { ReadOutput(); }) {}

ServerProcess::~ServerProcess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    Wait();
  }
  reader_.join();  // the pipe reaches EOF once the child is gone
  close(output_fd_);
}

void ServerProcess::ReadOutput() {
  char buf[4096];
  while (true) {
    const ssize_t n = read(output_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (n <= 0) {
      output_closed_ = true;
      changed_.notify_all();
      return;
    }
    output_.append(buf, static_cast<size_t>(n));
    changed_.notify_all();
  }
}

bool ServerProcess::WaitForOutput(std::string_view text, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, wait,
                    [&] { return output_.find(text) != std::string::npos || output_closed_; });
  return output_.find(text) != std::string::npos;
}

Result<uint16_t> ServerProcess::WaitUntilStarted(std::chrono::milliseconds wait) {
  if (!WaitForOutput("Sawmill started", wait)) {
    return Status::Unavailable("sawmill did not start; its output:\n" + Output());
  }
  const std::string out = Output();
  const std::string_view key = "msg=\"server listening on addresses\" http=";
  const size_t at = out.find(key);
  const size_t end = at == std::string::npos ? at : out.find_first_of(" \n", at + key.size());
  const size_t colon = at == std::string::npos ? at : out.rfind(':', end);
  unsigned port = 0;
  if (colon == std::string::npos ||
      std::from_chars(out.data() + colon + 1, out.data() + end, port).ec != std::errc() ||
      port == 0 || port > 65535) {
    return Status::NotFound("no listen address in sawmill's output:\n" + out);
  }
  return static_cast<uint16_t>(port);
}

void ServerProcess::Signal(int signo) {
  if (!reaped_) kill(pid_, signo);
}

int ServerProcess::Wait(std::chrono::milliseconds wait) {
  if (reaped_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  int status = 0;
  while (true) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      reaped_ = true;
      exit_code_ = -1;
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reaped_ = true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // The child is gone, so its output pipe ends: wait for the reader to take everything, so
  // that Output() after Wait() holds the child's last words.
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, std::chrono::seconds(5), [this] { return output_closed_; });
  return exit_code_;
}

std::string ServerProcess::Output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

}  // namespace sawmill::integration
