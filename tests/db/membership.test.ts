// Membership only with consent (invitations) and "a company keeps an admin", attacked through REST with real
// tokens of users signed in through the stand-in's Auth, checked afterwards as the superuser.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCompany } from '../support/factories.ts';
import { client, db, serviceClient, uniqueEmail } from '../support/stack.ts';

const PASSWORD = 'membership-test-1';
let c: pg.Client;

beforeAll(async () => {
  c = await db();
});
afterAll(async () => {
  await c.end();
});

/** A confirmed login created by the auth admin API, and a supabase-js client signed in as it. */
async function login(prefix: string): Promise<{ id: string; email: string; sb: ReturnType<typeof client> }> {
  const email = uniqueEmail(prefix);
  const { data, error } = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
  if (error || !data.user) throw new Error(`createUser: ${error?.message}`);
  const sb = client();
  const signedIn = await sb.auth.signInWithPassword({ email, password: PASSWORD });
  if (signedIn.error) throw new Error(`sign in: ${signedIn.error.message}`);
  return { id: data.user.id, email, sb };
}

async function company(members: { id: string; role: 'admin' | 'agent' }[]): Promise<string> {
  const { companyId } = await createCompany(c, { name: 'Membership test', widget: false });
  for (const m of members) await addMember(c, companyId, m.id, m.role, 'Member');
  return companyId;
}

async function memberships(companyId: string): Promise<{ user_id: string; role: string }[]> {
  const { rows } = await c.query('select user_id, role from public.company_members where company_id = $1 order by user_id', [companyId]);
  return rows;
}

