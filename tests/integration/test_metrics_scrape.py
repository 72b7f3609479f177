#!/usr/bin/python3
"""/metrics as Prometheus itself reads it, and /readyz (issue 6):

1. `promtool check metrics` accepts the exposition (names, types, units,
   help texts) after real traffic.
2. A real Prometheus server (Debian's) scrapes the sidecar every second;
   the series queried back through its HTTP API carry the values the
   sidecar counted (records accepted and forwarded, the target up).
   Every query of the Grafana dashboard (examples/grafana) runs there
   without error, and every metric it names is one the sidecar exports.
3. /readyz is 200, turns 503 naming the directory when the buffer
   directory is not writable, and 200 again once it is. The sidecar runs
   as an unprivileged user for this: root ignores file permissions.
"""

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from harness import (MockUpstream, Sidecar, free_port, produce, run_test, test_dir,
                     wait_forwarded, wait_until)
from test_admin_api import http

TOPIC = "scraped"
NOBODY = 65534
DASHBOARD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                         "grafana", "kafka-sidecar.json")


def unsupported_request(sc):
    """An API key no Kafka has: the sidecar closes the connection and counts it."""
    header = struct.pack(">hhih", 999, 0, 7, -1)  # api key, version, correlation id, no client id
    with socket.create_connection(("127.0.0.1", sc.port), timeout=10) as s:
        s.sendall(struct.pack(">i", len(header)) + header)
        assert s.recv(1) == b"", "the sidecar answered an unknown API"


def promtool(sc):
    status, text = http("GET", sc.admin_url + "/metrics")
    assert status == 200, text
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                           capture_output=True)
    assert 'kafka_sidecar_unsupported_requests_total{api="unknown"} 1' in text, text
    problems = (check.stdout + check.stderr).decode()
    assert check.returncode == 0 and not problems.strip(), \
        "promtool check metrics:\n%s\n--- exposition:\n%s" % (problems, text)
    print("  promtool check metrics: clean (%d lines)" % len(text.splitlines()))


def prometheus_scrapes(sc):
    port = free_port()
    home = os.path.join(test_dir(), "prometheus")
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, "prometheus.yml")
    with open(config, "w") as f:
        f.write("global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
                "scrape_configs:\n"
                "  - job_name: kafka-sidecar\n"
                "    static_configs: [ { targets: [ \"127.0.0.1:%d\" ] } ]\n" % sc.admin_port)
    log = open(os.path.join(home, "prometheus.log"), "wb")
    server = subprocess.Popen(
        ["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + home + "/data",
         "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        def ready():
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % port,
                                            timeout=5) as response:
                    return response.status == 200
            except OSError:  # not listening yet, or 503 while its storage starts
                return False
        wait_until(ready, 60, "prometheus to be ready")

        def query(expr):
            url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (port, urllib.parse.quote(expr))
            with urllib.request.urlopen(url, timeout=10) as response:
                answer = json.load(response)
            assert answer["status"] == "success", answer
            return {json.dumps(r["metric"], sort_keys=True): float(r["value"][1])
                    for r in answer["data"]["result"]}

        def scraped(expr, value):
            got = query(expr)
            return list(got.values()) == [value]
        wait_until(lambda: scraped('up{job="kafka-sidecar"}', 1.0), 60,
                   "prometheus to scrape the sidecar")
        wait_until(lambda: scraped('kafka_sidecar_accepted_records_total{cluster="main"}', 300.0),
                   30, "the accepted total in prometheus")
        wait_until(lambda: scraped('kafka_sidecar_forwarded_records_total{cluster="main"}', 300.0),
                   30, "the forwarded total in prometheus")
        requests = list(query('kafka_sidecar_forward_requests_total{cluster="main"}').values())
        assert len(requests) == 1 and requests[0] >= 1, requests
        produce_p50 = query('histogram_quantile(0.5, sum by (le) '
                            '(kafka_sidecar_request_duration_seconds_bucket{api="produce"}))')
        assert len(produce_p50) == 1 and list(produce_p50.values())[0] > 0, produce_p50
        print("  prometheus scraped the sidecar: accepted = forwarded = 300, produce p50 %.2f ms"
              % (list(produce_p50.values())[0] * 1e3))
        dashboard_queries(sc, query)
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def dashboard_queries(sc, query):
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    exported = set(re.findall(r"^# TYPE (kafka_sidecar_\w+)", http("GET", sc.admin_url +
                                                                     "/metrics")[1], re.M))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    named = set()
    for expr in exprs:
        named |= {re.sub(r"_(bucket|count|sum)$", "", n) if n.endswith(("_bucket", "_count", "_sum"))
                  and re.sub(r"_(bucket|count|sum)$", "", n) in exported else n
                  for n in re.findall(r"kafka_sidecar_\w+", expr)}
        concrete = (expr.replace("$instance", ".*").replace("$cluster", ".*")
                    .replace("$__rate_interval", "1m"))
        query(concrete)  # raises unless Prometheus accepts and runs it
    unknown = named - exported
    assert not unknown, "the dashboard names metrics the sidecar does not export: %s" % unknown
    print("  dashboard: %d queries run in prometheus, %d metrics all exported"
          % (len(exprs), len(named)))


def readiness(up):
    run_as = NOBODY if os.getuid() == 0 else None
    with Sidecar(upstream=up, run_as=run_as) as sc:
        assert http("GET", sc.admin_url + "/readyz") == (200, "ready\n")
        cluster_dir = os.path.join(sc.config["buffer"]["dir"], "main")
        os.chmod(cluster_dir, 0o500)
        try:
            status, text = http("GET", sc.admin_url + "/readyz")
            assert status == 503, (status, text)
            assert "not writable" in text and cluster_dir in text, text
            assert http("GET", sc.admin_url + "/healthz") == (200, "ok\n")  # alive all along
        finally:
            os.chmod(cluster_dir, 0o700)
        assert http("GET", sc.admin_url + "/readyz") == (200, "ready\n")
        sc.terminate()
    print("  /readyz: 200, 503 (%s) while the buffer dir is read-only, 200 again"
          % text.splitlines()[-1].strip("- "))


def main():
    for tool in ("promtool", "prometheus"):
        assert shutil.which(tool), "%s is missing: scripts/install-deps.sh installs it" % tool
    with MockUpstream("2.15", topics={TOPIC: 2}) as up:
        print("== /metrics and /readyz, librdkafka %s mock" % up.version)
        with Sidecar(upstream=up) as sc:
            produce("confluent", sc.bootstrap, TOPIC, 300, "scraped")
            wait_forwarded(up, TOPIC, 300)
            time.sleep(0.5)  # the forwarder counts the ack after the upstream stores it
            unsupported_request(sc)
            promtool(sc)
            prometheus_scrapes(sc)
            sc.terminate()
        readiness(up)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    run_test(main)
