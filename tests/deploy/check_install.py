"""Checks `cmake --install` and the systemd unit: installing the build tree into a temporary
prefix places the binaries, the default config file and the unit, the unit's paths point at
what was installed, it carries the hardening settings and `systemd-analyze verify` accepts
it (when systemd-analyze is installed), and the installed sawmill binary runs.

Usage: check_install.py BUILD_DIR"""
import os
import shutil
import sys
import tempfile

import yaml

from deploy_util import REPO, check, finish, run

HARDENING = {
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "PrivateDevices": "yes", "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes", "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "", "DynamicUser": "yes", "StateDirectory": "sawmill",
}


def unit_settings(path):
    """{(section, key): [values]} of a systemd unit file."""
    out, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            k, _, v = line.partition("=")
            out.setdefault((section, k.strip()), []).append(v.strip())
    return out


def main():
    build = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "prefix")
        p = run(["cmake", "--install", build, "--prefix", prefix])
        check(p.returncode == 0, "cmake --install %s --prefix %s%s" %
              (build, prefix, "" if p.returncode == 0 else "\n" + p.stdout + p.stderr))
        binary = os.path.join(prefix, "bin", "sawmill")
        config = os.path.join(prefix, "etc", "sawmill", "config.yaml")
        unit = os.path.join(prefix, "lib", "systemd", "system", "sawmill.service")
        check(os.access(binary, os.X_OK), "bin/sawmill installed and executable")
        if os.path.isfile(os.path.join(build, "tools", "sawcli")):
            check(os.access(os.path.join(prefix, "bin", "sawcli"), os.X_OK),
                  "bin/sawcli installed and executable")
        check(os.path.isfile(config), "etc/sawmill/config.yaml installed")
        check(os.path.isfile(unit), "lib/systemd/system/sawmill.service installed")
        with open(config) as f, open(os.path.join(REPO, "deploy/config/config.yaml")) as g:
            text = f.read()
            check(text == g.read(), "the installed config is deploy/config/config.yaml")
        cfg = yaml.safe_load(text)
        check(cfg["storage"]["path"] == "/var/lib/sawmill" and
              cfg["server"]["http_listen_address"] == "127.0.0.1",
              "the default config keeps data in /var/lib/sawmill, listens on 127.0.0.1 only")

        # The unit starts the installed binary with the installed config.
        s = unit_settings(unit)
        exec_start = s[("Service", "ExecStart")][0].split()
        check(exec_start[0] == binary, "ExecStart runs %s (have %s)" % (binary, exec_start[0]))
        check("-config.file=" + config in exec_start, "ExecStart passes -config.file=" + config)
        state = "/var/lib/" + s[("Service", "StateDirectory")][0]
        check("-storage.path=" + state in exec_start,
              "the storage path is the unit's StateDirectory " + state)
        for key, want in HARDENING.items():
            have = s.get(("Service", key), [None])[0]
            check(have == want, "[Service] %s=%s (have %s)" % (key, want, have))
        check(s.get(("Service", "KillSignal")) == ["SIGTERM"] and
              int(s[("Service", "TimeoutStopSec")][0]) >= 60,
              "stops with SIGTERM and gives the flush at least 60 s")
        graceful = str(cfg["server"].get("graceful_shutdown_timeout", "30s"))
        check(graceful.endswith("s") and graceful[:-1].isdigit() and
              int(graceful[:-1]) < int(s[("Service", "TimeoutStopSec")][0]),
              "graceful_shutdown_timeout %s ends before systemd's TimeoutStopSec" % graceful)
        check(s.get(("Install", "WantedBy")) == ["multi-user.target"],
              "WantedBy=multi-user.target")

        analyze = shutil.which("systemd-analyze")
        if analyze:
            p = run([analyze, "verify", unit])
            check(p.returncode == 0 and not p.stderr.strip(),
                  "systemd-analyze verify accepts the unit" +
                  ("" if p.returncode == 0 else ": " + p.stdout + p.stderr))
        else:
            print("note systemd-analyze not installed: unit checked statically only")

        p = run([binary, "-version"])
        check(p.returncode == 0 and "sawmill" in p.stdout.lower(),
              "the installed binary runs (-version)")
    finish()


if __name__ == "__main__":
    main()
