-- A visitor's send does less database work, with the same guarantees (issue 15, "the send's database work").
--
-- widget_send_message ran about 32 statements per send: the widget found, then the conversation and visitor
-- joined, the message id looked up, two rate-limit buckets locked, counted, written and pruned one after the
-- other, the visitor read again for its name, the message's before-trigger reading the conversation and then the
-- conversation joined to the visitor, the after-trigger updating the conversation and looking the company's topic
-- up separately, and three no-op trigger calls on the conversation and visitor updates. The count of recent hits
-- filtered on `hit_at > clock_timestamp() - …` (volatile, so never an index bound): with fewer hits in the window
-- than the limit it read every hit of the bucket kept for the day.
--
-- Now (docs/decisions/0003-send-cost.md walks the send statement by statement):
--   * one statement checks widget, origin, company, conversation and ownership, and finds a replayed message id;
--     only a refusal asks private.widget_company which of PLW04 / PLC04 it is;
--   * one limit helper (private.widget_limit) locks both buckets in one statement, counts both in one statement
--     with the cutoff computed once (an index bound), and records both hits in one insert;
--   * the message's before-trigger reads conversation and author name in one join; the after-trigger reads the
--     company topic in its bookkeeping `update … returning`;
--   * the bookkeeping update sets updated_at itself, and triggers that had nothing to do on it no longer fire:
--     the operator-column guards fire only on updates that name their columns (`update of`), the conversation's
--     before-update check and after-update broadcast only on updates made by a statement, not by a trigger.
-- Signatures, grants, SQLSTATEs and payloads are unchanged.

-- Rate limits ---------------------------------------------------------------------------------------------------

create function private.widget_limit(p_kind text, p_user_id uuid, p_ip text, p_max int, p_ip_max int, p_window_seconds int)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  visitor_bucket text := p_kind || ':visitor:' || p_user_id;
  ip_bucket text := p_kind || ':ip:' || coalesce(p_ip, 'unknown');
  cutoff timestamptz;
  visitor_hits int;
  visitor_oldest timestamptz;
  ip_hits int;
  ip_oldest timestamptz;
  wait int := 0;
