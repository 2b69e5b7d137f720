// Faults mid-conversation, in real Chromium: a visitor in the widget on the demo page and an agent keep talking
// while the gateway (auth, REST, Realtime, functions) is killed and restarted, while Postgres is killed and
// restarted, and while the visitor's browser is offline for 30 s. Both sides send during the outage. Afterwards
// every message appears exactly once, in order, in the widget, in the agent's live view (supabase-js on the
// private company channel, catching up from the database on every re-subscribe, as the dashboard does), in the
// dashboard itself (a second browser) and in the database. Each test runs its own stack: restarting it cannot
// disturb anything else.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { type RunningDashboard, startDashboard } from '../../app/server.ts';
import { startDemoServer } from '../../demo/server.ts';
import { utcMicros } from '../../functions/_shared/time.ts';
import { type RunningStack, startStack } from '../../local-supabase/stack.ts';
import { freePort } from '../support/global-setup.ts';
import { recordFaults } from './report.ts';

const AGENT = { email: 'agent@acme.test', password: 'porchlight-agent' };
const WIDGET_KEY = 'pk_demo_acme';
/** How long the faults' outages last while both sides keep sending. */
const OUTAGE_MS = 4_000;
const OFFLINE_MS = 30_000;
/** Recovery is a matter of reconnect back-offs (realtime-js waits up to 10 s between tries), not speed. */
const CONVERGE = { timeout: 90_000, intervals: [250, 500, 1000] };

interface Row {
  id: string;
  sender_kind: string;
  body: string;
  created_at: string;
}

interface World {
  stack: RunningStack;
  demoUrl: string;
  dashboard: RunningDashboard;
  stop(): Promise<void>;
}

async function startWorld(): Promise<World> {
  // Durable commits: an immediate kill must not take acknowledged messages with it (the fast test setting
  // `synchronous_commit=off` would lose the last ones, by design).
  delete process.env.LOCAL_SUPABASE_PG_FAST;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'porchlight-faults-'));
  await chmod(dir, 0o755);
  const stack = await startStack({ apiPort: await freePort(), dbPort: await freePort(), dataDir: path.join(dir, 'db'), quiet: !process.env.LOCAL_SUPABASE_DEBUG });
  const { cfg } = stack;
  const demo = await startDemoServer({ port: await freePort(), supabaseUrl: cfg.apiUrl, anonKey: cfg.anonKey, widgetKey: WIDGET_KEY });
  const dashboard = await startDashboard({ port: await freePort(), supabaseUrl: cfg.apiUrl, anonKey: cfg.anonKey, serviceRoleKey: cfg.serviceRoleKey });
  await sql(stack, `update public.widget_configs set allowed_origins = allowed_origins || $1::text[] where widget_key = $2`, [[demo.url], WIDGET_KEY]);
  return {
    stack,
    demoUrl: demo.url,
    dashboard,
    async stop() {
      await dashboard.stop();
      await demo.stop();
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function sql<T extends pg.QueryResultRow = Row>(stack: RunningStack, text: string, params: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: stack.cfg.dbUrl });
  await db.connect();
  try {
    return (await db.query<T>(text, params)).rows;
  } finally {
    await db.end();
  }
}

/**
 * The agent: the official supabase-js signed in as an Acme agent, subscribed to the company's private topic
 * channel like the dashboard, catching up from the database on every (re-)subscribe. Sends in order under
 * client-generated ids and retries each until the API confirms it (a retry of a stored id is a duplicate key,
 * i.e. already sent).
 */
class Agent {
  readonly view = new Map<string, Row>();
  readonly sent: string[] = [];
  private queue: { id: string; body: string }[] = [];
  private sending: Promise<void> | null = null;
  private channel: RealtimeChannel | null = null;
  subscribes = 0;

  private constructor(
    readonly client: SupabaseClient,
    readonly userId: string,
    readonly companyTopic: string,
    readonly conversationId: string,
  ) {}

