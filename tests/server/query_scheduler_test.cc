// QueryScheduler (server/query_scheduler.h): the running cap, the bounded queue and its 429
// message, leaving the queue on cancellation or time-out, and CancelAll().
#include "server/query_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace sawmill::server {
namespace {

using query::engine::QueryGuard;

// Waits (bounded) until `n` queries are queued.
bool WaitQueued(const QueryScheduler& s, size_t n) {
  for (int i = 0; i < 5000 && s.queued() != n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return s.queued() == n;
}

TEST(QuerySchedulerTest, QueuesUpToTheLimitThenRefuses) {
  QueryScheduler s(1, 1);
  QueryGuard g1, g2, g3;
  QueryScheduler::Ticket t1, t2, t3;
  ASSERT_TRUE(s.Acquire(&g1, &t1).ok());
  EXPECT_EQ(s.running(), 1u);

  Status second;
  std::thread waiter([&] { second = s.Acquire(&g2, &t2); });
  ASSERT_TRUE(WaitQueued(s, 1));

  Status third = s.Acquire(&g3, &t3);
  EXPECT_EQ(third.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(third.message(), "too many outstanding requests");

  t1.Release();  // the queued query gets the slot
  waiter.join();
  EXPECT_TRUE(second.ok()) << second.ToString();
  EXPECT_EQ(s.running(), 1u);
  EXPECT_EQ(s.queued(), 0u);
}

TEST(QuerySchedulerTest, CancelledQueryLeavesTheQueue) {
  QueryScheduler s(1, 4);
  QueryGuard running, waiting;
  QueryScheduler::Ticket t1, t2;
  ASSERT_TRUE(s.Acquire(&running, &t1).ok());
  Status st;
  std::thread waiter([&] { st = s.Acquire(&waiting, &t2); });
  ASSERT_TRUE(WaitQueued(s, 1));
  waiting.Cancel();
  waiter.join();
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(st.message(), query::engine::kQueryCancelledMessage);
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(s.running(), 1u);
}

TEST(QuerySchedulerTest, ClientGoneFlagCancelsAWaitingQuery) {
  QueryScheduler s(1, 4);
  std::atomic<bool> gone{false};
  QueryGuard running, waiting(QueryGuard::Clock::time_point::max(), 0, &gone);
  QueryScheduler::Ticket t1, t2;
  ASSERT_TRUE(s.Acquire(&running, &t1).ok());
  Status st;
  std::thread waiter([&] { st = s.Acquire(&waiting, &t2); });
  ASSERT_TRUE(WaitQueued(s, 1));
  gone = true;
  waiter.join();
  EXPECT_EQ(st.message(), query::engine::kQueryCancelledMessage);
}

TEST(QuerySchedulerTest, TimesOutInTheQueue) {
  QueryScheduler s(1, 4);
  QueryGuard running;
  QueryGuard waiting(QueryGuard::Clock::now() + std::chrono::milliseconds(30), 0);
  QueryScheduler::Ticket t1, t2;
  ASSERT_TRUE(s.Acquire(&running, &t1).ok());
  Status st = s.Acquire(&waiting, &t2);
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(st.message(), query::engine::kQueryTimeoutMessage);
  EXPECT_EQ(s.queued(), 0u);
}

TEST(QuerySchedulerTest, CancelAllCancelsRunningQueriesAndRefusesNewOnes) {
  QueryScheduler s(2, 4);
  QueryGuard g1, g2;
  QueryScheduler::Ticket t1, t2;
  ASSERT_TRUE(s.Acquire(&g1, &t1).ok());
  s.CancelAll();
  EXPECT_TRUE(g1.cancelled());
  EXPECT_FALSE(g1.Check().ok());
  EXPECT_EQ(s.Acquire(&g2, &t2).code(), StatusCode::kUnavailable);
}

TEST(QueryGuardTest, ChargesAgainstTheBudget) {
  QueryGuard g(QueryGuard::Clock::time_point::max(), 1000);
  EXPECT_TRUE(g.Charge(600).ok());
  EXPECT_TRUE(g.Charge(400).ok());
  Status over = g.Charge(1);
  EXPECT_EQ(over.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(over.message().find("per-query memory limit (1000 bytes"), std::string::npos)
      << over.message();
  EXPECT_EQ(g.charged(), 1001u);

  query::engine::MemoryCharger c(&g);  // batches: nothing reaches the guard below kBatch
  EXPECT_TRUE(c.Add(10).ok());
  EXPECT_EQ(g.charged(), 1001u);
  EXPECT_FALSE(c.Flush().ok());
  EXPECT_EQ(g.charged(), 1011u);
}

TEST(QueryGuardTest, PastTheDeadlineFailsWithLokisTimeoutMessage) {
  QueryGuard g(QueryGuard::Clock::now() - std::chrono::seconds(1), 0);
  Status s = g.Check();
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), query::engine::kQueryTimeoutMessage);
  EXPECT_FALSE(g.cancelled());
  QueryGuard unlimited;
  EXPECT_TRUE(unlimited.Check().ok());
  EXPECT_TRUE(unlimited.Charge(uint64_t{1} << 40).ok());
}

}  // namespace
}  // namespace sawmill::server
