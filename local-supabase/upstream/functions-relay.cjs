// Stands in for functions-js's test/relay/container.ts (which starts a Docker "deno-relay" per function): runRelay()
// starts the stand-in on a temporary project folder whose config.toml names the one function (its file read from
// the suite's test/functions at run time) and sets `[auth] jwt_secret` to the test's secret, then serves
// `http://localhost:<port>/<slug>` as the relay did, forwarding to the stand-in's /functions/v1/<slug>.
// `https://deno.land/std/http/server.ts` (not reachable offline) maps to std-http-server.js through import_map, whose
// serve() presents each request at the relay's DENO_ORIGIN (runRelay's third argument, as upstream's).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

class Relay {
  constructor(port, stop) {
    this.container = { getMappedPort: () => port };
    this.stop = stop;
  }
}

async function runRelay(slug, jwtSecret, denoOrigin = 'http://localhost:8000') {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `upstream-fn-${slug}-`));
  fs.chmodSync(tmp, 0o755);
  const supabaseDir = path.join(tmp, 'supabase');
  fs.mkdirSync(supabaseDir);
  const importMap = path.join(tmp, 'import_map.json');
  // std's serve() as the relay presents it: at DENO_ORIGIN (upstream's runRelay default http://localhost:8000).
  const shim = path.join(tmp, 'std-http-server.js');
  const std = `file://${path.join(__dirname, 'std-http-server.js')}`;
  fs.writeFileSync(shim, `import { serveAt } from ${JSON.stringify(std)};\nexport const serve = (h) => serveAt(${JSON.stringify(denoOrigin)}, h);\n`);
  fs.writeFileSync(importMap, JSON.stringify({ imports: { 'https://deno.land/std/http/server.ts': `file://${shim}` } }));
  const entry = path.resolve(process.cwd(), 'test', 'functions', slug, 'index.ts');
  fs.writeFileSync(
    path.join(supabaseDir, 'config.toml'),
    `project_id = "functions-js"\n[auth]\njwt_secret = ${JSON.stringify(jwtSecret)}\n[db.seed]\nenabled = false\n` +
      `[functions.${slug}]\nentrypoint = ${JSON.stringify(entry)}\nimport_map = ${JSON.stringify(importMap)}\n`,
  );
  const apiPort = await freePort();
  const statusFile = path.join(tmp, 'status.json');
  const log = fs.openSync(path.join(tmp, 'stand-in.log'), 'w');
  const args = ['local-supabase/main.ts', 'stack', '--workdir', tmp, '--api-port', String(apiPort), '--db-port', String(await freePort())];
  args.push('--data-dir', path.join(tmp, 'db'), '--status-file', statusFile);
  const proc = spawn(path.join(REPO, 'node_modules', '.bin', 'tsx'), args, {
    cwd: REPO,
    env: { ...process.env, LOCAL_SUPABASE_PG_FAST: '1' },
    stdio: ['ignore', log, log],
  });
  let exited = false;
  proc.once('exit', () => (exited = true));
  for (let i = 0; !fs.existsSync(statusFile); i++) {
    if (exited || i > 720) throw new Error(`stand-in for ${slug} did not start: ${fs.readFileSync(path.join(tmp, 'stand-in.log'), 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const front = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: apiPort, method: req.method, path: `/functions/v1${req.url}`, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const port = await new Promise((resolve) => front.listen(0, '127.0.0.1', () => resolve(front.address().port)));
  return new Relay(port, async () => {
    front.close();
    if (!exited) proc.kill('SIGTERM');
    for (let i = 0; !exited && i < 60; i++) await new Promise((r) => setTimeout(r, 250));
    if (!exited) proc.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}

module.exports = { Relay, runRelay };
