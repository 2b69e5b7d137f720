-- Tenancy: companies (workspaces) and their members, plus the membership helpers every policy uses.
-- Helpers live in schema `private`, which the API does not expose; they are `stable security definer`
-- with an empty search_path so policies can call them without recursion through RLS.

create type public.member_role as enum ('admin', 'agent');
comment on type public.member_role is 'What a company member may do: admins also manage the widget and the team.';

create table public.companies (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 120),
  enabled boolean not null default true,
  created_at timestamptz not null default now()
);
comment on table public.companies is 'A workspace: one business using Porchlight, with its own widget, team and conversations.';
comment on column public.companies.id is 'Company id.';
comment on column public.companies.name is 'Name shown to agents and in the widget.';
comment on column public.companies.enabled is 'When false the widget refuses new sessions and messages (e.g. a suspended account).';
comment on column public.companies.created_at is 'When the company was created.';

create table public.company_members (
  company_id uuid not null references public.companies(id) on delete cascade,
  user_id uuid not null references auth.users(id) on delete cascade,
  role public.member_role not null default 'agent',
  display_name text not null check (char_length(display_name) between 1 and 80),
  created_at timestamptz not null default now(),
  primary key (company_id, user_id)
);
create index company_members_user_id_idx on public.company_members (user_id);
comment on table public.company_members is 'Who works in which company, and as what. A user may belong to several companies.';
comment on column public.company_members.company_id is 'The company.';
comment on column public.company_members.user_id is 'The agent''s or admin''s auth user.';
comment on column public.company_members.role is 'admin or agent.';
comment on column public.company_members.display_name is 'Name visitors see on replies.';
comment on column public.company_members.created_at is 'When the member was added.';

create schema if not exists private;
comment on schema private is 'Helpers for row-level security; not exposed through the API.';
grant usage on schema private to authenticated, service_role;

create function private.my_company_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.company_id from public.company_members m where m.user_id = (select auth.uid())
$$;
comment on function private.my_company_ids() is 'Companies the current user is a member of.';

create function private.my_admin_company_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select m.company_id from public.company_members m where m.user_id = (select auth.uid()) and m.role = 'admin'
$$;
comment on function private.my_admin_company_ids() is 'Companies the current user administers.';

create function private.is_company_member(p_company_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.company_members m where m.company_id = p_company_id and m.user_id = (select auth.uid()))
$$;
comment on function private.is_company_member(uuid) is 'Whether the current user belongs to the company.';

create function private.is_company_admin(p_company_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.company_members m
    where m.company_id = p_company_id and m.user_id = (select auth.uid()) and m.role = 'admin')
$$;
comment on function private.is_company_admin(uuid) is 'Whether the current user is an admin of the company.';

revoke all on function private.my_company_ids(), private.my_admin_company_ids(), private.is_company_member(uuid), private.is_company_admin(uuid) from public, anon;
grant execute on function private.my_company_ids(), private.my_admin_company_ids(), private.is_company_member(uuid), private.is_company_admin(uuid) to authenticated, service_role;

alter table public.companies enable row level security;
alter table public.company_members enable row level security;

create policy "members read their companies" on public.companies
  for select to authenticated using (id in (select private.my_company_ids()));
create policy "admins rename their companies" on public.companies
  for update to authenticated using (id in (select private.my_admin_company_ids())) with check (id in (select private.my_admin_company_ids()));

create policy "members see their teammates" on public.company_members
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins add members" on public.company_members
  for insert to authenticated with check (company_id in (select private.my_admin_company_ids()));
create policy "admins change members" on public.company_members
  for update to authenticated using (company_id in (select private.my_admin_company_ids())) with check (company_id in (select private.my_admin_company_ids()));
create policy "admins remove members" on public.company_members
  for delete to authenticated using (company_id in (select private.my_admin_company_ids()));

grant select on public.companies to authenticated;
grant update (name) on public.companies to authenticated;
grant select, insert, delete on public.company_members to authenticated;
grant update (role, display_name) on public.company_members to authenticated;
grant all on public.companies, public.company_members to service_role;
