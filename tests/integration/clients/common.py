"""What every producer driver shares: the command line, the records it
produces, and the JSON it prints; below, the consumer drivers' interface.

Every driver (Python, kafkajs, C) takes the same options and prints one JSON
object on stdout:

    {"client": "confluent-kafka 2.0.2", "topic": T, "requested": N,
     "acked": [{"partition": P, "offset": O, "key": K, "value": V,
                "timestamp": TS}, ...],          # in the order acks arrived
     "errors": [{"value": V, "error": "..."}],  # records that failed
     "elapsed_s": 1.23}

Exit status: 0 when every record was acked, 1 when some were not (the JSON is
printed all the same), 2 for a usage error or an unsupported option.

Record i (0-based) of a run with prefix P:
    value      P-000123                (sequence number, 6+ digits)
    key        P-k(i % K) with --key-mod K (default 16); no key with K = 0
    timestamp  --timestamp-base + i    (explicit; default: now in ms)
    headers    with --headers: seq=i, producer=P

Consumer drivers (consume_*: kafkajs, rdkafka-consume-2.15; harness.py's
GroupMember runs them) share another interface: one member of a consumer
group.

    --bootstrap B --topic T --group G [--stop-file PATH] [--timeout S]
    [--session-timeout-ms N]   (default 6000; heartbeats every N/6 ms)

They subscribe to T with offset reset earliest and no auto commit, and
commit synchronously what they consumed: after each poll batch (message
batch), when partitions are revoked and before closing, so a member that
leaves has committed everything it read. They offer one assignment
protocol, "roundrobin" (eager): a group's members must share one. They run
until PATH exists or S seconds (default 60) passed, then commit, close
(leaving the group) and exit 0; 1 if the client failed for good, 2 for a
usage error. stdout: one JSON object per line, flushed per line:

    {"event": "assigned", "partitions": [0, 2]}   partitions added
    {"event": "revoked", "partitions": [0, 2]}    partitions taken away
    {"partition": 0, "offset": 17, "value": "p0-000123"}   per record
    {"event": "closed"}                           left the group, exiting

(eager rebalancing: each rebalance prints revoked for all, then assigned
for the new assignment). Errors go to stderr.
"""

import argparse
import json
import sys
import time

COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"]


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--bootstrap", required=True, help="host:port[,host:port]")
    p.add_argument("--topic", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--prefix", required=True, help="value prefix, e.g. p0")
    p.add_argument("--idempotent", action="store_true")
    p.add_argument("--acks", choices=["all", "1", "0"], default="all")
    p.add_argument("--compression", choices=COMPRESSIONS, default="none")
    p.add_argument("--key-mod", type=int, default=16,
                   help="keys cycle through K values; 0 = no keys")
    p.add_argument("--headers", action="store_true")
    p.add_argument("--partition", type=int, default=-1,
                   help="produce to this partition (default: the partitioner)")
    p.add_argument("--timestamp-base", type=int, default=None,
                   help="timestamp of record 0 in ms (default: now)")
    p.add_argument("--linger-ms", type=int, default=5)
    p.add_argument("--batch-bytes", type=int, default=None,
                   help="the client's batch size limit (Python drivers; default: the client's)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds until unacked records count as failed")
    args = p.parse_args()
    if args.timestamp_base is None:
        args.timestamp_base = int(time.time() * 1000)
    return args


def value(args, i):
    return "%s-%06d" % (args.prefix, i)


def key(args, i):
    return None if args.key_mod <= 0 else "%s-k%d" % (args.prefix, i % args.key_mod)


def timestamp(args, i):
    return args.timestamp_base + i


def headers(args, i):
    """List of (name, value) pairs, or None."""
    if not args.headers:
        return None
    return [("seq", str(i)), ("producer", args.prefix)]


def seq_of(value_str):
    """The sequence number in a value made by value()."""
    return int(value_str.rsplit("-", 1)[1])


def unsupported(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)


def finish(client, args, acked, errors, started):
    """Prints the result JSON and exits with the documented status."""
    # Records neither acked nor failed by the deadline are failures too.
    done = {a["value"] for a in acked} | {e["value"] for e in errors}
    for i in range(args.count):
        v = value(args, i)
        if v not in done:
            errors.append({"value": v, "error": "no delivery report before timeout"})
    json.dump({
        "client": client,
        "topic": args.topic,
        "requested": args.count,
        "acked": acked,
        "errors": errors,
        "elapsed_s": round(time.monotonic() - started, 3),
    }, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.exit(0 if not errors and len(acked) == args.count else 1)
