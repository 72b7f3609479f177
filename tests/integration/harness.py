"""Integration-test harness: the mock upstream, the sidecar process, real
producer and consumer clients, and the checks on what reached the upstream.

Run tests with /usr/bin/python3 (Debian's confluent-kafka and kafka-python).
CMake passes the binaries' paths in the environment (see CMakeLists.txt):
KS_BINARY, KS_MOCK_2_0, KS_MOCK_2_15, KS_RDKAFKA_PRODUCE_2_15,
KS_RDKAFKA_CONSUME_2_15, KS_NODE_MODULES. Without them the paths default to
the build/ directory.

A typical sidecar test:

    from harness import *

    with MockUpstream("2.15", topics={"orders": 3}) as up, \\
         Sidecar(upstream=up) as sc:
        res = produce("confluent", sc.bootstrap, "orders", 1000, "p0",
                      idempotent=True)
        up.down_all(); ...; up.up_all()
        assert_exactly_once_in_order(res, read_all(up.bootstrap, "orders"))

Everything a test starts is stopped by the context managers (and, as a last
resort, at interpreter exit), and every process logs into KS_TEST_DIR (a
fresh temp dir, kept on failure) so a failing CI run shows what happened.
"""

import atexit
import collections
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLIENTS_DIR = os.path.join(HERE, "clients")
PYTHON = "/usr/bin/python3"  # Debian's, with confluent_kafka and kafka


def _build_path(env, name):
    """A built artefact: from the environment (CMake sets it), else build/."""
    return os.environ.get(env) or os.path.join(
        os.environ.get("KS_BUILD_DIR", os.path.join(ROOT, "build")), name)


def sidecar_binary():
    return _build_path("KS_BINARY", "kafka-sidecar")


def mock_binary(generation):
    return {
        "2.0": _build_path("KS_MOCK_2_0", "mock-upstream-2.0"),
        "2.15": _build_path("KS_MOCK_2_15", "mock-upstream-2.15"),
    }[generation]


GENERATIONS = ("2.0", "2.15")

# ---------------------------------------------------------------------------
# Processes, ports, temp dirs

_live = []  # processes to kill if a test dies without cleaning up


@atexit.register
def _kill_leftovers():
    for p in _live:
        if p.poll() is None:
            p.kill()
            p.wait()


_test_dir = None


def test_dir():
    """One temp dir per test process for logs and sidecar data (KS_TEST_DIR
    overrides). It is removed at exit only if the test passed, which the
    test signals by calling passed()."""
    global _test_dir
    if _test_dir is None:
        _test_dir = os.environ.get("KS_TEST_DIR") or tempfile.mkdtemp(
            prefix="ks-it-")
        os.makedirs(_test_dir, exist_ok=True)
    return _test_dir


def passed():
    """Call at the end of a successful test: removes its temp dir."""
    global _test_dir
    if _test_dir and not os.environ.get("KS_TEST_DIR"):
        shutil.rmtree(_test_dir, ignore_errors=True)
        _test_dir = None


def free_port():
    """A TCP port free right now on 127.0.0.1 (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(cond, timeout, what, interval=0.05):
    """Polls cond() until it is true; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def _split_bootstrap(bootstrap):
    out = []
    for hp in bootstrap.split(","):
        host, port = hp.strip().rsplit(":", 1)
        out.append((host, int(port)))
    return out


# ---------------------------------------------------------------------------
# Mock upstream


class MockError(Exception):
    pass


