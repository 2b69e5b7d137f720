// API privileges and server-set author names (issue 14, findings 9 and 11), through the real doors: REST with
// real tokens, and the migration's own grant block replayed on a database whose defaults granted ALL.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createAuthUser, createCompany, createConversation } from '../support/factories.ts';
import { client, db, serviceClient, uniqueEmail } from '../support/stack.ts';
import { becomeActor, createWorld, type World } from './fixtures.ts';

const MIGRATION = 'supabase/migrations/20261202000200_author_names_and_privileges.sql';
const TABLES = ['companies', 'company_members', 'widget_configs', 'visitors', 'conversations', 'messages', 'widget_rate_limit_hits'];
const PASSWORD = 'privileges-test-pw';
let admin: pg.Client;
let w: World;

beforeAll(async () => {
  admin = await db();
  w = await createWorld(admin);
});
afterAll(async () => {
  await admin.end();
});

/** A member of a company of the test's own, signed in through Auth (a real access token for REST). */
async function member(companyId: string, role: 'admin' | 'agent', displayName: string) {
  const email = uniqueEmail(`priv-${role}`);
  const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
  expect(created.error).toBeNull();
  await addMember(admin, companyId, created.data.user!.id, role, displayName);
  const c = client();
  const signedIn = await c.auth.signInWithPassword({ email, password: PASSWORD });
  expect(signedIn.error).toBeNull();
  return { c, id: created.data.user!.id };
}

/** A company of the test's own with a widget, a visitor and an open conversation. */
async function company(enabled = true) {
  const key = `pk_priv_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const { companyId: id } = await createCompany(admin, { name: 'Umbrella', enabled, widgetKey: key });
  const visitorUser = await createAuthUser(admin, { anonymous: true });
  const { conversationId: conversation } = await createConversation(admin, { companyId: id, userId: visitorUser, name: 'Vic Visitor' });
  return { id, key, visitorUser, conversation };
}

describe('author names are set by the database', () => {
  it('refuses an agent reply that names its own author, and shows every reply under the agent\'s display name', async () => {
    const co = await company();
    await member(co.id, 'admin', 'Ada Admin');
    const agent = await member(co.id, 'agent', 'Sam Agent');
    const forged = randomUUID();
    const refused = await agent.c.from('messages').insert({ id: forged, conversation_id: co.conversation, sender_kind: 'agent', author_id: agent.id, author_name: 'Ada Admin', body: 'as the admin' });
    expect(refused.error?.code).toBe('42501');
    expect((await admin.query('select count(*)::int as n from public.messages where id = $1', [forged])).rows[0].n).toBe(0);

    const id = randomUUID();
    const ok = await agent.c.from('messages').insert({ id, conversation_id: co.conversation, sender_kind: 'agent', author_id: agent.id, body: 'hello' });
    expect(ok.error).toBeNull();
    expect((await admin.query('select author_name from public.messages where id = $1', [id])).rows).toEqual([{ author_name: 'Sam Agent' }]);
  });

  it('names a visitor message after the visitor and a member\'s agent message after the member, whatever the service role wrote', async () => {
    const co = await company();
    const agent = await member(co.id, 'agent', 'Sam Agent');
    const visitorMsg = randomUUID();
    const agentMsg = randomUUID();
    const botMsg = randomUUID();
    const { error } = await serviceClient()
      .from('messages')
      .insert([
        { id: visitorMsg, conversation_id: co.conversation, sender_kind: 'visitor', author_id: co.visitorUser, author_name: 'Sam Agent', body: 'a' },
        { id: agentMsg, conversation_id: co.conversation, sender_kind: 'agent', author_id: agent.id, author_name: 'Someone Else', body: 'b' },
        { id: botMsg, conversation_id: co.conversation, sender_kind: 'bot', author_name: 'Porchlight bot', body: 'c' },
      ]);
    expect(error).toBeNull();
    const { rows } = await admin.query('select id, author_name from public.messages where conversation_id = $1', [co.conversation]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.author_name]))).toEqual({ [visitorMsg]: 'Vic Visitor', [agentMsg]: 'Sam Agent', [botMsg]: 'Porchlight bot' });
  });
});

describe('operator-only columns', () => {
  it('refuses an admin lifting their own suspension through REST even with a table-wide update grant, and changes nothing', async () => {
    const co = await company(false);
    const boss = await member(co.id, 'admin', 'Ada Admin');
    // What older hosted projects' defaults amount to: update on every column for authenticated.
    const granted = (
      await admin.query(`select column_name from information_schema.column_privileges
                          where table_schema = 'public' and table_name = 'companies' and grantee = 'authenticated' and privilege_type = 'UPDATE'`)
    ).rows.map((r) => r.column_name as string);
    await admin.query('grant update on public.companies to authenticated');
    try {
      const lift = await boss.c.from('companies').update({ enabled: true }).eq('id', co.id).select();
      expect(lift.error?.code).toBe('42501');
      const move = await boss.c.from('companies').update({ id: randomUUID() }).eq('id', co.id).select();
      expect(move.error?.code).toBe('42501');
      // What admins may change still works.
      const rename = await boss.c.from('companies').update({ name: 'Umbrella Corp' }).eq('id', co.id).select('name');
      expect(rename.error).toBeNull();
      expect(rename.data).toEqual([{ name: 'Umbrella Corp' }]);
    } finally {
      await admin.query('revoke update on public.companies from authenticated');
      if (granted.length) await admin.query(`grant update (${granted.map((c) => `"${c}"`).join(', ')}) on public.companies to authenticated`);
    }
    expect((await admin.query('select enabled from public.companies where id = $1', [co.id])).rows).toEqual([{ enabled: false }]);
  });

  it('refuses an admin changing a widget key or moving a widget or a membership to another company, whatever the grants', async () => {
    const targets: [string, string, unknown[]][] = [
      ['update public.widget_configs set widget_key = $2 where company_id = $1', 'widget_configs', [w.companyX, 'pk_stolen_key_123']],
      ['update public.widget_configs set company_id = $2 where company_id = $1', 'widget_configs', [w.companyX, w.companyZ]],
      ['update public.company_members set company_id = $2 where company_id = $1 and user_id = $3', 'company_members', [w.companyX, w.companyZ, w.users.agentX]],
    ];
    for (const [sql, table, params] of targets) {
      await admin.query('begin');
      try {
        await admin.query(`grant all on public.${table} to authenticated`);
        // An admin of companyX who is also an admin of companyZ, so RLS alone would let the row move.
        await admin.query(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'admin', 'Admin X') on conflict do nothing`, [
          w.companyZ,
          w.users.adminX,
        ]);
        await becomeActor(admin, w, 'adminX');
        await expect(admin.query(sql, params)).rejects.toMatchObject({ code: '42501' });
      } finally {
        await admin.query('rollback');
      }
    }
    expect((await admin.query('select widget_key from public.widget_configs where company_id = $1', [w.companyX])).rows[0].widget_key).not.toBe('pk_stolen_key_123');
  });
});

