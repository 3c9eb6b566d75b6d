#include "query/log/template_parser.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <set>

#include "query/log/template_funcs.h"
#include "storage/utf8.h"

namespace sawmill::query::log::tmpl {
namespace {

enum class Tok {
  kField,
  kDot,
  kVariable,
  kIdent,
  kString,
  kNumber,
  kChar,
  kLParen,
  kRParen,
  kPipe,
  kDeclare,
  kAssign,
  kComma
};

struct Token {
  Tok kind;
  std::string text;  // unquoted for strings
  int pos;
};

struct Action {
  std::vector<Token> toks;
  int pos;  // offset of "{{"
  int line;
};

struct Item {
  bool is_text;
  std::string text;
  Action action;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

class Parser {
 public:
  Parser(std::string_view name, std::string_view text) : name_(name), text_(text) {}

  Result<Template> Parse() {
    Status s = Lex();
    if (!s.ok()) return s;
    Template t;
    t.name = std::string(name_);
    std::string end_kw;
    s = ParseList(&t.root, &end_kw, nullptr);
    if (!s.ok()) return s;
    if (!end_kw.empty()) return Error(last_line_, "unexpected {{" + end_kw + "}}");
    return t;
  }

 private:
  Status Error(int line, const std::string& msg) {
    return Status::InvalidArgument("template: " + std::string(name_) + ":" + std::to_string(line) +
                                   ": " + msg);
  }
  int LineAt(size_t pos) const {
    int line = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) line += text_[i] == '\n';
    return line;
  }

