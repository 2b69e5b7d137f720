// RLS of the Meta channel tables from every actor: members read their own company's rows, nobody but the service
// role writes them (an admin may disconnect a channel), and the secret ciphertexts are unreadable by every client.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, createWorld, signalsSince, type World } from './fixtures.ts';

let admin: pg.Client;
let w: World;
let channelX: string;
let channelY: string;
let replyId: string;

async function channel(companyId: string, accountId: string) {
  const id = randomUUID();
  await admin.query(
    `insert into public.meta_channels (id, company_id, platform, page_id, account_id, page_token_cipher, app_secret_cipher, verify_token_cipher)
     values ($1, $2, 'facebook', $3, $3, 'c1', 'c2', 'c3')`,
    [id, companyId, accountId],
  );
  return id;
}

beforeAll(async () => {
  admin = await db();
  w = await createWorld(admin);
  channelX = await channel(w.companyX, String(Date.now()));
  channelY = await channel(w.companyY, String(Date.now() + 1));
  await admin.query(`insert into public.meta_senders (channel_id, sender_id, company_id, visitor_id) values ($1, '42', $2, $3)`, [channelX, w.companyX, w.visitorA]);
  const msgs = (await admin.query(`select id, sender_kind from public.messages where conversation_id = $1`, [w.convA])).rows;
  replyId = msgs.find((m) => m.sender_kind === 'agent').id;
  const visitorMsg = msgs.find((m) => m.sender_kind === 'visitor').id;
  await admin.query(`insert into public.meta_inbound (platform_message_id, channel_id, company_id, message_id) values ($1, $2, $3, $4)`, [`m_${randomUUID()}`, channelX, w.companyX, visitorMsg]);
  await admin.query(`insert into public.meta_deliveries (message_id, channel_id, company_id, status) values ($1, $2, $3, 'sent')`, [replyId, channelX, w.companyX]);
});
afterAll(async () => {
  await admin.end();
});

const members: Actor[] = ['agentX', 'adminX'];

describe('meta channel tables', () => {
  it("let members read their own company's rows only", async () => {
    for (const actor of ACTORS) {
      const expected = actor === 'service' || members.includes(actor) ? 1 : actor === 'anon' ? 'error' : 0;
      const scoped = `and company_id in ($1, $2)`;
      expect(await attempt(admin, w, actor, 'select', `select count(*) n from public.meta_channels where company_id = $1`, [w.companyX]), actor).toBe(expected);
      for (const table of ['meta_senders', 'meta_inbound', 'meta_deliveries']) {
        const n = await attempt(admin, w, actor, 'select', `select count(*) n from public.${table} where true ${scoped}`, [w.companyX, w.companyY]);
        expect(n, `${actor} ${table}`).toBe(expected);
      }
    }
    expect(await attempt(admin, w, 'agentY', 'select', `select count(*) n from public.meta_channels where id = $1`, [channelY])).toBe(1);
  });

  it('keep the secret ciphertexts from every client, admins included', async () => {
    for (const actor of ACTORS.filter((a) => a !== 'service')) {
      for (const column of ['page_token_cipher', 'app_secret_cipher', 'verify_token_cipher']) {
        expect(await attempt(admin, w, actor, 'select', `select ${column} from public.meta_channels`, []), `${actor} ${column}`).toBe('error');
      }
    }
    expect(await attempt(admin, w, 'service', 'select', `select app_secret_cipher from public.meta_channels where id = $1`, [channelX])).toBe(1);
  });

  it('refuse every client write except an admin disconnecting their own channel', async () => {
    for (const actor of ACTORS.filter((a) => a !== 'service')) {
      const insert = await attempt(admin, w, actor, 'write', `insert into public.meta_channels (company_id, platform, page_id, account_id, page_token_cipher, app_secret_cipher, verify_token_cipher) values ($1, 'facebook', '1', '1', 'a', 'b', 'c')`, [w.companyX]);
      expect(insert, `${actor} insert`).toBe('error');
      expect(await attempt(admin, w, actor, 'write', `update public.meta_channels set name = 'x' where id = $1`, [channelX]), `${actor} update`).toBe('error');
      expect(await attempt(admin, w, actor, 'write', `update public.meta_deliveries set status = 'read' where message_id = $1`, [replyId]), `${actor} delivery`).toBe('error');
      expect(await attempt(admin, w, actor, 'write', `insert into public.meta_inbound (platform_message_id, channel_id, company_id, message_id) values ('m_x', $1, $2, $3)`, [channelX, w.companyX, replyId]), `${actor} inbound`).toBe('error');
      expect(await attempt(admin, w, actor, 'write', `delete from public.meta_senders where channel_id = $1`, [channelX]), `${actor} senders`).toBe('error');
      const unchanged = async () => (await admin.query('select 1 from public.meta_channels where id = $1', [channelX])).rowCount === 1;
      const del = await attempt(admin, w, actor, 'write', `delete from public.meta_channels where id = $1`, [channelX], unchanged);
      expect(del, `${actor} delete`).toBe(actor === 'adminX' ? 'ok' : actor === 'anon' ? 'error' : 'none');
    }
  });

  it('keep the Meta RPCs to the service role', async () => {
    for (const actor of ACTORS.filter((a) => a !== 'service')) {
      expect(await attempt(admin, w, actor, 'select', `select public.meta_receive_message($1, '42', 'm_rpc', 'hi')`, [channelX]), actor).toBe('error');
      expect(await attempt(admin, w, actor, 'select', `select public.meta_receipt($1, '42', now(), true)`, [channelX]), actor).toBe('error');
    }
  });
});

describe('delivery signals on the company topic', () => {
  it("announce a reply's delivery moving (written, status, reason) to its company only, and not a lease", async () => {
    const since = (await admin.query('select clock_timestamp() as t')).rows[0].t as Date;
    const reply = (await admin.query(`insert into public.messages (conversation_id, sender_kind, body) values ($1, 'agent', 'On its way') returning id`, [w.convA])).rows[0].id;
    await admin.query(`insert into public.meta_deliveries (message_id, channel_id, company_id, status, error) values ($1, $2, $3, 'pending', 'Meta is down')`, [reply, channelX, w.companyX]);
    await admin.query(`update public.meta_deliveries set next_attempt_at = now() + interval '5 minutes' where message_id = $1`, [reply]);
    await admin.query(`update public.meta_deliveries set status = 'sent', error = null, next_attempt_at = null where message_id = $1`, [reply]);
    await admin.query(`update public.meta_deliveries set status = 'read' where message_id = $1`, [reply]);
    const rows = await signalsSince(admin, since, w.companyX, 'message.delivery', 'message_id', reply);
    const signal = (status: string) => ({ company_topic: true, payload: { id: expect.any(String), message_id: reply, conversation_id: w.convA, status } });
    expect(rows).toEqual([signal('pending'), signal('sent'), signal('read')]);
  });
});
