#!/usr/bin/python3
"""A full disk under the buffer (a small tmpfs as buffer.dir, the upstream
down) is a passing condition, not a failure:

* produces fail at once with a retriable error (KAFKA_STORAGE_ERROR, even
  with when_full: block), the client retries; the sidecar keeps running and
  answering, and /readyz says the buffer directory is full;
* once the upstream is back the forwarder drains and releases segments,
  space returns and produces succeed again;
* every acked record is upstream exactly once, in order, and the log says
  buffer.disk_full once per episode, then buffer.disk_space_returned once.

Needs to mount a tmpfs (root); exits with SKIP (77) where it may not.
"""

import os
import subprocess
import sys
import urllib.error
import urllib.request

from harness import (MockUpstream, Sidecar, assert_exactly_once_in_order, produce,
                     produce_async, read_all, run_test, test_dir, wait_forwarded,
                     wait_produce, wait_until)

SKIP = 77
TOPIC = "disk"
TMPFS_SIZE = "2m"
# Long values fill the disk with fewer records: ~230-byte values and keys.
FILL = "full-" + "x" * 220


def mount_tmpfs(path):
    os.makedirs(path, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", path],
                          capture_output=True, text=True)
    return done.returncode == 0, done.stderr.strip()


def unmount(path):
    if subprocess.run(["umount", path], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", path], capture_output=True)


def readyz(sc):
    try:
        with urllib.request.urlopen(sc.admin_url + "/readyz", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def count(log, event):
    return sum(1 for line in log.splitlines() if " %s " % event in line)


def unready(sc):
    """(status, body) of /readyz if it says the disk is full, else None."""
    status, body = readyz(sc)
    return (status, body) if status == 503 and "is full" in body else None


def disk_full(mount):
    with MockUpstream("2.15", topics={TOPIC: 2}) as up, \
            Sidecar(upstream=up, config={"buffer": {
                "dir": mount, "segment_bytes": "64KiB", "when_full": "block",
                "block_timeout": "30s"}}) as sc:
        warm = produce("confluent", sc.bootstrap, TOPIC, 10, "warm", idempotent=True)
        wait_forwarded(up, TOPIC, 10)
        up.down_all()

        # Far more than 2 MiB; the client retries refused batches until its
        # 10 s delivery timeout.
        handle = produce_async("confluent", sc.bootstrap, TOPIC, 20000, FILL, idempotent=True,
                               timeout=10)
        wait_until(lambda: count(sc.log(), "buffer.disk_full") > 0, 30, "buffer.disk_full")
        # At the very edge a small batch may still squeeze into the last
        # free bytes (readiness flaps there): wait for the verdict.
        status, body = wait_until(lambda: unready(sc), 10, "/readyz to say the disk is full")
        print("  /readyz while full: %d %s" % (status, body.replace("\n", " ")))
        full = wait_produce(handle, check=False)
        assert sc.running(), "the sidecar died on a full disk"
        assert full.acked and full.errors, \
            "expected some acked and some refused, got %d acked, %d refused" % (
                len(full.acked), len(full.errors))
        print("  upstream down: %d acked, %d refused" % (len(full.acked), len(full.errors)))
        refused = {e.get("error") for e in full.errors if isinstance(e, dict)}
        print("  errors the client saw: %s" % sorted(str(r) for r in refused)[:5])

        up.up_all()
        wait_forwarded(up, TOPIC, 10 + len(full.acked), timeout=120)
        # Space returns once the forwarder's checkpoint lets segments go.
        wait_until(lambda: readyz(sc)[0] == 200, 60, "/readyz ready again")
        after = produce("confluent", sc.bootstrap, TOPIC, 1000, "after", idempotent=True)
        wait_forwarded(up, TOPIC, 10 + len(full.acked) + 1000, timeout=120)
        upstream = read_all(up.bootstrap, TOPIC)
        assert_exactly_once_in_order([warm, full, after], upstream, allow_unacked=False)
        print("  upstream back: every acked record arrived exactly once, in order")

        log = sc.log()
        # Once per episode, not per refused append. Usually one episode; a
        # second one is right when the brokers going down one by one let a
        # few batches through and their segments were freed mid-fill.
        episodes = [line.split()[2] for line in log.splitlines()
                    if " buffer.disk_full " in line or " buffer.disk_space_returned " in line]
        assert episodes and episodes == ["buffer.disk_full", "buffer.disk_space_returned"] * (
            len(episodes) // 2), "disk full / space returned not logged once each per episode: %s" % (
            episodes)
        assert count(log, "buffer.log_failed") == 0, "the buffer failed for good"
        # Segments go only after a checkpoint; on the full disk it is written
        # from the space held in reserve if need be.
        assert count(log, "forwarder.checkpoint_failed") == 0, "a checkpoint failed"
        print("  checkpoint reserve used: %d times" % count(log, "buffer.checkpoint_reserve_used"))
        sc.terminate()


def main(mount):
    try:
        disk_full(os.path.join(mount, "buffer"))
    finally:
        unmount(mount)


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    MOUNT = os.path.join(test_dir(), "tmpfs")
    mounted, why = mount_tmpfs(MOUNT)
    if not mounted:
        print("SKIP: cannot mount a tmpfs at %s: %s" % (MOUNT, why))
        sys.exit(SKIP)
    run_test(lambda: main(MOUNT))
