// RuntimeConfig: Loki's -runtime-config.file, the per-tenant limit overrides that change
// without a restart. Start() reads the file once (an unreadable or invalid file is an error
// naming the file, line and key, so the server does not start); a thread then reads it again
// every reload period (Loki: 10 s). A changed file that parses replaces every override at
// once; one that does not is logged, and the previous overrides stay in force.
//
// Thread-safety: Start() and Stop() from one controlling thread; Reload() from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "ingest/overrides.h"
#include "storage/status.h"

namespace sawmill::server {

class RuntimeConfig {
 public:
  // `overrides` must outlive this object.
  RuntimeConfig(std::string path, std::chrono::nanoseconds period, ingest::Overrides* overrides);
  ~RuntimeConfig();  // Stop()s
  RuntimeConfig(const RuntimeConfig&) = delete;
  RuntimeConfig& operator=(const RuntimeConfig&) = delete;

  // Loads the file and starts the reload thread. REQUIRES: called at most once.
  Status Start();
  // Stops the reload thread. Idempotent.
  void Stop();

  // Reads the file; if its content changed since the last good load, parses it and applies
  // it. On error nothing changes. What the reload thread calls each period.
  Status Reload();

 private:
  void Loop();

  const std::string path_;
  const std::chrono::nanoseconds period_;
  ingest::Overrides* const overrides_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::string applied_;  // content of the last file applied
  bool loaded_ = false;
  std::thread thread_;
};

}  // namespace sawmill::server
