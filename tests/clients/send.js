// Logs through a real Loki client library to a running server, for the end-to-end client
// test (tests/integration/clients_test.cc). Usage:
//   node send.js <winston-protobuf|winston-json|pino> <http://127.0.0.1:PORT> <count>
// Logs <count> lines with labels {app="clients-e2e", client="<mode>"} (the libraries add
// `level`), each with its own millisecond timestamp in the last minute, waits until the
// library has flushed them, and prints one JSON object per line to stdout:
//   {"ts_ms": 1700000000123, "message": "winston-json line 3 ..."}
// It exits 0 once everything was sent, 1 when the library reported an error.
'use strict';

const [mode, url, countText] = process.argv.slice(2);
const count = Number(countText || 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const base = Date.now() - 60000;
let failed = false;

function manifest() {
  const out = [];
  for (let i = 0; i < count; i++) {
    // Quotes, a tab, non-ASCII: what a line may carry.
    out.push({ ts_ms: base + i * 7, message: `${mode} line ${i} "quoted"\twith h\u00e9llo \u2603` });
  }
  return out;
}

async function winston(json) {
  const winston = require('winston');
  const LokiTransport = require('winston-loki');
  const transport = new LokiTransport({
    host: url,
    json,
    interval: 0.1,
    labels: { app: 'clients-e2e', client: mode },
    onConnectionError: (err) => {
      failed = true;
      console.error(err);
    },
  });
  const logger = winston.createLogger({ transports: [transport] });
  const lines = manifest();
  for (const l of lines) {
    logger.log({ level: 'info', message: l.message, timestamp: new Date(l.ts_ms).toISOString() });
  }
  await sleep(300);  // let winston hand every entry to the transport's batcher
  await transport.flush();
  await transport.close();
  return lines;
}

async function pino() {
  const pino = require('pino');
  const { pinoLoki } = require('pino-loki');
  const stream = pinoLoki({
    host: url,
    batching: { interval: 0.1 },
    labels: { app: 'clients-e2e', client: mode },
    silenceErrors: false,
  });
  stream.on('error', (err) => {
    failed = true;
    console.error(err);
  });
  const lines = manifest();
  let next = 0;
  const logger = pino({ base: null, timestamp: () => `,"time":${lines[next].ts_ms}` }, stream);
  for (; next < lines.length; next++) logger.info(lines[next].message);
  await sleep(1500);  // pino-loki has no flush: two batching intervals and then some
  stream.end();
  await sleep(200);
  return lines;
}

(async () => {
  let lines;
  if (mode === 'winston-protobuf') lines = await winston(false);
  else if (mode === 'winston-json') lines = await winston(true);
  else if (mode === 'pino') lines = await pino();
  else throw new Error(`unknown mode ${mode}`);
  for (const l of lines) process.stdout.write(JSON.stringify(l) + '\n');
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
