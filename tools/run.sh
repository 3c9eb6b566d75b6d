#!/usr/bin/env bash
# The "run the server" command: installs what is missing, builds, and starts sawmill with
# its defaults (127.0.0.1:3100, data in ./data). Extra arguments go to sawmill.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/tools/install-deps.sh"
"$here/tools/build.sh" "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
exec "$here/build/server/sawmill" "$@"
