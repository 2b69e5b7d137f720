// Flood: one visitor sends to widget-messages as fast as it can (300 requests, 50 at a time) while other
// visitors keep chatting. The flooder gets 429s with Retry-After and the stable `rate_limited` code, nothing beyond
// its limit is stored, and every other visitor's message is accepted (201) and reaches the agent's private
// company channel. Each visitor calls from its own loopback address (127.0.0.x), because the gateway, like Kong,
// takes the caller's address from the socket and ignores a forged X-Forwarded-For. (How fast the others are
// served during the flood is the benchmark's business, not this test's.)
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, db, stack } from '../support/stack.ts';
import { recordFaults } from './report.ts';

const ORIGIN = 'http://127.0.0.1:3001';
const KEY = 'pk_demo_acme';
/** widget-messages' default per-visitor limit (WIDGET_MESSAGES_PER_MINUTE). */
const PER_VISITOR_PER_MINUTE = 20;
const FLOOD = 300;
const OTHERS = 5;
const EACH = 3;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A POST from a given local address (node:http, which can bind one; fetch cannot). */
function post(from: string, fn: string, token: string, body: unknown): Promise<Reply> {
  const url = new URL(`${stack().apiUrl}/functions/v1/${fn}?key=${KEY}`);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { Authorization: `Bearer ${token}`, apikey: stack().anonKey, Origin: ORIGIN, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A distinct loopback address per visitor of this run. */
let next = 2 + Math.floor(Math.random() * 200);
const address = () => `127.0.${Math.floor(Math.random() * 250) + 1}.${(next++ % 250) + 2}`;

async function startVisitor(name: string) {
  const from = address();
  const s = await client().auth.signInAnonymously();
  const token = s.data.session!.access_token;
  const res = await post(from, 'widget-session', token, { name, firstMessage: { id: randomUUID(), body: `${name} says hello` } });
  expect(res.status).toBe(201);
  return { from, token, conversationId: (res.body.conversation as { id: string }).id };
}

let admin: pg.Client;
const agent = client();
const seen = new Set<string>();

beforeAll(async () => {
  admin = await db();
  const { error } = await agent.auth.signInWithPassword({ email: 'agent@acme.test', password: 'porchlight-agent' });
  expect(error).toBeNull();
  const { data: company } = await agent.from('companies').select('realtime_topic').eq('name', 'Acme').single();
  await new Promise<void>((resolve, reject) =>
    agent
      .channel(company!.realtime_topic, { config: { private: true } })
      .on('broadcast', { event: 'message.created' }, ({ payload }) => seen.add(String((payload as { id: string }).id)))
      .subscribe((status, err) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' ? reject(err ?? new Error(status)) : undefined)),
  );
});
afterAll(async () => {
  await agent.removeAllChannels();
  await admin.end();
});

it('refuses a flooding visitor with 429 + Retry-After past its limit, stores nothing beyond it, and keeps serving everyone else', async () => {
  const flooder = await startVisitor('Flooder');
  const others = await Promise.all(Array.from({ length: OTHERS }, (_, i) => startVisitor(`Bystander ${i + 1}`)));

  const floodReplies: Reply[] = [];
  const flood = (async () => {
    for (let i = 0; i < FLOOD; i += 50) {
      const batch = Array.from({ length: Math.min(50, FLOOD - i) }, (_, k) =>
        post(flooder.from, 'widget-messages', flooder.token, { conversationId: flooder.conversationId, id: randomUUID(), body: `flood ${i + k}` }),
      );
      floodReplies.push(...(await Promise.all(batch)));
    }
  })();
  const othersSent: { id: string; status: number }[] = [];
  const chatting = Promise.all(
    others.map(async (v, n) => {
      for (let i = 0; i < EACH; i++) {
        const id = randomUUID();
        const res = await post(v.from, 'widget-messages', v.token, { conversationId: v.conversationId, id, body: `bystander ${n + 1} message ${i + 1}` });
        othersSent.push({ id, status: res.status });
      }
    }),
  );
  await Promise.all([flood, chatting]);

  // The flooder: only 201 (within its limit) and 429 (past it), each 429 with a Retry-After and the stable code.
  const created = floodReplies.filter((r) => r.status === 201);
  const refused = floodReplies.filter((r) => r.status === 429);
  expect(floodReplies).toHaveLength(FLOOD);
  expect(created.length + refused.length).toBe(FLOOD);
  expect(created.length).toBeGreaterThan(0);
  expect(created.length).toBeLessThanOrEqual(PER_VISITOR_PER_MINUTE);
  expect(refused.length).toBeGreaterThanOrEqual(FLOOD - PER_VISITOR_PER_MINUTE);
  for (const r of refused) {
    expect(r.body.code).toBe('rate_limited');
    expect(typeof r.body.message).toBe('string');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  }
  // Nothing beyond the limit is stored: the first message plus the accepted ones, no more.
  const stored = await admin.query<{ n: number }>('select count(*)::int as n from public.messages where conversation_id = $1', [flooder.conversationId]);
  expect(stored.rows[0]!.n).toBe(1 + created.length);

  // Everyone else: every message accepted, stored once, and delivered live to the agent.
  expect(othersSent.map((s) => s.status)).toEqual(Array(OTHERS * EACH).fill(201));
  const ids = othersSent.map((s) => s.id);
  const rows = await admin.query<{ id: string }>('select id from public.messages where id = any($1::uuid[])', [ids]);
  expect(rows.rows.map((r) => r.id).sort()).toEqual([...ids].sort());
  await expect.poll(() => ids.filter((id) => !seen.has(id)), { timeout: 15_000 }).toEqual([]);

  recordFaults('flood', {
    floodRequests: FLOOD,
    floodRefused: refused.length,
    floodAccepted: created.length,
    othersRequests: ids.length,
    othersServed: othersSent.filter((s) => s.status === 201).length,
    messagesSent: ids.length,
    messagesStored: rows.rows.length,
    messagesLost: ids.length - rows.rows.length,
  });
}, 120_000);
