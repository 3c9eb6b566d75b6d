// The recursive-descent LogQL parser shared by parser.cc (expressions and binary operators),
// parser_selector.cc (stream selectors, line filters), parser_pipeline.cc (the other stages
// and label filters) and parser_metric.cc (range and vector aggregations). Internal to
// query/logql; the public entry points are in parser.h.
//
// The grammar is Loki's expr.y; where yacc would report a syntax error the parser reports
// the same one: the offending token's position, "unexpected X" and, in the states where
// Loki's goyacc tables list at most four shiftable tokens, ", expecting A or B".
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/logql/ast.h"
#include "query/logql/lexer.h"
#include "storage/result.h"

namespace sawmill::query::logql::internal {

// `parse error at line L, col C: msg`, or `parse error : msg` when both are 0.
Status ParseError(int line, int col, std::string_view msg);

class Parser {
 public:
  explicit Parser(std::string_view input) : tokens_(Lex(input)) {}

  // expr $end. Semantic checks that Loki makes while reducing (regexes, parsers, literal
  // folding) happen here too; the validations Loki makes after parsing are in parser.cc.
  Result<std::unique_ptr<Expr>> ParseRoot();

  // --- parser.cc: expressions ---
  // One operand or binary expression at or above `min_prec`.
  Result<std::unique_ptr<Expr>> ParseExpr(int min_prec);
  Result<std::unique_ptr<Expr>> ParsePrimary();
  // A sample expression (Loki's metricExpr), e.g. the argument of sum(...).
  Result<std::unique_ptr<Expr>> ParseMetricExpr();
  Result<std::unique_ptr<Expr>> ParseLiteral();
  Result<std::unique_ptr<Expr>> MakeBinOp(BinOp op, bool return_bool, VectorMatching matching,
                                          std::unique_ptr<Expr> lhs, std::unique_ptr<Expr> rhs);

  // --- parser_selector.cc ---
  // `{...}`; the current token is `{`.
  Result<std::vector<index::Matcher>> ParseSelector();
  // IDENTIFIER (= | != | =~ | !~) STRING.
  Result<index::Matcher> ParseMatcher();
  // The current token is a line filter operator.
  Result<LineFilter> ParseLineFilter();

  // --- parser_pipeline.cc ---
  // Stages while the current token starts one. With `in_range`, stops before `| unwrap`.
  Status ParseStages(std::vector<Stage>* stages, bool in_range);
  // The stage after `|` (already consumed).
  Result<Stage> ParsePipeStage(bool in_range);
  Result<std::unique_ptr<LabelFilter>> ParseLabelFilter();
  Result<std::unique_ptr<LabelFilter>> ParseLabelFilterAndOperand();
  Result<std::unique_ptr<LabelFilter>> ParseLabelFilterOrOperand();
  Result<std::unique_ptr<LabelFilter>> ParseLabelFilterPrimary();
  bool StartsLabelFilter() const;

  // --- parser_metric.cc ---
  Result<std::unique_ptr<Expr>> ParseRangeAggregation();
  Result<std::unique_ptr<Expr>> ParseVectorAggregation();
  Result<std::unique_ptr<Expr>> ParseLabelReplace();
  Result<std::unique_ptr<Expr>> ParseVector();
  Status ParseLogRange(LogRange* range);
  Status ParseUnwrap(Unwrap* unwrap);
  Result<Grouping> ParseGrouping();
  // `( [IDENTIFIER {, IDENTIFIER}] )`; the current token is `(`.
  Result<std::vector<std::string>> ParseLabelList();

  // --- tokens ---
  const Token& Cur() const { return tokens_[pos_]; }
  const Token& PeekTok(size_t ahead = 1) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  Tok Kind() const { return Cur().kind; }
  bool Is(Tok t) const { return Cur().kind == t; }
  // An IDENTIFIER that can name a label. Loki also calls single unknown characters (`@`, `!`)
  // IDENTIFIER and would take them as names; we do not (they could not be printed back).
  bool IsName() const { return Cur().kind == Tok::kIdentifier && Cur().name; }
  const Token& Take() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  // The syntax error at the current token, or its lexical error. `expecting` lists the
  // tokens Loki's tables name in this state (empty: none).
  Status Unexpected(std::initializer_list<Tok> expecting = {}) const;
  // Takes the current token when it is `t`, else Unexpected(expecting).
  Status Expect(Tok t, std::initializer_list<Tok> expecting);

  // Records a semantic error that Loki finds after parsing (it keeps it in the node and
  // reports it when validating), so that a syntax error later in the query still wins. The
  // first one recorded is returned by ParseRoot once the whole query has parsed.
  void Defer(Status s) {
    if (deferred_.ok()) deferred_ = std::move(s);
  }

  // Guards the recursion depth (nested parentheses and aggregations).
  Status Enter();
  void Leave() { --depth_; }

  // Charges the depth guard once per binary node a loop nests (`a and b and c`, `x + y + z`
  // build trees as deep as their length without recursing), until it goes out of scope: so
  // no query builds a tree deeper than the guard allows, which every later recursive walk
  // (printing, compiling, evaluating, freeing) relies on.
  class ChainDepth {
   public:
    explicit ChainDepth(Parser* p) : p_(p) {}
    ChainDepth(const ChainDepth&) = delete;
    ChainDepth& operator=(const ChainDepth&) = delete;
    ~ChainDepth() {
      for (; charged_ > 0; --charged_) p_->Leave();
    }
    Status Add() {
      SAW_RETURN_IF_ERROR(p_->Enter());
      ++charged_;
      return Status::OK();
    }

   private:
    Parser* p_;
    int charged_ = 0;
  };

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  Status deferred_;
};

// A Status for a semantic error found while parsing: `parse error : msg`.
inline Status SemanticError(std::string_view msg) { return ParseError(0, 0, msg); }

}  // namespace sawmill::query::logql::internal
