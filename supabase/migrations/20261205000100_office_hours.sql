-- Office hours and away mode per company (issue 19, ADR 0012). One row per company; no row = always open.
-- Whether a company is open at an instant is computed in ONE place, public.office_hours_open_at: the widget's
-- config function and the dashboard's preview both call it, so the two can never disagree.

create type public.away_mode as enum ('message', 'form');
comment on type public.away_mode is 'What the widget shows while away: the away message with the chat still taking messages, or a contact form only.';

-- A zone Postgres knows (a check may only call an immutable function; zone names change only with tzdata).
create function private.is_time_zone(p_zone text) returns boolean
language plpgsql immutable set search_path = '' as $$
begin
  if p_zone is null or p_zone = '' or char_length(p_zone) > 64 then
    return false;
  end if;
  perform now() at time zone p_zone;
  return true;
exception when others then
  return false;
end;
$$;
comment on function private.is_time_zone(text) is 'Whether the text names a time zone Postgres knows (IANA name such as Europe/Berlin).';

-- Weekly hours: [{"day":1..7 (ISO, 1 = Monday), "opens":"HH:MM", "closes":"HH:MM"}], opens < closes (a range past
-- midnight is two ranges), at most 28 ranges.
create function private.is_weekly_hours(p_weekly jsonb) returns boolean
language sql immutable set search_path = '' as $$
  select jsonb_typeof(p_weekly) = 'array' and jsonb_array_length(p_weekly) <= 28 and not exists (
    select 1 from jsonb_array_elements(p_weekly) r
     where jsonb_typeof(r) <> 'object'
        or jsonb_typeof(r -> 'day') <> 'number' or (r ->> 'day') !~ '^[1-7]$'
        or coalesce(r ->> 'opens', '') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
        or coalesce(r ->> 'closes', '') !~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'
        or (r ->> 'opens') >= (r ->> 'closes'))
$$;
comment on function private.is_weekly_hours(jsonb) is 'Whether the jsonb is a valid list of weekly opening ranges (day 1-7, opens < closes, HH:MM).';

create table public.office_hours (
  company_id uuid primary key references public.companies(id) on delete cascade,
  enabled boolean not null default false,
  time_zone text not null default 'UTC' check (private.is_time_zone(time_zone)),
  weekly jsonb not null default '[]' check (private.is_weekly_hours(weekly)),
  closed_days date[] not null default '{}' check (cardinality(closed_days) <= 366),
  away_mode public.away_mode not null default 'message',
  away_message text not null default '' check (char_length(away_message) <= 280 and away_message !~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]'),
  updated_at timestamptz not null default now()
);
comment on table public.office_hours is 'A company''s office hours and what its widget does while away (outside hours or with no agent online).';
comment on column public.office_hours.company_id is 'The company.';
comment on column public.office_hours.enabled is 'When false the company counts as open at all hours (away only when no agent is online).';
comment on column public.office_hours.time_zone is 'IANA time zone the weekly hours and closed days are in, e.g. Europe/Berlin.';
comment on column public.office_hours.weekly is 'Opening ranges: [{"day":1-7 (ISO, 1 = Monday),"opens":"HH:MM","closes":"HH:MM"}], local time of time_zone.';
comment on column public.office_hours.closed_days is 'Local dates (holidays) closed all day whatever the weekly hours say.';
comment on column public.office_hours.away_mode is 'While away: message = show the away message and still take messages; form = contact form only.';
comment on column public.office_hours.away_message is 'Text shown while away; empty = the widget''s default wording.';
comment on column public.office_hours.updated_at is 'Last change.';

create trigger office_hours_touch before update on public.office_hours for each row execute function private.touch_updated_at();

alter table public.office_hours enable row level security;
create policy "members read their office hours" on public.office_hours
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins set their office hours" on public.office_hours
  for insert to authenticated with check (company_id in (select private.my_admin_company_ids()));
create policy "admins change their office hours" on public.office_hours
  for update to authenticated using (company_id in (select private.my_admin_company_ids())) with check (company_id in (select private.my_admin_company_ids()));
grant select, insert (company_id, enabled, time_zone, weekly, closed_days, away_mode, away_message) on public.office_hours to authenticated;
grant update (enabled, time_zone, weekly, closed_days, away_mode, away_message) on public.office_hours to authenticated;
grant all on public.office_hours to service_role;

-- The single truth: open at p_at under these hours? Pure (no table), so the dashboard previews unsaved hours
-- with it and tests pin the clock. Local wall time of the zone decides, so a DST change moves nothing.
create function public.office_hours_open_at(p_enabled boolean, p_time_zone text, p_weekly jsonb, p_closed_days date[], p_at timestamptz)
returns boolean
language sql stable set search_path = '' as $$
  with local as (select (p_at at time zone p_time_zone) as t)
  select not coalesce(p_enabled, false) or (
    not ((select t::date from local) = any (coalesce(p_closed_days, '{}')))
    and exists (
      select 1 from jsonb_array_elements(coalesce(p_weekly, '[]')) r, local
       where (r ->> 'day')::int = extract(isodow from local.t)::int
         and to_char(local.t, 'HH24:MI') >= r ->> 'opens'
         and to_char(local.t, 'HH24:MI') < r ->> 'closes'))
$$;
comment on function public.office_hours_open_at(boolean, text, jsonb, date[], timestamptz) is
  'Whether hours (enabled, zone, weekly ranges, closed days) are open at an instant, by the zone''s wall clock; not enabled = always open. The one open/closed rule.';
revoke all on function public.office_hours_open_at(boolean, text, jsonb, date[], timestamptz) from public, anon;
grant execute on function public.office_hours_open_at(boolean, text, jsonb, date[], timestamptz) to authenticated, service_role;

-- What the widget needs to know about being away, for the widget-config function (service role): open now by the
-- company's hours, and what to show while away. A company that never saved its hours gets null: its widget keeps
-- chatting as before (the header still says who is online), so the away state is opted into on the settings page.
create function public.widget_away_state(p_company_id uuid, p_at timestamptz default now()) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object(
    'open', public.office_hours_open_at(h.enabled, h.time_zone, h.weekly, h.closed_days, p_at),
    'mode', h.away_mode::text,
    'message', h.away_message)
  from public.office_hours h where h.company_id = p_company_id
$$;
comment on function public.widget_away_state(uuid, timestamptz) is
  'The widget''s away state: {open (within office hours at p_at), mode, message}, null for a company without office hours; service role only.';
revoke all on function public.widget_away_state(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.widget_away_state(uuid, timestamptz) to service_role;