  static async join(stack: RunningStack, conversationId: string): Promise<Agent> {
    const client = createClient(stack.cfg.apiUrl, stack.cfg.anonKey, {
      auth: { persistSession: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    });
    const { data, error } = await client.auth.signInWithPassword(AGENT);
    expect(error).toBeNull();
    const conv = await client.from('conversations').select('companies(realtime_topic)').eq('id', conversationId).single();
    expect(conv.error).toBeNull();
    const topic = (conv.data as unknown as { companies: { realtime_topic: string } }).companies.realtime_topic;
    const agent = new Agent(client, data.user!.id, topic, conversationId);
    await agent.subscribe();
    return agent;
  }

  private subscribe(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.channel = this.client
        .channel(this.companyTopic, { config: { private: true } })
        .on('broadcast', { event: 'message.created' }, ({ payload }) => {
          // The company topic carries a signal (ids, kind, time); the text is read through REST, as the dashboard does.
          const signal = payload as { id: string; conversation_id: string };
          if (signal.conversation_id === this.conversationId) void this.fetchOne(signal.id);
        })
        .subscribe((status, err) => {
          if (status === 'SUBSCRIBED') {
            this.subscribes += 1;
            void this.catchUp();
            resolve();
          } else if (this.subscribes === 0 && (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT')) reject(err ?? new Error(status));
        });
    });
  }

  private add(rows: Row[]) {
    // Microseconds, as the database orders: a visitor's and the agent's message often start in the same millisecond.
    for (const r of rows) this.view.set(r.id, { id: r.id, sender_kind: r.sender_kind, body: r.body, created_at: utcMicros(r.created_at) });
  }

  /** Reads one message a signal announced (retried until the API answers). */
  private async fetchOne(id: string): Promise<void> {
    for (;;) {
      const { data, error } = await this.client.from('messages').select('id, sender_kind, body, created_at').eq('id', id);
      if (!error && data) return this.add(data as Row[]);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Reads the whole conversation (retried until the API answers). */
  async catchUp(): Promise<void> {
    for (;;) {
      const { data, error } = await this.client.from('messages').select('id, sender_kind, body, created_at').eq('conversation_id', this.conversationId).order('created_at').order('id');
      if (!error && data) return this.add(data as Row[]);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Queues a reply; it is sent after the ones before it. */
  send(body: string) {
    this.sent.push(body);
    this.queue.push({ id: randomUUID(), body });
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
  }

  attempts = 0;

  private async drain() {
    while (this.queue.length) {
      const item = this.queue[0]!;
      this.attempts += 1;
      const { error } = await this.client
        .from('messages')
        .insert({ id: item.id, conversation_id: this.conversationId, sender_kind: 'agent', author_id: this.userId, body: item.body });
      // 23505: an earlier attempt was stored and only its answer got lost.
      if (!error || error.code === '23505') this.queue.shift();
      else await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Everything queued has been confirmed by the API. */
  async drained() {
    while (this.sending) await this.sending;
  }

  ordered(): Row[] {
    return [...this.view.values()].sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1));
  }

  async close() {
    await this.client.removeAllChannels();
    await this.client.auth.signOut().catch(() => undefined);
  }
}

/** The visitor: a fresh browser context on the demo page, chat started through the pre-chat form. */
async function visitorStartsChat(browser: Browser, world: World, first: string): Promise<{ context: BrowserContext; page: Page; conversationId: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (process.env.FAULTS_DEBUG) {
    page.on('console', (m) => console.log('[page]', m.text()));
    page.on('request', (r) => console.log('[req]', Date.now() % 100000, r.method(), r.url().slice(0, 90), r.postData()?.slice(0, 120)));
    page.on('requestfinished', async (r) => console.log('[done]', Date.now() % 100000, r.url().slice(0, 90), (await r.response())?.status()));
    page.on('requestfailed', (r) => console.log('[fail]', Date.now() % 100000, r.url().slice(0, 90), r.failure()?.errorText));
    page.on('websocket', (ws) => {
      console.log('[ws] open', ws.url().slice(0, 60));
      ws.on('framesent', (f) => console.log('[ws] >', String(f.payload).slice(0, 160)));
      ws.on('framereceived', (f) => console.log('[ws] <', String(f.payload).slice(0, 160)));
      ws.on('close', () => console.log('[ws] close'));
    });
  }
  await page.goto(world.demoUrl);
  await page.getByRole('button', { name: 'Chat with Acme' }).click();
  await page.getByLabel('Your name').fill('Faulty Visitor');
  await page.getByLabel('How can we help?').fill(first);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: first })).toBeVisible();
  const conversationId = await page.evaluate((key) => localStorage.getItem(`porchlight:${key}:conversation`)!, WIDGET_KEY);
  return { context, page, conversationId };
}

async function visitorSends(page: Page, body: string) {
  const box = page.getByLabel('Type your message');
  await box.fill(body);
  await box.press('Enter');
  // Taken into the outbox (shown as sending or sent), whatever the network does.
  await expect(page.locator('[data-message-id]', { hasText: body })).toHaveCount(1);
}

/** The dashboard in its own browser, signed in as the agent, on the conversation. */
async function dashboardOn(browser: Browser, world: World, conversationId: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: world.dashboard.url });
  const page = await context.newPage();
  if (process.env.FAULTS_DEBUG) page.on('console', (m) => console.log('[dashboard]', m.text()));
  // Kept for the failure report (see dashboardConverges): a rare run has seen the dashboard stay on its first load.
  const log: string[] = [];
  dashboardLogs.set(page, log);
  page.on('console', (m) => log.push(`${new Date().toISOString()} ${m.type()} ${m.text()}`));
  page.on('pageerror', (e) => log.push(`${new Date().toISOString()} pageerror ${e.message}`));
  page.on('requestfailed', (r) => log.push(`${new Date().toISOString()} requestfailed ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('websocket', (ws) => {
    const at = () => new Date().toISOString();
    log.push(`${at()} websocket open ${ws.url().replace(/apikey=[^&]+/, 'apikey=…')}`);
    const frame = (dir: string) => (f: { payload: string | Buffer }) => {
      const text = typeof f.payload === 'string' ? f.payload : `binary ${f.payload.toString('latin1').replace(/[^\x20-\x7e]/g, '.')}`;
      if (!text.includes('heartbeat') && !text.includes('"phoenix"')) log.push(`${at()} ws ${dir} ${text.slice(0, 200)}`);
    };
    ws.on('framesent', frame('>'));
    ws.on('framereceived', frame('<'));
    ws.on('close', () => log.push(`${at()} websocket closed`));
  });
  await page.goto('/login');
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill(AGENT.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/inbox/);
  await page.goto(`/inbox/${conversationId}`);
  await expect(page.getByTestId('conversation')).toBeVisible();
  return page;
}

const dashboardLogs = new WeakMap<Page, string[]>();

/** The dashboard's messages converge on `ids`; if not, its live-status dot and browser log are printed first. */
async function dashboardConverges(page: Page, ids: string[]) {
  try {
    await expect.poll(() => dashboardIds(page), CONVERGE).toEqual(ids);
  } catch (err) {
    const status = await page.locator('.live').getAttribute('class', { timeout: 2000 }).catch(() => 'none');
    // React marks the elements it owns: none marked means the page never hydrated (static server HTML).
    const hydrated = await page
      .evaluate(() => Object.keys(document.querySelector('[data-testid="messages"]') ?? {}).some((k) => k.startsWith('__reactFiber')))
      .catch(() => 'unknown');
    console.error(`[dashboard] did not converge; live-status ${status}; hydrated ${hydrated}`);
    for (const line of (dashboardLogs.get(page) ?? []).slice(-150)) console.error(`[dashboard] ${line}`);
    throw err;
  }
}

const widgetIds = (page: Page) =>
  page.locator('[data-message-id]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-message-id')}:${e.getAttribute('data-state')}`));
const dashboardIds = (page: Page) => page.locator('[data-testid="messages"] [data-message-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-message-id')));

