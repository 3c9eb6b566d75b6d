"""Checks deploy/docker/Dockerfile statically (no Docker engine runs on CI): a Debian 12 build
stage and a slim runtime stage, the build stage copies every source folder CMake needs and
installs the -dev packages of tools/install-deps.sh, the runtime packages are exactly the
Debian packages of the shared libraries the built binaries load (`ldd` + `dpkg -S`), a
non-root user owns the /data volume, the files copied from the build stage are what
`cmake --install` produces for the prefix /usr, and the health check asks /ready.

Usage: check_dockerfile.py BUILD_DIR BINARY...   (the binaries of a build of this tree)"""
import os
import re
import shlex
import sys
import tempfile

from deploy_util import REPO, check, finish, run

DOCKERFILE = os.path.join(REPO, "deploy", "docker", "Dockerfile")
# Packages of tools/install-deps.sh that only the tests, benchmarks or fuzzing need.
TEST_ONLY = {"libgtest-dev", "libgmock-dev", "googletest", "libbenchmark-dev",
             "libclang-rt-14-dev"}
# Runtime packages that no binary links against but that the image needs, and why.
NOT_LINKED = {"ca-certificates": "sawcli verifies TLS servers against the system CA store"}
# Packages of a binary that a build may lack: sawcli's OpenSSL while tools/sawcli is not in
# the tree. When sawcli is built, ldd lists it and the equality below needs it anyway.
MAYBE_LINKED = {"libssl3": "sawcli (TLS)"}


def instructions(text):
    """[(INSTRUCTION, arguments)] with line continuations joined and comments dropped."""
    out, cur = [], ""
    for line in text.splitlines():
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        word, _, rest = cur.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        cur = ""
    return out


def stages(ins):
    """[(base image, name, [instructions])]."""
    out = []
    for word, args in ins:
        if word == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
            out.append((m.group(1), m.group(2), []))
        elif out:
            out[-1][2].append((word, args))
    return out


def apt_packages(stage_ins):
    pkgs = set()
    for word, args in stage_ins:
        if word != "RUN":
            continue
        for cmd in re.split(r"&&|;", args):
            toks = shlex.split(cmd)
            if "apt-get" in toks and "install" in toks:
                pkgs |= {t for t in toks[toks.index("install") + 1:] if not t.startswith("-")}
    return pkgs


def ldd_packages(binaries):
    """Debian packages (without :arch) of every shared library the binaries load."""
    pkgs = {}
    for b in binaries:
        p = run(["ldd", b])
        for line in p.stdout.splitlines():
            m = re.search(r"=>\s*(/\S+)", line) or re.match(r"\s*(/\S+)", line)
            if not m:
                continue
            lib = m.group(1)
            q = run(["dpkg", "-S", os.path.realpath(lib)])
            if q.returncode != 0:
                q = run(["dpkg", "-S", lib])
            if q.returncode != 0:
                pkgs.setdefault("?" + lib, []).append(b)
                continue
            pkg = q.stdout.split(":")[0].strip()
            pkgs.setdefault(pkg, []).append(os.path.basename(lib))
    return pkgs


def install_deps_packages():
    with open(os.path.join(REPO, "tools", "install-deps.sh")) as f:
        m = re.search(r"PACKAGES=\((.*?)\)", f.read(), re.S)
    return set(m.group(1).split())


