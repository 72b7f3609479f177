#!/usr/bin/env node
// Producer driver on kafkajs (npm, pinned in ../package.json; NODE_PATH
// points at the node_modules CMake installs). Interface and output: the
// same as the Python drivers, see common.py.
//
// kafkajs sends what one producer.send() call carries as one request, so
// records go out in sends of --batch records (default 100), one after the
// other: acks come back in produce order. Compression: none, gzip (built
// in) and snappy (kafkajs-snappy); lz4/zstd would need native modules.
'use strict';

const { parseArgs } = require('node:util');

function usage(msg) {
  process.stderr.write(`produce_kafkajs: ${msg}\n`);
  process.exit(2);
}

let opts;
try {
  opts = parseArgs({
    options: {
      bootstrap: { type: 'string' },
      topic: { type: 'string' },
      count: { type: 'string' },
      prefix: { type: 'string' },
      idempotent: { type: 'boolean', default: false },
      acks: { type: 'string', default: 'all' },
      compression: { type: 'string', default: 'none' },
      'key-mod': { type: 'string', default: '16' },
      headers: { type: 'boolean', default: false },
      partition: { type: 'string', default: '-1' },
      'timestamp-base': { type: 'string' },
      'linger-ms': { type: 'string', default: '5' }, // kafkajs has no linger
      timeout: { type: 'string', default: '60' },
      batch: { type: 'string', default: '100' },
    },
  }).values;
} catch (e) {
  usage(e.message);
}
for (const k of ['bootstrap', 'topic', 'count', 'prefix']) {
  if (opts[k] === undefined) usage(`--${k} is required`);
}

const { Kafka, CompressionTypes, CompressionCodecs, Partitioners, logLevel } = require('kafkajs');

const count = parseInt(opts.count, 10);
const keyMod = parseInt(opts['key-mod'], 10);
const partition = parseInt(opts.partition, 10);
const timeoutMs = parseFloat(opts.timeout) * 1000;
const batch = Math.max(1, parseInt(opts.batch, 10));
const tsBase = opts['timestamp-base'] !== undefined ? parseInt(opts['timestamp-base'], 10) : Date.now();
const acks = { all: -1, 1: 1, 0: 0 }[opts.acks];
if (acks === undefined) usage(`bad --acks ${opts.acks}`);

const compression = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
}[opts.compression];
if (compression === undefined) usage(`compression ${opts.compression} is not supported by this driver`);
if (opts.compression === 'snappy') {
  CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy');
}

const value = (i) => `${opts.prefix}-${String(i).padStart(6, '0')}`;
const key = (i) => (keyMod > 0 ? `${opts.prefix}-k${i % keyMod}` : null);

// Remember which partition the default partitioner picked for each message:
// the send result only has a base offset per partition.
const chosen = new Map();
const recordingPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  return (args) => {
    const p = inner(args);
    chosen.set(args.message, p);
    return p;
  };
};

async function main() {
  const started = process.hrtime.bigint();
  const kafka = new Kafka({
    clientId: `ks-test-${opts.prefix}`,
    brokers: opts.bootstrap.split(','),
    logLevel: logLevel.WARN,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2000 },
    requestTimeout: 30000,
  });
  const producer = kafka.producer({
    createPartitioner: recordingPartitioner,
    idempotent: opts.idempotent,
    // Idempotence in kafkajs requires one request in flight.
    maxInFlightRequests: opts.idempotent ? 1 : undefined,
    allowAutoTopicCreation: false,
  });
  const acked = [];
  const errors = [];
  const deadline = Date.now() + timeoutMs;

  await producer.connect();
  for (let start = 0; start < count; start += batch) {
    const messages = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const m = { value: value(i), timestamp: String(tsBase + i) };
      const k = key(i);
      if (k !== null) m.key = k;
      if (opts.headers) m.headers = { seq: String(i), producer: opts.prefix };
      if (partition >= 0) m.partition = partition;
      m.seq = i; // ignored by kafkajs, used below
      messages.push(m);
    }
    if (Date.now() > deadline) {
      for (const m of messages) errors.push({ value: m.value, error: 'deadline passed before send' });
      continue;
    }
    try {
      const res = await producer.send({ topic: opts.topic, messages, acks, compression, timeout: 30000 });
      const base = new Map(res.map((r) => [r.partition, BigInt(r.baseOffset ?? -1)]));
      const next = new Map();
      for (const m of messages) {
        const p = partition >= 0 ? partition : chosen.get(m);
        const b = base.get(p);
        const n = next.get(p) || 0n;
        next.set(p, n + 1n);
        acked.push({
          partition: p,
          offset: b === undefined || b < 0n ? -1 : Number(b + n),
          key: m.key === undefined ? null : m.key,
          value: m.value,
          timestamp: tsBase + m.seq,
        });
      }
    } catch (e) {
      for (const m of messages) errors.push({ value: m.value, error: String(e && e.message ? e.message : e) });
    }
  }
  await producer.disconnect();

  const done = new Set([...acked.map((a) => a.value), ...errors.map((e) => e.value)]);
  for (let i = 0; i < count; i++) {
    if (!done.has(value(i))) errors.push({ value: value(i), error: 'not sent' });
  }
  const version = require('kafkajs/package.json').version;
  process.stdout.write(JSON.stringify({
    client: `kafkajs ${version}`,
    topic: opts.topic,
    requested: count,
    acked,
    errors,
    elapsed_s: Number(process.hrtime.bigint() - started) / 1e9,
  }) + '\n');
  process.exitCode = errors.length === 0 && acked.length === count ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`produce_kafkajs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
