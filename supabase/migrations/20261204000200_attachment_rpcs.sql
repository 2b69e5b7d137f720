-- The server steps of attachments (issue 20), each one transaction, service role only: server code (the
-- widget-attachments and widget-messages Edge Functions, the dashboard's server after requireAgent) checks who
-- is asking and sniffs the bytes, the database checks everything it can see (ownership, folder, quota, size,
-- type, that the file exists) and writes. See 20261204000100_attachments.sql for the model and SQLSTATEs.

create function private.attachment_json(a public.attachments) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', a.id, 'name', a.name, 'content_type', a.content_type, 'size_bytes', a.size_bytes,
    'object_path', a.object_path, 'thumbnail_path', a.thumbnail_path)
$$;
comment on function private.attachment_json(public.attachments) is 'An attachment as the widget and the dashboard show it.';

create function private.message_attachments(p_message_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(private.attachment_json(a) order by a.created_at, a.id), '[]'::jsonb)
    from public.attachments a where a.message_id = p_message_id
$$;
comment on function private.message_attachments(uuid) is 'The files of a message, oldest reservation first.';

-- Reserving a path: size, type, ownership and the hourly quota checked before any upload URL exists -------------

create function private.attachment_reserve(
  p_company_id uuid, p_conversation_id uuid, p_uploader uuid, p_attachment_id uuid, p_name text, p_content_type text,
  p_size bigint, p_thumbnail_size bigint
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  a public.attachments;
  max_bytes int;
  folder text := 'company/' || p_company_id || '/conversation/' || p_conversation_id || '/';
begin
  select * into a from public.attachments where id = p_attachment_id;
  if found then
    -- A retried reservation answers the same row; an id someone else holds is refused like an unknown one.
    if a.conversation_id <> p_conversation_id or a.uploader_id <> p_uploader or a.message_id is not null then
      raise exception 'attachment_not_found' using errcode = 'PLA04';
    end if;
    return jsonb_build_object('created', false, 'attachment', private.attachment_json(a));
  end if;
  select co.attachment_max_bytes into max_bytes from public.companies co where co.id = p_company_id;
  if p_size < 1 or p_size > max_bytes then
    raise exception 'attachment_too_large' using errcode = 'PLA13', detail = max_bytes::text;
  end if;
  if not exists (select 1 from storage.buckets b where b.id = 'attachments' and p_content_type = any (b.allowed_mime_types)) then
    raise exception 'attachment_type_refused' using errcode = 'PLA15';
  end if;
  if p_thumbnail_size is not null and (p_content_type not like 'image/%' or p_thumbnail_size < 1 or p_thumbnail_size > 102400) then
    raise exception 'attachment_too_large' using errcode = 'PLA13', detail = 'thumbnail';
  end if;
  if p_name is null or p_name !~ '^[A-Za-z0-9][A-Za-z0-9._ ()-]{0,119}$' or p_name like '%..%' then
    raise exception 'invalid file name' using errcode = '22023';
  end if;
  insert into public.attachments (id, company_id, conversation_id, uploader_id, object_path, thumbnail_path, name, content_type, size_bytes)
  values (p_attachment_id, p_company_id, p_conversation_id, p_uploader, folder || p_attachment_id || '/' || p_name,
          case when p_thumbnail_size is not null then folder || gen_random_uuid() || '/thumbnail.jpg' end,
          p_name, p_content_type, p_size)
  returning * into a;
  return jsonb_build_object('created', true, 'attachment', private.attachment_json(a));
end;
$$;
comment on function private.attachment_reserve(uuid, uuid, uuid, uuid, text, text, bigint, bigint) is
  'Reserves an attachment''s path in its conversation''s folder after the size, type and name checks (idempotent by id); raises PLA04/PLA13/PLA15.';

create function public.widget_attachment_begin(
  p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_attachment_id uuid, p_name text,
  p_content_type text, p_size bigint, p_thumbnail_size bigint, p_ip text, p_per_hour int, p_ip_per_hour int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid;
  result jsonb;
begin
  select c.company_id into company
    from public.widget_configs w
    join public.companies co on co.id = w.company_id
    join public.conversations c on c.company_id = w.company_id
    join public.visitors v on v.id = c.visitor_id
   where w.widget_key = p_widget_key and w.enabled and co.enabled and p_origin = any (w.allowed_origins)
     and c.id = p_conversation_id and v.user_id = p_user_id;
  if company is null then
    perform private.widget_company(p_widget_key, p_origin);
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  result := private.attachment_reserve(company, p_conversation_id, p_user_id, p_attachment_id, p_name, p_content_type, p_size, p_thumbnail_size);
  if (result->>'created')::boolean then
    perform private.widget_limit('attachment', p_user_id, p_ip, p_per_hour, p_ip_per_hour, 3600);
  end if;
  return result;
end;
$$;
comment on function public.widget_attachment_begin(text, text, uuid, uuid, uuid, text, text, bigint, bigint, text, int, int) is
  'A visitor''s attachment reservation in their own conversation of this widget, counted against the hourly per-visitor and per-address quota (service role only).';

create function public.agent_attachment_begin(
  p_agent_id uuid, p_conversation_id uuid, p_attachment_id uuid, p_name text, p_content_type text, p_size bigint,
  p_thumbnail_size bigint, p_per_hour int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid;
  result jsonb;
  wait int;
begin
  select c.company_id into company from public.conversations c
    join public.company_members m on m.company_id = c.company_id and m.user_id = p_agent_id
   where c.id = p_conversation_id;
  if company is null then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  result := private.attachment_reserve(company, p_conversation_id, p_agent_id, p_attachment_id, p_name, p_content_type, p_size, p_thumbnail_size);
  if (result->>'created')::boolean then
    wait := public.widget_rate_limit('attachment:agent:' || p_agent_id, p_per_hour, 3600);
    if wait > 0 then raise exception 'rate_limited' using errcode = 'PLR29', detail = wait::text; end if;
  end if;
  return result;
end;
$$;
comment on function public.agent_attachment_begin(uuid, uuid, uuid, text, text, bigint, bigint, int) is
  'An agent''s attachment reservation in a conversation of their company, with an hourly quota (service role only, after the dashboard''s requireAgent).';

-- Linking files to a message: only files that exist, in this conversation's folder, of the declared type -------

create function private.attachment_link(p_conversation_id uuid, p_uploader uuid, p_message_id uuid, p_files jsonb) returns void
language plpgsql security definer set search_path = '' as $$
declare
  f jsonb;
  a public.attachments;
  meta jsonb;
  thumb jsonb;
  max_bytes int;
  folder text;
begin
  if jsonb_typeof(p_files) <> 'array' or jsonb_array_length(p_files) > 5 then
    raise exception 'attachment_limit' using errcode = 'PLA05';
  end if;
  if (select count(distinct e->>'id') from jsonb_array_elements(p_files) e) <> jsonb_array_length(p_files) then
    raise exception 'attachment_limit' using errcode = 'PLA05', detail = 'duplicate';
  end if;
  for f in select * from jsonb_array_elements(p_files) loop
    select * into a from public.attachments where id = (f->>'id')::uuid for update;
    if not found or a.conversation_id <> p_conversation_id or a.uploader_id <> p_uploader
       or (a.message_id is not null and a.message_id <> p_message_id) then
      raise exception 'attachment_not_found' using errcode = 'PLA04';
    end if;
    folder := 'company/' || a.company_id || '/conversation/' || p_conversation_id || '/' || a.id || '/';
    if a.object_path not like folder || '%' or position('/' in substr(a.object_path, length(folder) + 1)) > 0 then
      raise exception 'attachment_not_found' using errcode = 'PLA04', detail = 'outside the conversation folder';
    end if;
    select o.metadata into meta from storage.objects o where o.bucket_id = 'attachments' and o.name = a.object_path;
    if meta is null then
      raise exception 'attachment_not_uploaded' using errcode = 'PLA09';
    end if;
    if split_part(meta->>'mimetype', ';', 1) <> a.content_type or f->>'sniffed' is distinct from a.content_type then
      raise exception 'attachment_type_mismatch' using errcode = 'PLA22';
    end if;
    select co.attachment_max_bytes into max_bytes from public.companies co where co.id = a.company_id;
    if (meta->>'size')::bigint > max_bytes then
      raise exception 'attachment_too_large' using errcode = 'PLA13', detail = max_bytes::text;
    end if;
    if a.thumbnail_path is not null then
      select o.metadata into thumb from storage.objects o where o.bucket_id = 'attachments' and o.name = a.thumbnail_path;
      if thumb is null or split_part(thumb->>'mimetype', ';', 1) <> 'image/jpeg' or (thumb->>'size')::bigint > 102400
         or f->>'thumbnail_sniffed' is distinct from 'image/jpeg' then
        -- No usable thumbnail: the message shows the file without one, and a stray object is removed.
        if thumb is not null then
          insert into public.attachment_deletions (object_path) values (a.thumbnail_path) on conflict do nothing;
        end if;
        a.thumbnail_path := null;
      end if;
    end if;
    update public.attachments set message_id = p_message_id, size_bytes = (meta->>'size')::bigint, thumbnail_path = a.thumbnail_path
     where id = a.id;
  end loop;
end;
$$;
comment on function private.attachment_link(uuid, uuid, uuid, jsonb) is
  'Links up to 5 reserved files to a message: each the uploader''s, in the conversation''s folder, present in Storage, stored and sniffed as declared, within the size limit; raises PLA04/PLA05/PLA09/PLA13/PLA22.';

create function public.widget_send_message_with_files(
  p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_page_url text,
  p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int, p_files jsonb
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  result jsonb;
begin
  -- Files first (the message's broadcast carries them; the foreign key is checked at commit), then the send,
  -- which checks widget, origin and ownership and rolls the links back with everything else when it refuses.
  perform private.attachment_link(p_conversation_id, p_user_id, p_message_id, p_files);
  result := public.widget_send_message(p_widget_key, p_origin, p_user_id, p_conversation_id, p_message_id, p_body, p_page_url,
    p_ip, p_messages_per_minute, p_ip_messages_per_minute);
  return result || jsonb_build_object('attachments', private.message_attachments(p_message_id));
end;
$$;
comment on function public.widget_send_message_with_files(text, text, uuid, uuid, uuid, text, text, text, int, int, jsonb) is
  'A visitor message with files, one transaction: the files linked (private.attachment_link), then the send (widget_send_message); idempotent by message id (service role only).';

create function public.agent_send_message_with_files(p_agent_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_files jsonb)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m public.messages;
  created boolean := false;
begin
  if not exists (select 1 from public.conversations c join public.company_members cm on cm.company_id = c.company_id and cm.user_id = p_agent_id
                  where c.id = p_conversation_id) then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  select * into m from public.messages where id = p_message_id;
  if found and (m.conversation_id <> p_conversation_id or m.author_id is distinct from p_agent_id) then
    raise exception 'message_id_conflict' using errcode = 'PLM09';
  end if;
  perform private.attachment_link(p_conversation_id, p_agent_id, p_message_id, p_files);
  if m.id is null then
    insert into public.messages (id, conversation_id, sender_kind, author_id, body)
    values (p_message_id, p_conversation_id, 'agent', p_agent_id, p_body) returning * into m;
    created := true;
  end if;
  return jsonb_build_object('created', created, 'message', to_jsonb(m), 'attachments', private.message_attachments(p_message_id));
end;
$$;
comment on function public.agent_send_message_with_files(uuid, uuid, uuid, text, jsonb) is
  'An agent reply with files, one transaction, idempotent by message id (service role only, after the dashboard''s requireAgent and its sniff of the bytes).';

-- The broadcasts carry the files (inline, not through the helper: a send without files makes no extra call) ------

create or replace function private.visitor_message(m public.messages) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', m.id, 'conversation_id', m.conversation_id, 'sender_kind', m.sender_kind,
    'author_name', m.author_name, 'body', m.body, 'created_at', m.created_at, 'attachments',
    (select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'content_type', a.content_type, 'size_bytes', a.size_bytes,
       'object_path', a.object_path, 'thumbnail_path', a.thumbnail_path) order by a.created_at, a.id), '[]'::jsonb)
       from public.attachments a where a.message_id = m.id))
$$;
create or replace function private.message_signal(m public.messages) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', m.id, 'conversation_id', m.conversation_id, 'sender_kind', m.sender_kind,
    'author_name', m.author_name, 'body', m.body, 'created_at', m.created_at, 'attachments',
    (select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'content_type', a.content_type, 'size_bytes', a.size_bytes,
       'object_path', a.object_path, 'thumbnail_path', a.thumbnail_path) order by a.created_at, a.id), '[]'::jsonb)
       from public.attachments a where a.message_id = m.id))
