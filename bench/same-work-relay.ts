// A second baseline for `npm run bench:e2e`: a Socket.io relay that does the same work as Porchlight, in one
// process and one database round trip per message. It verifies each socket's Supabase JWT once, when it
// connects, checks that a visitor owns their conversation and an agent belongs to their company, and per message
// runs the very SQL Porchlight runs: the visitor's widget_send_message (ownership, idempotency, both rate limits,
// conversation bookkeeping) and the agent's insert as `authenticated` under RLS. Then it emits the stored row.
// What it skips are Porchlight's hops: Edge Function, REST gateway and Realtime. It still writes the two
// realtime.messages rows per message that the product's triggers write, which a relay would not need.
// The baseline stays the plain relay (baseline-server.ts); this one shows what the hops cost.
// Usage: tsx bench/same-work-relay.ts <port> <postgres url>
import http from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';
import { JWT_SECRET } from '../local-supabase/config.ts';
import { type Claims, verifyJwt } from '../local-supabase/jwt.ts';

const [port, dbUrl] = process.argv.slice(2) as [string, string];
const pool = new pg.Pool({ connectionString: dbUrl, max: 20 });
// The widget-messages function's limits (its defaults): 20 a minute per visitor, 300 per address.
const PER_VISITOR = 20;
const PER_ADDRESS = 300;

type Identity = { kind: 'visitor'; claims: Claims; conversationId: string } | { kind: 'agent'; claims: Claims; companyId: string };

const server = http.createServer();
const io = new Server(server, { cors: { origin: '*' } });

io.use(async (socket, next) => {
  try {
    const { token, conversationId } = socket.handshake.auth as { token?: string; conversationId?: string };
    const claims = await verifyJwt(JWT_SECRET, String(token));
    if (claims.is_anonymous) {
      const own = await pool.query('select 1 from public.conversations c join public.visitors v on v.id = c.visitor_id where c.id = $1 and v.user_id = $2', [conversationId, claims.sub]);
      if (!own.rowCount) return next(new Error('conversation_not_found'));
      socket.data.identity = { kind: 'visitor', claims, conversationId: conversationId! } satisfies Identity;
    } else {
      const member = await pool.query('select company_id from public.company_members where user_id = $1', [claims.sub]);
      if (!member.rowCount) return next(new Error('not_an_agent'));
      socket.data.identity = { kind: 'agent', claims, companyId: member.rows[0].company_id } satisfies Identity;
    }
    next();
  } catch (err) {
    next(err as Error);
  }
});

io.on('connection', (socket) => {
  const who = socket.data.identity as Identity;
  void socket.join(who.kind === 'agent' ? `company:${who.companyId}` : `conversation:${who.conversationId}`);
  socket.on('message', async (m: { id: string; conversationId: string; body: string }, ack?: (status: number) => void) => {
    try {
      if (who.kind === 'visitor') {
        // Its visitors are Globex's (bench/e2e/); refusals are raised (PLR29 rate limit, others not found).
        const r = await pool
          .query('select public.widget_send_message($1, $2, $3, $4, $5, $6, null, $7, $8, $9) as r', [
            'pk_demo_globex',
            'http://127.0.0.1:3002',
            who.claims.sub,
            who.conversationId,
            m.id,
            m.body,
            socket.handshake.address,
            PER_VISITOR,
            PER_ADDRESS,
          ])
          .then(
            ({ rows }) => rows[0].r as { created: boolean; message: Record<string, unknown> },
            (err: { code?: string }) => (err.code === 'PLR29' ? 429 : err.code?.startsWith('PL') ? 404 : Promise.reject(err)),
          );
        if (typeof r === 'number') return ack?.(r);
        io.to(`company:${r.message!.company_id}`).emit('message', r.message);
        return ack?.(r.created ? 201 : 200);
      }
      // The agent's reply, as the local REST gateway runs it: one transaction, the caller's role and claims set
      // first, RLS on, sent in one round trip (simple protocol; every value an escaped literal).
      const db = await pool.connect();
      const lit = (v: string) => db.escapeLiteral(v);
      try {
        const results = (await db.query(
          `begin; select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${lit(JSON.stringify(who.claims))}, true);
           insert into public.messages (id, conversation_id, sender_kind, author_id, body)
           values (${lit(m.id)}, ${lit(m.conversationId)}, 'agent', ${lit(String(who.claims.sub))}, ${lit(m.body)}) returning *; commit`,
        )) as unknown as pg.QueryResult[];
        io.to(`conversation:${m.conversationId}`).emit('message', results[2]!.rows[0]);
        ack?.(201);
      } catch (err) {
        await db.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        db.release();
      }
    } catch {
      ack?.(500);
    }
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log('BASELINE_READY'));
process.on('SIGTERM', () => {
  io.close();
  void pool.end().then(() => process.exit(0));
});
