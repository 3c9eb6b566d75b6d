// What this binary is: version, git revision and branch, who built it and when. Filled in
// by CMake when the build is configured (server/CMakeLists.txt), so the revision is the one
// checked out at the last configure. Served by /loki/api/v1/status/buildinfo, -version and
// the sawmill_build_info metric.
#pragma once

#include <string>
#include <string_view>

namespace sawmill::server {

struct BuildInfo {
  std::string_view version;     // "0.1.0"
  std::string_view revision;    // short git hash, "unknown" outside a git checkout
  std::string_view branch;      // "main"
  std::string_view build_user;  // "user@host"
  std::string_view build_date;  // "2026-11-23T12:00:00Z"
};

const BuildInfo& GetBuildInfo();

// "sawmill, version 0.1.0 (branch: main, revision: 1a2b3c4)" and the build user and date on
// two more lines, like `loki -version`.
std::string VersionString();

}  // namespace sawmill::server
