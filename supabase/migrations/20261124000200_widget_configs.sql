-- The embeddable widget's settings, one row per company. The widget reads them through the
-- widget-config Edge Function (service role), never directly; only admins change them.

create type public.widget_position as enum ('bottom-right', 'bottom-left', 'top-right', 'top-left');
comment on type public.widget_position is 'Corner of the page where the launcher sits.';
create type public.prechat_field_mode as enum ('off', 'optional', 'required');
comment on type public.prechat_field_mode is 'Whether the pre-chat form asks for a field, and whether it must be filled.';

create table public.widget_configs (
  company_id uuid primary key references public.companies(id) on delete cascade,
  widget_key text not null unique check (widget_key ~ '^pk_[A-Za-z0-9_]{6,64}$'),
  enabled boolean not null default true,
  primary_color text not null default '#2563eb' check (primary_color ~ '^#[0-9a-fA-F]{6}$'),
  accent_color text not null default '#f59e0b' check (accent_color ~ '^#[0-9a-fA-F]{6}$'),
  position public.widget_position not null default 'bottom-right',
  title text not null default 'Chat with us' check (char_length(title) between 1 and 60),
  greeting text not null default 'Hi! How can we help?' check (char_length(greeting) <= 280),
  launcher_label text not null default 'Chat with us' check (char_length(launcher_label) between 1 and 40),
  auto_open_after_seconds int check (auto_open_after_seconds is null or auto_open_after_seconds between 1 and 600),
  locale text not null default 'en' check (locale ~ '^[a-z]{2,3}(-[A-Za-z]{2,4})?$'),
  prechat_name public.prechat_field_mode not null default 'optional',
  prechat_email public.prechat_field_mode not null default 'optional',
  prechat_phone public.prechat_field_mode not null default 'off',
  allowed_origins text[] not null default '{}' check (cardinality(allowed_origins) <= 50),
  updated_at timestamptz not null default now()
);
comment on table public.widget_configs is 'Appearance and behaviour of a company''s chat widget. Served to websites by the widget-config Edge Function.';
comment on column public.widget_configs.company_id is 'The company the widget belongs to.';
comment on column public.widget_configs.widget_key is 'Public key in the embed code (data-widget-key); not a secret.';
comment on column public.widget_configs.enabled is 'When false the widget shows nothing and refuses sessions.';
comment on column public.widget_configs.primary_color is 'Launcher and header colour, #rrggbb.';
comment on column public.widget_configs.accent_color is 'Accent colour (badges, links), #rrggbb.';
comment on column public.widget_configs.position is 'Corner of the page for the launcher.';
comment on column public.widget_configs.title is 'Panel header title.';
comment on column public.widget_configs.greeting is 'First line visitors read in an empty conversation.';
comment on column public.widget_configs.launcher_label is 'Accessible label (and tooltip) of the launcher button.';
comment on column public.widget_configs.auto_open_after_seconds is 'Open the panel by itself after this many seconds on the page; null = never.';
comment on column public.widget_configs.locale is 'Default language of the widget (a visitor''s data-locale or browser language wins when supported).';
comment on column public.widget_configs.prechat_name is 'Ask for the visitor''s name before the chat: off, optional or required.';
comment on column public.widget_configs.prechat_email is 'Ask for the visitor''s email before the chat: off, optional or required.';
comment on column public.widget_configs.prechat_phone is 'Ask for the visitor''s phone before the chat: off, optional or required.';
comment on column public.widget_configs.allowed_origins is 'Website origins (scheme://host[:port]) allowed to embed this widget; others are refused.';
comment on column public.widget_configs.updated_at is 'Last change.';

create function private.touch_updated_at() returns trigger language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
create trigger widget_configs_touch before update on public.widget_configs for each row execute function private.touch_updated_at();

alter table public.widget_configs enable row level security;
create policy "members read their widget config" on public.widget_configs
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins change their widget config" on public.widget_configs
  for update to authenticated using (company_id in (select private.my_admin_company_ids())) with check (company_id in (select private.my_admin_company_ids()));

grant select on public.widget_configs to authenticated;
grant update (enabled, primary_color, accent_color, position, title, greeting, launcher_label, auto_open_after_seconds, locale,
  prechat_name, prechat_email, prechat_phone, allowed_origins) on public.widget_configs to authenticated;
grant all on public.widget_configs to service_role;