class MockUpstream:
    """A librdkafka mock cluster in its own process (tests/upstream).

    generation: "2.0" (Debian's librdkafka, old protocol versions) or "2.15"
    (flexible versions). topics: {name: partitions} or
    {name: (partitions, replication_factor)}.

    Broker ids are 1..brokers. Partition p of a topic created by the daemon
    is led by broker p % brokers + 1 (leader_of() tracks later moves).
    A down broker refuses connections and drops its open ones; `up` listens
    again on the same port (tests/upstream/README.md).
    """

    def __init__(self, generation="2.15", brokers=3, topics=None, name=None,
                 debug=None):
        if generation not in GENERATIONS:
            raise ValueError("generation must be one of %s" % (GENERATIONS,))
        self.generation = generation
        self.broker_count = brokers
        self.name = name or "mock-%s-%s" % (generation.replace(".", "_"),
                                            uuid.uuid4().hex[:6])
        self.log_path = os.path.join(test_dir(), self.name + ".log")
        self._leaders = {}
        self._partitions = {}
        self.proc = None
        args = [mock_binary(generation), "--brokers", str(brokers)]
        for topic, spec in (topics or {}).items():
            parts, rf = (spec, None) if isinstance(spec, int) else spec
            args += ["--topic", "%s:%d" % (topic, parts) + (":%d" % rf if rf else "")]
            self._note_topic(topic, parts)
        if debug:
            args += ["--debug", debug]
        bs_file = os.path.join(test_dir(), self.name + ".bootstrap")
        args += ["--bootstrap-file", bs_file]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=log)
        _live.append(self.proc)
        try:
            wait_until(lambda: os.path.exists(bs_file) or self.proc.poll() is not None,
                       20, "%s to write its bootstrap file" % self.name)
            if self.proc.poll() is not None:
                raise MockError("%s exited with %s:\n%s" % (
                    self.name, self.proc.returncode, tail(self.log_path)))
            with open(bs_file) as f:
                self.bootstrap = f.read().strip()
        except BaseException:
            self.stop()
            raise
        self.version = self.command("version")

    # -- helpers
    def _note_topic(self, topic, partitions):
        self._partitions[topic] = partitions
        for p in range(partitions):
            self._leaders[(topic, p)] = p % self.broker_count + 1

    def command(self, line, timeout=10):
        """Sends one control line; returns the text after "ok"; raises
        MockError on "error ..."."""
        if self.proc is None or self.proc.poll() is not None:
            raise MockError("%s is not running" % self.name)
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            raise MockError("%s: no answer to %r within %ss" % (self.name, line, timeout))
        answer = self.proc.stdout.readline().decode().strip()
        if answer == "ok" or answer.startswith("ok "):
            return answer[3:]
        raise MockError("%s: %r -> %r" % (self.name, line, answer or "(exited)"))

    # -- topology
    @property
    def brokers(self):
        """{broker id: (host, port)}; ports stay the same across down/up."""
        return {i + 1: hp for i, hp in enumerate(_split_bootstrap(self.bootstrap))}

    def broker_address(self, broker_id):
        host, port = self.brokers[broker_id]
        return "%s:%d" % (host, port)

    def leader_of(self, topic, partition):
        return self._leaders[(topic, partition)]

    def partitions(self, topic):
        return self._partitions[topic]

    # -- control (see tests/upstream/README.md for what each does)
    def down(self, broker_id):
        self.command("down %d" % broker_id)

    def up(self, broker_id):
        self.command("up %d" % broker_id)

    def down_all(self):
        self.command("down-all")

    def up_all(self):
        self.command("up-all")

    def rtt(self, broker_id, ms):
        """Delays every response of broker_id (-1: all brokers) by ms. The
        request is handled at once; only the answer waits."""
        self.command("rtt %d %d" % (broker_id, ms))

    def leader(self, topic, partition, broker_id):
        self.command("leader %s %d %d" % (topic, partition, broker_id))
        self._leaders[(topic, partition)] = broker_id

    def follower(self, topic, partition, broker_id):
        self.command("follower %s %d %d" % (topic, partition, broker_id))

    def create(self, topic, partitions, replication_factor=None):
        rf = replication_factor or min(3, self.broker_count)
        self.command("create %s %d %d" % (topic, partitions, rf))
        self._note_topic(topic, partitions)

    def error(self, api_key, code, count=1):
        """The next `count` requests of api_key, to any broker, fail with
        error `code` (Produce: nothing is appended). Code -195 (librdkafka's
        __TRANSPORT) closes the connection instead of answering."""
        self.command("error %d %d %d" % (api_key, code, count))

    def broker_error(self, broker_id, api_key, code, rtt_ms=0, count=1):
        """Like error() for one broker, answered after rtt_ms; code 0 with
        an rtt delays just those responses."""
        self.command("broker-error %d %d %d %d %d" % (broker_id, api_key, code, rtt_ms, count))

    def api_version(self, api_key, min_version, max_version):
        """The versions of api_key the brokers offer in ApiVersions, for
        clients connecting from now on."""
        self.command("apiversion %d %d %d" % (api_key, min_version, max_version))

    def clear_errors(self, api_key):
        self.command("clear-errors %d" % api_key)

    def topic_error(self, topic, code):
        self.command("topic-error %s %d" % (topic, code))

    def coordinator(self, key_type, key, broker_id):
        self.command("coordinator %s %s %d" % (key_type, key, broker_id))

    def partition_error(self, topic, partition, api_key, code, count=1):
        """2.15 only: errors for one partition's next requests of api_key."""
        self.command("partition-error %s %d %d %d %d" % (topic, partition, api_key, code, count))

    def controller(self, broker_id):
        """2.15 only (the daemon sets 1 at start; 2.0.2 always says 0)."""
        self.command("controller %d" % broker_id)

    def delete(self, topic):
        """2.15 only."""
        self.command("delete %s" % topic)

    def stop(self):
        """Closes stdin (the daemon's signal to exit) and waits."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# Kafka API keys and error codes tests commonly inject.
class ApiKey:
    PRODUCE = 0
    FETCH = 1
    LIST_OFFSETS = 2
    METADATA = 3
    OFFSET_COMMIT = 8
    OFFSET_FETCH = 9
    FIND_COORDINATOR = 10
    JOIN_GROUP = 11
    HEARTBEAT = 12
    SYNC_GROUP = 14
    API_VERSIONS = 18
    INIT_PRODUCER_ID = 22


class Err:
    TRANSPORT = -195  # librdkafka-internal: the mock closes the connection
    UNKNOWN_TOPIC_OR_PARTITION = 3
    LEADER_NOT_AVAILABLE = 5
    NOT_LEADER_OR_FOLLOWER = 6
    REQUEST_TIMED_OUT = 7
    MESSAGE_TOO_LARGE = 10
    NETWORK_EXCEPTION = 13
    COORDINATOR_NOT_AVAILABLE = 15
    NOT_COORDINATOR = 16
    RECORD_LIST_TOO_LARGE = 18
    NOT_ENOUGH_REPLICAS = 19
    NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20
    TOPIC_AUTHORIZATION_FAILED = 29
    UNSUPPORTED_VERSION = 35
    OUT_OF_ORDER_SEQUENCE_NUMBER = 45
    DUPLICATE_SEQUENCE_NUMBER = 46
    INVALID_PRODUCER_EPOCH = 47
    UNKNOWN_PRODUCER_ID = 59


def api_versions(address, timeout=5):
    """{api key: (min, max)} a broker (mock or sidecar) at "host:port"
    advertises, asked with ApiVersions v0 (the version every broker
    answers)."""
    (host, port), = _split_bootstrap(address)
    with socket.create_connection((host, port), timeout=timeout) as s:
        client = b"ks-harness"
        req = struct.pack(">hhih", ApiKey.API_VERSIONS, 0, 1, len(client)) + client
        s.sendall(struct.pack(">i", len(req)) + req)

        def recv(n):
            buf = b""
            while len(buf) < n:
                chunk = s.recv(n - len(buf))
                if not chunk:
                    raise ConnectionError("%s closed the connection" % address)
                buf += chunk
            return buf
        size, = struct.unpack(">i", recv(4))
        body = recv(size)
    corr, err, count = struct.unpack(">ihi", body[:10])
    if corr != 1 or err != 0:
        raise AssertionError("ApiVersions from %s: correlation %d, error %d" % (address, corr, err))
    out = {}
    for i in range(count):
        key, lo, hi = struct.unpack(">hhh", body[10 + 6 * i:16 + 6 * i])
        out[key] = (lo, hi)
    return out


# ---------------------------------------------------------------------------
# Sidecar


def _yaml(value, indent=0):
    """A small YAML emitter for the config: mappings in block style, lists
    of scalars in flow style, strings double-quoted (always valid YAML)."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if isinstance(v, dict) and v:
                lines.append("%s%s:\n%s" % (pad, k, _yaml(v, indent + 1)))
            elif isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
                lines.append("%s%s:\n%s" % (pad, k, _yaml(v, indent + 1)))
            else:
                lines.append("%s%s: %s" % (pad, k, _scalar(v)))
        return "\n".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            body = _yaml(item, indent + 1).lstrip() if isinstance(item, (dict, list)) \
                else _scalar(item)
            lines.append("%s- %s" % (pad, body))
        return "\n".join(lines)
    return pad + _scalar(value)


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return json.dumps(str(v))


