#!/usr/bin/env node
// Consumer-group member on kafkajs (npm, pinned in ../package.json; NODE_PATH
// points at the node_modules CMake installs). Interface and output: the
// consumer drivers' (see common.py).
//
// kafkajs has no revoke callback: "revoked" is printed when the runner
// starts rejoining (REBALANCING) or before leaving. Each batch is committed
// (synchronously) before eachBatch returns, so nothing consumed is
// uncommitted when partitions go or the member leaves.
'use strict';

const fs = require('node:fs');
const { parseArgs } = require('node:util');

function usage(msg) {
  process.stderr.write(`consume_kafkajs: ${msg}\n`);
  process.exit(2);
}

let opts;
try {
  opts = parseArgs({
    options: {
      bootstrap: { type: 'string' },
      topic: { type: 'string' },
      group: { type: 'string' },
      'stop-file': { type: 'string' },
      timeout: { type: 'string', default: '60' },
      'session-timeout-ms': { type: 'string', default: '6000' },
    },
  }).values;
} catch (e) {
  usage(e.message);
}
for (const k of ['bootstrap', 'topic', 'group']) {
  if (opts[k] === undefined) usage(`--${k} is required`);
}

const { Kafka, PartitionAssigners, logLevel } = require('kafkajs');

const topic = opts.topic;
const sessionTimeout = parseInt(opts['session-timeout-ms'], 10);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n'); // sync on a pipe

// kafkajs's round robin under the name librdkafka and kafka-python give the
// same assignment: a group needs one protocol its members share (the mock
// even aborts on a mismatch).
const roundrobin = (config) => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' });

async function main() {
  const kafka = new Kafka({
    clientId: 'consume-kafkajs',
    brokers: opts.bootstrap.split(','),
    // Logs go to stderr (stdout is the JSON lines); KS_KAFKAJS_DEBUG=1 for all.
    logLevel: process.env.KS_KAFKAJS_DEBUG ? logLevel.DEBUG : logLevel.WARN,
    logCreator: () => ({ namespace, log }) =>
      process.stderr.write(`${JSON.stringify({ namespace, ...log })}\n`),
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  const consumer = kafka.consumer({
    groupId: opts.group,
    sessionTimeout,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 6)),
    maxWaitTimeInMs: 500, // heartbeats go out between fetches
    partitionAssigners: [roundrobin],
    allowAutoTopicCreation: false,
  });

  let assigned = [];
  const revoke = () => {
    if (assigned.length) emit({ event: 'revoked', partitions: assigned });
    assigned = [];
  };
  consumer.on(consumer.events.REBALANCING, revoke);
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    revoke();
    assigned = [...(payload.memberAssignment[topic] || [])].sort((a, b) => a - b);
    emit({ event: 'assigned', partitions: assigned });
  });
  let crashed = null;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = payload.error;
  });

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const { partition, messages } = batch;
      for (const m of messages) {
        emit({ partition, offset: Number(m.offset), value: m.value === null ? null : m.value.toString() });
      }
      if (messages.length) {
        const next = String(BigInt(messages[messages.length - 1].offset) + 1n);
        await consumer.commitOffsets([{ topic, partition, offset: next }]);
      }
    },
  });

  const deadline = Date.now() + parseFloat(opts.timeout) * 1000;
  const stopFile = opts['stop-file'];
  while (!crashed && Date.now() < deadline && !(stopFile && fs.existsSync(stopFile))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (crashed) process.stderr.write(`consume_kafkajs: consumer crashed: ${crashed}\n`);
  await consumer.disconnect(); // waits for the batch in progress, leaves the group
  revoke();
  emit({ event: 'closed' });
  process.exitCode = crashed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`consume_kafkajs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
