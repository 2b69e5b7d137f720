-- Attachments through Supabase Storage (issue 20; docs/decisions/0010-attachments.md).
--
-- One private bucket, `attachments`, with a size cap and an allow-list of types (images, PDF, text, office
-- documents; never SVG, HTML or other active content). Object paths are
--   company/<company id>/conversation/<conversation id>/<attachment id>/<safe name>
-- Visitors read their own conversation's files, agents their company's; nobody writes storage.objects through
-- a policy: every upload goes to a signed upload URL that server code (the widget-attachments Edge Function, the
-- dashboard's server) hands out after reserving the path here (size, type, hourly quota, ownership).
--
-- A message carries its files through public.attachments: a reservation row made when the upload URL is handed
-- out, linked to its message by the send once the file exists in the conversation's folder, its stored type
-- equals the declared one and the server's sniff of the bytes agreed. The link and the message are one
-- transaction: an upload cut halfway leaves a reservation and no message, and the same send retried succeeds.
-- Deleting a conversation deletes its attachment rows; their objects are queued in public.attachment_deletions
-- for the Storage API to remove (hosted Storage refuses SQL deletes of storage.objects, and they would leave the
-- bytes behind).
--
-- SQLSTATEs (functions/_shared/db.ts):
--   PLA04 attachment_not_found     unknown id, another conversation's or another uploader's reservation   → 404
--   PLA09 attachment_not_uploaded  the reservation's file is not in Storage (yet)                         → 409
--   PLA22 attachment_type_mismatch the stored type or the bytes are not what was declared                 → 422
--   PLA13 attachment_too_large     over the company's limit                                               → 413
--   PLA15 attachment_type_refused  a type outside the allow-list                                          → 415
--   PLA05 attachment_limit         more than 5 files on one message                                       → 422

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('attachments', 'attachments', false, 26214400, array[
  'image/png', 'image/jpeg', 'image/gif', 'image/webp',
  'application/pdf', 'text/plain', 'text/csv',
  'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation'])
on conflict (id) do update set public = false, file_size_limit = excluded.file_size_limit, allowed_mime_types = excluded.allowed_mime_types;

-- The company's own limit, below the bucket's cap ---------------------------------------------------------------

alter table public.companies add column attachment_max_bytes int not null default 10485760
  check (attachment_max_bytes between 1024 and 26214400);
comment on column public.companies.attachment_max_bytes is 'Largest file a visitor or agent may attach, in bytes (default 10 MB; the bucket caps it at 25 MB).';
grant update (attachment_max_bytes) on public.companies to authenticated;

-- The attachments --------------------------------------------------------------------------------------------

create table public.attachments (
  id uuid primary key,
  company_id uuid not null references public.companies(id) on delete cascade,
  conversation_id uuid not null references public.conversations(id) on delete cascade,
  -- Deferred: the send links the files first, then stores the message, so its broadcast carries them.
  message_id uuid references public.messages(id) on delete cascade deferrable initially deferred,
  uploader_id uuid not null references auth.users(id) on delete cascade,
  object_path text not null unique check (char_length(object_path) <= 400),
  thumbnail_path text unique check (char_length(thumbnail_path) <= 400),
  name text not null check (char_length(name) between 1 and 120),
  content_type text not null,
  size_bytes bigint not null check (size_bytes between 1 and 26214400),
  created_at timestamptz not null default now(),
  check (object_path like 'company/' || company_id || '/conversation/' || conversation_id || '/' || id || '/%'),
  check (thumbnail_path is null or thumbnail_path like 'company/' || company_id || '/conversation/' || conversation_id || '/%')
);
create index attachments_message_id_idx on public.attachments (message_id) where message_id is not null;
create index attachments_conversation_id_idx on public.attachments (conversation_id, created_at);
create index attachments_company_id_idx on public.attachments (company_id);
create index attachments_uploader_id_idx on public.attachments (uploader_id);
comment on table public.attachments is 'A file in the attachments bucket: reserved when its upload URL is handed out, linked to its message once the file exists and its bytes match its type.';
comment on column public.attachments.id is 'Client-generated uuid; also the folder of the object (idempotent reservations).';
comment on column public.attachments.company_id is 'The conversation''s company.';
comment on column public.attachments.conversation_id is 'The conversation whose folder holds the file.';
comment on column public.attachments.message_id is 'The message carrying it; null while only reserved (upload not sent yet).';
comment on column public.attachments.uploader_id is 'Auth user (visitor or agent) the upload URL was handed to.';
comment on column public.attachments.object_path is 'company/<id>/conversation/<id>/<attachment id>/<safe name> in the attachments bucket.';
comment on column public.attachments.thumbnail_path is 'A client-made JPEG thumbnail (<= 100 KB) of an image, in the same conversation''s folder; null when none.';
comment on column public.attachments.name is 'The sanitised file name shown and used for downloads.';
comment on column public.attachments.content_type is 'Declared type, checked against Storage''s stored type and the bytes before the message is stored.';
comment on column public.attachments.size_bytes is 'Declared size, replaced by the stored size when linked.';
comment on column public.attachments.created_at is 'When the upload URL was handed out.';

alter table public.attachments enable row level security;
create policy "members read their company's attachments; visitors their conversation's" on public.attachments
  for select to authenticated using (
    message_id is not null and (company_id in (select private.my_company_ids()) or conversation_id in (select private.my_conversation_ids())));
grant select on public.attachments to authenticated;
grant all on public.attachments to service_role;

create table public.attachment_deletions (
  object_path text primary key,
  queued_at timestamptz not null default now()
);
comment on table public.attachment_deletions is 'Objects of deleted attachments, waiting for server code to remove them through the Storage API.';
comment on column public.attachment_deletions.object_path is 'Path in the attachments bucket.';
comment on column public.attachment_deletions.queued_at is 'When the attachment row was deleted.';
alter table public.attachment_deletions enable row level security;
grant all on public.attachment_deletions to service_role;

create function private.queue_attachment_deletion() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.attachment_deletions (object_path)
  select p from unnest(array[old.object_path, old.thumbnail_path]) p where p is not null
  on conflict do nothing;
  return null;
end;
$$;
comment on function private.queue_attachment_deletion() is 'Queues a deleted attachment''s objects (file and thumbnail) for removal through the Storage API.';
revoke all on function private.queue_attachment_deletion() from public, anon, authenticated;
create trigger attachments_after_delete after delete on public.attachments
  for each row execute function private.queue_attachment_deletion();
comment on trigger attachments_after_delete on public.attachments is 'A deleted conversation''s (or message''s) files are queued for deletion.';

-- A message may be only files: the text may be empty when attachments carry it -------------------------------

alter table public.messages drop constraint messages_body_check;
alter table public.messages add constraint messages_body_check check (char_length(body) <= 4000);
create function private.message_has_content() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if btrim(new.body) = '' and not exists (select 1 from public.attachments a where a.message_id = new.id) then
    raise exception 'a message needs text or a file' using errcode = '23514';
  end if;
  return null;
end;
$$;
comment on function private.message_has_content() is 'At commit: a message with empty text must carry at least one attachment.';
revoke all on function private.message_has_content() from public, anon, authenticated;
create constraint trigger messages_have_content after insert on public.messages
  deferrable initially deferred for each row when (btrim(new.body) = '') execute function private.message_has_content();
comment on trigger messages_have_content on public.messages is 'Text or at least one file, checked at commit (the files are linked in the same transaction).';

-- Who may read an object: the path names the company and conversation --------------------------------------

create function private.can_read_attachment(p_name text) returns boolean
language plpgsql stable security definer set search_path = '' as $$
declare
  parts text[] := string_to_array(p_name, '/');
  uuid_re constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
begin
  if array_length(parts, 1) <> 6 or parts[1] <> 'company' or parts[3] <> 'conversation'
     or parts[2] !~ uuid_re or parts[4] !~ uuid_re then
    return false;
  end if;
  return exists (
    select 1 from public.conversations c
     where c.id = parts[4]::uuid and c.company_id = parts[2]::uuid
       and (c.company_id in (select private.my_company_ids()) or c.visitor_id in (select private.my_visitor_ids())));
end;
$$;
comment on function private.can_read_attachment(text) is
  'Whether the current user may read an attachments object: a member of the company in its path, or the visitor of the conversation in its path (which must be that company''s).';
revoke all on function private.can_read_attachment(text) from public, anon;
grant execute on function private.can_read_attachment(text) to authenticated, service_role;

create policy "attachments: visitors read their conversation's files, members their company's" on storage.objects
  for select to authenticated using (bucket_id = 'attachments' and private.can_read_attachment(name));
