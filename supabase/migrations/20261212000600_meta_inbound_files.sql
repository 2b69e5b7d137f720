-- Files from Messenger/Instagram users (issue 23): the webhook stores the message first (its text, or "[image]"
-- when it has none), then fetches each file from Meta's CDN, checks its bytes and puts it in the conversation's
-- folder of the attachments bucket; this links those files to the message in one transaction and announces
-- message.files on the company topic, so a dashboard showing the conversation reads it again. Service role only.

create function public.meta_attach_files(p_message_id uuid, p_files jsonb) returns int
language plpgsql security definer set search_path = '' as $$
declare
  m public.messages;
  n int;
  topic text;
begin
  select * into m from public.messages where id = p_message_id and sender_kind = 'visitor';
  if not found or not exists (select 1 from public.meta_inbound i where i.message_id = p_message_id) then
    raise exception 'not a message from a channel' using errcode = 'PLS43';
  end if;
  insert into public.attachments (id, company_id, conversation_id, message_id, uploader_id, object_path, name, content_type, size_bytes)
  select (f->>'id')::uuid, m.company_id, m.conversation_id, m.id, m.author_id, f->>'object_path', f->>'name', f->>'content_type', (f->>'size_bytes')::bigint
    from jsonb_array_elements(p_files) f
  on conflict (id) do nothing;
  get diagnostics n = row_count;
  topic := private.company_topic(m.company_id);
  if n > 0 and topic is not null then
    perform realtime.send(jsonb_build_object('message_id', m.id, 'conversation_id', m.conversation_id, 'files', n), 'message.files', topic, true);
  end if;
  return n;
end;
$$;
comment on function public.meta_attach_files(uuid, jsonb) is
  'Links the files a Messenger/Instagram user sent (already checked and stored by the meta-webhook function) to their message, and tells the company''s dashboards (service role only).';
revoke all on function public.meta_attach_files(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.meta_attach_files(uuid, jsonb) to service_role;