/**
 * Runs one conversation around a fault: messages before it, during it (both sides) and after it; then checks
 * that nothing was lost or doubled anywhere and that each side's messages kept their order.
 */
async function conversationSurvives(browser: Browser, fault: string, during: (send: (n: number) => Promise<void>, world: World, visitor: Page) => Promise<void>) {
  const world = await startWorld();
  const tag = fault.replace(/\W+/g, '-');
  const visitorSent: string[] = [`${tag} v0`];
  let agent: Agent | undefined;
  try {
    const visitor = await visitorStartsChat(browser, world, visitorSent[0]!);
    agent = await Agent.join(world.stack, visitor.conversationId);
    const dashboard = await dashboardOn(browser, world, visitor.conversationId);
    const a = agent;

    let n = 0;
    /** One message from each side. */
    const exchange = async () => {
      n += 1;
      const body = `${tag} v${n}`;
      visitorSent.push(body);
      await visitorSends(visitor.page, body);
      a.send(`${tag} a${n}`);
    };

    await exchange();
    // Live before the fault: each side sees the other's message.
    await expect(visitor.page.locator('[data-message-id][data-state="sent"]', { hasText: `${tag} a1` })).toHaveCount(1);
    await expect.poll(() => a.ordered().some((m) => m.body === `${tag} v1`)).toBe(true);

    await during(async (count) => {
      for (let i = 0; i < count; i++) await exchange();
    }, world, visitor.page);

    // After recovery both sides keep talking.
    await exchange();
    await exchange();
    await a.drained();

    // The database holds each message once; each side's messages in the order they were sent.
    await expect
      .poll(async () => (await sql(world.stack, 'select body from public.messages where conversation_id = $1 and sender_kind = $2 order by created_at, id', [visitor.conversationId, 'visitor'])).map((r) => r.body), CONVERGE)
      .toEqual(visitorSent);
    const rows = await sql(world.stack, 'select id, sender_kind, body, created_at from public.messages where conversation_id = $1 order by created_at, id', [visitor.conversationId]);
    expect(rows.filter((r) => r.sender_kind === 'agent').map((r) => r.body)).toEqual(a.sent);
    expect(rows.filter((r) => r.sender_kind === 'visitor').map((r) => r.body)).toEqual(visitorSent);
    expect(new Set(rows.map((r) => r.body)).size).toBe(rows.length);
    const ids = rows.map((r) => r.id);

    // The widget shows exactly those, confirmed, in the database's order.
    await expect.poll(() => widgetIds(visitor.page), CONVERGE).toEqual(ids.map((id) => `${id}:sent`));
    // The agent's live view (broadcasts + catch-up) has them all, and so does the dashboard.
    await expect.poll(() => a.ordered().map((m) => m.id), CONVERGE).toEqual(ids);
    await dashboardConverges(dashboard, ids);
    // Presence came back too: the dashboard sees the visitor's open page again.
    await expect(dashboard.getByTestId('presence-label')).toHaveText('Online', CONVERGE);

    recordFaults(`recovery-${tag}`, {
      faults: [fault],
      messagesSent: visitorSent.length + a.sent.length,
      messagesStored: rows.length,
      messagesLost: visitorSent.length + a.sent.length - rows.length,
      agentSendAttempts: a.attempts,
    });
    await visitor.context.close();
    await dashboard.context().close();
  } finally {
    await agent?.close();
    await world.stop();
  }
}

