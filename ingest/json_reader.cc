#include "ingest/json_reader.h"

#include <array>
#include <cstring>
#include <string>

#include "storage/utf8.h"

namespace sawmill::ingest {
namespace {

// Bytes that end the fast scan of a string: the quote, the backslash, control characters.
constexpr std::array<bool, 256> MakeStringStops() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr std::array<bool, 256> kStringStops = MakeStringStops();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool JsonKeyIs(std::string_view key, std::string_view want) {
  if (key.size() != want.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != want[i]) return false;
  }
  return true;
}

bool JsonReader::TryLiteral(std::string_view lit) {
  if (static_cast<size_t>(end_ - p_) >= lit.size() &&
      std::memcmp(p_, lit.data(), lit.size()) == 0) {
    p_ += lit.size();
    return true;
  }
  return false;
}

Status JsonReader::ReadString(std::string_view* out) {
  char* open = p_;
  char* start = ++p_;
  char* w = nullptr;  // write position once an escape has been seen
  while (true) {
    char* seg = p_;
    while (p_ < end_ && !kStringStops[static_cast<unsigned char>(*p_)]) ++p_;
    if (w != nullptr && p_ != seg) {
      std::memmove(w, seg, static_cast<size_t>(p_ - seg));
      w += p_ - seg;
    }
    if (p_ == end_) {
      p_ = open;
      return Syntax("unterminated string");
    }
    char c = *p_;
    if (c == '"') {
      *out = std::string_view(start, static_cast<size_t>((w ? w : p_) - start));
      ++p_;
      return Status::OK();
    }
    if (c != '\\') return Syntax("control character in a string (must be escaped)");
    if (w == nullptr) w = p_;
    if (end_ - p_ < 2) return Syntax("unterminated string");
    char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        *w++ = e;
        break;
      case 'b':
        *w++ = '\b';
        break;
      case 'f':
        *w++ = '\f';
        break;
      case 'n':
        *w++ = '\n';
        break;
      case 'r':
        *w++ = '\r';
        break;
      case 't':
        *w++ = '\t';
        break;
      case 'u': {
        uint32_t cp;
        if (!ReadHex4(&cp)) return Syntax("invalid \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          char* save = p_;
          if (end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u' && (p_ += 2, ReadHex4(&lo)) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else {
            p_ = save;
            cp = 0xFFFD;  // a lone surrogate, replaced as encoding/json does
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        w += EncodeUtf8(cp, w);
        break;
      }
      default:
        p_ -= 2;
        return Syntax("invalid escape in a string");
    }
  }
}

bool JsonReader::ReadHex4(uint32_t* cp) {
  if (end_ - p_ < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p_[i];
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    v = v << 4 | d;
  }
  p_ += 4;
  *cp = v;
  return true;
}

Status JsonReader::SkipNumber() {
  char* start = p_;
  if (p_ < end_ && *p_ == '-') ++p_;
  if (p_ < end_ && *p_ == '0') {
    ++p_;
  } else if (p_ < end_ && IsDigit(*p_)) {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  } else {
    p_ = start;
    return Syntax("invalid value");
  }
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Syntax("invalid number");
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Syntax("invalid number");
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  return Status::OK();
}

Status JsonReader::ReadNumberText(std::string_view* out) {
  char* start = p_;
  SAW_RETURN_IF_ERROR(SkipNumber());
  *out = std::string_view(start, static_cast<size_t>(p_ - start));
  return Status::OK();
}

bool JsonReader::TryBool(bool* value) {
  if (TryLiteral("true")) {
    *value = true;
    return true;
  }
  if (TryLiteral("false")) {
    *value = false;
    return true;
  }
  return false;
}

Status JsonReader::SkipValue(int depth) {
  if (depth > kMaxJsonDepth) return Syntax("nesting deeper than 64 levels");
  if (p_ == end_) return Syntax("expected a value");
  std::string_view ignored;
  switch (*p_) {
    case '"':
      return ReadString(&ignored);
    case '{':
      return ForEachMember([&](std::string_view) { return SkipValue(depth + 1); });
    case '[':
      return ForEachElement([&](size_t) { return SkipValue(depth + 1); });
    case 't':
      if (TryLiteral("true")) return Status::OK();
      break;
    case 'f':
      if (TryLiteral("false")) return Status::OK();
      break;
    case 'n':
      if (TryLiteral("null")) return Status::OK();
      break;
    default:
      return SkipNumber();
  }
  return Syntax("invalid value");
}

const char* JsonReader::KindHere() const {
  if (p_ == end_) return "end of input";
  switch (*p_) {
    case '"':
      return "a string";
    case '{':
      return "an object";
    case '[':
      return "an array";
    case 't':
    case 'f':
      return "a boolean";
    case 'n':
      return "null";
    default:
      return (*p_ == '-' || IsDigit(*p_)) ? "a number" : "an invalid value";
  }
}

Status JsonReader::Syntax(std::string_view what) const {
  std::string msg = "malformed ";
  msg.append(document_);
  msg.append(": ");
  msg.append(what);
  msg.append(" at byte ");
  msg.append(std::to_string(p_ - begin_));
  if (p_ == end_) {
    msg.append(" (unexpected end of input)");
  } else {
    unsigned char c = static_cast<unsigned char>(*p_);
    if (c >= 0x20 && c < 0x7f) {
      msg.append(" (found '");
      msg.push_back(static_cast<char>(c));
      msg.append("')");
    }
  }
  return Status::InvalidArgument(std::move(msg));
}

Status JsonReader::Mismatch(const std::string& path, std::string_view what) const {
  if (p_ == end_ || *p_ == ']' || *p_ == '}' || *p_ == ',' || *p_ == ':') {
    return Syntax("expected a value");
  }
  return Schema(path, what);
}

Status JsonReader::Schema(const std::string& path, std::string_view what) {
  std::string msg = "invalid JSON push request: ";
  msg.append(path);
  msg.append(": ");
  msg.append(what);
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace sawmill::ingest
