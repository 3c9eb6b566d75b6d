#include "tools/sawcli/flags.h"

#include <cerrno>
#include <cstdlib>

#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

namespace {

Result<bool> ParseBool(std::string_view v) {
  if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True") return true;
  if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False") {
    return false;
  }
  return Status::InvalidArgument("strconv.ParseBool: parsing \"" + std::string(v) +
                                 "\": invalid syntax");
}

}  // namespace

void FlagSet::Add(Flag flag) { flags_.push_back(std::move(flag)); }

void FlagSet::AddBool(std::string name, char short_name, std::string help, bool* target,
                      std::string env) {
  Flag f{std::move(name),       short_name, std::move(help), std::move(env), true, false,
         *target ? "true" : "", nullptr};
  f.apply = [target](std::string_view v) -> Status {
    SAW_ASSIGN_OR_RETURN(*target, ParseBool(v));
    return Status::OK();
  };
  Add(std::move(f));
}

void FlagSet::AddString(std::string name, char short_name, std::string help, std::string* target,
                        std::string env) {
  Flag f{std::move(name), short_name, std::move(help), std::move(env),
         false,           false,      *target,         nullptr};
  f.apply = [target](std::string_view v) -> Status {
    *target = std::string(v);
    return Status::OK();
  };
  Add(std::move(f));
}

void FlagSet::AddInt(std::string name, std::string help, int64_t* target, std::string env) {
  Flag f{std::move(name), 0,     std::move(help),         std::move(env),
         false,           false, std::to_string(*target), nullptr};
  const std::string flag_name = f.name;
  f.apply = [target, flag_name](std::string_view v) -> Status {
    const std::string s(v);
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || end != s.c_str() + s.size() || errno != 0) {
      return Status::InvalidArgument("expected an integer for --" + flag_name + ", got '" + s +
                                     "'");
    }
    *target = n;
    return Status::OK();
  };
  Add(std::move(f));
}

void FlagSet::AddDuration(std::string name, std::string help, int64_t* target, std::string env) {
  Flag f{std::move(name),
         0,
         std::move(help),
         std::move(env),
         false,
         false,
         *target == 0 ? "0s" : FormatSeconds(*target) + "s",
         nullptr};
  f.apply = [target](std::string_view v) -> Status {
    SAW_ASSIGN_OR_RETURN(*target, ParseGoDuration(v));
    return Status::OK();
  };
  Add(std::move(f));
}

void FlagSet::AddList(std::string name, std::string help, std::vector<std::string>* target) {
  Flag f{std::move(name), 0, std::move(help), "", false, false, "", nullptr};
  f.apply = [target](std::string_view v) -> Status {
    target->emplace_back(v);
    return Status::OK();
  };
  Add(std::move(f));
}

FlagSet::Flag* FlagSet::Find(std::string_view name) {
  for (Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

FlagSet::Flag* FlagSet::FindShort(char c) {
  for (Flag& f : flags_) {
    if (f.short_name == c) return &f;
  }
  return nullptr;
}

Status FlagSet::ApplyEnv() {
  for (Flag& f : flags_) {
    if (f.set || f.env.empty()) continue;
    const char* v = std::getenv(f.env.c_str());
    if (v == nullptr || *v == '\0') continue;
    Status s = f.apply(v);
    if (!s.ok()) return Status::InvalidArgument("$" + f.env + ": " + s.message());
    f.set = true;  // the command line may still override it
  }
  return Status::OK();
}

Status FlagSet::Parse(const std::vector<std::string>& args,
                      const std::function<Status(const std::string&)>& on_positional, bool* help) {
  *help = false;
  // Values from the command line win over the environment: the environment is applied at the
  // end, to the flags the command line did not set.
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      Status s = on_positional(a);
      if (!s.ok()) return s;
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      *help = true;
      return Status::OK();
    }
    Flag* flag = nullptr;
    std::string value;
    bool has_value = false;
    if (a[1] == '-') {
      std::string name = a.substr(2);
      const size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        has_value = true;
        name.resize(eq);
      }
      flag = Find(name);
      if (flag == nullptr && !has_value && name.rfind("no-", 0) == 0) {
        Flag* negated = Find(name.substr(3));
        if (negated != nullptr && negated->is_bool) {
          flag = negated;
          value = "false";
          has_value = true;
        }
      }
      if (flag == nullptr) return Status::InvalidArgument("unknown long flag '--" + name + "'");
    } else {
      flag = FindShort(a[1]);
      if (flag == nullptr) {
        return Status::InvalidArgument("unknown short flag '-" + std::string(1, a[1]) + "'");
      }
      if (a.size() > 2) {
        value = a.substr(a[2] == '=' ? 3 : 2);
        has_value = true;
      }
    }
    if (!has_value) {
      if (flag->is_bool) {
        value = "true";
      } else {
        if (i + 1 >= args.size()) {
          return Status::InvalidArgument("expected argument for flag '--" + flag->name + "'");
        }
        value = args[++i];
      }
    }
    Status s = flag->apply(value);
    if (!s.ok()) return Status::InvalidArgument("--" + flag->name + ": " + s.message());
    flag->set = true;
  }
  return ApplyEnv();
}

std::string FlagSet::Usage() const {
  std::vector<std::pair<std::string, const Flag*>> rows;
  size_t width = 0;
  for (const Flag& f : flags_) {
    std::string left =
        f.short_name != 0 ? "  -" + std::string(1, f.short_name) + ", --" : "      --";
    left += f.name;
    if (!f.is_bool) left += "=" + (f.default_text.empty() ? std::string("\"\"") : f.default_text);
    width = std::max(width, left.size());
    rows.emplace_back(std::move(left), &f);
  }
  std::string out;
  for (const auto& [left, f] : rows) {
    out += left + std::string(width - left.size() + 2, ' ') + f->help;
    if (!f->env.empty()) out += " ($" + f->env + ")";
    out += "\n";
  }
  return out;
}

}  // namespace sawmill::sawcli