  // Splits the text into text items and actions (tokenized).
  Status Lex() {
    size_t i = 0;
    std::string pending;
    bool trim_next = false;
    while (i <= text_.size()) {
      size_t open = text_.find("{{", i);
      std::string_view chunk =
          text_.substr(i, open == std::string_view::npos ? text_.npos : open - i);
      std::string t(chunk);
      if (trim_next) {
        size_t k = 0;
        while (k < t.size() && IsSpace(t[k])) ++k;
        t.erase(0, k);
      }
      if (open == std::string_view::npos) {
        if (!t.empty()) items_.push_back({true, t, {}});
        break;
      }
      size_t p = open + 2;
      bool trim_left = p + 1 < text_.size() && text_[p] == '-' && IsSpace(text_[p + 1]);
      if (trim_left) {
        while (!t.empty() && IsSpace(t.back())) t.pop_back();
        p += 2;
      }
      if (!t.empty()) items_.push_back({true, t, {}});
      // Comment?
      size_t q = p;
      while (q < text_.size() && IsSpace(text_[q]) && trim_left) ++q;
      if (text_.substr(q, 2) == "/*") {
        size_t end = text_.find("*/", q + 2);
        if (end == std::string_view::npos) return Error(LineAt(open), "unclosed comment");
        size_t r = end + 2;
        bool trim_right = false;
        if (text_.substr(r, 3) == " -}") {
          trim_right = true;
          r += 1;
        }
        while (r < text_.size() && IsSpace(text_[r]) && trim_right) ++r;
        if (text_.substr(r, 2) == "-}") r += 1, trim_right = true;
        if (text_.substr(r, 2) != "}}")
          return Error(LineAt(open), "comment ends before closing delimiter");
        i = r + 2;
        trim_next = trim_right;
        continue;
      }
      Action a;
      a.pos = static_cast<int>(open);
      a.line = LineAt(open);
      last_line_ = a.line;
      bool closed = false;
      trim_next = false;
      while (p < text_.size()) {
        char c = text_[p];
        if (IsSpace(c)) {
          if (text_.substr(p + 1, 3) == "-}}") {
            trim_next = true;
            p += 4;
            closed = true;
            break;
          }
          ++p;
          continue;
        }
        if (text_.substr(p, 2) == "}}") {
          p += 2;
          closed = true;
          break;
        }
        int pos = static_cast<int>(p);
        if (c == '"' || c == '`' || c == '\'') {
          std::string out;
          size_t end;
          Status s = LexQuoted(p, &out, &end);
          if (!s.ok()) return s;
          a.toks.push_back({c == '\'' ? Tok::kChar : Tok::kString, out, pos});
          p = end;
          continue;
        }
        if (c == '(') {
          a.toks.push_back({Tok::kLParen, "(", pos});
          ++p;
          continue;
        }
        if (c == ')') {
          a.toks.push_back({Tok::kRParen, ")", pos});
          ++p;
          continue;
        }
        if (c == '|') {
          a.toks.push_back({Tok::kPipe, "|", pos});
          ++p;
          continue;
        }
        if (c == ',') {
          a.toks.push_back({Tok::kComma, ",", pos});
          ++p;
          continue;
        }
        if (c == ':' && p + 1 < text_.size() && text_[p + 1] == '=') {
          a.toks.push_back({Tok::kDeclare, ":=", pos});
          p += 2;
          continue;
        }
        if (c == '=') {
          a.toks.push_back({Tok::kAssign, "=", pos});
          ++p;
          continue;
        }
        if (c == '.' || c == '$') {
          size_t s = p;
          ++p;
          while (p < text_.size() && (IsAlnum(text_[p]) || text_[p] == '.')) ++p;
          std::string word(text_.substr(s, p - s));
          if (c == '.' && word.size() > 1 && word[1] >= '0' && word[1] <= '9') {
            a.toks.push_back({Tok::kNumber, word, pos});
          } else if (c == '.') {
            a.toks.push_back({word == "." ? Tok::kDot : Tok::kField, word, pos});
          } else {
            a.toks.push_back({Tok::kVariable, word, pos});
          }
          continue;
        }
        if ((c >= '0' && c <= '9') || ((c == '-' || c == '+') && p + 1 < text_.size() &&
                                       (text_[p + 1] >= '0' && text_[p + 1] <= '9'))) {
          size_t s = p;
          ++p;
          while (p < text_.size() && (IsAlnum(text_[p]) || text_[p] == '.' ||
                                      ((text_[p] == '-' || text_[p] == '+') &&
                                       (text_[p - 1] == 'e' || text_[p - 1] == 'E' ||
                                        text_[p - 1] == 'p' || text_[p - 1] == 'P')))) {
            ++p;
          }
          a.toks.push_back({Tok::kNumber, std::string(text_.substr(s, p - s)), pos});
          continue;
        }
        if (IsAlnum(c)) {
          size_t s = p;
          while (p < text_.size() && IsAlnum(text_[p])) ++p;
          // An identifier may be followed by a field chain only after a '(': not supported.
          a.toks.push_back({Tok::kIdent, std::string(text_.substr(s, p - s)), pos});
          continue;
        }
        return Error(a.line, std::string("unexpected \"") + c + "\" in command");
      }
      if (!closed) return Error(a.line, "unclosed action");
      items_.push_back({false, {}, std::move(a)});
      i = p;
    }
    return Status::OK();
  }

  Status LexQuoted(size_t p, std::string* out, size_t* end) {
    char q = text_[p];
    size_t i = p + 1;
    if (q == '`') {
      size_t e = text_.find('`', i);
      if (e == std::string_view::npos) return Error(LineAt(p), "unterminated raw quoted string");
      *out = std::string(text_.substr(i, e - i));
      *end = e + 1;
      return Status::OK();
    }
    while (i < text_.size() && text_[i] != q) {
      char c = text_[i];
      if (c == '\n') break;
      if (c == '\\' && i + 1 < text_.size()) {
        char e = text_[i + 1];
        i += 2;
        switch (e) {
          case 'n':
            out->push_back('\n');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 'a':
            out->push_back('\a');
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'v':
            out->push_back('\v');
            break;
          case '\\':
            out->push_back('\\');
            break;
          case '"':
            out->push_back('"');
            break;
          case '\'':
            out->push_back('\'');
            break;
          case 'x': {
            if (i + 2 > text_.size()) return Error(LineAt(p), "invalid syntax");
            int v = 0;
            auto r = std::from_chars(text_.data() + i, text_.data() + i + 2, v, 16);
            if (r.ptr != text_.data() + i + 2) return Error(LineAt(p), "invalid syntax");
            out->push_back(static_cast<char>(v));
            i += 2;
            break;
          }
          case 'u':
          case 'U': {
            size_t n = e == 'u' ? 4 : 8;
            if (i + n > text_.size()) return Error(LineAt(p), "invalid syntax");
            uint32_t v = 0;
            auto r = std::from_chars(text_.data() + i, text_.data() + i + n, v, 16);
            if (r.ptr != text_.data() + i + n || v > 0x10FFFF)
              return Error(LineAt(p), "invalid syntax");
            AppendUtf8(out, v);
            i += n;
            break;
          }
          default:
            return Error(LineAt(p), "invalid syntax");
        }
        continue;
      }
      out->push_back(c);
      ++i;
    }
    if (i >= text_.size() || text_[i] != q) {
      return Error(LineAt(p),
                   q == '"' ? "unterminated quoted string" : "unterminated character constant");
    }
    *end = i + 1;
    return Status::OK();
  }

