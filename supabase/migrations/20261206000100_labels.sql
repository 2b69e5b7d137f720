-- Labels (issue 21): a company's admin-defined, coloured labels, put on conversations by its agents.
--
--   * public.labels: per company, a name (unique per company, case-insensitive) and a colour (#rrggbb). Members
--     read them; admins create, rename, recolour and delete them.
--   * public.conversation_labels: which labels a conversation carries (many-to-many). Members of the
--     conversation's company add and remove them; the company comes from the conversation, and a label of another
--     company is refused, whatever the writer sent.
--   * Visitors never see either table (no policy admits them): labels are the team's own words.
--   * Live for the other agents: every change is announced on the company's keyed topic from the database
--     (realtime.send, like the other company events; ADR 0002), as a signal the dashboard applies in place:
--       label.changed           {id, name, color, deleted}
--       conversation.labeled    {conversation_id, label_id, added}
--   * The inbox's label filter walks conversation_labels by (label_id, conversation_id) and joins the inbox
--     order through the primary key (tests/db/inbox-queries-use-their-indexes.test.ts).

create table public.labels (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 40 and name = btrim(name)),
  color text not null check (color ~ '^#[0-9a-f]{6}$'),
  created_at timestamptz not null default now()
);
create unique index labels_company_name_idx on public.labels (company_id, lower(name));
comment on table public.labels is 'A company''s labels for conversations, defined by its admins.';
comment on column public.labels.id is 'Label id.';
comment on column public.labels.company_id is 'The company whose label it is.';
comment on column public.labels.name is 'Shown on the chip; 1 to 40 characters, unique per company ignoring case.';
comment on column public.labels.color is 'Chip background, #rrggbb in lower case (the dashboard picks black or white text for contrast).';
comment on column public.labels.created_at is 'When it was created.';

create table public.conversation_labels (
  conversation_id uuid not null references public.conversations(id) on delete cascade,
  label_id uuid not null references public.labels(id) on delete cascade,
  company_id uuid not null references public.companies(id) on delete cascade,
  added_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (conversation_id, label_id)
);
-- The inbox's label filter: a label's conversations.
create index conversation_labels_label_idx on public.conversation_labels (label_id, conversation_id);
create index conversation_labels_company_idx on public.conversation_labels (company_id);
comment on table public.conversation_labels is 'The labels a conversation carries (added and removed by its company''s agents).';
comment on column public.conversation_labels.conversation_id is 'The conversation.';
comment on column public.conversation_labels.label_id is 'The label (of the conversation''s company).';
comment on column public.conversation_labels.company_id is 'Copied from the conversation on insert (for RLS).';
comment on column public.conversation_labels.added_by is 'The agent who added it (null when written by the service role).';
comment on column public.conversation_labels.created_at is 'When it was added.';

-- The company from the conversation, the label checked against it, the writer as the author.
create function private.conversation_label_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  select c.company_id into new.company_id from public.conversations c where c.id = new.conversation_id;
  if new.company_id is null then
    raise exception 'conversation % does not exist', new.conversation_id using errcode = '23503';
  end if;
  if not exists (select 1 from public.labels l where l.id = new.label_id and l.company_id = new.company_id) then
    raise exception 'the label belongs to another company' using errcode = '23514';
  end if;
  new.added_by := coalesce((select auth.uid()), new.added_by);
  return new;
end;
$$;
comment on function private.conversation_label_before_insert() is
  'Before a label is put on a conversation: takes the company from the conversation, refuses a label of another company, records the writer.';
create trigger conversation_labels_before_insert before insert on public.conversation_labels
  for each row execute function private.conversation_label_before_insert();

create function private.label_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  l public.labels := case when tg_op = 'DELETE' then old else new end;
begin
  perform realtime.send(jsonb_build_object('id', l.id, 'name', l.name, 'color', l.color, 'deleted', tg_op = 'DELETE'),
    'label.changed', private.company_topic(l.company_id), true);
  return null;
end;
$$;
comment on function private.label_after_change() is 'label.changed on the company topic after a label is created, changed or deleted.';
create trigger labels_after_change after insert or update or delete on public.labels
  for each row execute function private.label_after_change();

create function private.conversation_label_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  r public.conversation_labels := case when tg_op = 'DELETE' then old else new end;
  topic text := private.company_topic(r.company_id);
begin
  if topic is not null then -- null while the company itself is being deleted
    perform realtime.send(jsonb_build_object('conversation_id', r.conversation_id, 'label_id', r.label_id, 'added', tg_op = 'INSERT'),
      'conversation.labeled', topic, true);
  end if;
  return null;
end;
$$;
comment on function private.conversation_label_after_change() is 'conversation.labeled on the company topic after a label is added to or removed from a conversation.';
create trigger conversation_labels_after_change after insert or delete on public.conversation_labels
  for each row execute function private.conversation_label_after_change();

revoke all on function private.conversation_label_before_insert(), private.label_after_change(), private.conversation_label_after_change()
  from public, anon, authenticated;

alter table public.labels enable row level security;
alter table public.conversation_labels enable row level security;

create policy "members read their company's labels" on public.labels
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins create labels" on public.labels
  for insert to authenticated with check (company_id in (select private.my_admin_company_ids()));
create policy "admins change labels" on public.labels
  for update to authenticated using (company_id in (select private.my_admin_company_ids()))
  with check (company_id in (select private.my_admin_company_ids()));
create policy "admins delete labels" on public.labels
  for delete to authenticated using (company_id in (select private.my_admin_company_ids()));

create policy "members read their company's conversation labels" on public.conversation_labels
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "members label their company's conversations" on public.conversation_labels
  for insert to authenticated with check (company_id in (select private.my_company_ids()));
create policy "members unlabel their company's conversations" on public.conversation_labels
  for delete to authenticated using (company_id in (select private.my_company_ids()));

grant select, delete on public.labels, public.conversation_labels to authenticated;
grant insert (company_id, name, color) on public.labels to authenticated;
grant update (name, color) on public.labels to authenticated;
grant insert (conversation_id, label_id) on public.conversation_labels to authenticated;
grant all on public.labels, public.conversation_labels to service_role;
