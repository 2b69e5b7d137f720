// Conformance: embedding as PostgREST resolves it, driven by postgrest-js — many-to-many through a junction table,
// self-references, and empty embeds that only filter (issue 17).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db } from '../../tests/support/stack.ts';

let admin: pg.Client;

beforeAll(async () => {
  admin = await db();
  await admin.query(`
    create table public.emb_conversations (id int primary key, title text not null);
    create table public.emb_labels (id int primary key, name text not null);
    create table public.emb_conversation_labels (
      conversation_id int references public.emb_conversations(id), label_id int references public.emb_labels(id),
      primary key (conversation_id, label_id));
    create table public.emb_staff (id int primary key, name text not null, manager_id int references public.emb_staff(id));
    create table public.emb_users (id int primary key, name text not null);
    create table public.emb_notes (id int primary key, body text not null, user_id int references public.emb_users(id));
    create view public.emb_notes_view as select id, body, user_id from public.emb_notes;
    create view public.emb_users_view as select id, name from public.emb_users;
    grant select on public.emb_notes_view, public.emb_users_view to anon;
    grant select on public.emb_conversations, public.emb_labels, public.emb_conversation_labels, public.emb_staff,
      public.emb_users, public.emb_notes to anon;
    insert into public.emb_conversations values (1, 'Billing'), (2, 'Login'), (3, 'Quiet');
    insert into public.emb_labels values (10, 'urgent'), (11, 'vip'), (12, 'unused');
    insert into public.emb_conversation_labels values (1, 10), (1, 11), (2, 11);
    insert into public.emb_staff values (1, 'Boss', null), (2, 'Ana', 1), (3, 'Ben', 1);
    insert into public.emb_users values (1, 'Ada');
    insert into public.emb_notes values (1, 'signed', 1), (2, 'anonymous', null);
    notify pgrst, 'reload schema';
  `);
});

afterAll(async () => {
  await admin.query(`drop view public.emb_notes_view, public.emb_users_view;
    drop table public.emb_conversation_labels, public.emb_conversations, public.emb_labels, public.emb_staff,
    public.emb_notes, public.emb_users`);
  await admin.end();
});

describe('embedding', () => {
  it('embeds many-to-many through a junction table', async () => {
    const { data, error } = await client().from('emb_conversations').select('title, emb_labels(name)').order('id').order('id', { referencedTable: 'emb_labels' });
    expect(error).toBeNull();
    expect(data).toEqual([
      { title: 'Billing', emb_labels: [{ name: 'urgent' }, { name: 'vip' }] },
      { title: 'Login', emb_labels: [{ name: 'vip' }] },
      { title: 'Quiet', emb_labels: [] },
    ]);
    const back = await client().from('emb_labels').select('name, emb_conversations!emb_conversation_labels!inner(title)').eq('id', 11).single();
    expect(back.error).toBeNull();
    expect(back.data).toEqual({ name: 'vip', emb_conversations: [{ title: 'Billing' }, { title: 'Login' }] });
  });

  it('filters parents by a many-to-many embed with !inner', async () => {
    const { data, error } = await client().from('emb_conversations').select('title, emb_labels!inner(name)').eq('emb_labels.name', 'urgent');
    expect(error).toBeNull();
    expect(data).toEqual([{ title: 'Billing', emb_labels: [{ name: 'urgent' }] }]);
  });

  it('resolves a self-reference: the table name gives the children, the FK column the parent', async () => {
    const boss = await client().from('emb_staff').select('name, emb_staff(name)').eq('id', 1).single();
    expect(boss.error).toBeNull();
    expect(boss.data).toEqual({ name: 'Boss', emb_staff: [{ name: 'Ana' }, { name: 'Ben' }] });
    const ana = await client().from('emb_staff').select('name, manager:manager_id(name), reports:emb_staff!manager_id(name)').eq('id', 2).single();
    expect(ana.error).toBeNull();
    expect(ana.data).toEqual({ name: 'Ana', manager: { name: 'Boss' }, reports: [] });
  });

  it('leaves an empty embed out of the reply, and filters with an empty !inner embed', async () => {
    const all = await client().from('emb_notes').select('body, emb_users()').order('id');
    expect(all.error).toBeNull();
    expect(all.data).toEqual([{ body: 'signed' }, { body: 'anonymous' }]);
    const signed = await client().from('emb_notes').select('body, emb_users!inner()');
    expect(signed.error).toBeNull();
    expect(signed.data).toEqual([{ body: 'signed' }]);
  });

  it('embeds through views as through the tables they show', async () => {
    const toOne = await client().from('emb_notes_view').select('body, emb_users(name)').eq('id', 1).single();
    expect(toOne.error).toBeNull();
    expect(toOne.data).toEqual({ body: 'signed', emb_users: { name: 'Ada' } });
    const toMany = await client().from('emb_users').select('name, emb_notes_view(body)');
    expect(toMany.error).toBeNull();
    expect(toMany.data).toEqual([{ name: 'Ada', emb_notes_view: [{ body: 'signed' }] }]);
    const viewToView = await client().from('emb_users_view').select('name, emb_notes_view(body)');
    expect(viewToView.error).toBeNull();
    expect(viewToView.data).toEqual([{ name: 'Ada', emb_notes_view: [{ body: 'signed' }] }]);
  });
});