$$;
comment on function private.visitor_message(public.messages) is 'A message.created payload for the conversation''s visitor, with its files.';
comment on function private.message_signal(public.messages) is
  'A message.created payload for the company''s current members: the message as the dashboard shows it (no author id), with its files.';

revoke all on function private.attachment_json(public.attachments), private.message_attachments(uuid),
  private.attachment_reserve(uuid, uuid, uuid, uuid, text, text, bigint, bigint), private.attachment_link(uuid, uuid, uuid, jsonb),
  private.visitor_message(public.messages), private.message_signal(public.messages) from public, anon, authenticated;
revoke all on function public.widget_attachment_begin(text, text, uuid, uuid, uuid, text, text, bigint, bigint, text, int, int),
  public.agent_attachment_begin(uuid, uuid, uuid, text, text, bigint, bigint, int),
  public.widget_send_message_with_files(text, text, uuid, uuid, uuid, text, text, text, int, int, jsonb),
  public.agent_send_message_with_files(uuid, uuid, uuid, text, jsonb) from public, anon, authenticated;
grant execute on function public.widget_attachment_begin(text, text, uuid, uuid, uuid, text, text, bigint, bigint, text, int, int),
  public.agent_attachment_begin(uuid, uuid, uuid, text, text, bigint, bigint, int),
  public.widget_send_message_with_files(text, text, uuid, uuid, uuid, text, text, text, int, int, jsonb),
  public.agent_send_message_with_files(uuid, uuid, uuid, text, jsonb) to service_role;