def main():
    build, binaries = sys.argv[1], sys.argv[2:]
    with open(DOCKERFILE) as f:
        ins = instructions(f.read())
    st = stages(ins)
    check(len(st) == 2, "two stages (have %d)" % len(st))
    (build_img, build_name, build_ins), (run_img, _, run_ins) = st[0], st[-1]
    check(build_img == "debian:12" and build_name, "build stage FROM debian:12 AS " +
          str(build_name))
    check(run_img == "debian:12-slim", "runtime stage FROM debian:12-slim")

    # The build stage has the sources CMake configures and the library -dev packages.
    copies = [shlex.split(a) for w, a in build_ins if w == "COPY"]
    copied = {c[0].rstrip("/") for c in copies if not c[0].startswith("--")}
    for src in copied:
        check(os.path.exists(os.path.join(REPO, src)), "COPY %s exists in the repo" % src)
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        cml = f.read()
    guarded = set(re.findall(r"if\(SAW_BUILD_\w+\)\s*(?:\S.*\n\s*)*?add_subdirectory\((\w+)\)",
                             cml))
    needed = set(re.findall(r"add_subdirectory\((\w+)\)", cml)) - guarded
    check(needed <= copied, "the build stage copies every folder CMake adds: %s (missing %s)"
          % (sorted(needed), sorted(needed - copied)))
    build_runs = " ".join(a for w, a in build_ins if w == "RUN")
    for opt in ("-DSAW_BUILD_TESTS=OFF", "-DSAW_BUILD_BENCH=OFF", "-DCMAKE_INSTALL_PREFIX=/usr",
                "cmake --install"):
        check(opt in build_runs, "the build stage runs " + opt)
    want_dev = {p for p in install_deps_packages() if p.endswith("-dev")} - TEST_ONLY
    have = apt_packages(build_ins)
    check(want_dev <= have, "the build stage installs the library packages of "
          "tools/install-deps.sh (missing %s)" % sorted(want_dev - have))

    # Runtime packages: exactly those of the shared libraries ldd shows.
    libs = ldd_packages(binaries)
    runtime = apt_packages(run_ins)
    check(not [p for p in libs if p.startswith("?")],
          "every shared library belongs to a Debian package %s" %
          [p for p in libs if p.startswith("?")])
    want = {p for p in libs if not p.startswith("?")}
    runtime -= set(NOT_LINKED)
    runtime -= set(MAYBE_LINKED) - want
    check(runtime == want, "runtime packages match ldd of %s:\n     missing %s\n     extra %s"
          % ([os.path.basename(b) for b in binaries], sorted(want - runtime),
             sorted(runtime - want)))
    check(not [p for p in runtime if p.endswith("-dev")], "no -dev package at runtime")

    # A non-root user that owns the volume.
    users = [a for w, a in run_ins if w == "USER"]
    check(users and users[-1].split(":")[0] not in ("0", "root"),
          "runtime USER is not root (%s)" % users)
    uid = users[-1].split(":")[0] if users else ""
    runs = " ".join(a for w, a in run_ins if w == "RUN")
    check(re.search(r"useradd\b.*--uid %s\b" % re.escape(uid), runs),
          "useradd creates uid %s" % uid)
    check(re.search(r"chown \S+ /data", runs), "the user owns /data")
    volumes = [a for w, a in run_ins if w == "VOLUME"]
    check(volumes == ["/data"], "VOLUME /data")
    check([a for w, a in run_ins if w == "EXPOSE"] == ["3100"], "EXPOSE 3100")
    cmd = " ".join(a for w, a in run_ins if w in ("ENTRYPOINT", "CMD"))
    check("/usr/bin/sawmill" in cmd and "-storage.path=/data" in cmd,
          "the entrypoint runs /usr/bin/sawmill with its store on /data")
    check("-server.http-listen-address=0.0.0.0" in cmd, "the container listens on all addresses")
    hc = [a for w, a in run_ins if w == "HEALTHCHECK"]
    check(len(hc) == 1 and "/ready" in hc[0] and "3100" in hc[0], "HEALTHCHECK asks /ready")

    # Files copied from the build stage are what `cmake --install` puts under /usr.
    with tempfile.TemporaryDirectory() as stage:
        env = dict(os.environ, DESTDIR=stage)
        p = run(["cmake", "--install", build, "--prefix", "/usr"], env=env)
        check(p.returncode == 0, "DESTDIR=... cmake --install --prefix /usr" +
              ("" if p.returncode == 0 else ": " + p.stderr))
        staging = [shlex.split(a) for w, a in run_ins if w == "COPY" and "--from=" in a]
        for c in staging:
            src = c[1]
            rel = os.path.relpath(src, "/staging")
            check(src.startswith("/staging/") and os.path.exists(os.path.join(stage, rel)),
                  "COPY --from=build %s exists after cmake --install" % src)
            if src.endswith("/usr/bin/"):
                installed = sorted(os.listdir(os.path.join(stage, rel)))
                check(sorted(os.path.basename(b) for b in binaries) == installed,
                      "the binaries checked with ldd are those installed: %s" % installed)
    finish()


if __name__ == "__main__":
    main()