test('a conversation survives the gateway (auth, REST, Realtime, functions) being killed and restarted', async ({ browser }) => {
  await conversationSurvives(browser, 'gateway killed and restarted', async (sendMessages, world) => {
    let sentWhileDown = false;
    await world.stack.restartGateway({
      whileDown: async () => {
        await sendMessages(2);
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        sentWhileDown = true;
      },
    });
    expect(sentWhileDown).toBe(true);
    await sendMessages(1);
  });
});

test('a conversation survives Postgres being killed (immediate shutdown, crash recovery) and restarted', async ({ browser }) => {
  await conversationSurvives(browser, 'postgres killed and restarted', async (sendMessages, world) => {
    let sentWhileDown = false;
    await world.stack.restartPostgres({
      immediate: true,
      whileDown: async () => {
        // Nothing can be stored while it is down.
        await expect(sql(world.stack, 'select 1')).rejects.toThrow();
        await sendMessages(2);
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        sentWhileDown = true;
      },
    });
    expect(sentWhileDown).toBe(true);
    await sendMessages(1);
  });
});

test('a conversation survives a Postgres backend being killed (SIGKILL: the server ends every session and recovers by itself)', async ({ browser }) => {
  await conversationSurvives(browser, 'postgres backend killed', async (sendMessages, world) => {
    // What the OOM killer does to a database: one backend dies with SIGKILL, so the postmaster ends every other
    // session (the Realtime service's LISTEN session and the pools' included) and runs crash recovery, and
    // nothing restarts it from outside. The victim: the stand-in's oldest session.
    const admin = new pg.Client({ connectionString: world.stack.cfg.adminDbUrl });
    await admin.connect();
    const { rows } = await admin.query<{ pid: number }>(`select pid from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid() order by backend_start limit 1`);
    await admin.end().catch(() => undefined);
    expect(rows).toHaveLength(1);
    const killedAt = new Date();
    process.kill(rows[0]!.pid, 'SIGKILL');
    await sendMessages(2);
    // The server ended every session that was open at the kill (crash recovery), and serves again.
    const openSince = () => sql<{ n: number }>(world.stack, `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and backend_start < $1`, [killedAt]);
    await expect.poll(() => openSince().then((r) => r[0]!.n, () => -1), CONVERGE).toBe(0);
    await sendMessages(1);
  });
});

test('a conversation survives the visitor’s browser going offline for 30 s while both sides keep sending', async ({ browser }) => {
  await conversationSurvives(browser, 'visitor offline 30 s', async (sendMessages, _world, visitor) => {
    await visitor.context().setOffline(true);
    await sendMessages(2);
    await new Promise((r) => setTimeout(r, OFFLINE_MS / 2));
    await sendMessages(1);
    await new Promise((r) => setTimeout(r, OFFLINE_MS / 2));
    // Still offline: the visitor's messages are waiting, not lost and not sent.
    await expect(visitor.locator('[data-message-id][data-state="sending"]')).toHaveCount(3);
    await visitor.context().setOffline(false);
  });
});
