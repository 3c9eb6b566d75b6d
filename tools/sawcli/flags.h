// Command-line flags the way logcli (kingpin) reads them: `--name=value`, `--name value`,
// `-o value`, `--bool`, `--no-bool`, `--bool=false`, repeatable list flags, `--` ends flags,
// and an environment variable per flag that sets its value when the flag is not given.
// Flags and positional arguments may be interleaved; a command's flags are added to the set
// while parsing, once the command word has been read (see Parse's `on_positional`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace sawmill::sawcli {

class FlagSet {
 public:
  // REQUIRES: names are unique within the set. `env` may be empty. `placeholder` is the value's
  // name in the usage text. Targets must outlive the set; they keep their value as the default.
  void AddBool(std::string name, char short_name, std::string help, bool* target,
               std::string env = "");
  void AddString(std::string name, char short_name, std::string help, std::string* target,
                 std::string env = "");
  void AddInt(std::string name, std::string help, int64_t* target, std::string env = "");
  // Go duration syntax ("1h", "30s"), stored as nanoseconds.
  void AddDuration(std::string name, std::string help, int64_t* target, std::string env = "");
  // Repeatable: each occurrence appends.
  void AddList(std::string name, std::string help, std::vector<std::string>* target);

  // Applies environment variables to the flags registered so far that name one and are not yet
  // set. Called by Parse for flags registered before it and after each on_positional call.
  Status ApplyEnv();

  // Parses `args` (argv[1..]). Each positional argument is passed to `on_positional`, which
  // may register more flags (a subcommand's). "--help"/"-h" sets *help and stops.
  Status Parse(const std::vector<std::string>& args,
               const std::function<Status(const std::string&)>& on_positional, bool* help);

  // One line per flag: "  -o, --output=default  Specify output mode ... ($ENV)".
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    char short_name = 0;
    std::string help;
    std::string env;
    bool is_bool = false;
    bool set = false;
    std::string default_text;
    std::function<Status(std::string_view)> apply;
  };
  Flag* Find(std::string_view name);
  Flag* FindShort(char c);
  void Add(Flag flag);

  std::vector<Flag> flags_;
};

}  // namespace sawmill::sawcli