  // Parses items into `list` until {{end}} or {{else...}}; *end_kw says which ended it
  // ("end", "else", or "" at the end of input). For else, *else_action gets the tokens after
  // "else" (for `else if`).
  Status ParseList(NodeList* list, std::string* end_kw, Action* else_action) {
    while (next_ < items_.size()) {
      Item& it = items_[next_++];
      if (it.is_text) {
        list->push_back(Node{Node::Kind::kText, it.text, nullptr, nullptr, nullptr});
        continue;
      }
      Action& a = it.action;
      if (a.toks.empty()) return Error(a.line, "missing value for command");
      const Token& first = a.toks[0];
      if (first.kind == Tok::kIdent) {
        const std::string& kw = first.text;
        if (kw == "end") {
          if (a.toks.size() != 1)
            return Error(a.line, "unexpected " + Describe(a.toks[1]) + " in end");
          *end_kw = "end";
          return Status::OK();
        }
        if (kw == "else") {
          *end_kw = "else";
          if (else_action != nullptr) {
            *else_action = a;
            else_action->toks.erase(else_action->toks.begin());
          }
          return Status::OK();
        }
        if (kw == "if" || kw == "range" || kw == "with") {
          Action rest = a;
          rest.toks.erase(rest.toks.begin());
          Node n;
          Status s = ParseControl(kw, rest, &n);
          if (!s.ok()) return s;
          list->push_back(std::move(n));
          continue;
        }
        if (kw == "break" || kw == "continue") {
          if (range_depth_ == 0) return Error(a.line, "{{" + kw + "}} outside {{range}}");
          list->push_back(Node{kw == "break" ? Node::Kind::kBreak : Node::Kind::kContinue,
                               {},
                               nullptr,
                               nullptr,
                               nullptr});
          continue;
        }
        if (kw == "define" || kw == "template" || kw == "block") {
          return Error(a.line, "{{" + kw + "}} is not supported");
        }
      }
      Node n;
      n.kind = Node::Kind::kAction;
      size_t k = 0;
      auto pipe = std::make_shared<Pipeline>();
      Status s = ParsePipeline(a, &k, pipe.get(), /*allow_decl=*/true, /*in_paren=*/false);
      if (!s.ok()) return s;
      n.pipe = std::move(pipe);
      list->push_back(std::move(n));
    }
    *end_kw = "";
    return Status::OK();
  }