begin
  -- Visitor bucket first, then address, as before: a fixed order, so two sends never wait on each other crosswise.
  perform pg_advisory_xact_lock(hashtext(visitor_bucket)), pg_advisory_xact_lock(hashtext(ip_bucket));
  -- After the locks (its own statement, so its snapshot sees every hit committed before them). A variable is a
  -- plain parameter to the planner: the window is an index bound on (bucket, hit_at), not a filter.
  cutoff := clock_timestamp() - make_interval(secs => p_window_seconds);
  select v.hits, v.oldest, i.hits, i.oldest into visitor_hits, visitor_oldest, ip_hits, ip_oldest
    from (select count(*)::int hits, min(hit_at) oldest
            from (select hit_at from public.widget_rate_limit_hits where bucket = visitor_bucket and hit_at > cutoff
                   order by hit_at desc limit p_max) r) v,
         (select count(*)::int hits, min(hit_at) oldest
            from (select hit_at from public.widget_rate_limit_hits where bucket = ip_bucket and hit_at > cutoff
                   order by hit_at desc limit p_ip_max) r) i;
  -- The visitor's own limit answers first, as it did when the buckets were checked one after the other.
  if visitor_hits >= p_max then
    wait := greatest(1, ceil(extract(epoch from (visitor_oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int);
  elsif ip_hits >= p_ip_max then
    wait := greatest(1, ceil(extract(epoch from (ip_oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int);
  end if;
  if wait > 0 then
    raise exception 'rate_limited' using errcode = 'PLR29', detail = wait::text;
  end if;
  insert into public.widget_rate_limit_hits (bucket) values (visitor_bucket), (ip_bucket);
  if random() < 0.01 then
    cutoff := clock_timestamp() - interval '1 day';
    delete from public.widget_rate_limit_hits where (hit_at at time zone 'UTC') < (cutoff at time zone 'UTC');
  end if;
end;
$$;
comment on function private.widget_limit(text, uuid, text, int, int, int) is
  'Counts one action of a kind (message, conversation) against the per-visitor and per-address limits of a window; raises PLR29 (rate_limited, DETAIL = Retry-After seconds) when either is full, else records both hits.';
revoke all on function private.widget_limit(text, uuid, text, int, int, int) from public, anon, authenticated;

create or replace function private.widget_limit_message(p_user_id uuid, p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int) returns void
language sql security definer set search_path = '' as $$
  select private.widget_limit('message', p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute, 60)
$$;
create or replace function private.widget_limit_conversation(p_user_id uuid, p_ip text, p_per_hour int, p_ip_per_hour int) returns void
language sql security definer set search_path = '' as $$
  select private.widget_limit('conversation', p_user_id, p_ip, p_per_hour, p_ip_per_hour, 3600)
$$;
comment on function private.widget_limit_message(uuid, text, int, int) is
  'Counts one stored visitor message against the per-visitor and per-address limits (private.widget_limit, 60 s); raises PLR29 when either is full.';
comment on function private.widget_limit_conversation(uuid, text, int, int) is
  'Counts one new conversation against the per-visitor and per-address limits (private.widget_limit, one hour); raises PLR29 when either is full.';
revoke all on function private.widget_limit_message(uuid, text, int, int), private.widget_limit_conversation(uuid, text, int, int)
  from public, anon, authenticated;

-- The pruning index on an expression the window count cannot use: on plain hit_at, a count whose statistics
-- said "nothing in the last minute" took it (every bucket's recent hits, filtered by bucket) instead of the
-- bucket's own range. Same name and same service: the daily prune of hits older than a day.
drop index public.widget_rate_limit_hits_hit_at_idx;
create index widget_rate_limit_hits_hit_at_idx on public.widget_rate_limit_hits ((hit_at at time zone 'UTC'));
comment on index public.widget_rate_limit_hits_hit_at_idx is
  'Serves the pruning of hits older than a day (on hit_at in UTC, so that the per-bucket window count never takes it).';

-- The single-bucket check the API exposes: the same fix of its window (an index bound, not a filter).
create or replace function public.widget_rate_limit(p_bucket text, p_max int, p_window_seconds int) returns int
language plpgsql security definer set search_path = '' as $$
declare
  oldest timestamptz;
  hits int;
  cutoff timestamptz;
begin
  perform pg_advisory_xact_lock(hashtext(p_bucket));
  cutoff := clock_timestamp() - make_interval(secs => p_window_seconds);
  select count(*), min(hit_at) into hits, oldest
    from (select hit_at from public.widget_rate_limit_hits
          where bucket = p_bucket and hit_at > cutoff
          order by hit_at desc limit p_max) recent;
  if hits >= p_max then
    return greatest(1, ceil(extract(epoch from (oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int);
  end if;
  insert into public.widget_rate_limit_hits (bucket) values (p_bucket);
  if random() < 0.01 then
    cutoff := clock_timestamp() - interval '1 day';
    delete from public.widget_rate_limit_hits where (hit_at at time zone 'UTC') < (cutoff at time zone 'UTC');
  end if;
  return 0;
end;
$$;
comment on function public.widget_rate_limit(text, int, int) is 'Rate limit check-and-record for the widget Edge Functions (service role only).';

-- The send -----------------------------------------------------------------------------------------------------

create or replace function public.widget_send_message(
  p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_page_url text,
  p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv_id uuid;
  visitor uuid;
  known jsonb;
  known_conversation uuid;
  known_author uuid;
  known_kind public.message_sender_kind;
  m public.messages;
begin
  -- Widget, origin, company, conversation and ownership in one statement, with the message id's current owner.
  select c.id, c.visitor_id, to_jsonb(x), x.conversation_id, x.author_id, x.sender_kind
    into conv_id, visitor, known, known_conversation, known_author, known_kind
    from public.widget_configs w
    join public.companies co on co.id = w.company_id
    join public.conversations c on c.company_id = w.company_id
    join public.visitors v on v.id = c.visitor_id
    left join public.messages x on x.id = p_message_id
   where w.widget_key = p_widget_key and w.enabled and co.enabled and p_origin = any (w.allowed_origins)
     and c.id = p_conversation_id and v.user_id = p_user_id;
  if conv_id is null then
    -- Refused: PLW04 if the widget is what is wrong (raised by the helper), else PLC04.
    perform private.widget_company(p_widget_key, p_origin);
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if known is not null then
    -- A retry of a stored message: answer with it, no rate limit, no second row.
    if known_conversation <> conv_id or known_author is distinct from p_user_id or known_kind <> 'visitor' then
      raise exception 'message_id_conflict' using errcode = 'PLM09';
    end if;
    return jsonb_build_object('created', false, 'message', known);
  end if;
  perform private.widget_limit('message', p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute, 60);
  -- Company and author name are set by the messages trigger from the conversation, whatever is sent here.
  insert into public.messages (id, conversation_id, sender_kind, author_id, body)
  values (p_message_id, conv_id, 'visitor', p_user_id, p_body)
  on conflict (id) do nothing
  returning * into m;
  if not found then
    -- Lost a race with a concurrent send of the same id: a retry of this message, or a conflict (rolled back).
    select * into m from public.messages where id = p_message_id;
    if m.conversation_id <> conv_id or m.author_id is distinct from p_user_id then
      raise exception 'message_id_conflict' using errcode = 'PLM09';
    end if;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  update public.visitors set last_seen_at = now(), last_page_url = coalesce(p_page_url, last_page_url) where id = visitor;
  return jsonb_build_object('created', true, 'message', to_jsonb(m));
end;
$$;
comment on function public.widget_send_message(text, text, uuid, uuid, uuid, text, text, text, int, int) is
  'Widget message send for the widget found by key and origin, idempotent by message id, with ownership and rate limits; refusals raise PLW04/PLC04/PLM09/PLR29 and write nothing (service role only).';

-- The messages triggers ----------------------------------------------------------------------------------------

create or replace function private.message_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  found_company uuid;
  member uuid;
  member_name text;
  visitor_name text;
begin
  -- The company always comes from the conversation, whatever the writer sent; the author's name in the same read.
  select c.company_id, m.user_id, m.display_name, v.name into found_company, member, member_name, visitor_name
    from public.conversations c
    left join public.company_members m on new.sender_kind = 'agent' and m.company_id = c.company_id and m.user_id = new.author_id
    left join public.visitors v on new.sender_kind = 'visitor' and v.id = c.visitor_id
   where c.id = new.conversation_id;
  if found_company is null then
    raise exception 'conversation % does not exist', new.conversation_id using errcode = '23503';
  end if;
  new.company_id := found_company;
  if new.sender_kind = 'agent' then
    -- Agents' own inserts always find themselves (the insert policy requires author = caller and membership);
    -- only the service role may store an agent message for someone who is not a member, under its own name.
    if member is not null then
      new.author_name := member_name;
    end if;
  elsif new.sender_kind = 'visitor' then
    new.author_name := visitor_name;
  end if;
  return new;
end;
$$;
comment on function private.message_before_insert() is
  'Before a message is stored: takes the company from the conversation and sets the author name (agent: their display name in that company; visitor: the visitor''s name; bot/system: as written by the service role), in one read.';
revoke all on function private.message_before_insert() from public, anon, authenticated;

create or replace function private.message_after_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  topic text;
begin
  -- updated_at is set here: conversations_before_update does not fire for this nested update (see below).
  update public.conversations c set
    last_message_at = greatest(c.last_message_at, new.created_at),
    last_message_preview = left(btrim(regexp_replace(new.body, '\s+', ' ', 'g')), 140),
    unread_count = case
      when new.sender_kind = 'visitor' then c.unread_count + 1
      when new.sender_kind = 'agent' then 0
      else c.unread_count end,
    agent_last_read_message_id = case when new.sender_kind = 'agent' then new.id else c.agent_last_read_message_id end,
    visitor_last_read_message_id = case when new.sender_kind = 'visitor' then new.id else c.visitor_last_read_message_id end,
    status = case when new.sender_kind = 'visitor' and c.status = 'resolved' then 'open'::public.conversation_status else c.status end,
    updated_at = now()
  from public.companies co
  where c.id = new.conversation_id and co.id = c.company_id
  returning co.realtime_topic into topic;
  -- Both broadcasts in one statement: the visitor's topic, then the company's keyed topic.
  perform realtime.send(private.visitor_message(new), 'message.created', 'conversation:' || new.conversation_id, true),
          realtime.send(private.message_signal(new), 'message.created', coalesce(topic, private.company_topic(new.company_id)), true);
  return null;
end;
$$;
comment on function private.message_after_insert() is
  'After a message is stored: the conversation''s bookkeeping (last message, preview, unread, read marks, reopening) and message.created to the conversation topic and the company''s keyed topic (read in the same update).';
revoke all on function private.message_after_insert() from public, anon, authenticated;

-- Triggers that had nothing to do on the bookkeeping update no longer fire for it --------------------------------

-- The before-update check guards moves and assignees and stamps updated_at. A nested update that changes none of
-- those is the messages trigger's bookkeeping, which stamps updated_at itself.
drop trigger conversations_before_update on public.conversations;
create trigger conversations_before_update before update on public.conversations
  for each row when (pg_trigger_depth() = 0 or old.assignee_id is distinct from new.assignee_id
                     or old.company_id <> new.company_id or old.visitor_id <> new.visitor_id)
  execute function private.conversation_before_update();
comment on trigger conversations_before_update on public.conversations is
  'Refuses moves and non-member assignees and stamps updated_at; skipped for the messages trigger''s bookkeeping, which stamps it itself.';

-- conversation_after_change broadcasts updates made by a statement only (pg_trigger_depth() = 1 inside it); the
-- same test in WHEN (depth 0 when the row is queued) spares the call for the bookkeeping.
drop trigger conversations_after_update on public.conversations;
create trigger conversations_after_update after update on public.conversations
  for each row when (pg_trigger_depth() = 0) execute function private.conversation_after_change();
comment on trigger conversations_after_update on public.conversations is
  'conversation.updated for changes made to a conversation by a statement; a new message''s bookkeeping is announced by message.created.';

-- The operator-column guards compare only the columns they name; an update that does not name one cannot change it.
drop trigger conversations_operator_columns on public.conversations;
create trigger conversations_operator_columns before update of id, company_id, visitor_id, platform, created_at on public.conversations
  for each row execute function private.refuse_operator_columns('id', 'company_id', 'visitor_id', 'platform', 'created_at');
comment on trigger conversations_operator_columns on public.conversations is 'Only the operator may change these columns (fires when an update names one).';
drop trigger visitors_operator_columns on public.visitors;
create trigger visitors_operator_columns before update of id, company_id, user_id on public.visitors
  for each row execute function private.refuse_operator_columns('id', 'company_id', 'user_id');
comment on trigger visitors_operator_columns on public.visitors is 'Only the operator may change these columns (fires when an update names one).';
