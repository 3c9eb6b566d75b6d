// Captures the push bodies that real Loki client libraries send, for the golden files in
// tests/testdata/push (see the README there). Starts an HTTP server on 127.0.0.1 that answers
// 204 and records every POST body with its headers, points each library at it, then writes
//   <out>/winston_loki_protobuf.bin (+ .headers.json)   winston-loki, json: false
//   <out>/winston_loki_json.json    (+ .headers.json)   winston-loki, json: true
//   <out>/pino_loki_json.json       (+ .headers.json)   pino-loki
// Usage: node capture.js <out-dir>      (after `npm install` in this folder)
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const outDir = process.argv[2] || path.join(__dirname, '..', 'testdata', 'push');

function startServer() {
  const bodies = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = 204;
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, bodies, port: server.address().port }));
  });
}

function save(name, captured) {
  if (captured.length !== 1) throw new Error(`${name}: expected one request, got ${captured.length}`);
  const { url, headers, body } = captured[0];
  fs.writeFileSync(path.join(outDir, name), body);
  const keep = {};
  for (const h of ['content-type', 'content-encoding', 'user-agent']) {
    if (headers[h] !== undefined) keep[h] = headers[h];
  }
  fs.writeFileSync(path.join(outDir, name.replace(/\.[a-z]+$/, '') + '.headers.json'),
                   JSON.stringify({ url, headers: keep }, null, 2) + '\n');
  console.log(`${name}: ${body.length} bytes, ${keep['content-type']}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function captureWinston(json, name) {
  const winston = require('winston');
  const LokiTransport = require('winston-loki');
  const { server, bodies, port } = await startServer();
  const transport = new LokiTransport({
    host: `http://127.0.0.1:${port}`,
    json,
    interval: 0.2,
    labels: { app: 'winston-golden', env: 'test' },
    onConnectionError: (err) => console.error(err),
  });
  const logger = winston.createLogger({ transports: [transport] });
  // winston-loki stamps entries with Date.now() (the `timestamp` given here does not reach it
  // without a timestamp format), so the golden files carry the capture time.
  logger.log({ level: 'info', message: 'first line from winston', timestamp: '2023-11-14T22:13:20.123Z' });
  logger.log({ level: 'warn', message: 'second "quoted" line\twith a tab', timestamp: '2023-11-14T22:13:21.000Z' });
  logger.log({ level: 'info', message: 'third line, unicode: h\u00e9llo \u2603', timestamp: '2023-11-14T22:13:22.999Z' });
  await sleep(1000);
  await transport.flush?.();
  server.close();
  save(name, bodies);
}

async function capturePino() {
  const pino = require('pino');
  const { pinoLoki } = require('pino-loki');
  const { server, bodies, port } = await startServer();
  const stream = pinoLoki({
    host: `http://127.0.0.1:${port}`,
    batching: { interval: 0.2 },
    labels: { app: 'pino-golden', env: 'test' },
  });
  const logger = pino({ base: { pid: 1, hostname: 'golden' }, timestamp: () => ',"time":1700000000456' },
                      stream);
  logger.info('first line from pino');
  logger.error({ err_code: 42, user: 'u"1' }, 'second line from pino');
  await sleep(1000);
  server.close();
  save('pino_loki_json.json', bodies);
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  await captureWinston(false, 'winston_loki_protobuf.bin');
  await captureWinston(true, 'winston_loki_json.json');
  await capturePino();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
