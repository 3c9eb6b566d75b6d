// Metric expressions without data: Grafana's health check and the literal/vector() answers
// of Loki 2.8 (values, filters, bool comparisons, set operations, the JSON shapes).
#include "query/engine/constant_eval.h"

#include <gtest/gtest.h>

#include <cmath>

#include "query/logql/parser.h"

namespace sawmill::query::engine {
namespace {

std::optional<ConstantValue> Eval(std::string_view q) {
  auto e = logql::ParseExpr(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status().ToString();
  if (!e.ok()) return std::nullopt;
  return EvalConstant(**e);
}

TEST(ConstantEvalTest, EvaluatesLiteralsVectorsAndOperators) {
  struct Case {
    std::string_view query;
    bool is_scalar;
    bool present;
    double value;
  };
  const Case cases[] = {
      {"vector(1)+vector(1)", false, true, 2},
      {"vector(3)", false, true, 3},
      {"vector(2) * 4", false, true, 8},
      {"2 ^ 10", true, true, 1024},
      {"3 > bool 2", true, true, 1},
      {"vector(1) > 2", false, false, 0},
      {"vector(5) > 2", false, true, 5},
      {"2 < vector(5)", false, true, 5},
      {"vector(1) > bool 2", false, true, 0},
      {"vector(7) % 4", false, true, 3},
      {"vector(1) and vector(2)", false, true, 1},
      {"(vector(1) > 5) or vector(2)", false, true, 2},
      {"vector(1) unless vector(2)", false, false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    std::optional<ConstantValue> v = Eval(c.query);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->is_scalar, c.is_scalar);
    EXPECT_EQ(v->present, c.present);
    if (c.present) {
      EXPECT_EQ(v->value, c.value);
    }
  }
  EXPECT_FALSE(Eval(R"(sum(rate({a="b"}[1m])))").has_value());
  EXPECT_FALSE(Eval(R"(vector(1) - sum(rate({a="b"}[1m])))").has_value());
}

TEST(ConstantEvalTest, FormatsValuesAsGo) {
  EXPECT_EQ(FormatSampleValue(2), "2");
  EXPECT_EQ(FormatSampleValue(0.5), "0.5");
  EXPECT_EQ(FormatSampleValue(-1.25), "-1.25");
  EXPECT_EQ(FormatSampleValue(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatSampleValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatSampleValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatSampleValue(NAN), "NaN");
}

TEST(ConstantEvalTest, AnswersAsLoki) {
  std::string instant = ConstantInstantJson({false, true, 2}, 4000000000);
  EXPECT_EQ(instant.rfind(R"({"status":"success","data":{"resultType":"vector","result":)"
                          R"([{"metric":{},"value":[4,"2"]}],"stats":{)",
                          0),
            0u)
      << instant;
  std::string scalar = ConstantInstantJson({true, true, 1024}, 4500000000);
  EXPECT_NE(scalar.find(R"("resultType":"scalar","result":[4.5,"1024"])"), std::string::npos);
  std::string empty = ConstantInstantJson({false, false, 0}, 0);
  EXPECT_NE(empty.find(R"("resultType":"vector","result":[])"), std::string::npos);
  std::string range = ConstantRangeJson({true, true, 3}, 0, 180000000000, 60000000000);
  EXPECT_NE(range.find(R"("resultType":"matrix","result":[{"metric":{},"values":)"
                       R"([[0,"3"],[60,"3"],[120,"3"],[180,"3"]]}])"),
            std::string::npos)
      << range;
}

}  // namespace
}  // namespace sawmill::query::engine