  Status ParseControl(const std::string& kw, const Action& a, Node* n) {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxDepth) return Error(a.line, "nesting too deep");
    n->kind = kw == "if" ? Node::Kind::kIf : kw == "range" ? Node::Kind::kRange : Node::Kind::kWith;
    size_t k = 0;
    auto pipe = std::make_shared<Pipeline>();
    Status s = ParsePipeline(a, &k, pipe.get(), true, false);
    if (!s.ok()) return s;
    if (pipe->cmds.empty()) return Error(a.line, "missing value for " + kw);
    n->pipe = std::move(pipe);
    n->list = std::make_shared<NodeList>();
    std::string end_kw;
    Action else_action;
    if (n->kind == Node::Kind::kRange) ++range_depth_;
    s = ParseList(n->list.get(), &end_kw, &else_action);
    if (n->kind == Node::Kind::kRange) --range_depth_;
    if (!s.ok()) return s;
    if (end_kw.empty()) return Error(a.line, "unexpected EOF");
    if (end_kw == "else") {
      n->else_list = std::make_shared<NodeList>();
      if (!else_action.toks.empty() && else_action.toks[0].kind == Tok::kIdent &&
          (else_action.toks[0].text == "if" || else_action.toks[0].text == "with")) {
        // `else if` / `else with`: a nested control that shares our {{end}}.
        std::string nested = else_action.toks[0].text;
        else_action.toks.erase(else_action.toks.begin());
        Node inner;
        s = ParseControl(nested, else_action, &inner);
        if (!s.ok()) return s;
        n->else_list->push_back(std::move(inner));
        return Status::OK();
      }
      if (!else_action.toks.empty())
        return Error(a.line, "unexpected " + Describe(else_action.toks[0]) + " in else");
      s = ParseList(n->else_list.get(), &end_kw, nullptr);
      if (!s.ok()) return s;
      if (end_kw != "end")
        return Error(a.line, end_kw.empty() ? "unexpected EOF" : "expected end; found {{else}}");
    }
    return Status::OK();
  }

  static std::string Describe(const Token& t) {
    if (t.kind == Tok::kString) return "\"" + t.text + "\"";
    return "<" + t.text + ">";
  }

  Status ParsePipeline(const Action& a, size_t* k, Pipeline* pipe, bool allow_decl, bool in_paren) {
    const auto& t = a.toks;
    // Declarations: $x := / $x, $y := / $x =
    if (allow_decl && *k < t.size() && t[*k].kind == Tok::kVariable) {
      size_t j = *k;
      std::vector<std::string> vars;
      vars.push_back(t[j].text.substr(1));
      ++j;
      if (j + 1 < t.size() && t[j].kind == Tok::kComma && t[j + 1].kind == Tok::kVariable) {
        vars.push_back(t[j + 1].text.substr(1));
        j += 2;
      }
      if (j < t.size() && (t[j].kind == Tok::kDeclare || t[j].kind == Tok::kAssign)) {
        pipe->assign = t[j].kind == Tok::kAssign;
        pipe->decl = std::move(vars);
        *k = j + 1;
      }
    }
    while (true) {
      Command cmd;
      while (*k < t.size() && t[*k].kind != Tok::kPipe &&
             !(in_paren && t[*k].kind == Tok::kRParen)) {
        Arg arg;
        Status s = ParseOperand(a, k, &arg);
        if (!s.ok()) return s;
        cmd.args.push_back(std::move(arg));
      }
      if (cmd.args.empty()) return Error(a.line, "missing value for command");
      if (!pipe->cmds.empty() && cmd.args[0].kind != Arg::Kind::kFunction &&
          cmd.args[0].kind != Arg::Kind::kField) {
        // Go: non executable command in pipeline stage 2
        return Error(a.line, "non executable command in pipeline stage " +
                                 std::to_string(pipe->cmds.size() + 1));
      }
      pipe->cmds.push_back(std::move(cmd));
      if (*k < t.size() && t[*k].kind == Tok::kPipe) {
        ++*k;
        continue;
      }
      break;
    }
    if (in_paren) {
      if (*k >= t.size() || t[*k].kind != Tok::kRParen) return Error(a.line, "unclosed left paren");
      ++*k;
    } else if (*k < t.size()) {
      return Error(a.line, "unexpected " + Describe(t[*k]) + " in command");
    }
    return Status::OK();
  }

