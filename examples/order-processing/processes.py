"""The processes the demo runs: the test Kafka cluster and one kafka-sidecar
per service, with the sidecar's admin API (metrics, offsets reset)."""

import json
import os
import select
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class DemoFailed(Exception):
    pass


def fail(why):
    raise DemoFailed(why)


def wait_until(cond, timeout, what, interval=0.05):
    """Polls cond() until it is true and returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            fail("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(interval)


_picked = set()


def free_port():
    """A port free now on 127.0.0.1 and not handed out before."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _picked:
            _picked.add(port)
            return port


class Cluster:
    """tests/upstream's test cluster (librdkafka's mock cluster), controlled
    by commands on its stdin: `down-all`, `up-all`, ..."""

    def __init__(self, binary, workdir, brokers, topics):
        bootstrap_file = os.path.join(workdir, "cluster.bootstrap")
        args = [binary, "--brokers", str(brokers), "--bootstrap-file", bootstrap_file]
        for topic, partitions in topics.items():
            args += ["--topic", "%s:%d" % (topic, partitions)]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(workdir, "cluster.log"), "wb"))
        try:
            wait_until(lambda: os.path.exists(bootstrap_file) or self.proc.poll() is not None,
                       20, "the test cluster to start")
            if self.proc.poll() is not None:
                fail("the test cluster exited with %s" % self.proc.returncode)
        except BaseException:
            self.stop()
            raise
        with open(bootstrap_file) as f:
            self.bootstrap = f.read().strip()  # "127.0.0.1:port,..."

    def command(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        if not select.select([self.proc.stdout], [], [], 10)[0]:
            fail("the test cluster did not answer %r" % line)
        answer = self.proc.stdout.readline().decode().strip()
        if not answer.startswith("ok"):
            fail("the test cluster answered %r to %r" % (answer, line))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # EOF: the mock exits
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Sidecar:
    """One service's kafka-sidecar: its config is sidecar.yaml.template
    filled in, its buffer, config and log live in workdir/<service>/. The
    ports are picked once and kept across restarts, as in a pod."""

    def __init__(self, binary, workdir, service, cluster, topics):
        self.binary = binary
        self.service = service
        self.dir = os.path.join(workdir, service)
        os.makedirs(self.dir)
        self.port, self.admin_port = free_port(), free_port()
        self.bootstrap = "127.0.0.1:%d" % self.port
        self.admin_url = "http://127.0.0.1:%d" % self.admin_port
        self.log_path = os.path.join(self.dir, "sidecar.log")
        self.config_path = os.path.join(self.dir, "sidecar.yaml")
        with open(os.path.join(HERE, "sidecar.yaml.template")) as f:
            config = f.read()
        for key, value in {
                "PORT": str(self.port), "ADMIN_PORT": str(self.admin_port),
                "BUFFER_DIR": os.path.join(self.dir, "buffer"),
                "BOOTSTRAP": ", ".join('"%s"' % b for b in cluster.bootstrap.split(",")),
                "TOPICS": ", ".join("%s: { partitions: %d }" % t for t in topics.items())}.items():
            config = config.replace("@%s@" % key, value)
        with open(self.config_path, "w") as f:
            f.write(config)
        self.proc = None
        self.starts = 0

    def start(self):
        """Starts the process; wait_started() waits until it serves."""
        self.starts += 1
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "run", "--config", self.config_path],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def wait_started(self):
        # It logs sidecar.started once both listeners are open, or exits.
        wait_until(lambda: self.log().count("sidecar.started") >= self.starts or
                   self.proc.poll() is not None, 30, "the %s sidecar to start" % self.service)
        if self.proc.poll() is not None:
            fail("the %s sidecar exited with %s" % (self.service, self.proc.returncode))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        if not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    # --- the admin API

    def http(self, method, path, body=None):
        """(status, text) of one request to the admin API."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin_url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metrics(self):
        """GET /metrics: {name: value} of the kafka_sidecar_* samples, without
        the prefix, summed over labels (the demo has one cluster)."""
        status, text = self.http("GET", "/metrics")
        if status != 200:
            fail("the %s sidecar's /metrics answered %d" % (self.service, status))
        samples = {}
        for line in text.splitlines():
            if line.startswith("kafka_sidecar_"):
                series, value = line.rsplit(" ", 1)
                name = series.partition("{")[0][len("kafka_sidecar_"):]
                samples[name] = samples.get(name, 0) + float(value)
        return samples
