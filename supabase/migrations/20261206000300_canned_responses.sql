-- Canned responses (issue 21): a company's saved replies, each under a shortcut the composer's `/` picker finds.
-- Admins write them; every member reads them. The variables ({{visitor.name}}, {{visitor.email}}, {{agent.name}},
-- {{company.name}}) are stored as typed and filled in by the dashboard before sending (app/lib/canned-variables.ts):
-- the reply that is stored is plain text like any other. Visitors never see this table.

create table public.canned_responses (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  shortcut text not null check (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  title text not null check (char_length(btrim(title)) between 1 and 80),
  body text not null check (char_length(btrim(body)) between 1 and 4000 and body !~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (company_id, shortcut)
);
comment on table public.canned_responses is 'A company''s saved replies, picked in the composer by shortcut; admins manage them, members use them.';
comment on column public.canned_responses.id is 'Canned response id.';
comment on column public.canned_responses.company_id is 'The company.';
comment on column public.canned_responses.shortcut is 'What follows `/` in the composer: lower-case letters, digits, - and _, up to 32, unique per company.';
comment on column public.canned_responses.title is 'Shown in the picker beside the shortcut.';
comment on column public.canned_responses.body is 'The reply text, with {{visitor.name}}, {{visitor.email}}, {{agent.name}}, {{company.name}} filled in when used.';
comment on column public.canned_responses.created_at is 'When it was created.';
comment on column public.canned_responses.updated_at is 'When it was last changed.';

create function private.canned_response_touch() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.canned_response_touch() is 'Stamps canned_responses.updated_at on every change.';
revoke all on function private.canned_response_touch() from public, anon, authenticated;
create trigger canned_responses_touch before update on public.canned_responses
  for each row execute function private.canned_response_touch();

alter table public.canned_responses enable row level security;
create policy "members read their company's canned responses" on public.canned_responses
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins create canned responses" on public.canned_responses
  for insert to authenticated with check (company_id in (select private.my_admin_company_ids()));
create policy "admins change canned responses" on public.canned_responses
  for update to authenticated using (company_id in (select private.my_admin_company_ids()))
  with check (company_id in (select private.my_admin_company_ids()));
create policy "admins delete canned responses" on public.canned_responses
  for delete to authenticated using (company_id in (select private.my_admin_company_ids()));

grant select, delete on public.canned_responses to authenticated;
grant insert (company_id, shortcut, title, body) on public.canned_responses to authenticated;
grant update (shortcut, title, body) on public.canned_responses to authenticated;
grant all on public.canned_responses to service_role;