  Status ParseOperand(const Action& a, size_t* k, Arg* arg) {
    const Token& tok = a.toks[*k];
    arg->pos = tok.pos;
    arg->source = tok.text;
    ++*k;
    auto split_fields = [](std::string_view chain, std::vector<std::string>* out) {
      size_t i = 0;
      while (i < chain.size()) {
        if (chain[i] == '.') ++i;
        size_t s = i;
        while (i < chain.size() && chain[i] != '.') ++i;
        if (i > s) out->emplace_back(chain.substr(s, i - s));
      }
    };
    switch (tok.kind) {
      case Tok::kDot:
        arg->kind = Arg::Kind::kDot;
        return Status::OK();
      case Tok::kField:
        arg->kind = Arg::Kind::kField;
        split_fields(tok.text, &arg->fields);
        return Status::OK();
      case Tok::kVariable: {
        arg->kind = Arg::Kind::kVariable;
        size_t dot = tok.text.find('.');
        arg->text = tok.text.substr(1, dot == std::string::npos ? std::string::npos : dot - 1);
        if (dot != std::string::npos)
          split_fields(std::string_view(tok.text).substr(dot), &arg->fields);
        if (!arg->text.empty() && !declared_.count(arg->text)) {
          // Go checks variables at parse time; we only check names were declared somewhere.
        }
        return Status::OK();
      }
      case Tok::kString:
        arg->kind = Arg::Kind::kString;
        arg->text = tok.text;
        return Status::OK();
      case Tok::kChar: {
        arg->kind = Arg::Kind::kInt;
        arg->i = tok.text.empty() ? 0 : static_cast<unsigned char>(tok.text[0]);
        return Status::OK();
      }
      case Tok::kNumber: {
        std::string s = tok.text;
        std::erase(s, '_');
        bool is_float = s.find_first_of(".eEpP") != std::string::npos &&
                        !(s.size() > 1 && (s[1] == 'x' || s[1] == 'X') &&
                          s.find_first_of("pP") == std::string::npos);
        if (!is_float) {
          char* end = nullptr;
          errno = 0;
          long long v = std::strtoll(s.c_str(), &end, 0);
          if (end == s.c_str() + s.size() && errno == 0) {
            arg->kind = Arg::Kind::kInt;
            arg->i = v;
            return Status::OK();
          }
        }
        char* end = nullptr;
        double f = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size())
          return Error(a.line, "bad number syntax: \"" + tok.text + "\"");
        arg->kind = Arg::Kind::kFloat;
        arg->f = f;
        return Status::OK();
      }
      case Tok::kIdent:
        if (tok.text == "true" || tok.text == "false") {
          arg->kind = Arg::Kind::kBool;
          arg->b = tok.text == "true";
          return Status::OK();
        }
        if (tok.text == "nil") {
          arg->kind = Arg::Kind::kNil;
          return Status::OK();
        }
        if (!HasFunction(tok.text)) {
          return Error(a.line, "function \"" + tok.text + "\" not defined");
        }
        arg->kind = Arg::Kind::kFunction;
        arg->text = tok.text;
        return Status::OK();
      case Tok::kLParen: {
        DepthGuard guard(&depth_);
        if (depth_ > kMaxDepth) return Error(a.line, "nesting too deep");
        arg->kind = Arg::Kind::kPipeline;
        arg->pipeline = std::make_shared<Pipeline>();
        Status s = ParsePipeline(a, k, arg->pipeline.get(), false, true);
        if (!s.ok()) return s;
        // (pipeline).field
        if (*k < a.toks.size() && a.toks[*k].kind == Tok::kField &&
            a.toks[*k].pos == a.toks[*k - 1].pos + 1) {
          split_fields(a.toks[*k].text, &arg->fields);
          ++*k;
        }
        return Status::OK();
      }
      default:
        return Error(a.line, "unexpected " + Describe(tok) + " in operand");
    }
  }

  // Parenthesised pipelines and control structures nest by recursion: bounded, so that a
  // hostile query cannot exhaust the stack (Go's parser has no limit but a goroutine stack
  // that grows).
  static constexpr int kMaxDepth = 100;
  struct DepthGuard {
    explicit DepthGuard(int* d) : d_(d) { ++*d_; }
    ~DepthGuard() { --*d_; }
    int* d_;
  };
  int depth_ = 0;

  std::string_view name_;
  std::string_view text_;
  std::vector<Item> items_;
  size_t next_ = 0;
  int last_line_ = 1;
  int range_depth_ = 0;
  std::set<std::string> declared_;
};

}  // namespace

Result<Template> ParseTemplate(std::string_view name, std::string_view text) {
  Parser p(name, text);
  return p.Parse();
}

}  // namespace sawmill::query::log::tmpl