describe('joining a company needs the invitee’s consent', () => {
  it('refuses an admin inserting another company’s agent into their company through REST, and nothing changes', async () => {
    const admin = await login('admin-x');
    const other = await login('agent-y');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    const y = await company([{ id: other.id, role: 'agent' }]);
    const { error } = await admin.sb.from('company_members').insert({ company_id: x, user_id: other.id, role: 'agent', display_name: 'Grabbed' });
    expect(error?.code).toBe('42501');
    expect(await memberships(x)).toEqual([{ user_id: admin.id, role: 'admin' }]);
    expect(await memberships(y)).toEqual([{ user_id: other.id, role: 'agent' }]);
  });

  it('lets an admin invite to their own company only, and the invitee accept it once (a retry is a no-op)', async () => {
    const admin = await login('admin-inv');
    const outsider = await login('admin-outsider');
    const invitee = await login('invitee');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    await company([{ id: outsider.id, role: 'admin' }]);
    const forged = await outsider.sb.from('company_invitations').insert({ company_id: x, email: outsider.email, role: 'admin', display_name: 'Me' });
    expect(forged.error?.code).toBe('42501');

    const made = await admin.sb.from('company_invitations').insert({ company_id: x, email: invitee.email, role: 'agent', display_name: 'New' }).select('id').single();
    expect(made.error).toBeNull();
    const seen = await invitee.sb.rpc('my_invitations');
    expect(seen.data).toEqual([expect.objectContaining({ id: made.data!.id, company_id: x, company_name: 'Membership test', role: 'agent' })]);
    const first = await invitee.sb.rpc('accept_invitation', { p_invitation_id: made.data!.id });
    expect(first.error).toBeNull();
    expect(first.data).toBe(x);
    const retry = await invitee.sb.rpc('accept_invitation', { p_invitation_id: made.data!.id });
    expect(retry.error).toBeNull();
    expect(await memberships(x)).toEqual(
      [
        { user_id: admin.id, role: 'admin' },
        { user_id: invitee.id, role: 'agent' },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });

  it('refuses an invitation addressed to another email, an expired one and one already used', async () => {
    const admin = await login('admin-refuse');
    const invitee = await login('invitee-a');
    const stranger = await login('stranger');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    const invite = async (email: string, expired = false) => {
      const { rows } = await c.query(
        `insert into public.company_invitations (company_id, email, display_name, invited_by, created_at, expires_at)
         values ($1, $2, 'Inv', $3, now() - interval '8 days', case when $4 then now() - interval '1 day' else now() + interval '1 day' end) returning id`,
        [x, email, admin.id, expired],
      );
      return rows[0].id as string;
    };

    const forInvitee = await invite(invitee.email);
    const wrong = await stranger.sb.rpc('accept_invitation', { p_invitation_id: forInvitee });
    expect(wrong.error).toMatchObject({ hint: 'invitation_not_found' });
    expect((await stranger.sb.from('company_invitations').select('id').eq('id', forInvitee)).data).toEqual([]);

    const expired = await invite(stranger.email, true);
    const late = await stranger.sb.rpc('accept_invitation', { p_invitation_id: expired });
    expect(late.error).toMatchObject({ hint: 'invitation_expired' });

    await c.query(`update public.company_invitations set accepted_at = now(), accepted_by = $2 where id = $1`, [forInvitee, invitee.id]);
    const usedStranger = await invite(invitee.email);
    // Accepted by the invitee, then readdressed to the stranger: a used invitation the stranger would match.
    await c.query(`update public.company_invitations set accepted_at = now(), accepted_by = $2, email = $3 where id = $1`, [usedStranger, invitee.id, stranger.email]);
    const reused = await stranger.sb.rpc('accept_invitation', { p_invitation_id: usedStranger });
    expect(reused.error).toMatchObject({ hint: 'invitation_used' });

    expect(await memberships(x)).toEqual([{ user_id: admin.id, role: 'admin' }]);
  });

  it('matches invitations only against a verified email: an unconfirmed account with the address sees and accepts nothing', async () => {
    const admin = await login('admin-unverified');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    const squatter = await login('squatter');
    await c.query('update auth.users set email_confirmed_at = null where id = $1', [squatter.id]);
    const { rows } = await c.query(`insert into public.company_invitations (company_id, email, display_name, invited_by) values ($1, $2, 'S', $3) returning id`, [
      x,
      squatter.email,
      admin.id,
    ]);
    expect((await squatter.sb.rpc('my_invitations')).data).toEqual([]);
    const res = await squatter.sb.rpc('accept_invitation', { p_invitation_id: rows[0].id });
    expect(res.error).toMatchObject({ hint: 'invitation_not_found' });
    expect(await memberships(x)).toEqual([{ user_id: admin.id, role: 'admin' }]);
  });

  it('refuses a password session of an address registered before the invitation and confirmed only by its link', async () => {
    const admin = await login('admin-squat');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    // Someone registers the future agent's address in advance (unconfirmed: confirmations are on).
    const email = uniqueEmail('pre-registered');
    const made = await serviceClient().auth.admin.createUser({ email, password: PASSWORD });
    expect(made.error).toBeNull();
    const { rows } = await c.query(`insert into public.company_invitations (company_id, email, display_name, invited_by) values ($1, $2, 'P', $3) returning id`, [
      x,
      email,
      admin.id,
    ]);
    // The real owner opens the invite link: the address is confirmed now. The squatter signs in with their password.
    await c.query('update auth.users set email_confirmed_at = now() where id = $1', [made.data.user!.id]);
    const squatter = client();
    expect((await squatter.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    const res = await squatter.rpc('accept_invitation', { p_invitation_id: rows[0].id });
    expect(res.error).toMatchObject({ hint: 'invitation_link_required' });
    expect(await memberships(x)).toEqual([{ user_id: admin.id, role: 'admin' }]);
  });
});

describe('a company keeps at least one admin', () => {
  it('refuses the only admin demoting themselves through REST, and they stay admin', async () => {
    const admin = await login('only-admin');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    const { error } = await admin.sb.from('company_members').update({ role: 'agent' }).eq('company_id', x).eq('user_id', admin.id);
    expect(error).toMatchObject({ code: '23514', hint: 'last_admin' });
    const removed = await admin.sb.from('company_members').delete().eq('company_id', x).eq('user_id', admin.id);
    expect(removed.error).toMatchObject({ code: '23514', hint: 'last_admin' });
    expect(await memberships(x)).toEqual([{ user_id: admin.id, role: 'admin' }]);
  });

  it('lets exactly one of two admins demoting each other at the same moment succeed', async () => {
    const a = await login('admin-a');
    const b = await login('admin-b');
    const x = await company([
      { id: a.id, role: 'admin' },
      { id: b.id, role: 'admin' },
    ]);
    // Hold the company row so both REST updates are in flight before either can finish.
    const holder = await db();
    await holder.query('begin');
    await holder.query('select 1 from public.companies where id = $1 for update', [x]);
    const demoteB = a.sb.from('company_members').update({ role: 'agent' }).eq('company_id', x).eq('user_id', b.id).select('user_id');
    const demoteA = b.sb.from('company_members').update({ role: 'agent' }).eq('company_id', x).eq('user_id', a.id).select('user_id');
    const both = Promise.all([demoteB, demoteA]);
    // Both updates have written their row and wait for the company lock in the trigger.
    const watcher = await db('supabase_admin');
    for (;;) {
      const { rows } = await watcher.query(
        `select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query ilike '%company_members%' and cardinality(pg_blocking_pids(pid)) > 0`,
      );
      if (rows[0].n >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await watcher.end();
    await holder.query('commit');
    await holder.end();
    const results = await both;
    const ok = results.filter((r) => !r.error && r.data?.length === 1);
    const refused = results.filter((r) => r.error);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toMatchObject({ code: '23514', hint: 'last_admin' });
    const rows = await memberships(x);
    expect(rows.filter((r) => r.role === 'admin')).toHaveLength(1);
  });

  it('still deletes a whole company with its only admin', async () => {
    const admin = await login('deleted-company-admin');
    const x = await company([{ id: admin.id, role: 'admin' }]);
    await c.query('delete from public.companies where id = $1', [x]);
    expect(await memberships(x)).toEqual([]);
  });
});
