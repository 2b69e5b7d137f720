// Conformance: private channels whose policies grant broadcast and presence separately behave as hosted Realtime
// (realtime_channel.ex, message_dispatcher.ex, authorization.ex), through supabase-js on a real socket: read and write
// are checked per extension, presence read counts only when presence is on, and a refresh that loses a read closes.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client, db, stack } from '../../tests/support/stack.ts';
import { signJwt } from '../jwt.ts';

type Client = ReturnType<typeof client>;
let admin: pg.Client;
const clients: Client[] = [];

/** A user JWT; br/pr/bw/pw grant broadcast read, presence read, broadcast write, presence write on `rtperm:*`. */
async function token(grants: { br?: boolean; pr?: boolean; bw?: boolean; pw?: boolean }) {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(stack().jwtSecret, { sub: randomUUID(), role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600, ...grants });
}

async function rt(jwt: string): Promise<Client> {
  const c = client(stack().anonKey, { realtime: { timeout: 2000 } as never });
  await c.realtime.setAuth(jwt);
  clients.push(c);
  return c;
}

function subscribe(ch: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

/** Resolves when `predicate` holds for an event the channel reports; collects every event in `into`. */
function waitFor<T>(into: T[], predicate: (all: T[]) => boolean): { push(v: T): void; done: Promise<void> } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    push(v: T) {
      into.push(v);
      if (predicate(into)) resolve();
    },
    done,
  };
}

const name = () => `rtperm:${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create policy "rtperm read" on realtime.messages for select to authenticated
      using (realtime.topic() like 'rtperm:%'
        and coalesce((auth.jwt() ->> case when realtime.messages.extension = 'broadcast' then 'br' else 'pr' end)::boolean, false));
    create policy "rtperm write" on realtime.messages for insert to authenticated
      with check (realtime.topic() like 'rtperm:%'
        and coalesce((auth.jwt() ->> case when realtime.messages.extension = 'broadcast' then 'bw' else 'pw' end)::boolean, false));
    -- A write policy that raises (division by zero) while rtperm_test.flaky.broken is set.
    create schema rtperm_test;
    create table rtperm_test.flaky (broken boolean not null);
    insert into rtperm_test.flaky values (true);
    grant usage on schema rtperm_test to authenticated;
    grant select on rtperm_test.flaky to authenticated;
    create policy "rtperm flaky write" on realtime.messages for insert to authenticated
      with check (realtime.topic() like 'rtperm:flaky-%' and (select 1 / (case when f.broken then 0 else 1 end) from rtperm_test.flaky f) = 1);`);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});

afterAll(async () => {
  await admin.query(`drop policy "rtperm read" on realtime.messages; drop policy "rtperm write" on realtime.messages;
    drop policy "rtperm flaky write" on realtime.messages; drop schema rtperm_test cascade;`);
  await admin.end();
});

describe('read per extension', () => {
  it('gives a channel that may read presence but not broadcast the presence and none of the broadcasts (database, client, REST)', async () => {
    const topic = name();
    const readerEvents: string[] = [];
    const reader = (await rt(await token({ pr: true }))).channel(topic, { config: { private: true, presence: { key: 'reader' } } });
    reader.on('broadcast', { event: '*' }, (m) => readerEvents.push(`broadcast:${m.event}`));
    // The barrier: the full member's track comes after it received all three broadcasts, on the same topic.
    const joined = waitFor<string>(readerEvents, (all) => all.includes('join:member'));
    reader.on('presence', { event: 'join' }, ({ key }) => joined.push(`join:${key}`));

    const memberEvents: string[] = [];
    const member = (await rt(await token({ br: true, pr: true, pw: true }))).channel(topic, { config: { private: true, presence: { key: 'member' } } });
    const all3 = waitFor<string>(memberEvents, (all) => all.length === 3);
    member.on('broadcast', { event: '*' }, (m) => all3.push(m.event));
    member.on('presence', { event: 'sync' }, () => undefined);

    const writer = (await rt(await token({ br: true, bw: true }))).channel(topic, { config: { private: true, broadcast: { ack: true } } });
    await Promise.all([subscribe(reader), subscribe(member), subscribe(writer)]);

    expect(await writer.send({ type: 'broadcast', event: 'from-client', payload: {} })).toBe('ok');
    await admin.query(`select realtime.send('{}'::jsonb, 'from-database', $1, true)`, [topic]);
    const rest = await fetch(`${stack().apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: stack().serviceRoleKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic, event: 'from-rest', payload: {}, private: true }] }),
    });
    expect(rest.status).toBe(202);
    await all3.done;
    expect(memberEvents.sort()).toEqual(['from-client', 'from-database', 'from-rest']);

    expect(await member.track({ online: true })).toBe('ok');
    await joined.done;
    expect(readerEvents).toEqual(['join:member']);
  });

  it('refuses a join that may read only presence when the join does not turn presence on', async () => {
    const topic = name();
    const ch = (await rt(await token({ pr: true }))).channel(topic, { config: { private: true } });
    await expect(subscribe(ch)).rejects.toThrow(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`);
  });
});

