// Broadcasts sent by the database (realtime.send, broadcast_changes): LISTEN for committed realtime.messages
// rows and fan them out, in commit order, catching up by time after the listener was away.
import pg from 'pg';
import type { StackContext } from '../context.ts';
import { fanOut } from './fan-out.ts';
import { type Hub, internal } from './hub.ts';

const NOTIFY_CHANNEL = 'local_supabase_realtime_messages';

type Row = { id: string; topic: string; event: string | null; payload: unknown; binary_payload: Buffer | null; private: boolean | null; inserted_at: string };

const ROW_COLUMNS = 'id::text, topic, event, payload, binary_payload, private, inserted_at::text as inserted_at';

/**
 * A notification carries the row as JSON, or (too large for NOTIFY, or binary) only '<id> <inserted_at>': then
 * the row is read. Either way rows go out in commit order: while a read is under way, the rows that follow wait
 * behind it. Returns the function that stops listening.
 */
export function listenForDatabaseBroadcasts(hub: Hub, ctx: StackContext): () => Promise<void> {
  const { pool } = hub;
  let listener: pg.Client | null = null;
  let closed = false;
  let lastInsertedAt: string | null = null;
  const recent = new Set<string>();
  const recentOrder: string[] = [];
  const pending: ({ id: string } | { row: Row })[] = [];
  let flushing: Promise<void> | null = null;

  function remember(id: string) {
    recent.add(id);
    recentOrder.push(id);
    if (recentOrder.length > 20_000) recent.delete(recentOrder.shift()!);
  }

  function deliverRow(row: Row) {
    if (!lastInsertedAt || row.inserted_at > lastInsertedAt) lastInsertedAt = row.inserted_at;
    if (recent.has(row.id)) return;
    remember(row.id);
    const body = row.binary_payload ? { json: false as const, raw: row.binary_payload } : { json: true as const, value: row.payload };
    fanOut(hub, internal(Boolean(row.private), row.topic), row.event ?? '', body, { meta: { id: row.id } });
  }

  async function flush() {
    while (pending.length) {
      const head = pending[0]!;
      if ('row' in head) {
        pending.shift();
        deliverRow(head.row);
        continue;
      }
      let n = 0;
      while (n < pending.length && n < 500 && 'id' in pending[n]!) n++;
      const batch = pending.slice(0, n).map((p) => (p as { id: string }).id);
      try {
        const { rows } = await pool.query<Row>(`select ${ROW_COLUMNS} from realtime.messages where id = any($1::uuid[]) and extension = 'broadcast'`, [batch]);
        pending.splice(0, n);
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const id of batch) {
          const row = byId.get(id);
          if (row) deliverRow(row);
        }
      } catch (err) {
        ctx.log('realtime', `reading broadcast rows failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        if (closed) return;
      }
    }
  }

  function kick() {
    if (flushing) return;
    flushing = flush().finally(() => {
      flushing = null;
      if (pending.length && !closed) kick();
    });
  }

  function onNotification(text: string) {
    if (text.startsWith('{')) {
      let row: Row;
      try {
        const j = JSON.parse(text);
        row = { id: j.id, topic: j.topic, event: j.event, payload: j.payload, binary_payload: null, private: j.private, inserted_at: j.inserted_at };
      } catch {
        return;
      }
      // Nothing waiting ahead of it: out at once, in this tick (frames for one socket leave in one write).
      if (!pending.length && !flushing) return deliverRow(row);
      pending.push({ row });
    } else {
      const id = text.split(' ')[0];
      if (!id) return;
      pending.push({ id });
    }
    kick();
  }

  /** Rows committed while the listener was away (e.g. Postgres restarted) are read back by time. */
  async function catchUp() {
    if (!lastInsertedAt) return;
    const { rows } = await pool.query<Row>(
      `select ${ROW_COLUMNS} from realtime.messages where extension = 'broadcast' and inserted_at >= $1::timestamp order by inserted_at, id limit 10000`,
      [lastInsertedAt],
    );
    for (const r of rows) deliverRow(r);
  }

  async function listen(attempt = 0): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: hub.cfg.adminDbUrl });
    const retry = () => {
      if (closed) return;
      listener = null;
      const delay = Math.min(5000, 200 * 2 ** Math.min(attempt, 5));
      setTimeout(() => void listen(attempt + 1), delay).unref();
    };
    client.on('error', () => undefined);
    client.on('end', () => {
      if (listener === client) retry();
    });
    client.on('notification', (n) => {
      if (n.payload) onNotification(n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
      listener = client;
      attempt = 0;
      await catchUp().catch((err) => ctx.log('realtime', `catch-up failed: ${err.message}`));
    } catch {
      await client.end().catch(() => undefined);
      retry();
    }
  }
  const listening = listen();
  // Start counting from now, so a catch-up after a restart only replays rows the listener missed.
  pool
    .query(`select (now() at time zone 'utc')::timestamp::text as t`)
    .then((r) => {
      lastInsertedAt ??= r.rows[0].t;
    })
    .catch(() => undefined);

  return async () => {
    closed = true;
    await listening.catch(() => undefined);
    const l = listener;
    listener = null;
    await l?.end().catch(() => undefined);
  };
}
