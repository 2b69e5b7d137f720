-- Verified visitors (issue 19, ADR 0013): Porchlight.identify({ userId, userHash, … }) with userHash =
-- HMAC-SHA256(userId) under the widget's identity secret. Each device stays its own anonymous auth user with its
-- own visitor row (RLS on visitors, conversations, messages and topics is unchanged); a verified person links the
-- rows of every device of one customer user, and only the widget-identify function, after checking the HMAC, may
-- link a row. The person's name and email are the verified ones on every linked row: a trigger copies them, so no
-- other writer (widget-session's name/email, an unverified identify) can change them.
--
-- Refusals (functions/_shared/db.ts maps them):
--   PLI03 identity_verification_required  the widget requires a signed identify and this one is not → 403
--   PLI09 identity_conflict               this browser is already another verified person's          → 409

alter table public.widget_configs add column require_verification boolean not null default false;
comment on column public.widget_configs.require_verification is 'When true, identify() calls without a valid userHash are refused (and change nothing).';
grant update (require_verification) on public.widget_configs to authenticated;

create table public.widget_identity_secrets (
  company_id uuid primary key references public.companies(id) on delete cascade,
  secret text not null check (secret ~ '^[0-9a-f]{64}$'),
  rotated_at timestamptz not null default now()
);
comment on table public.widget_identity_secrets is 'The key customers'' backends sign userIds with (HMAC-SHA256). Readable by the service role only; admins get it once, when they rotate it.';
comment on column public.widget_identity_secrets.company_id is 'The company (one widget per company).';
comment on column public.widget_identity_secrets.secret is '256 random bits, hex. Never readable through the API.';
comment on column public.widget_identity_secrets.rotated_at is 'When it was generated; the previous secret stops verifying at once.';
alter table public.widget_identity_secrets enable row level security;
-- No policy and no grant for anon or authenticated: only the service role (widget-identify) reads it.
revoke all on public.widget_identity_secrets from public, anon, authenticated;
grant all on public.widget_identity_secrets to service_role;

-- Admins generate (or replace) the secret; the answer is the only time anyone sees it.
create function public.rotate_widget_identity_secret(p_company_id uuid) returns text
language plpgsql volatile security definer set search_path = '' as $$
declare
  -- Two v4 uuids: 64 hex digits, 244 of their bits random from the server's CSPRNG (no extension needed).
  fresh text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
begin
  if p_company_id is null or p_company_id not in (select private.my_admin_company_ids()) then
    raise exception 'only admins rotate the identity secret' using errcode = '42501';
  end if;
  insert into public.widget_identity_secrets (company_id, secret) values (p_company_id, fresh)
  on conflict (company_id) do update set secret = excluded.secret, rotated_at = now();
  return fresh;
end;
$$;
comment on function public.rotate_widget_identity_secret(uuid) is 'Generates a new identity secret for the company and returns it (admins only; the old one stops verifying).';

create function public.widget_identity_rotated_at(p_company_id uuid) returns timestamptz
language plpgsql stable security definer set search_path = '' as $$
begin
  if p_company_id is null or p_company_id not in (select private.my_admin_company_ids()) then
    raise exception 'only admins see the identity secret''s state' using errcode = '42501';
  end if;
  return (select s.rotated_at from public.widget_identity_secrets s where s.company_id = p_company_id);
end;
$$;
comment on function public.widget_identity_rotated_at(uuid) is 'When the company''s identity secret was generated, null if never (admins only; never the secret).';
revoke all on function public.rotate_widget_identity_secret(uuid), public.widget_identity_rotated_at(uuid) from public, anon;
grant execute on function public.rotate_widget_identity_secret(uuid), public.widget_identity_rotated_at(uuid) to authenticated, service_role;

create table public.verified_visitors (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  external_id text not null check (char_length(external_id) between 1 and 255 and external_id !~ '[\x01-\x1f\x7f]'),
  name text check (char_length(name) <= 120),
  email text check (char_length(email) <= 254),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (company_id, external_id)
);
comment on table public.verified_visitors is 'A customer''s logged-in user, proven by a signed identify(); links the visitor rows of all their devices.';
comment on column public.verified_visitors.id is 'Verified person id.';
comment on column public.verified_visitors.company_id is 'The company whose secret signed the userId.';
comment on column public.verified_visitors.external_id is 'The userId the customer''s backend signed.';
comment on column public.verified_visitors.name is 'Name from the latest signed identify().';
comment on column public.verified_visitors.email is 'Email from the latest signed identify().';
comment on column public.verified_visitors.created_at is 'First signed identify().';
comment on column public.verified_visitors.updated_at is 'Last change.';
create trigger verified_visitors_touch before update on public.verified_visitors for each row execute function private.touch_updated_at();

alter table public.visitors add column verified_visitor_id uuid references public.verified_visitors(id) on delete set null;
create index visitors_verified_visitor_id_idx on public.visitors (verified_visitor_id) where verified_visitor_id is not null;
comment on column public.visitors.verified_visitor_id is 'The verified person this device''s visitor is (set only by a signed identify); null = unverified.';

create function private.my_verified_visitor_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select v.verified_visitor_id from public.visitors v where v.user_id = (select auth.uid()) and v.verified_visitor_id is not null
$$;
comment on function private.my_verified_visitor_ids() is 'Verified persons the current (anonymous) user''s visitor rows are linked to.';
revoke all on function private.my_verified_visitor_ids() from public, anon;
grant execute on function private.my_verified_visitor_ids() to authenticated, service_role;

alter table public.verified_visitors enable row level security;
create policy "members read their company's verified visitors; visitors read themselves" on public.verified_visitors
  for select to authenticated using (company_id in (select private.my_company_ids()) or id in (select private.my_verified_visitor_ids()));
grant select on public.verified_visitors to authenticated;
grant all on public.verified_visitors to service_role;

-- A linked row's name and email are the verified person's, whoever writes the row.
create function private.visitor_keeps_verified_identity() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  person public.verified_visitors;
begin
  if new.verified_visitor_id is null then
    return new;
  end if;
  select * into person from public.verified_visitors where id = new.verified_visitor_id;
  new.name := coalesce(person.name, case when tg_op = 'UPDATE' then old.name end);
  new.email := coalesce(person.email, case when tg_op = 'UPDATE' then old.email end);
  return new;
end;
$$;
comment on function private.visitor_keeps_verified_identity() is 'Trigger: a visitor row linked to a verified person carries that person''s name and email, never another writer''s.';
-- Only for linked rows and writes that name them: a message's last_seen_at touch costs no call (tests/db/send-cost).
create trigger visitors_keep_verified_identity before insert or update of name, email, verified_visitor_id on public.visitors
  for each row when (new.verified_visitor_id is not null) execute function private.visitor_keeps_verified_identity();

create function private.verified_identity_to_visitors() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.visitors set name = new.name, email = new.email where verified_visitor_id = new.id;
  return null;
end;
$$;
comment on function private.verified_identity_to_visitors() is 'Trigger: a signed identify''s new name or email reaches every device''s visitor row of the person.';
create trigger verified_visitors_to_visitors after update of name, email on public.verified_visitors
  for each row execute function private.verified_identity_to_visitors();
revoke all on function private.visitor_keeps_verified_identity(), private.verified_identity_to_visitors() from public, anon, authenticated;
