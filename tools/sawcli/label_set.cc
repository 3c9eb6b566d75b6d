#include "tools/sawcli/label_set.h"

#include <algorithm>
#include <cstdio>

namespace sawmill::sawcli {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Reads a Go double-quoted string at text[*pos] (which is '"'); advances past the closing quote.
Result<std::string> ReadQuoted(std::string_view text, size_t* pos) {
  std::string out;
  size_t i = *pos + 1;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      *pos = i + 1;
      return out;
    }
    if (c == '\n') break;
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) break;
    char e = text[i + 1];
    i += 2;
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '"':
        out.push_back('"');
        break;
      case '\'':
        out.push_back('\'');
        break;
      case 'x': {
        if (i + 2 > text.size()) {
          return Status::InvalidArgument("bad \\x escape at col " + std::to_string(i));
        }
        unsigned v = 0;
        for (int k = 0; k < 2; ++k) {
          char h = text[i + k];
          v <<= 4;
          if (h >= '0' && h <= '9') {
            v |= h - '0';
          } else if (h >= 'a' && h <= 'f') {
            v |= h - 'a' + 10;
          } else if (h >= 'A' && h <= 'F') {
            v |= h - 'A' + 10;
          } else {
            return Status::InvalidArgument("bad \\x escape at col " + std::to_string(i));
          }
        }
        out.push_back(static_cast<char>(v));
        i += 2;
        break;
      }
      default:
        return Status::InvalidArgument("unknown escape \\" + std::string(1, e) + " at col " +
                                       std::to_string(i - 1));
    }
  }
  return Status::InvalidArgument("unterminated string starting at col " + std::to_string(*pos + 1));
}

void SkipSpace(std::string_view text, size_t* pos) {
  while (*pos < text.size() &&
         (text[*pos] == ' ' || text[*pos] == '\t' || text[*pos] == '\n' || text[*pos] == '\r')) {
    ++*pos;
  }
}

}  // namespace

void AppendGoQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n == 0) {
        out->append("\\x");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\a':
        out->append("\\a");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      case '\v':
        out->append("\\v");
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

LabelSet::LabelSet(std::vector<Pair> pairs) : pairs_(std::move(pairs)) {
  std::stable_sort(pairs_.begin(), pairs_.end(),
                   [](const Pair& a, const Pair& b) { return a.first < b.first; });
  // Keep the last of equal names.
  std::vector<Pair> unique;
  unique.reserve(pairs_.size());
  for (Pair& p : pairs_) {
    if (!unique.empty() && unique.back().first == p.first) {
      unique.back() = std::move(p);
    } else {
      unique.push_back(std::move(p));
    }
  }
  pairs_ = std::move(unique);
}

Result<LabelSet> LabelSet::Parse(std::string_view text) {
  size_t pos = 0;
  SkipSpace(text, &pos);
  if (pos >= text.size() || text[pos] != '{') {
    return Status::InvalidArgument("labels must start with '{' (col " + std::to_string(pos + 1) +
                                   ")");
  }
  ++pos;
  std::vector<Pair> pairs;
  SkipSpace(text, &pos);
  if (pos < text.size() && text[pos] == '}') {
    ++pos;
  } else {
    while (true) {
      SkipSpace(text, &pos);
      const size_t name_start = pos;
      if (pos >= text.size() || !IsNameStart(text[pos])) {
        return Status::InvalidArgument("expected a label name at col " + std::to_string(pos + 1));
      }
      while (pos < text.size() && IsNameChar(text[pos])) ++pos;
      std::string name(text.substr(name_start, pos - name_start));
      SkipSpace(text, &pos);
      if (pos >= text.size() || text[pos] != '=') {
        return Status::InvalidArgument("expected '=' at col " + std::to_string(pos + 1));
      }
      ++pos;
      SkipSpace(text, &pos);
      if (pos >= text.size() || text[pos] != '"') {
        return Status::InvalidArgument("expected a quoted value at col " + std::to_string(pos + 1));
      }
      SAW_ASSIGN_OR_RETURN(std::string value, ReadQuoted(text, &pos));
      for (const Pair& p : pairs) {
        if (p.first == name) {
          return Status::InvalidArgument("duplicate label name " + name);
        }
      }
      pairs.emplace_back(std::move(name), std::move(value));
      SkipSpace(text, &pos);
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
        break;
      }
      return Status::InvalidArgument("expected ',' or '}' at col " + std::to_string(pos + 1));
    }
  }
  SkipSpace(text, &pos);
  if (pos != text.size()) {
    return Status::InvalidArgument("unexpected text after '}' at col " + std::to_string(pos + 1));
  }
  return LabelSet(std::move(pairs));
}

const std::string* LabelSet::Get(std::string_view name) const {
  for (const Pair& p : pairs_) {
    if (p.first == name) return &p.second;
  }
  return nullptr;
}

std::string LabelSet::String() const {
  std::string out = "{";
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(pairs_[i].first);
    out.push_back('=');
    AppendGoQuoted(pairs_[i].second, &out);
  }
  out.push_back('}');
  return out;
}

LabelSet LabelSet::Intersect(const LabelSet& other) const {
  LabelSet result;
  for (const Pair& p : pairs_) {
    const std::string* v = other.Get(p.first);
    if (v != nullptr && *v == p.second) result.pairs_.push_back(p);
  }
  return result;
}

LabelSet LabelSet::Subtract(const LabelSet& other) const {
  LabelSet result;
  for (const Pair& p : pairs_) {
    const std::string* v = other.Get(p.first);
    if (v == nullptr || *v != p.second) result.pairs_.push_back(p);
  }
  return result;
}

LabelSet LabelSet::Filter(const std::vector<std::string>& names, bool keep) const {
  LabelSet result;
  for (const Pair& p : pairs_) {
    const bool listed = std::find(names.begin(), names.end(), p.first) != names.end();
    if (listed == keep) result.pairs_.push_back(p);
  }
  return result;
}

}  // namespace sawmill::sawcli
