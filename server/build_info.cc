#include "server/build_info.h"

#ifndef SAW_VERSION
#error "SAW_VERSION and the other build facts are defined by server/CMakeLists.txt"
#endif

namespace sawmill::server {

const BuildInfo& GetBuildInfo() {
  static const BuildInfo info{SAW_VERSION, SAW_REVISION, SAW_BRANCH, SAW_BUILD_USER,
                              SAW_BUILD_DATE};
  return info;
}

std::string VersionString() {
  const BuildInfo& b = GetBuildInfo();
  std::string out = "sawmill, version ";
  out.append(b.version).append(" (branch: ").append(b.branch);
  out.append(", revision: ").append(b.revision).append(")\n");
  out.append("  build user:       ").append(b.build_user).append("\n");
  out.append("  build date:       ").append(b.build_date).append("\n");
  return out;
}

}  // namespace sawmill::server
