// The architecture Porchlight replaces, for `npm run bench:e2e`: a plain Socket.io relay server that stores
// each message in Postgres and then emits it. Visitors join their conversation's room, agents their company's.
// Usage: tsx bench/baseline-server.ts <port> <postgres url>
import http from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';

const [port, dbUrl] = process.argv.slice(2) as [string, string];
const pool = new pg.Pool({ connectionString: dbUrl, max: 20 });
await pool.query(`create schema if not exists baseline;
  create table if not exists baseline.messages (id uuid primary key, conversation_id text not null, sender text not null, body text not null, created_at timestamptz not null default now())`);

const server = http.createServer();
const io = new Server(server, { cors: { origin: '*' } });
io.on('connection', (socket) => {
  const { role, room } = socket.handshake.auth as { role: 'visitor' | 'agent'; room: string };
  void socket.join(role === 'agent' ? 'agents' : `conversation:${room}`);
  socket.on('message', async (m: { id: string; conversationId: string; body: string }, ack?: () => void) => {
    await pool.query('insert into baseline.messages (id, conversation_id, sender, body) values ($1, $2, $3, $4) on conflict (id) do nothing', [
      m.id,
      m.conversationId,
      role,
      m.body,
    ]);
    // Visitor messages go to the agents; agent replies to the conversation's visitor.
    io.to(role === 'visitor' ? 'agents' : `conversation:${m.conversationId}`).emit('message', m);
    ack?.();
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log('BASELINE_READY'));
process.on('SIGTERM', () => {
  io.close();
  void pool.end().then(() => process.exit(0));
});