/** Every privilege anon and authenticated hold on the product's tables, as 'role table privilege[(column)]' lines. */
async function privileges(c: pg.Client): Promise<string[]> {
  const { rows } = await c.query(
    `select r.role || ' ' || t.t || ' ' || p.p as line
       from unnest(array['anon', 'authenticated']) r(role), unnest($1::text[]) t(t),
            unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(p)
      where has_table_privilege(r.role, 'public.' || t.t, p.p)
     union all
     select r.role || ' ' || a.attrelid::regclass::text || ' ' || p.p || '(' || a.attname || ')'
       from unnest(array['anon', 'authenticated']) r(role), pg_attribute a, unnest(array['INSERT', 'UPDATE']) p(p)
      where a.attrelid = any (select ('public.' || x)::regclass from unnest($1::text[]) x) and a.attnum > 0 and not a.attisdropped
        and not has_table_privilege(r.role, a.attrelid, p.p) and has_column_privilege(r.role, a.attrelid, a.attnum, p.p)
     order by 1`,
    [TABLES],
  );
  return rows.map((r) => r.line.replace('public.', ''));
}

describe('API privileges are exactly what the migrations grant', () => {
  it('leaves only the intended grants after the migration, even where the defaults had granted ALL', async () => {
    const sql = await readFile(MIGRATION, 'utf8');
    const block = /-- begin: api grants[^\n]*\n([\s\S]*?)-- end: api grants/.exec(sql)?.[1];
    expect(block).toBeTruthy();
    await admin.query('begin');
    try {
      await admin.query(`grant all on ${TABLES.map((t) => `public.${t}`).join(', ')} to anon, authenticated`);
      await admin.query(block!);
      expect(await privileges(admin)).toEqual(
        [
          'authenticated companies SELECT',
          'authenticated companies UPDATE(name)',
          'authenticated company_members DELETE',
          'authenticated company_members INSERT',
          'authenticated company_members SELECT',
          'authenticated company_members UPDATE(display_name)',
          'authenticated company_members UPDATE(role)',
          'authenticated conversations SELECT',
          'authenticated conversations UPDATE(agent_last_read_message_id)',
          'authenticated conversations UPDATE(assignee_id)',
          'authenticated conversations UPDATE(auto_bot)',
          'authenticated conversations UPDATE(status)',
          'authenticated conversations UPDATE(unread_count)',
          'authenticated messages INSERT(author_id)',
          'authenticated messages INSERT(body)',
          'authenticated messages INSERT(conversation_id)',
          'authenticated messages INSERT(id)',
          'authenticated messages INSERT(sender_kind)',
          'authenticated messages SELECT',
          'authenticated visitors SELECT',
          'authenticated widget_configs SELECT',
          ...['accent_color', 'allowed_origins', 'auto_open_after_seconds', 'enabled', 'greeting', 'launcher_label', 'locale', 'position', 'prechat_email', 'prechat_name', 'prechat_phone', 'primary_color', 'title'].map(
            (c) => `authenticated widget_configs UPDATE(${c})`,
          ),
        ].sort(),
      );
    } finally {
      await admin.query('rollback');
    }
  });

  it('gives the API roles no way around RLS or the column grants on the migrated database', async () => {
    const lines = await privileges(admin);
    expect(lines.filter((l) => l.startsWith('anon '))).toEqual([]);
    expect(lines.filter((l) => / (TRUNCATE|REFERENCES|TRIGGER)/.test(l))).toEqual([]);
    for (const forbidden of ['companies UPDATE', 'companies UPDATE(enabled)', 'messages INSERT(author_name)', 'messages INSERT', 'widget_configs UPDATE(widget_key)', 'widget_rate_limit_hits SELECT']) {
      expect(lines).not.toContain(`authenticated ${forbidden}`);
    }
    // Tables created after this migration start with nothing for the API roles, whatever the project's defaults.
    await admin.query('begin');
    try {
      await admin.query('create table public.privileges_probe (id int)');
      expect((await admin.query(`select has_table_privilege('authenticated', 'public.privileges_probe', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE') as any`)).rows[0].any).toBe(false);
    } finally {
      await admin.query('rollback');
    }
  });
});
