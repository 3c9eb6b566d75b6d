#include "server/runtime_config.h"

#include <fstream>
#include <sstream>

#include "ingest/limits_yaml.h"
#include "server/log.h"

namespace sawmill::server {
namespace {

// An operator's file, not a request; the cap only keeps a wrong path (a log file, a device)
// from being read whole.
constexpr std::streamsize kMaxFileBytes = 16 << 20;

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("open " + path + ": cannot read the file");
  out->assign(static_cast<size_t>(kMaxFileBytes) + 1, '\0');
  in.read(out->data(), kMaxFileBytes + 1);
  if (in.bad()) return Status::IOError("read " + path + ": I/O error");
  out->resize(static_cast<size_t>(in.gcount()));
  if (out->size() > static_cast<size_t>(kMaxFileBytes)) {
    return Status::InvalidArgument(path + ": larger than 16 MiB");
  }
  return Status::OK();
}

}  // namespace

RuntimeConfig::RuntimeConfig(std::string path, std::chrono::nanoseconds period,
                             ingest::Overrides* overrides)
    : path_(std::move(path)), period_(period), overrides_(overrides) {}

RuntimeConfig::~RuntimeConfig() { Stop(); }

Status RuntimeConfig::Reload() {
  std::string text;
  SAW_RETURN_IF_ERROR(ReadFile(path_, &text));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (loaded_ && text == applied_) return Status::OK();
  }
  Result<ingest::TenantLimits> parsed = ingest::ParseRuntimeConfig(text, overrides_->defaults());
  if (!parsed.ok()) {
    return Status::InvalidArgument("runtime config file " + path_ + ": " +
                                   parsed.status().message());
  }
  const size_t tenants = parsed->size();
  overrides_->Replace(std::move(parsed).value());
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_ = std::move(text);
    loaded_ = true;
  }
  LogInfo("runtime config loaded", {{"file", path_}, {"overrides", std::to_string(tenants)}});
  return Status::OK();
}

Status RuntimeConfig::Start() {
  SAW_RETURN_IF_ERROR(Reload());
  thread_ = std::thread([this] { Loop(); });
  return Status::OK();
}

void RuntimeConfig::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    if (Status s = Reload(); !s.ok()) {
      LogError("failed to reload the runtime config, keeping the previous overrides",
               {{"err", s.message()}});
    }
    lock.lock();
  }
}

void RuntimeConfig::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sawmill::server