describe('write per extension', () => {
  it('drops a broadcast from a user who may write presence but not broadcast (no reply, no delivery), and accepts their track', async () => {
    const topic = name();
    const seen: string[] = [];
    const reader = (await rt(await token({ br: true, pr: true }))).channel(topic, { config: { private: true, presence: { key: 'reader' } } });
    reader.on('broadcast', { event: '*' }, (m) => seen.push(`broadcast:${m.event}`));
    const joined = waitFor<string>(seen, (all) => all.includes('join:writer'));
    reader.on('presence', { event: 'join' }, ({ key }) => joined.push(`join:${key}`));
    const writer = (await rt(await token({ br: true, pr: true, pw: true }))).channel(topic, {
      config: { private: true, broadcast: { ack: true }, presence: { key: 'writer' } },
    });
    writer.on('presence', { event: 'sync' }, () => undefined);
    await Promise.all([subscribe(reader), subscribe(writer)]);
    // Hosted Realtime answers a forbidden broadcast with nothing, even when an ack was asked for.
    expect(await writer.send({ type: 'broadcast', event: 'forged', payload: {} })).toBe('timed out');
    expect(await writer.track({ online: true })).toBe('ok');
    await joined.done;
    expect(seen).toEqual(['join:writer']);
  });

  it('checks a write again after a policy raised instead of keeping it as a denial', async () => {
    const ch = (await rt(await token({ br: true, pr: true }))).channel(`rtperm:flaky-${randomUUID().slice(0, 8)}`, { config: { private: true } });
    await subscribe(ch);
    expect(await ch.track({ online: true })).toBe('error');
    await admin.query('update rtperm_test.flaky set broken = false');
    expect(await ch.track({ online: true })).toBe('ok');
  });

  it('answers a track from a user who may write broadcast but not presence with an error', async () => {
    const ch = (await rt(await token({ br: true, pr: true, bw: true }))).channel(name(), { config: { private: true } });
    await subscribe(ch);
    expect(await ch.track({ online: true })).toBe('error');
  });
});

describe('token refresh', () => {
  async function joinedThenRefreshed(first: Parameters<typeof token>[0], then: Parameters<typeof token>[0]) {
    const topic = name();
    const c = await rt(await token(first));
    const ch = c.channel(topic, { config: { private: true, presence: { key: 'me' } } });
    ch.on('presence', { event: 'sync' }, () => undefined);
    const system = new Promise<{ status: string; message: string }>((resolve) => ch.on('system', {}, resolve as never));
    await subscribe(ch);
    await c.realtime.setAuth(await token(then));
    return { topic, message: await system };
  }

  it('closes a channel whose new token may read nothing with the join’s refusal', async () => {
    const { topic, message } = await joinedThenRefreshed({ br: true, pr: true }, {});
    expect(message).toMatchObject({ status: 'error', message: `You do not have permissions to read from this Channel topic: ${topic}` });
  });

  it('closes a channel whose new token lost broadcast read but kept presence read', async () => {
    const { topic, message } = await joinedThenRefreshed({ br: true, pr: true }, { pr: true });
    expect(message).toMatchObject({ status: 'error', message: `You no longer have permission to read from this Channel topic: ${topic}` });
  });

  it('closes a channel whose new token lost presence read but kept broadcast read', async () => {
    const { topic, message } = await joinedThenRefreshed({ br: true, pr: true }, { br: true });
    expect(message).toMatchObject({ status: 'error', message: `You no longer have permission to read from this Channel topic: ${topic}` });
  });
});
