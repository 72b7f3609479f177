"""deploy/Containerfile, checked without a container engine (there is no
Docker daemon where the tests run): the file is parsed, and

* every stage is Debian 12 (bookworm), the build uses scripts/build.sh and
  installs only packages scripts/install-deps.sh installs too;
* the runtime stage installs a Debian package for every shared library the
  built binary loads (`ldd $KS_BINARY`, each library mapped to its package
  with `dpkg -S`), runs as the fixed uid 65532, owns and declares the
  buffer volume, exposes 9092 and 9644, and has the agreed ENTRYPOINT/CMD;
* .dockerignore keeps build directories and .git out of the context.

Not checked here: that the image builds and starts (no daemon, no
registry). Run by ctest (tests/deploy/CMakeLists.txt) with KS_BINARY.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTAINERFILE = REPO / "deploy" / "Containerfile"
UID = "65532"
BUFFER_DIR = "/var/lib/kafka-sidecar"
# Sanitizer runtimes appear in the ASan build's ldd, never in a release one.
SANITIZER_LIB = re.compile(r"^lib(asan|ubsan|lsan|tsan)\.so")


def instructions(text):
    """(KEYWORD, arguments) per instruction: continuation lines joined,
    comment lines dropped (also inside a continued instruction, as the
    builders do)."""
    out, current = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            keyword, _, args = current.strip().partition(" ")
            out.append((keyword.upper(), args.strip()))
        current = ""
    return out


def stages(text):
    """The ARG defaults before the first FROM, and the stages: dicts with
    'from' (the base, ARGs substituted), 'name' and 'instructions'."""
    args, result = {}, []
    for keyword, value in instructions(text):
        if keyword == "FROM":
            words = value.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            result.append({"from": base, "name": name, "instructions": []})
        elif not result and keyword == "ARG":
            key, _, default = value.partition("=")
            args[key] = default
        elif result:
            result[-1]["instructions"].append((keyword, value))
    return args, result


def apt_packages(run_args):
    """Packages of every `apt-get install` in a RUN."""
    packages = []
    for command in re.split(r"&&|;", run_args):
        words = shlex.split(command)
        if "apt-get" in words and "install" in words:
            after = words[words.index("install") + 1:]
            packages += [w for w in after if not w.startswith("-")]
    return packages


def install_deps_packages():
    text = (REPO / "scripts" / "install-deps.sh").read_text()
    block = re.search(r"packages=\((.*?)\n\)", text, re.S).group(1)
    return {w for line in block.splitlines() for w in line.split("#")[0].split()}


def library_packages(binary):
    """Debian package of every shared library `binary` loads."""
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    packages = {}
    for line in ldd.splitlines():
        m = re.match(r"\s*(\S+)\s*(?:=>\s*(\S+))?", line)
        name, path = m.group(1), m.group(2) or m.group(1)
        if name.startswith("linux-vdso") or SANITIZER_LIB.match(name):
            continue
        assert path.startswith("/"), f"ldd found no file for {name}: {line.strip()}"
        real = os.path.realpath(path)
        # dpkg knows a file by the path its package ships; /lib is /usr/lib
        # on a merged-/usr system, so ask for each spelling.
        candidates = {path, real}
        for p in list(candidates):
            if p.startswith("/usr/"):
                candidates.add(p[4:])
            else:
                candidates.add("/usr" + p)
        owner = None
        for candidate in sorted(candidates):
            result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if result.returncode == 0:
                owner = result.stdout.split(":")[0].strip()
                break
        assert owner, f"no Debian package owns {name} ({path})"
        packages[name] = owner
    return packages


class Containerfile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.args, cls.stages = stages(CONTAINERFILE.read_text())
        cls.build, cls.runtime = cls.stages[0], cls.stages[-1]

    def final(self, keyword):
        return [v for k, v in self.runtime["instructions"] if k == keyword]

    def test_multi_stage_on_debian_12(self):
        self.assertGreaterEqual(len(self.stages), 2)
        for stage in self.stages:
            self.assertRegex(stage["from"], r"^debian:bookworm(-slim)?$")
        self.assertEqual(self.build["name"], "build")

    def test_build_stage_uses_the_projects_scripts_and_packages(self):
        runs = " ".join(v for k, v in self.build["instructions"] if k == "RUN")
        self.assertIn("scripts/build.sh", runs)
        packages = set(apt_packages(runs))
        self.assertTrue(packages)
        self.assertEqual(packages - install_deps_packages(), set(),
                         "build packages that scripts/install-deps.sh does not install")

    def test_runtime_stage_has_every_library_the_binary_loads(self):
        binary = os.environ.get("KS_BINARY")
        self.assertTrue(binary and os.access(binary, os.X_OK), f"KS_BINARY={binary!r}")
        needed = library_packages(binary)
        listed = set()
        for run in self.final("RUN"):
            listed |= set(apt_packages(run))
        missing = {lib: pkg for lib, pkg in needed.items() if pkg not in listed}
        self.assertEqual(missing, {}, f"the runtime stage installs {sorted(listed)}")
        # Nothing from the build stage leaks in: no -dev packages.
        self.assertEqual([p for p in listed if p.endswith("-dev")], [])

    def test_runtime_stage_copies_only_the_binary_from_the_build(self):
        copies = [v for v in self.final("COPY") if v.startswith("--from=")]
        self.assertEqual(copies, ["--from=build /build/kafka-sidecar /usr/local/bin/kafka-sidecar"])

    def test_non_root_user_owns_the_buffer_volume(self):
        self.assertEqual(self.final("USER"), [f"{UID}:{UID}"])
        runs = " ".join(self.final("RUN"))
        self.assertIn(f"--uid {UID}", runs)
        self.assertIn(f"install -d -o {UID} -g {UID}", runs)
        self.assertIn(BUFFER_DIR, runs)
        self.assertEqual([json.loads(v) for v in self.final("VOLUME")], [[BUFFER_DIR]])
        # The directory is made before VOLUME: later changes to a volume path
        # are discarded by the builders.
        keywords = [k for k, _ in self.runtime["instructions"]]
        self.assertLess(max(i for i, (k, v) in enumerate(self.runtime["instructions"])
                            if k == "RUN" and BUFFER_DIR in v), keywords.index("VOLUME"))

    def test_ports_entrypoint_and_command(self):
        self.assertEqual([set(v.split()) for v in self.final("EXPOSE")], [{"9092", "9644"}])
        self.assertEqual([json.loads(v) for v in self.final("ENTRYPOINT")], [["kafka-sidecar"]])
        self.assertEqual([json.loads(v) for v in self.final("CMD")],
                         [["run", "--config", "/etc/kafka-sidecar/config.yaml"]])

    def test_default_config_is_the_single_cluster_example(self):
        copies = [v.split() for v in self.final("COPY") if not v.startswith("--from=")]
        self.assertIn(["examples/configs/single-cluster.yaml", "/etc/kafka-sidecar/config.yaml"], copies)

    def test_dockerignore_keeps_builds_and_git_out(self):
        patterns = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                    if line.strip() and not line.startswith("#")}
        self.assertLessEqual({".git", "build*"}, patterns)
        # ...and keeps what the build needs in.
        for needed in ("scripts", "CMakeLists.txt", "app", "examples"):
            self.assertNotIn(needed, patterns)


class Parser(unittest.TestCase):
    """The parser must see what a builder sees, or the checks above mean
    nothing."""

    def test_continuations_comments_and_args(self):
        args, parsed = stages(
            "ARG BASE=debian:bookworm-slim\n"
            "FROM ${BASE} AS build\n"
            "RUN apt-get update \\\n"
            "# a comment inside\n"
            " && apt-get install -y --no-install-recommends a b \\\n"
            "      c && rm -rf x\n"
            "FROM ${BASE}\n"
            "USER 1:1\n")
        self.assertEqual(args, {"BASE": "debian:bookworm-slim"})
        self.assertEqual([s["from"] for s in parsed], ["debian:bookworm-slim"] * 2)
        self.assertEqual(apt_packages(parsed[0]["instructions"][0][1]), ["a", "b", "c"])
        self.assertEqual(parsed[1]["instructions"], [("USER", "1:1")])

    def test_ldd_maps_libraries_to_packages(self):
        needed = library_packages(os.environ.get("KS_BINARY"))
        self.assertEqual(needed.get("libyaml-cpp.so.0.7"), "libyaml-cpp0.7")
        self.assertEqual(needed.get("libc.so.6"), "libc6")
        # A runtime list without libyaml-cpp0.7 would be caught.
        listed = set(needed.values()) - {"libyaml-cpp0.7"}
        self.assertEqual({lib for lib, pkg in needed.items() if pkg not in listed},
                         {"libyaml-cpp.so.0.7"})


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
