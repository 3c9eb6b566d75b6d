#include "query/log/regex_literal.h"

#include <cctype>

namespace sawmill::query::log {
namespace {

// One element of a concatenation: a literal byte, or something else (class, group, anchor,
// escape class...). `optional` elements may match the empty string.
struct Atom {
  bool literal = false;
  char c = 0;
  bool dot_star = false;  // `.*`
  bool breaks = false;    // ends a run of literals after it (it was repeated)
};

struct Branch {
  std::vector<Atom> atoms;
  bool ok = true;  // false when something was not understood
};

bool IsWordAscii(unsigned char c) { return std::isalnum(c) || c == '_'; }

// Skips a character class starting at re[i] == '['; returns the index after ']' or npos.
size_t SkipClass(std::string_view re, size_t i) {
  ++i;
  if (i < re.size() && re[i] == '^') ++i;
  if (i < re.size() && re[i] == ']') ++i;  // a leading ] is literal
  while (i < re.size()) {
    if (re[i] == '\\') {
      i += 2;
      continue;
    }
    if (re[i] == '[' && i + 1 < re.size() && re[i + 1] == ':') {
      size_t end = re.find(":]", i + 2);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end + 2;
      continue;
    }
    if (re[i] == ']') return i + 1;
    ++i;
  }
  return std::string_view::npos;
}

// Skips a group starting at re[i] == '('; returns the index after its ')' or npos.
size_t SkipGroup(std::string_view re, size_t i) {
  int depth = 0;
  while (i < re.size()) {
    char c = re[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '[') {
      i = SkipClass(re, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i + 1;
    ++i;
  }
  return std::string_view::npos;
}

// Parses a quantifier at re[i]; sets min and returns the index after it, or 0 when there is
// none.
size_t ParseQuantifier(std::string_view re, size_t i, int* min) {
  if (i >= re.size()) return 0;
  size_t end = 0;
  switch (re[i]) {
    case '*':
    case '?':
      *min = 0;
      end = i + 1;
      break;
    case '+':
      *min = 1;
      end = i + 1;
      break;
    case '{': {
      size_t j = i + 1;
      int n = 0;
      bool digits = false;
      while (j < re.size() && std::isdigit(static_cast<unsigned char>(re[j]))) {
        n = n * 10 + (re[j] - '0');
        if (n > 100000) n = 100000;
        ++j, digits = true;
      }
      if (!digits) return 0;
      if (j < re.size() && re[j] == ',') {
        ++j;
        while (j < re.size() && std::isdigit(static_cast<unsigned char>(re[j]))) ++j;
      }
      if (j >= re.size() || re[j] != '}') return 0;
      *min = n;
      end = j + 1;
      break;
    }
    default:
      return 0;
  }
  if (end < re.size() && re[end] == '?') ++end;  // lazy
  return end;
}

Branch ParseBranch(std::string_view re) {
  Branch b;
  size_t i = 0;
  while (i < re.size() && b.ok) {
    char c = re[i];
    Atom atom;
    size_t next = i + 1;
    if (c == '\\') {
      if (i + 1 >= re.size()) {
        b.ok = false;
        break;
      }
      unsigned char e = static_cast<unsigned char>(re[i + 1]);
      next = i + 2;
      if (e < 0x80 && !IsWordAscii(e)) {
        atom.literal = true, atom.c = static_cast<char>(e);
      } else if (e == 'n' || e == 't' || e == 'r' || e == 'f' || e == 'v' || e == 'a') {
        atom.literal = true;
        atom.c = e == 'n'   ? '\n'
                 : e == 't' ? '\t'
                 : e == 'r' ? '\r'
                 : e == 'f' ? '\f'
                 : e == 'v' ? '\v'
                            : '\a';
      } else if (e == 'Q') {
        size_t end = re.find("\\E", i + 2);
        std::string_view quoted =
            re.substr(i + 2, end == std::string_view::npos ? std::string_view::npos : end - i - 2);
        for (char q : quoted) b.atoms.push_back(Atom{true, q, false, false});
        i = end == std::string_view::npos ? re.size() : end + 2;
        continue;
      } else if (e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S' || e == 'b' ||
                 e == 'B' || e == 'A' || e == 'z') {
        // a class or an assertion: not a literal
      } else {
        b.ok = false;  // \x, \p, octal...: not worth decoding
        break;
      }
    } else if (c == '[') {
      next = SkipClass(re, i);
      if (next == std::string_view::npos) {
        b.ok = false;
        break;
      }
    } else if (c == '(') {
      if (i + 1 < re.size() && re[i + 1] == '?' && i + 2 < re.size() && re[i + 2] != 'P' &&
          re[i + 2] != ':' && re[i + 2] != '<') {
        b.ok = false;  // inline flags in the middle change how what follows matches
        break;
      }
      next = SkipGroup(re, i);
      if (next == std::string_view::npos) {
        b.ok = false;
        break;
      }
    } else if (c == ')' || c == '*' || c == '+' || c == '?') {
      b.ok = false;
      break;
    } else if (c == '.') {
      atom.dot_star = i + 1 < re.size() && re[i + 1] == '*';
    } else if (c == '^' || c == '$') {
      // anchors: not literals
    } else {
      atom.literal = true, atom.c = c;
    }
    int min = 1;
    size_t q = ParseQuantifier(re, next, &min);
    if (q != 0) {
      if (atom.dot_star) {
        next = q;
      } else {
        next = q;
        if (min == 0) atom.literal = false;  // may be absent
        atom.breaks = true;
      }
    }
    b.atoms.push_back(atom);
    i = next;
  }
  return b;
}

// Splits at top-level '|'.
std::vector<std::string_view> SplitAlternation(std::string_view re) {
  std::vector<std::string_view> out;
  size_t start = 0, i = 0;
  int depth = 0;
  while (i < re.size()) {
    char c = re[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '[') {
      size_t n = SkipClass(re, i);
      if (n == std::string_view::npos) return {};
      i = n;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '|' && depth == 0) {
      out.push_back(re.substr(start, i - start));
      start = i + 1;
    }
    ++i;
  }
  out.push_back(re.substr(start));
  return out;
}

}  // namespace

RegexPlan AnalyzeRegex(std::string_view re) {
  RegexPlan plan;
  // Leading flags: (?i) folds case; (?s), (?m), (?U) do not change which literals are needed.
  while (re.size() >= 3 && re.substr(0, 2) == "(?") {
    size_t close = re.find(')');
    if (close == std::string_view::npos) return plan;
    std::string_view flags = re.substr(2, close - 2);
    if (flags.empty() || flags.find_first_not_of("imsU") != std::string_view::npos) return plan;
    if (flags.find('i') != std::string_view::npos) plan.fold = true;
    re.remove_prefix(close + 1);
  }
  std::vector<std::string_view> branches = SplitAlternation(re);
  if (branches.empty()) return plan;
  bool all_pure = true;
  std::vector<std::string> pure;
  std::vector<std::vector<std::string>> runs_per_branch;
  for (std::string_view text : branches) {
    Branch b = ParseBranch(text);
    if (!b.ok) return RegexPlan{RegexPlan::Kind::kRegex, plan.fold, {}, {}};
    // Strip `.*` at both ends: an unanchored search makes them redundant.
    size_t begin = 0, end = b.atoms.size();
    while (begin < end && b.atoms[begin].dot_star) ++begin;
    while (end > begin && b.atoms[end - 1].dot_star) --end;
    bool pure_branch = true;
    std::string lit;
    std::vector<std::string> runs;
    std::string run;
    for (size_t k = begin; k < end; ++k) {
      const Atom& a = b.atoms[k];
      if (!a.literal || a.breaks) pure_branch = false;
      if (a.literal) {
        run.push_back(a.c);
        lit.push_back(a.c);
      }
      if (!a.literal || a.breaks) {
        if (!run.empty()) runs.push_back(std::move(run));
        run.clear();
      }
    }
    if (!run.empty()) runs.push_back(std::move(run));
    if (pure_branch) {
      pure.push_back(lit);
    } else {
      all_pure = false;
    }
    runs_per_branch.push_back(std::move(runs));
  }
  if (all_pure) {
    plan.kind = RegexPlan::Kind::kLiterals;
    plan.literals = std::move(pure);
    return plan;
  }
  if (branches.size() == 1) {
    // Keep the longest run (one substring search per line is enough to reject most lines).
    std::string best;
    for (std::string& r : runs_per_branch[0]) {
      if (r.size() > best.size()) best = std::move(r);
    }
    if (!best.empty()) plan.required.push_back(std::move(best));
  }
  return plan;
}

}  // namespace sawmill::query::log
