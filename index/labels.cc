#include "index/labels.h"

#include <algorithm>
#include <cstring>

#include "storage/utf8.h"

namespace sawmill::index {
namespace {

// xxHash64 (Yann Collet's algorithm, written out here), one-shot.
constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t Read64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t Round(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  acc = Rotl(acc, 31);
  return acc * kP1;
}
inline uint64_t MergeRound(uint64_t acc, uint64_t val) {
  acc ^= Round(0, val);
  return acc * kP1 + kP4;
}

uint64_t XxHash64(std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const unsigned char* end = p + data.size();
  uint64_t h;
  if (data.size() >= 32) {
    uint64_t v1 = kP1 + kP2, v2 = kP2, v3 = 0, v4 = -kP1;
    const unsigned char* limit = end - 32;
    do {
      v1 = Round(v1, Read64(p));
      v2 = Round(v2, Read64(p + 8));
      v3 = Round(v3, Read64(p + 16));
      v4 = Round(v4, Read64(p + 24));
      p += 32;
    } while (p <= limit);
    h = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18);
    h = MergeRound(h, v1);
    h = MergeRound(h, v2);
    h = MergeRound(h, v3);
    h = MergeRound(h, v4);
  } else {
    h = kP5;
  }
  h += data.size();
  for (; p + 8 <= end; p += 8) {
    h ^= Round(0, Read64(p));
    h = Rotl(h, 27) * kP1 + kP4;
  }
  if (p + 4 <= end) {
    h ^= uint64_t{Read32(p)} * kP1;
    h = Rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) {
    h ^= *p * kP5;
    h = Rotl(h, 11) * kP1;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

// Label text in error messages is cut so a 10,000-label stream gives a readable message.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 256;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A hand-written scanner over one line of label text. Columns are 1-based byte offsets.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status Parse(std::vector<Label>* out) {
    SkipSpace();
    if (!Consume('{')) return Error("expected '{' at the start of the label set");
    SkipSpace();
    if (Consume('}')) return End();
    while (true) {
      Label label;
      SAW_RETURN_IF_ERROR(ParseName(&label.name));
      SkipSpace();
      if (!Consume('=')) return Error("expected '=' after label name \"" + label.name + "\"");
      SkipSpace();
      SAW_RETURN_IF_ERROR(ParseValue(&label.value));
      out->push_back(std::move(label));
      SkipSpace();
      if (Consume('}')) return End();
      if (!Consume(',')) return Error("expected ',' or '}' after a label value");
      SkipSpace();
      if (Consume('}')) return End();  // a trailing comma, as Prometheus allows
    }
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }
  Status Error(std::string_view what) const {
    std::string where = AtEnd() ? "unexpected end of input: " : "";
    return Status::InvalidArgument("error parsing labels: parse error at line 1, col " +
                                   std::to_string(pos_ + 1) + ": " + where + std::string(what));
  }
  Status End() {
    SkipSpace();
    if (!AtEnd()) return Error("unexpected characters after '}'");
    return Status::OK();
  }

  Status ParseName(std::string* name) {
    size_t start = pos_;
    while (!AtEnd()) {
      char c = Peek();
      bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (pos_ > start && c >= '0' && c <= '9');
      if (!ok) break;
      ++pos_;
    }
    if (pos_ == start) {
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        return Error("invalid label name: a name cannot start with a digit");
      }
      return Error("expected a label name");
    }
    name->assign(text_.substr(start, pos_ - start));
    return Status::OK();
  }

  Status ParseValue(std::string* value) {
    if (AtEnd()) return Error("expected a quoted label value");
    char quote = Peek();
    if (quote != '"' && quote != '\'' && quote != '`') {
      return Error("expected a quoted label value");
    }
    size_t value_col = pos_;
    ++pos_;
    while (true) {
      if (AtEnd()) return Error("unterminated quoted string");
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (quote == '`') {
        value->push_back(c);
        ++pos_;
        continue;
      }
      if (c == '\n') return Error("unterminated quoted string");
      if (c != '\\') {
        value->push_back(c);
        ++pos_;
        continue;
      }
      SAW_RETURN_IF_ERROR(ParseEscape(quote, value));
    }
    if (!IsValidUtf8(*value)) {
      size_t saved = pos_;
      pos_ = value_col;
      Status s = Error("invalid UTF-8 in label value");
      pos_ = saved;
      return s;
    }
    return Status::OK();
  }

