// QueryScheduler (server/query_scheduler.h): the running cap, the bounded queue and its 429
// message, work on the scheduler's own threads (a queued query holds none), leaving the queue
// on cancellation or time-out, CancelAll() and Shutdown().
#include "server/query_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sawmill::server {
namespace {

using query::engine::QueryGuard;

// Waits (bounded) until `pred` holds.
template <typename F>
bool WaitFor(F pred) {
  for (int i = 0; i < 5000 && !pred(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

// One submitted query: records how it was admitted, and when admitted runs until Finish().
class Job {
 public:
  explicit Job(QueryScheduler* s,
               QueryGuard::Clock::time_point deadline = QueryGuard::Clock::time_point::max(),
               const std::atomic<bool>* gone = nullptr)
      : guard_(std::make_shared<QueryGuard>(deadline, 0, gone)) {
    // The work owns the guard too: the scheduler may look at it until the work is destroyed.
    s->Submit(guard_.get(), [this, guard = guard_](const Status& admitted) {
      std::unique_lock<std::mutex> lock(mu_);
      status_ = admitted;
      called_ = true;
      thread_ = std::this_thread::get_id();
      cv_.notify_all();
      // (A cancellation raises a flag without notifying: look at it now and then.)
      while (admitted.ok() && !finish_ && !guard->cancelled()) {
        cv_.wait_for(lock, std::chrono::milliseconds(5));
      }
      returned_ = true;
      cv_.notify_all();
    });
  }
  ~Job() { Finish(); }

  // Lets the admitted work return; waits (bounded) until it did.
  void Finish() {
    std::unique_lock<std::mutex> lock(mu_);
    finish_ = true;
    cv_.notify_all();
    if (called_) cv_.wait_for(lock, std::chrono::seconds(10), [this] { return returned_; });
  }
  // Waits (bounded) until the work was called, and returns its status.
  Status Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return called_; });
    return called_ ? status_ : Status::Internal("never called");
  }
  bool called() {
    std::lock_guard<std::mutex> lock(mu_);
    return called_;
  }
  std::thread::id thread() {
    std::lock_guard<std::mutex> lock(mu_);
    return thread_;
  }
  QueryGuard& guard() { return *guard_; }

 private:
  std::shared_ptr<QueryGuard> guard_;
  std::mutex mu_;
  std::condition_variable cv_;
  Status status_;
  bool called_ = false;
  bool finish_ = false;
  bool returned_ = false;
  std::thread::id thread_;
};

TEST(QuerySchedulerTest, QueuesUpToTheLimitThenRefuses) {
  QueryScheduler s(1, 1);
  Job j1(&s);
  ASSERT_TRUE(j1.Wait().ok());
  EXPECT_EQ(s.running(), 1u);
  EXPECT_NE(j1.thread(), std::this_thread::get_id());  // on the scheduler's thread

  Job j2(&s);
  EXPECT_EQ(s.queued(), 1u);
  EXPECT_FALSE(j2.called());

  Job j3(&s);  // refused at once, on the submitting thread
  ASSERT_TRUE(j3.called());
  EXPECT_EQ(j3.thread(), std::this_thread::get_id());
  EXPECT_EQ(j3.Wait().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(j3.Wait().message(), "too many outstanding requests");

  j1.Finish();  // the queued query gets the slot
  EXPECT_TRUE(j2.Wait().ok()) << j2.Wait().ToString();
  EXPECT_TRUE(WaitFor([&] { return s.running() == 1 && s.queued() == 0; }));
}

TEST(QuerySchedulerTest, QueuedQueriesHoldNoThread) {
  QueryScheduler s(2, 1000);
  EXPECT_EQ(s.threads(), 3u);  // two workers and the watcher, however many wait
  Job a(&s), b(&s);
  ASSERT_TRUE(a.Wait().ok());
  ASSERT_TRUE(b.Wait().ok());
  std::vector<std::unique_ptr<Job>> waiting;
  for (int i = 0; i < 1000; ++i) waiting.push_back(std::make_unique<Job>(&s));
  EXPECT_EQ(s.queued(), 1000u);
  Job refused(&s);
  EXPECT_EQ(refused.Wait().code(), StatusCode::kResourceExhausted);
  a.Finish();
  b.Finish();
  for (auto& j : waiting) j->Finish();  // each runs in turn
  for (auto& j : waiting) EXPECT_TRUE(j->Wait().ok());
  EXPECT_TRUE(WaitFor([&] { return s.running() == 0 && s.queued() == 0; }));
}

TEST(QuerySchedulerTest, CancelledQueryLeavesTheQueue) {
  QueryScheduler s(1, 4);
  Job running(&s);
  ASSERT_TRUE(running.Wait().ok());
  Job waiting(&s);
  ASSERT_EQ(s.queued(), 1u);
  waiting.guard().Cancel();
  Status st = waiting.Wait();
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(st.message(), query::engine::kQueryCancelledMessage);
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_EQ(s.running(), 1u);
}

TEST(QuerySchedulerTest, ClientGoneFlagCancelsAWaitingQuery) {
  QueryScheduler s(1, 4);
  std::atomic<bool> gone{false};
  Job running(&s);
  ASSERT_TRUE(running.Wait().ok());
  Job waiting(&s, QueryGuard::Clock::time_point::max(), &gone);
  gone = true;
  EXPECT_EQ(waiting.Wait().message(), query::engine::kQueryCancelledMessage);
}

TEST(QuerySchedulerTest, TimesOutInTheQueue) {
  QueryScheduler s(1, 4);
  Job running(&s);
  ASSERT_TRUE(running.Wait().ok());
  Job waiting(&s, QueryGuard::Clock::now() + std::chrono::milliseconds(30));
  Status st = waiting.Wait();
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(st.message(), query::engine::kQueryTimeoutMessage);
  EXPECT_EQ(s.queued(), 0u);
}

TEST(QuerySchedulerTest, CancelAllCancelsRunningQueriesAndRefusesNewOnes) {
  QueryScheduler s(1, 4);
  Job running(&s);
  ASSERT_TRUE(running.Wait().ok());
  Job queued(&s);
  s.CancelAll();
  EXPECT_TRUE(running.guard().cancelled());
  EXPECT_FALSE(running.guard().Check().ok());
  ASSERT_TRUE(queued.called());  // refused before CancelAll() returned
  EXPECT_EQ(queued.Wait().code(), StatusCode::kUnavailable);
  Job later(&s);
  EXPECT_EQ(later.Wait().code(), StatusCode::kUnavailable);
  s.Shutdown();  // the running one returned (its guard is cancelled): the threads join
  EXPECT_EQ(s.running(), 0u);
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