def _merge(base, over):
    """Deep-merges `over` into a copy of `base`; a None value deletes."""
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


class SidecarError(Exception):
    pass


class Sidecar:
    """kafka-sidecar as a process, configured by a generated YAML file.

    upstream: a MockUpstream, a bootstrap string "h:p,h:p", or a dict
    {cluster name: MockUpstream or bootstrap} for several clusters.
    config: overrides deep-merged into the default config (None deletes a
    key), e.g. {"buffer": {"fsync": "never"}, "routes": [...]}.

    The listener and admin ports are picked once and kept across restarts,
    like a real deployment's; the buffer dir too, so restart() and kill9()
    test recovery.

    run_as: a uid to run the sidecar as (with setpriv, when the tests run as
    root), so that file permissions apply to it; its dir is given to that uid.
    """

    def __init__(self, upstream=None, config=None, binary=None, name=None,
                 start=True, ready_timeout=30, run_as=None):
        self.binary = binary or sidecar_binary()
        self.run_as = run_as
        self.name = name or "sidecar-" + uuid.uuid4().hex[:6]
        self.dir = os.path.join(test_dir(), self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.admin_port = free_port()
        self.ready_timeout = ready_timeout
        clusters = {}
        if isinstance(upstream, dict):
            items = upstream.items()
        elif upstream is not None:
            items = [("main", upstream)]
        else:
            items = []
        for cname, up in items:
            bs = up.bootstrap if isinstance(up, MockUpstream) else up
            clusters[cname] = {"bootstrap": [b.strip() for b in bs.split(",")]}
        self.config = _merge({
            "listener": {"address": "127.0.0.1", "port": self.port,
                         "advertised": "127.0.0.1:%d" % self.port},
            "admin": {"address": "127.0.0.1", "port": self.admin_port},
            "buffer": {"dir": os.path.join(self.dir, "buffer"), "fsync": "always",
                       "when_full": "block", "segment_bytes": "1MiB",
                       "max_bytes": "1GiB"},
            "clusters": clusters,
        }, config or {})
        self.config_path = os.path.join(self.dir, "config.yaml")
        self.write_config()
        self.log_path = os.path.join(self.dir, "sidecar.log")
        if run_as is not None:
            os.chmod(test_dir(), 0o711)  # mkdtemp's 0700 would lock the uid out
            for root, dirs, files in os.walk(self.dir):
                for entry in [root] + [os.path.join(root, f) for f in files]:
                    os.chown(entry, run_as, run_as)
            open(self.log_path, "ab").close()
            os.chown(self.log_path, run_as, run_as)
        self.proc = None
        self.starts = 0
        if start:
            self.start()

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    @property
    def admin_url(self):
        return "http://127.0.0.1:%d" % self.admin_port

    def write_config(self):
        with open(self.config_path, "w") as f:
            f.write(_yaml(self.config) + "\n")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def start(self):
        if self.proc is not None and self.proc.poll() is None:
            raise SidecarError("%s is already running" % self.name)
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(b"=== harness: start #%d\n" % self.starts)
            log.flush()
            prefix = []
            if self.run_as is not None and os.getuid() != self.run_as:
                prefix = ["setpriv", "--reuid=%d" % self.run_as, "--regid=%d" % self.run_as,
                          "--clear-groups", "--"]
            self.proc = subprocess.Popen(
                prefix + [self.binary, "run", "--config", self.config_path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        _live.append(self.proc)

        def ready():
            if self.proc.poll() is not None:
                raise SidecarError("%s exited with %s during start:\n%s" % (
                    self.name, self.proc.returncode, tail(self.log_path)))
            return port_open("127.0.0.1", self.port)
        try:
            wait_until(ready, self.ready_timeout, "%s to listen on %d" % (self.name, self.port))
        except TimeoutError as e:
            raise SidecarError("%s\n%s" % (e, tail(self.log_path))) from None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """SIGKILL: what a crash or the OOM killer does."""
        if self.running():
            self.proc.kill()
            self.proc.wait()

    def terminate(self, timeout=30, expect_code=0):
        """SIGTERM and wait: a clean shutdown must exit with expect_code."""
        if not self.running():
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise SidecarError("%s did not exit %ss after SIGTERM:\n%s" % (
                self.name, timeout, tail(self.log_path))) from None
        if expect_code is not None and code != expect_code:
            raise SidecarError("%s exited with %s after SIGTERM (expected %s):\n%s" % (
                self.name, code, expect_code, tail(self.log_path)))

    def restart(self, kill=False):
        """Stops (SIGTERM, or SIGKILL with kill=True) and starts again with
        the same ports, config file and buffer dir."""
        if kill:
            self.kill9()
        else:
            self.terminate()
        self.start()

    def stop(self):
        """Cleanup for tests: SIGTERM, SIGKILL if that hangs; no checks."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------
# The offsets CLI (`kafka-sidecar offsets ...`)


def offsets_cli(*args, config=None):
    """Runs `kafka-sidecar offsets ARGS [--config FILE]`; returns the
    completed process (text stdout/stderr)."""
    cmd = [sidecar_binary(), "offsets"] + list(args)
    if config:
        cmd += ["--config", config]
    started = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    print("  $ offsets %s -> %d (%.2fs)" % (" ".join(args), p.returncode,
                                              time.monotonic() - started))
    return p


def offsets_ok(*args, config):
    """Runs the offsets CLI, which must exit 0; returns its stdout."""
    p = offsets_cli(*args, config=config)
    assert p.returncode == 0, "exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr)
    return p.stdout


def offsets_refused(code, message, *args, config=None):
    """Runs the offsets CLI, which must exit with `code` and say `message`
    on stderr; returns the completed process."""
    p = offsets_cli(*args, config=config)
    assert p.returncode == code and message in p.stderr, \
        "wanted exit %d and %r, got %d\n%s%s" % (code, message, p.returncode, p.stdout, p.stderr)
    return p


def offsets_table(text):
    """The rows of the table in an offsets command's output: [{column: value}]."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("TOPIC"))
    header = lines[start].split()
    rows = []
    for line in lines[start + 1:]:
        cells = line.split()
        if len(cells) != len(header) or not cells[1].isdigit():
            break  # the line after the table
        rows.append(dict(zip(header, cells)))
    return rows


# ---------------------------------------------------------------------------
# The buffer inspector (`kafka-sidecar buffer inspect`)


def buffer_inspect(*args, config=None):
    """Runs `kafka-sidecar buffer inspect ARGS [--config FILE]`; returns the
    completed process (text stdout/stderr)."""
    cmd = [sidecar_binary(), "buffer", "inspect"] + list(args)
    if config:
        cmd += ["--config", config]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _report_fields(tokens):
    fields = {}
    for token in tokens:
        if "=" in token:
            key, value = token.split("=", 1)
            fields[key] = int(value) if re.fullmatch(r"-?\d+", value) else value
    return fields


def _new_log():
    return {"log": None, "segments": [], "partitions": {}, "total": None,
            "corruption": [], "incomplete_tail": None}


def buffer_report(text):
    """A `buffer inspect` report as {cluster: {...}}: "dir", "log" (the log
    line's fields), "segments", "partitions" ({(topic, partition): fields}),
    "total", "corruption" ([fields]), "incomplete_tail" (fields or None),
    "checkpoint" ({"state": "ok"|"none"|"unreadable", fields...}),
    "dead_letter" (the same as the log, or None) and, with --dump, "entries"
    ([fields], each with "record_lines": [fields]). Numbers are ints."""
    import shlex
    clusters = {}
    cluster = None
    for line in text.splitlines():
        tokens = shlex.split(line)
        if not tokens:
            continue
        if tokens[0] == "cluster":
            cluster = dict(_new_log(), dir=_report_fields(tokens)["dir"], checkpoint=None,
                           dead_letter=None, entries=[])
            clusters[tokens[1]] = cluster
            continue
        into = cluster
        if tokens[0] == "dead-letter":
            tokens = tokens[1:]
            if tokens[0] == "none":
                continue
            if tokens[0].startswith("dir="):
                cluster["dead_letter"] = _new_log()
                tokens = ["log"] + tokens
            into = cluster["dead_letter"]
        kind, fields = tokens[0], _report_fields(tokens)
        if kind == "log":
            into["log"] = fields
        elif kind == "segment":
            into["segments"].append(fields)
        elif kind == "incomplete":
            into["incomplete_tail"] = fields
        elif kind == "partition":
            into["partitions"][(fields["topic"], fields["partition"])] = fields
        elif kind == "total":
            into["total"] = fields
        elif kind == "corruption":
            if tokens[1:] != ["none"]:
                into["corruption"].append(fields)
        elif kind == "checkpoint":
            state = tokens[1] if tokens[1] in ("none", "unreadable") else "ok"
            cluster["checkpoint"] = dict(fields, state=state)
        elif kind == "entry":
            cluster["entries"].append(dict(fields, record_lines=[]))
        elif kind == "record":
            cluster["entries"][-1]["record_lines"].append(fields)
        else:
            raise AssertionError("unknown line in the buffer report: %r" % line)
    return clusters


# ---------------------------------------------------------------------------
# Producer clients

# What each driver can do: tests that loop over clients skip what a client
# lacks rather than fail on it.
CLIENTS = {
    # librdkafka 2.0.2 through confluent-kafka-python
    "confluent": {"idempotent": True,
                  "compression": {"none", "gzip", "snappy", "lz4", "zstd"}},
    # kafka-python 2.0.2: no idempotence; snappy/lz4/zstd need python3-snappy,
    # python3-lz4, python3-zstandard
    "kafka-python": {"idempotent": False,
                     "compression": {"none", "gzip", "snappy", "lz4", "zstd"}},
    # kafkajs 2.2.4 (npm): gzip built in, snappy via kafkajs-snappy
    "kafkajs": {"idempotent": True, "compression": {"none", "gzip", "snappy"}},
    # librdkafka 2.15.1 C API (modern protocol versions)
    "rdkafka-2.15": {"idempotent": True,
                     "compression": {"none", "gzip", "snappy", "lz4", "zstd"}},
}


def kafka_python_codecs():
    """kafka-python's snappy/lz4/zstd need Debian's python3-snappy,
    python3-lz4, python3-zstandard; test what is installed."""
    import importlib.util
    out = ["none", "gzip"]
    for codec, module in (("snappy", "snappy"), ("lz4", "lz4"), ("zstd", "zstandard")):
        if importlib.util.find_spec(module):
            out.append(codec)
        else:
            print("note: kafka-python %s not tested (no python module %s)" % (codec, module))
    return out


def client_runs(kafkajs_idempotent=True):
    """(client, produce options) for a run of every client with every codec
    it has, idempotent where it can be, with headers."""
    runs = []
    # confluent-kafka (librdkafka 2.0.2): every codec, idempotent, headers.
    for codec in sorted(CLIENTS["confluent"]["compression"]):
        runs.append(("confluent", dict(compression=codec, idempotent=True, headers=True)))
    runs.append(("confluent", dict(acks="1", key_mod=0)))
    # kafka-python: no idempotence.
    for codec in kafka_python_codecs():
        runs.append(("kafka-python", dict(compression=codec, headers=True)))
    for codec in sorted(CLIENTS["kafkajs"]["compression"]):
        runs.append(("kafkajs", dict(compression=codec, headers=True,
                                     idempotent=kafkajs_idempotent)))
    # librdkafka 2.15.1: every codec, idempotent.
    for codec in sorted(CLIENTS["rdkafka-2.15"]["compression"]):
        runs.append(("rdkafka-2.15", dict(compression=codec, idempotent=True, headers=True)))
    return runs


def client_command(client):
    if client == "confluent":
        return [PYTHON, os.path.join(CLIENTS_DIR, "produce_confluent.py")]
    if client == "kafka-python":
        return [PYTHON, os.path.join(CLIENTS_DIR, "produce_kafka_python.py")]
    if client == "kafkajs":
        return ["node", os.path.join(CLIENTS_DIR, "produce_kafkajs.js")]
    if client == "rdkafka-2.15":
        return [_build_path("KS_RDKAFKA_PRODUCE_2_15", "rdkafka-produce-2.15")]
    raise ValueError("unknown client %r (known: %s)" % (client, ", ".join(CLIENTS)))


def client_env():
    env = dict(os.environ)
    env["NODE_PATH"] = os.environ.get("KS_NODE_MODULES") or os.path.join(
        os.environ.get("KS_BUILD_DIR", os.path.join(ROOT, "build")),
        "tests", "integration", "node_modules")
    return env


class ProduceResult(dict):
    """The driver's JSON (see clients/common.py) plus `returncode` and
    `log` (the driver's stderr file)."""

    @property
    def acked(self):
        return self["acked"]

    @property
    def errors(self):
        return self["errors"]


def produce_async(client, bootstrap, topic, count, prefix, idempotent=False,
                  acks="all", compression="none", key_mod=16, headers=False,
                  partition=-1, timestamp_base=None, linger_ms=5, timeout=60,
                  extra_args=()):
    """Starts a producer driver; returns a handle for wait_produce(). Lets a
    test change the upstream or the sidecar while records are in flight."""
    args = client_command(client) + [
        "--bootstrap", bootstrap, "--topic", topic, "--count", str(count),
        "--prefix", prefix, "--acks", str(acks), "--compression", compression,
        "--key-mod", str(key_mod), "--linger-ms", str(linger_ms),
        "--timeout", str(timeout)]
    if partition >= 0:
        args += ["--partition", str(partition)]
    if idempotent:
        args.append("--idempotent")
    if headers:
        args.append("--headers")
    if timestamp_base is not None:
        args += ["--timestamp-base", str(timestamp_base)]
    args += list(extra_args)
    log_path = os.path.join(test_dir(), "%s-%s-%s.log" % (client, prefix, uuid.uuid4().hex[:4]))
    log = open(log_path, "wb")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=client_env())
    log.close()
    _live.append(proc)
    return (client, proc, log_path, timeout)


def wait_produce(handle, check=True):
    client, proc, log_path, timeout = handle
    try:
        out, _ = proc.communicate(timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("%s driver hung; log:\n%s" % (client, tail(log_path)))
    try:
        res = ProduceResult(json.loads(out))
    except ValueError:
        raise AssertionError("%s driver exited %s without JSON; log:\n%s" % (
            client, proc.returncode, tail(log_path))) from None
    res["returncode"] = proc.returncode
    res["log"] = log_path
    res["driver"] = client
    if check and proc.returncode != 0:
        first = res["errors"][:5]
        raise AssertionError("%s: %d of %d records not acked (first: %s); log %s:\n%s" % (
            client, len(res["errors"]), count_of(res), first, log_path, tail(log_path, 15)))
    return res


def count_of(res):
    return res.get("requested", len(res["acked"]) + len(res["errors"]))


def produce(client, bootstrap, topic, count, prefix, check=True, **kw):
    """Runs a producer driver to completion. With check=True (default) any
    unacked record fails the test. See produce_async for the options."""
    return wait_produce(produce_async(client, bootstrap, topic, count, prefix, **kw),
                        check=check)


# ---------------------------------------------------------------------------
# Consumer-group members


def consumer_command(client):
    """A consumer driver's command (interface: clients/common.py)."""
    if client == "kafkajs":
        return ["node", os.path.join(CLIENTS_DIR, "consume_kafkajs.js")]
    if client == "rdkafka-2.15":
        return [_build_path("KS_RDKAFKA_CONSUME_2_15", "rdkafka-consume-2.15")]
    raise ValueError("unknown consumer client %r" % client)


Consumed = collections.namedtuple("Consumed", "partition offset value")


class GroupMember:
    """A consumer driver running in the background as one member of `group`.
    A thread reads its JSON lines: `assignment` (set of partitions now),
    `records` ([Consumed] in consumption order), `events` (the event lines).
    stop() makes it commit, leave the group and exit; the test fails if it
    does not exit 0."""

    def __init__(self, client, bootstrap, topic, group, session_timeout_ms=6000,
                 timeout=120):
        self.client = client
        self.name = "%s-%s-%s" % (client, group, uuid.uuid4().hex[:4])
        self.stop_file = os.path.join(test_dir(), self.name + ".stop")
        self.log_path = os.path.join(test_dir(), self.name + ".log")
        self.assignment = set()
        self.records = []
        self.events = []
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                consumer_command(client) + [
                    "--bootstrap", bootstrap, "--topic", topic, "--group", group,
                    "--stop-file", self.stop_file, "--timeout", str(timeout),
                    "--session-timeout-ms", str(session_timeout_ms)],
                stdout=subprocess.PIPE, stderr=log, env=client_env())
        _live.append(self.proc)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            msg = json.loads(line)
            event = msg.get("event")
            if event is None:
                self.records.append(Consumed(msg["partition"], msg["offset"], msg["value"]))
                continue
            self.events.append(msg)
            if event == "assigned":
                self.assignment = self.assignment | set(msg["partitions"])
            elif event == "revoked":
                self.assignment = self.assignment - set(msg["partitions"])

    def wait_for(self, cond, timeout, what):
        """wait_until, failing at once (with the log) if the driver exited."""
        def check():
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %s while waiting for %s; log:\n%s" % (
                    self.name, self.proc.returncode, what, tail(self.log_path)))
            return cond()
        return wait_until(check, timeout, "%s: %s" % (self.name, what), interval=0.1)

    def stop(self, timeout=30):
        open(self.stop_file, "w").close()
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("%s did not stop within %ss; log:\n%s" % (
                self.name, timeout, tail(self.log_path))) from None
        self._reader.join(5)
        if code != 0 or not self.events or self.events[-1]["event"] != "closed":
            raise AssertionError("%s exited with %s (last event %s); log:\n%s" % (
                self.name, code, self.events[-1:] or None, tail(self.log_path)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def assert_consumed_once(members, expected):
    """Every expected value was consumed exactly once across `members`
    (GroupMembers) and nothing else was: lists what is missing, read twice
    (by whom, at which partition and offset) or unexpected."""
    seen = collections.defaultdict(list)
    for m in members:
        for r in m.records:
            seen[r.value].append("%s p%d@%d" % (m.client, r.partition, r.offset))
    expected = set(expected)
    missing = sorted(expected - set(seen))
    problems = ["missing: %d records, e.g. %s" % (len(missing), missing[:10])] if missing else []
    problems += ["twice: %s by %s" % (v, ", ".join(w)) for v, w in sorted(seen.items())
                 if len(w) > 1][:15]
    unexpected = sorted(set(seen) - expected)
    if unexpected:
        problems.append("unexpected: %d records, e.g. %s" % (len(unexpected), unexpected[:10]))
    if problems:
        raise AssertionError("consumed-once check failed (%d expected, %s):\n  %s" % (
            len(expected), ", ".join("%s read %d" % (m.client, len(m.records)) for m in members),
            "\n  ".join(problems)))


# ---------------------------------------------------------------------------
# Reading the upstream back

Record = collections.namedtuple(
    "Record", "partition offset key value headers timestamp")


def _text(b):
    return None if b is None else b.decode("utf-8", errors="backslashreplace")


def read_all(bootstrap, topic, timeout=60, partitions=None):
    """Every record of every partition of `topic`, read from the beginning
    up to the end as of now (confluent-kafka, assign + partition EOF; no
    consumer group). Returns {partition: [Record, ...]} in offset order,
    with str key/value/header values (None kept)."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition, OFFSET_BEGINNING

    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "ks-read-all-" + uuid.uuid4().hex[:8],
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
        "check.crcs": True,
        # Big fetches: read_all is also used on many thousands of records.
        "fetch.max.bytes": 16 * 1024 * 1024,
    })
    try:
        if partitions is None:
            deadline = time.monotonic() + timeout
            while True:
                md = c.list_topics(topic, timeout=max(1.0, deadline - time.monotonic()))
                t = md.topics.get(topic)
                if t is not None and t.error is None and t.partitions:
                    partitions = len(t.partitions)
                    break
                if time.monotonic() > deadline:
                    raise AssertionError("read_all: no metadata for topic %r (%s)" % (
                        topic, t.error if t is not None else "absent"))
                time.sleep(0.2)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        out = {p: [] for p in range(partitions)}
        at_eof = set()
        deadline = time.monotonic() + timeout
        while len(at_eof) < partitions:
            if time.monotonic() > deadline:
                raise AssertionError("read_all: %s not at end after %ss (got %s)" % (
                    sorted(set(out) - at_eof), timeout,
                    {p: len(v) for p, v in out.items()}))
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    at_eof.add(m.partition())
                    continue
                raise AssertionError("read_all: %s" % m.error())
            at_eof.discard(m.partition())
            out[m.partition()].append(Record(
                m.partition(), m.offset(), _text(m.key()), _text(m.value()),
                [(k, _text(v)) for k, v in (m.headers() or [])],
                m.timestamp()[1]))
        return out
    finally:
        c.close()


def watermarks(bootstrap, topic, partitions, timeout=10):
    """{partition: (log start offset, high watermark)} of an upstream topic."""
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap,
                  "group.id": "ks-watermarks-" + uuid.uuid4().hex[:8]})
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
                for p in range(partitions)}
    finally:
        c.close()


def upstream_total(bootstrap, topic, partitions):
    """Records in the upstream topic: the sum of its high watermarks."""
    return sum(hi for _, hi in watermarks(bootstrap, topic, partitions).values())


def wait_forwarded(up, topic, total, timeout=60):
    """Waits until the upstream topic holds `total` records (the sidecar
    acks before forwarding). Returns the count; more than `total` is
    returned at once, for the exactly-once check to explain."""
    parts = up.partitions(topic)
    return wait_until(lambda: upstream_total(up.bootstrap, topic, parts) >= total and
                      upstream_total(up.bootstrap, topic, parts),
                      timeout, "%d records of %s upstream" % (total, topic), interval=0.2)


# ---------------------------------------------------------------------------
# Checks

_SEQ = re.compile(r"^(.*)-(\d+)$")


def _split_value(v):
    m = _SEQ.match(v or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def _acked_list(acked):
    """Accepts a ProduceResult, a list of them, a {name: result} dict, or
    plain lists of {"partition","value",...} dicts / (partition, key, value)
    tuples; returns one flat list of dicts."""
    if isinstance(acked, dict) and "acked" in acked:
        return list(acked["acked"])
    if isinstance(acked, dict):
        acked = list(acked.values())
    out = []
    for item in acked:
        if isinstance(item, dict) and "acked" in item:
            out.extend(item["acked"])
        elif isinstance(item, dict):
            out.append(item)
        elif isinstance(item, (list, tuple)) and len(item) == 3 and not isinstance(item[0], dict):
            out.append({"partition": item[0], "key": item[1], "value": item[2]})
        else:
            out.extend(_acked_list(item))
    return out


def assert_exactly_once_in_order(acked, upstream, allow_unacked=True, check_keys=True,
                                 check_offsets=False, max_report=15):
    """Checks what producers were acked for against what is upstream.

    acked: see _acked_list (usually the ProduceResult of each driver).
    upstream: read_all()'s {partition: [Record]}.

    Fails (AssertionError with a readable diff) when
      * an acked record is missing upstream,
      * any record of the producers involved is there more than once,
      * an acked record sits in another partition than its ack said,
      * within a partition, one producer's records are not in produce order
        (values P-000001, P-000002, ... must appear with rising numbers),
      * (check_keys) its key differs from the acked key,
      * (allow_unacked=False) a record of these producers is upstream
        without an ack (with acks lost in a failure it may legitimately be),
      * (check_offsets) an ack's offset (when >= 0) is not the upstream
        offset: only for clients producing to the upstream directly, since
        offsets the sidecar acks with are its own.
    """
    acked = _acked_list(acked)
    prefixes = {_split_value(a["value"])[0] for a in acked}
    by_value = {a["value"]: a for a in acked}
    problems = []

    seen = collections.defaultdict(list)  # value -> [(partition, offset)]
    for p, records in sorted(upstream.items()):
        last = {}  # prefix -> (seq, offset)
        for r in records:
            prefix, seq = _split_value(r.value)
            if prefix not in prefixes:
                continue
            seen[r.value].append((p, r.offset))
            if prefix in last and seq <= last[prefix][0]:
                problems.append("order: partition %d offset %d has %s after %s-%06d (offset %d)"
                                % (p, r.offset, r.value, prefix, last[prefix][0], last[prefix][1]))
            last[prefix] = (seq, r.offset)
            a = by_value.get(r.value)
            if a is None:
                if not allow_unacked:
                    problems.append("unacked: %s is upstream (partition %d offset %d) "
                                    "but was never acked" % (r.value, p, r.offset))
                continue
            if a.get("partition", -1) is not None and a.get("partition", -1) >= 0 \
                    and a["partition"] != p:
                problems.append("partition: %s acked for partition %d, upstream in %d"
                                % (r.value, a["partition"], p))
            if check_offsets and a.get("offset", -1) >= 0 and a["offset"] != r.offset:
                problems.append("offset: %s acked at offset %d, upstream at %d"
                                % (r.value, a["offset"], r.offset))
            if check_keys and "key" in a and a["key"] != r.key:
                problems.append("key: %s acked with key %r, upstream key %r"
                                % (r.value, a["key"], r.key))

    missing = [a["value"] for a in acked if a["value"] not in seen]
    if missing:
        problems.append("missing: %d acked records not upstream: %s%s" % (
            len(missing), ", ".join(missing[:max_report]),
            " ..." if len(missing) > max_report else ""))
    dups = {v: locs for v, locs in seen.items() if len(locs) > 1}
    for v in sorted(dups)[:max_report]:
        problems.append("duplicate: %s at (partition, offset) %s" % (v, dups[v]))
    if len(dups) > max_report:
        problems.append("duplicate: ... %d duplicated values in all" % len(dups))

    if problems:
        total = sum(len(v) for v in upstream.values())
        summary = ("%d acked records from %s; upstream has %d records (%s)" % (
            len(acked), ", ".join(sorted(p for p in prefixes if p)), total,
            ", ".join("p%d: %d" % (p, len(v)) for p, v in sorted(upstream.items()))))
        shown = problems[:max_report * 3]
        raise AssertionError("exactly-once/in-order check failed: %s\n  %s%s" % (
            summary, "\n  ".join(shown),
            "\n  ... %d more" % (len(problems) - len(shown)) if len(problems) > len(shown) else ""))


def assert_records_match(acked, upstream, headers=None, timestamps=True):
    """Checks the content of each acked record upstream: the timestamp the
    driver set and, if headers is a function of the value's sequence number
    (or True for the drivers' --headers), the headers."""
    acked = {a["value"]: a for a in _acked_list(acked)}
    problems = []
    for records in upstream.values():
        for r in records:
            a = acked.get(r.value)
            if a is None:
                continue
            if timestamps and "timestamp" in a and a["timestamp"] != r.timestamp:
                problems.append("%s: timestamp %s upstream, %s produced" % (
                    r.value, r.timestamp, a["timestamp"]))
            if headers:
                prefix, seq = _split_value(r.value)
                want = [("seq", str(seq)), ("producer", prefix)] if headers is True \
                    else headers(seq)
                if r.headers != want:
                    problems.append("%s: headers %s upstream, %s produced" % (r.value, r.headers, want))
    if problems:
        raise AssertionError("%d records differ:\n  %s" % (len(problems), "\n  ".join(problems[:20])))


def run_test(fn):
    """Runs a test's main function; prints a closing line the CI summary
    understands, and keeps the temp dir with logs on failure."""
    try:
        fn()
    except BaseException:
        print("FAILED; logs in %s" % test_dir(), file=sys.stderr)
        raise
    passed()
    print("PASS")


def run_per_generation(check):
    """run_test of check(generation) against each mock generation in turn:
    the main of a test that runs the same story on both."""
    run_test(lambda: [check(generation) for generation in GENERATIONS])


if __name__ == "__main__":
    # python3 harness.py api-versions HOST:PORT: what a broker advertises.
    if len(sys.argv) == 3 and sys.argv[1] == "api-versions":
        for k, (lo, hi) in sorted(api_versions(sys.argv[2]).items()):
            print("%3d  %d-%d" % (k, lo, hi))
    else:
        print("usage: harness.py api-versions HOST:PORT", file=sys.stderr)
        sys.exit(2)
