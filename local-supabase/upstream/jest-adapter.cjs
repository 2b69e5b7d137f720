// Loaded by the upstream runner into every test file of an upstream suite (jest `setupFiles`), before the suite's
// code. It makes the suite reach the stand-in on its own ports without touching the suite's files:
//   - connections to 127.0.0.1/localhost on a CLI default port (54321 API, 54322 DB, 54324 mail) go to the
//     stand-in's port instead (net.Socket#connect: fetch, ws and pg all pass there);
//   - an HTTP request to the API without an `apikey` gets the anon key, because the CLI's Kong does not ask for
//     one on /rest/v1 and the stand-in, like hosted projects, asks on every route (local-supabase/README.md);
//   - Node 20 gets the global WebSocket Node 22 has (ws).
const net = require('node:net');

const map = new Map(
  (process.env.UPSTREAM_PORT_MAP ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split(':').map(Number)),
);
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', undefined]);

if (!net.Socket.prototype.__upstreamPatched) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patchedConnect(...args) {
    // net.connect() passes its normalized [options, callback] array (tagged with an internal symbol) as one argument.
    if (Array.isArray(args[0]) && args[0][0] && typeof args[0][0] === 'object') {
      const o = args[0][0];
      if (LOCAL.has(o.host) && map.has(Number(o.port))) args[0][0] = { ...o, port: map.get(Number(o.port)) };
      return connect.apply(this, args);
    }
    const opts = args[0];
    if (opts && typeof opts === 'object' && !Array.isArray(opts) && LOCAL.has(opts.host) && map.has(Number(opts.port))) {
      args[0] = { ...opts, port: map.get(Number(opts.port)) };
    } else if ((typeof opts === 'number' || typeof opts === 'string') && map.has(Number(opts)) && LOCAL.has(args[1] === undefined || typeof args[1] === 'function' ? undefined : args[1])) {
      args[0] = map.get(Number(opts));
    }
    return connect.apply(this, args);
  };
  net.Socket.prototype.__upstreamPatched = true;
}

const anonKey = process.env.UPSTREAM_ANON_KEY;
const apiPorts = new Set(['54321', String(map.get(54321) ?? '')]);
if (anonKey && typeof globalThis.fetch === 'function' && !globalThis.fetch.__upstreamPatched) {
  const realFetch = globalThis.fetch;
  const patched = function upstreamFetch(input, init) {
    let url;
    try {
      url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
    } catch {
      return realFetch(input, init);
    }
    if (!LOCAL.has(url.hostname.replace(/^\[|\]$/g, '')) || !apiPorts.has(url.port)) return realFetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (headers.has('apikey') || url.searchParams.has('apikey')) return realFetch(input, init);
    headers.set('apikey', anonKey);
    return realFetch(input, { ...init, headers });
  };
  patched.__upstreamPatched = true;
  globalThis.fetch = patched;
}

// Node 20 has no global WebSocket (upstream CI runs Node 22, which has one); ws is the same client API.
if (typeof globalThis.WebSocket === 'undefined') globalThis.WebSocket = require('ws');
