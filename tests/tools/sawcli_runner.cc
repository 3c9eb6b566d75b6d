#include "tests/tools/sawcli_runner.h"

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace sawmill::sawcli_test {

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

namespace {

// Reads a pty master until the slave side is closed everywhere (read fails with EIO).
void Drain(int fd, std::string* out) {
  char buf[4096];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
}

RunResult Run(const std::vector<std::string>& args,
              const std::vector<std::pair<std::string, std::string>>& env,
              const std::string& stdin_text, bool stdout_tty, bool stderr_tty) {
  char dir_template[] = "/tmp/sawcli_run_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string in_path = dir + "/stdin", out_path = dir + "/stdout",
                    err_path = dir + "/stderr";
  std::ofstream(in_path, std::ios::binary) << stdin_text;

  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    if (kv.rfind("LOKI_", 0) == 0 || kv.rfind("SAWMILL_", 0) == 0 || kv.rfind("TZ=", 0) == 0 ||
        kv.rfind("NO_COLOR=", 0) == 0 || kv.rfind("TERM=", 0) == 0) {
      continue;
    }
    envs.push_back(kv);
  }
  envs.push_back("TZ=UTC");
  envs.push_back("TERM=xterm");
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);

  std::vector<std::string> argv_s = {SAW_SAWCLI_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (std::string& s : envs) envp.push_back(s.data());
  envp.push_back(nullptr);

  RunResult r;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  int masters[3] = {-1, -1, -1}, slaves[3] = {-1, -1, -1};
  for (int fd : {1, 2}) {
    const bool tty = fd == 1 ? stdout_tty : stderr_tty;
    if (!tty) {
      posix_spawn_file_actions_addopen(&actions, fd, fd == 1 ? out_path.c_str() : err_path.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
      continue;
    }
    if (openpty(&masters[fd], &slaves[fd], nullptr, nullptr, nullptr) != 0) {
      r.err = std::string("openpty failed: ") + std::strerror(errno);
      return r;
    }
    termios raw;
    tcgetattr(slaves[fd], &raw);
    cfmakeraw(&raw);
    tcsetattr(slaves[fd], TCSANOW, &raw);
    fcntl(masters[fd], F_SETFD, FD_CLOEXEC);
    fcntl(slaves[fd], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_adddup2(&actions, slaves[fd], fd);
  }
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  std::string tty_text[3];
  std::vector<std::thread> readers;
  for (int fd : {1, 2}) {
    if (slaves[fd] < 0) continue;
    close(slaves[fd]);
    if (spawned == 0) readers.emplace_back(Drain, masters[fd], &tty_text[fd]);
  }
  if (spawned != 0) {
    r.err = std::string("posix_spawn failed: ") + std::strerror(spawned);
  } else {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  for (std::thread& t : readers) t.join();
  for (int fd : {1, 2}) {
    if (masters[fd] >= 0) close(masters[fd]);
  }
  if (spawned == 0) {
    r.out = stdout_tty ? tty_text[1] : Slurp(out_path);
    r.err = stderr_tty ? tty_text[2] : Slurp(err_path);
  }
  unlink(in_path.c_str());
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  rmdir(dir.c_str());
  return r;
}

}  // namespace

RunResult RunSawcli(const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& stdin_text) {
  return Run(args, env, stdin_text, false, false);
}

RunResult RunSawcliOnTerminal(const std::vector<std::string>& args, bool stdout_tty,
                              bool stderr_tty,
                              const std::vector<std::pair<std::string, std::string>>& env) {
  return Run(args, env, "", stdout_tty, stderr_tty);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace sawmill::sawcli_test