  // REQUIRES: text_[pos_] == '\\'.
  Status ParseEscape(char quote, std::string* value) {
    ++pos_;
    if (AtEnd()) return Error("unterminated quoted string");
    char c = text_[pos_++];
    switch (c) {
      case 'a':
        value->push_back('\a');
        return Status::OK();
      case 'b':
        value->push_back('\b');
        return Status::OK();
      case 'f':
        value->push_back('\f');
        return Status::OK();
      case 'n':
        value->push_back('\n');
        return Status::OK();
      case 'r':
        value->push_back('\r');
        return Status::OK();
      case 't':
        value->push_back('\t');
        return Status::OK();
      case 'v':
        value->push_back('\v');
        return Status::OK();
      case '\\':
        value->push_back('\\');
        return Status::OK();
      case '"':
      case '\'':
        if (c != quote) break;
        value->push_back(c);
        return Status::OK();
      case 'x': {
        uint32_t v = 0;
        SAW_RETURN_IF_ERROR(Digits(2, 16, &v));
        value->push_back(static_cast<char>(v));
        return Status::OK();
      }
      case 'u':
      case 'U': {
        uint32_t r = 0;
        SAW_RETURN_IF_ERROR(Digits(c == 'u' ? 4 : 8, 16, &r));
        if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
          return Error("escape sequence is an invalid Unicode code point");
        }
        AppendUtf8(value, r);
        return Status::OK();
      }
      default:
        if (c >= '0' && c <= '7') {
          --pos_;
          uint32_t v = 0;
          SAW_RETURN_IF_ERROR(Digits(3, 8, &v));
          if (v > 255) return Error("octal escape value > 255");
          value->push_back(static_cast<char>(v));
          return Status::OK();
        }
        break;
    }
    --pos_;
    return Error("unknown escape sequence");
  }

  Status Digits(int n, int base, uint32_t* out) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      int d = AtEnd() ? -1 : HexDigit(Peek());
      if (d < 0 || d >= base) return Error("invalid escape sequence");
      v = v * base + d;
      ++pos_;
    }
    *out = static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX));
    return Status::OK();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Drops empty values and sorts. Returns false, with the name in *duplicate, when a name
// appears twice.
bool Canonicalize(std::vector<Label>* labels, std::string* duplicate) {
  std::erase_if(*labels, [](const Label& l) { return l.value.empty(); });
  std::sort(labels->begin(), labels->end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  for (size_t i = 1; i < labels->size(); ++i) {
    if ((*labels)[i].name == (*labels)[i - 1].name) {
      *duplicate = (*labels)[i].name;
      return false;
    }
  }
  return true;
}

Status DuplicateError(std::string_view source, std::string_view name) {
  return Status::InvalidArgument("stream '" + Excerpt(source) + "' has duplicate label name: '" +
                                 std::string(name) + "'");
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t r, min;
    if ((c & 0xE0) == 0xC0) {
      n = 1, r = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, r = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, r = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      r = (r << 6) | (p[i] & 0x3F);
    }
    if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

uint64_t FingerprintLabels(std::span<const Label> sorted) {
  thread_local std::string buf;
  buf.clear();
  for (const Label& l : sorted) {
    buf.append(l.name);
    buf.push_back('\xff');
    buf.append(l.value);
    buf.push_back('\xff');
  }
  return XxHash64(buf);
}

void AppendQuoted(std::string* out, std::string_view value) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : value) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default: {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
          out->append("\\x");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xF]);
        } else {
          out->push_back(c);
        }
      }
    }
  }
  out->push_back('"');
}

Result<LabelSet> LabelSet::Parse(std::string_view text) {
  std::vector<Label> labels;
  SAW_RETURN_IF_ERROR(Parser(text).Parse(&labels));
  std::string duplicate;
  if (!Canonicalize(&labels, &duplicate)) return DuplicateError(text, duplicate);
  return LabelSet(std::move(labels));
}

Result<LabelSet> LabelSet::FromLabels(std::vector<Label> labels) {
  for (const Label& l : labels) {
    if (!IsValidLabelName(l.name)) {
      return Status::InvalidArgument("error parsing labels: invalid label name \"" +
                                     Excerpt(l.name) + "\"");
    }
    if (!IsValidUtf8(l.value)) {
      return Status::InvalidArgument("error parsing labels: invalid UTF-8 in the value of \"" +
                                     l.name + "\"");
    }
  }
  std::string duplicate;
  if (!Canonicalize(&labels, &duplicate)) {
    std::string source;
    for (size_t i = 0; i < labels.size() && source.size() < 512; ++i) {
      source.append(i == 0 ? "{" : ", ");
      source.append(labels[i].name);
      source.push_back('=');
      AppendQuoted(&source, labels[i].value);
    }
    return DuplicateError(source + "}", duplicate);
  }
  return LabelSet(std::move(labels));
}

std::string_view LabelSet::Get(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it == labels_.end() || it->name != name) return {};
  return it->value;
}

void LabelSet::AppendTo(std::string* out) const {
  out->push_back('{');
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (i > 0) out->append(", ");
    out->append(labels_[i].name);
    out->push_back('=');
    AppendQuoted(out, labels_[i].value);
  }
  out->push_back('}');
}

std::string LabelSet::ToString() const {
  std::string out;
  AppendTo(&out);
  return out;
}

}  // namespace sawmill::index
