// Runs the sawcli binary for end-to-end tests: arguments, extra environment, a stdin text;
// returns its exit code, stdout and stderr. The child's environment starts from a clean slate
// of LOKI_* / SAWMILL_* variables so the developer's own settings never leak into a test.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sawmill::sawcli_test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

RunResult RunSawcli(const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& env = {},
                    const std::string& stdin_text = "");

// Like RunSawcli, but stdout and/or stderr (as asked) are the slave side of a pseudo-terminal
// (openpty, raw mode: the bytes arrive as sawcli wrote them), so isatty() is true there, as
// for a user at a terminal; the other stream goes to a file as in RunSawcli.
RunResult RunSawcliOnTerminal(const std::vector<std::string>& args, bool stdout_tty,
                              bool stderr_tty,
                              const std::vector<std::pair<std::string, std::string>>& env = {});

// Splits on '\n'; no trailing empty element.
std::vector<std::string> Lines(const std::string& text);

}  // namespace sawmill::sawcli_test
