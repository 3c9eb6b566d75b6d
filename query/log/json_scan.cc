#include "query/log/json_scan.h"

#include <cstdint>

#include "storage/utf8.h"

namespace sawmill::query::log::json {
namespace {

constexpr size_t npos = std::string_view::npos;

// blockEnd: the offset after the bracket closing the one at data[0], skipping strings.
size_t BlockEnd(std::string_view data, char open, char close) {
  int level = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '"') {
      bool esc;
      size_t se = StringEnd(data.substr(i + 1), &esc);
      if (se == npos) return npos;
      i += se;
    } else if (c == open) {
      ++level;
    } else if (c == close) {
      if (--level == 0) return i + 1;
    }
  }
  return npos;
}

// tokenEnd: the end of a number/boolean/null token.
size_t TokenEnd(std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    switch (data[i]) {
      case ' ':
      case '\n':
      case '\r':
      case '\t':
      case ',':
      case '}':
      case ']':
        return i;
    }
  }
  return data.size();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads \uXXXX at in[0..6); returns the code unit or -1.
int32_t ReadU(std::string_view in) {
  if (in.size() < 6 || in[0] != '\\' || in[1] != 'u') return -1;
  int32_t v = 0;
  for (int i = 2; i < 6; ++i) {
    int h = Hex(in[static_cast<size_t>(i)]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

}  // namespace

size_t NextToken(std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return i;
  }
  return npos;
}

size_t StringEnd(std::string_view data, bool* escaped) {
  *escaped = false;
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '"') {
      if (!*escaped) return i + 1;
      // Count the backslashes right before the quote: an even number closes the string.
      size_t j = i;
      size_t n = 0;
      while (j > 0 && data[j - 1] == '\\') --j, ++n;
      if (n % 2 == 0) return i + 1;
    } else if (c == '\\') {
      *escaped = true;
    }
  }
  return npos;
}

std::string_view GetValue(std::string_view data, Value* out) {
  size_t offset = NextToken(data);
  if (offset == npos) return kMalformedJson;
  char c = data[offset];
  size_t end;
  if (c == '"') {
    bool esc;
    size_t se = StringEnd(data.substr(offset + 1), &esc);
    if (se == npos) return kMalformedString;
    end = offset + 1 + se;
    out->type = ValueType::kString;
    out->data = data.substr(offset + 1, end - offset - 2);
    out->end = end;
    return {};
  }
  if (c == '[' || c == '{') {
    size_t be = BlockEnd(data.substr(offset), c, c == '[' ? ']' : '}');
    if (be == npos) return c == '[' ? kMalformedArray : kMalformedObject;
    end = offset + be;
    out->type = c == '[' ? ValueType::kArray : ValueType::kObject;
  } else {
    size_t te = TokenEnd(data.substr(offset));
    std::string_view tok = data.substr(offset, te);
    switch (c) {
      case 't':
      case 'f':
        if (tok != "true" && tok != "false") return kUnknownValueType;
        out->type = ValueType::kBoolean;
        break;
      case 'u':
      case 'n':
        if (tok != "null") return kUnknownValueType;
        out->type = ValueType::kNull;
        break;
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        out->type = ValueType::kNumber;
        break;
      default:
        return kUnknownValueType;
    }
    end = offset + te;
  }
  out->data = data.substr(offset, end - offset);
  out->end = end;
  return {};
}

bool UnescapeJsonString(std::string_view in, std::string* out) {
  out->clear();
  size_t bs = in.find('\\');
  if (bs == npos) {
    out->assign(in);
    return true;
  }
  out->reserve(in.size());
  out->append(in.substr(0, bs));
  size_t i = bs;
  while (i < in.size()) {
    char c = in[i];
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= in.size()) return false;
    char e = in[i + 1];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        i += 2;
        continue;
      case 'b':
        out->push_back('\b');
        i += 2;
        continue;
      case 'f':
        out->push_back('\f');
        i += 2;
        continue;
      case 'n':
        out->push_back('\n');
        i += 2;
        continue;
      case 'r':
        out->push_back('\r');
        i += 2;
        continue;
      case 't':
        out->push_back('\t');
        i += 2;
        continue;
      case 'u': {
        int32_t u = ReadU(in.substr(i));
        if (u < 0) return false;
        if (u >= 0xD800 && u < 0xDC00) {
          int32_t lo = ReadU(in.substr(i + 6));
          if (lo < 0xDC00 || lo >= 0xE000) return false;
          AppendUtf8(out, 0x10000 + ((static_cast<uint32_t>(u) - 0xD800) << 10) +
                              (static_cast<uint32_t>(lo) - 0xDC00));
          i += 12;
        } else if (u >= 0xDC00 && u < 0xE000) {
          return false;
        } else {
          AppendUtf8(out, static_cast<uint32_t>(u));
          i += 6;
        }
        continue;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace sawmill::query::log::json
