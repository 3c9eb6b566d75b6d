#include "query/logql/lexer.h"

#include <cctype>
#include <string>

#include "index/labels.h"
#include "query/logql/go_text.h"
#include "query/logql/lexer_tables.h"

namespace sawmill::query::logql {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsDurationChar(char c) {
  return IsDigit(c) || c == '.' || c == 'n' || c == 'u' || c == 'm' || c == 's' || c == 'h' ||
         c == 'd' || c == 'w' || c == 'y';
}
bool IsBytesChar(char c) {
  return IsDigit(c) || c == '.' || c == 'B' || c == 'i' || c == 'k' || c == 'K' || c == 'M' ||
         c == 'G' || c == 'T' || c == 'P';
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  // The bytes of the duration character at pos_ + ahead: 1 for an ASCII one, 2 for 'µ'
  // (U+00B5, which Loki's isDurationRune accepts as in Go's "µs"), 0 for anything else.
  size_t DurationCharBytes(size_t ahead) const {
    if (AtEnd(ahead)) return 0;
    if (IsDurationChar(Peek(ahead))) return 1;
    return Peek(ahead) == '\xC2' && Peek(ahead + 1) == '\xB5' ? 2 : 0;
  }

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      Token t = Next();
      Tok k = t.kind;
      out.push_back(std::move(t));
      if (k == Tok::kEnd || k == Tok::kError) break;
    }
    return out;
  }

 private:
  // Advances one byte, keeping line and column (in characters) as text/scanner does.
  void Advance() {
    char c = in_[pos_++];
    if (c == '\n') {
      ++line_;
      col_ = 0;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++col_;
    }
    read_any_ = true;
  }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }
  bool AtEnd(size_t ahead = 0) const { return pos_ + ahead >= in_.size(); }

  Token Make(Tok k, std::string text, bool line0) {
    Token t;
    t.kind = k;
    t.text = std::move(text);
    t.line = line0 ? 0 : tok_line_;
    t.col = tok_col_;
    return t;
  }
  Token Error(std::string msg) { return Make(Tok::kError, std::move(msg), false); }

  // Skips whitespace and comments; false with `*err` set on an unterminated /* comment.
  bool SkipSpace(Token* err) {
    while (!AtEnd()) {
      char c = Peek();
      if (IsSpace(c)) {
        Advance();
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '/') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else if (c == '/' && Peek(1) == '*') {
        MarkStart();
        Advance();
        Advance();
        while (!AtEnd() && !(Peek() == '*' && Peek(1) == '/')) Advance();
        if (AtEnd()) {
          *err = Error("comment not terminated");
          return false;
        }
        Advance();
        Advance();
      } else {
        return true;
      }
    }
    return true;
  }

  // The token position is the column of its first character (col_ counts it once read).
  void MarkStart() {
    tok_line_ = line_;
    tok_col_ = col_ + 1;
  }

  Token Next() {
    Token err;
    if (!SkipSpace(&err)) return err;
    if (AtEnd()) {
      Token t;
      t.kind = Tok::kEnd;
      if (read_any_) {
        t.line = line_;
        t.col = col_ + 1;
      }
      return t;
    }
    MarkStart();
    char c = Peek();
    if (c == '"' || c == '`') return String(c);
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return Number();
    if (c == '[') return Range();
    if (internal::LetterAt(in_, pos_) > 0) return Word();
    if (c == '\'') return CharLiteral();
    if (c == '-' && Peek(1) == '-') {
      size_t n = 2;
      while (std::isalpha(static_cast<unsigned char>(Peek(n))) || Peek(n) == '-') ++n;
      std::string flag(in_.substr(pos_, n));
      if (flag == "--strict" || flag == "--keep-empty") {
        for (size_t i = 0; i < n; ++i) Advance();
        return Make(Tok::kParserFlag, flag, true);
      }
    }
    if (c == '-' && (IsDigit(Peek(1)) || Peek(1) == '.')) {
      // A negative duration (`-5m`), as Loki 3 reads it.
      size_t n = 1;
      while (size_t k = DurationCharBytes(n)) n += k;
      int64_t ns;
      if (n > 1 && ParseLogqlDuration(in_.substr(pos_, n), &ns)) {
        std::string text(in_.substr(pos_, n));
        for (size_t i = 0; i < n; ++i) Advance();
        Token t = Make(Tok::kDuration, text, true);
        t.duration = ns;
        return t;
      }
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      // A non-ASCII character: one IDENTIFIER token (a syntax error wherever it appears).
      size_t n = 1;
      while (!AtEnd(n) && (static_cast<unsigned char>(Peek(n)) & 0xC0) == 0x80) ++n;
      std::string text(in_.substr(pos_, n));
      for (size_t i = 0; i < n; ++i) Advance();
      if (!index::IsValidUtf8(text)) return Error("invalid UTF-8 encoding");
      return Make(Tok::kIdentifier, text, false);
    }
    if (c == '\0') {
      Advance();
      return Error("invalid character NUL");
    }
    // Punctuation: two characters first.
    if (!AtEnd(1)) {
      std::string two{c, Peek(1)};
      Tok t;
      if (internal::LookupToken(two, &t)) {
        Advance();
        Advance();
        return Make(t, two, true);
      }
    }
    std::string one(1, c);
    Advance();
    Tok t;
    if (internal::LookupToken(one, &t)) return Make(t, one, false);
    return Make(Tok::kIdentifier, one, false);
  }

  Token String(char quote) {
    size_t start = pos_;
    Advance();
    std::string raw;
    bool escape_error = false;
    while (true) {
      if (AtEnd() || (quote == '"' && Peek() == '\n')) {
        return Error("literal not terminated");
      }
      char c = Peek();
      if (c == quote) {
        Advance();
        break;
      }
      if (quote == '"' && c == '\\') {
        raw.push_back(c);
        Advance();
        if (AtEnd()) return Error("literal not terminated");
        c = Peek();
      }
      raw.push_back(c);
      Advance();
    }
    (void)start;
    if (!index::IsValidUtf8(raw)) return Error("invalid UTF-8 encoding");
    if (quote == '`') return Make(Tok::kString, raw, false);
    std::string value, error;
    if (!GoUnquoteBody(raw, &value, &error)) escape_error = true;
    if (escape_error) return Error(error);
    return Make(Tok::kString, value, false);
  }

  Token CharLiteral() {
    Advance();
    size_t n = 0;
    std::string body;
    while (!AtEnd() && Peek() != '\'' && Peek() != '\n') {
      body.push_back(Peek());
      if (Peek() == '\\' && !AtEnd(1)) {
        Advance();
        body.push_back(Peek());
      }
      Advance();
      ++n;
    }
    if (AtEnd() || Peek() != '\'') return Error("literal not terminated");
    Advance();
    if (n != 1) return Error("illegal char literal");
    return Make(Tok::kIdentifier, "'" + body + "'", false);
  }

  Token Number() {
    size_t n = 0;
    if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X')) {
      n = 2;
      while (std::isxdigit(static_cast<unsigned char>(Peek(n)))) ++n;
    } else {
      while (IsDigit(Peek(n))) ++n;
      if (Peek(n) == '.') {
        ++n;
        while (IsDigit(Peek(n))) ++n;
      }
      if ((Peek(n) == 'e' || Peek(n) == 'E') &&
          (IsDigit(Peek(n + 1)) ||
           ((Peek(n + 1) == '+' || Peek(n + 1) == '-') && IsDigit(Peek(n + 2))))) {
        n += 2;
        while (IsDigit(Peek(n))) ++n;
      }
    }
    std::string number(in_.substr(pos_, n));
    for (size_t i = 0; i < n; ++i) Advance();
    // A duration or a byte size directly after the number (Loki's tryScanDuration/Bytes).
    size_t m = 0;
    while (size_t k = DurationCharBytes(m)) m += k;
    if (m > 0) {
      int64_t ns;
      std::string text = number + std::string(in_.substr(pos_, m));
      if (ParseLogqlDuration(text, &ns)) {
        for (size_t i = 0; i < m; ++i) Advance();
        Token t = Make(Tok::kDuration, text, true);
        t.duration = ns;
        return t;
      }
    }
    m = 0;
    while (!AtEnd(m) && !IsSpace(Peek(m)) && IsBytesChar(Peek(m))) ++m;
    if (m > 0) {
      uint64_t b;
      std::string text = number + std::string(in_.substr(pos_, m));
      if (ParseHumanBytes(text, &b)) {
        for (size_t i = 0; i < m; ++i) Advance();
        Token t = Make(Tok::kBytes, text, true);
        t.bytes = b;
        return t;
      }
    }
    return Make(Tok::kNumber, number, false);
  }

  Token Range() {
    Advance();
    std::string body;
    while (!AtEnd() && Peek() != ']') {
      body.push_back(Peek());
      Advance();
    }
    if (AtEnd()) return Make(Tok::kError, "missing closing ']' in duration", true);
    Advance();
    int64_t ns;
    std::string error;
    if (!ParsePromDuration(body, &ns, &error)) return Make(Tok::kError, error, true);
    Token t = Make(Tok::kRange, "[" + body + "]", true);
    t.duration = ns;
    return t;
  }

  // Loki's isFunction: the next non-space text is `(`, or `by`/`without` then `(`.
  bool FollowedByCall() const {
    size_t i = pos_;
    auto skip = [&] {
      while (i < in_.size() && IsSpace(in_[i])) ++i;
    };
    skip();
    if (i < in_.size() && in_[i] == '(') return true;
    for (std::string_view kw : {std::string_view("by"), std::string_view("without")}) {
      if (in_.size() - i >= kw.size() && Lower(in_.substr(i, kw.size())) == kw) {
        size_t j = i + kw.size();
        while (j < in_.size() && IsSpace(in_[j])) ++j;
        return j < in_.size() && in_[j] == '(';
      }
    }
    return false;
  }

  Token Word() {
    size_t n = 0;
    while (true) {
      if (IsDigit(Peek(n))) {
        ++n;
      } else if (size_t len = internal::LetterAt(in_, pos_ + n); len > 0) {
        n += len;
      } else {
        break;
      }
    }
    std::string text(in_.substr(pos_, n));
    for (size_t i = 0; i < n; ++i) Advance();
    std::string lower = Lower(text);
    Tok kind;
    if (internal::LookupFunction(lower, &kind)) {
      if (!FollowedByCall()) {
        Token t = Make(Tok::kIdentifier, text, false);
        t.name = true;
        return t;
      }
      return Make(kind, text, false);
    }
    if (internal::LookupToken(lower, &kind)) return Make(kind, text, false);
    Token t = Make(Tok::kIdentifier, text, false);
    t.name = true;
    return t;
  }

  std::string_view in_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 0;
  bool read_any_ = false;
  int tok_line_ = 1;
  int tok_col_ = 1;
};

}  // namespace

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace sawmill::query::logql
