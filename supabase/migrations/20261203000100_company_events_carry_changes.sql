-- Company events say what changed, so the dashboard applies them in place instead of re-reading (issue 15).
--
-- The company topic's payloads were made thin in 20261202000300 as defence in depth; the cut-off for a removed
-- member is the topic's key rotation (docs/decisions/0002-realtime-topics.md), so carrying text to the current
-- members keeps the guarantee. Only the two payload functions change; the triggers that call them stay as they are.
--   message.created: + author_name and body. The inbox row's preview, time, unread count and status follow from
--     the message by the rule of private.message_after_insert (mirrored once in functions/_shared/conversation-rules.ts).
--   conversation.*: + last_message_preview and the visitor's name and email, so a created or updated conversation
--     is a whole inbox row (e.g. one assigned to me appears in "Mine" without a read).

create or replace function private.message_signal(m public.messages) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', m.id, 'conversation_id', m.conversation_id, 'sender_kind', m.sender_kind,
    'author_name', m.author_name, 'body', m.body, 'created_at', m.created_at)
$$;
comment on function private.message_signal(public.messages) is
  'A message.created payload for the company''s current members: the message as the dashboard shows it (no author id).';

create or replace function private.conversation_signal(c public.conversations) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'visitor_id', c.visitor_id, 'platform', c.platform, 'status', c.status,
    'assignee_id', c.assignee_id, 'auto_bot', c.auto_bot, 'unread_count', c.unread_count,
    'last_message_at', c.last_message_at, 'last_message_preview', c.last_message_preview,
    'visitor_last_read_message_id', c.visitor_last_read_message_id,
    'visitor_name', v.name, 'visitor_email', v.email,
    'created_at', c.created_at, 'updated_at', c.updated_at)
  from (select 1) one left join public.visitors v on v.id = c.visitor_id
$$;
comment on function private.conversation_signal(public.conversations) is
  'A conversation.* payload for the company''s current members: workflow fields, the last preview and the visitor''s name and email (a whole inbox row).';

revoke all on function private.message_signal(public.messages), private.conversation_signal(public.conversations) from public, anon, authenticated;
