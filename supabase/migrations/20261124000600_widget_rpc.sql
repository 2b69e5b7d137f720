-- Server-side steps of the widget's Edge Functions, each one transaction. Only the service role may call them
-- (the functions verify the visitor's JWT and origin first); visitors never write tables directly.

create table public.widget_rate_limit_hits (
  bucket text not null,
  hit_at timestamptz not null default clock_timestamp()
);
create index widget_rate_limit_hits_bucket_idx on public.widget_rate_limit_hits (bucket, hit_at desc);
comment on table public.widget_rate_limit_hits is 'Recent widget actions per bucket (visitor or IP), for rate limits. Rows older than a day are pruned.';
comment on column public.widget_rate_limit_hits.bucket is 'What is limited, e.g. message:visitor:<user id> or conversation:ip:<address>.';
comment on column public.widget_rate_limit_hits.hit_at is 'When the action happened.';
alter table public.widget_rate_limit_hits enable row level security;
grant all on public.widget_rate_limit_hits to service_role;

-- Records a hit unless `p_max` hits already happened within `p_window_seconds`; returns 0 when allowed,
-- else the seconds until the oldest hit in the window expires (the Retry-After).
create function public.widget_rate_limit(p_bucket text, p_max int, p_window_seconds int) returns int
language plpgsql security definer set search_path = '' as $$
declare
  oldest timestamptz;
  hits int;
begin
  perform pg_advisory_xact_lock(hashtext(p_bucket));
  select count(*), min(hit_at) into hits, oldest
    from (select hit_at from public.widget_rate_limit_hits
          where bucket = p_bucket and hit_at > clock_timestamp() - make_interval(secs => p_window_seconds)
          order by hit_at desc limit p_max) recent;
  if hits >= p_max then
    return greatest(1, ceil(extract(epoch from (oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int);
  end if;
  insert into public.widget_rate_limit_hits (bucket) values (p_bucket);
  if random() < 0.01 then
    delete from public.widget_rate_limit_hits where hit_at < clock_timestamp() - interval '1 day';
  end if;
  return 0;
end;
$$;
comment on function public.widget_rate_limit(text, int, int) is 'Rate limit check-and-record for the widget Edge Functions (service role only).';

-- Starts (or resumes) a visitor's conversation: visitor row, open conversation and first message in one
-- transaction, rate limits included (new conversations per visitor and per address, messages per visitor).
-- Returns {created, visitor, conversation, messages (latest 100, oldest first)} or {error, retry_after}.
create function public.widget_start_session(
  p_company_id uuid, p_user_id uuid, p_name text, p_email text, p_phone text, p_page_url text, p_page_title text,
  p_user_agent text, p_locale text, p_first_message_id uuid, p_first_message_body text,
  p_ip text, p_conversations_per_hour int, p_ip_conversations_per_hour int, p_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v public.visitors;
  c public.conversations;
  created boolean := false;
  wait int;
begin
  select * into v from public.visitors where company_id = p_company_id and user_id = p_user_id;
  if found then
    select * into c from public.conversations
     where visitor_id = v.id and platform = 'widget' and status <> 'resolved'
     order by created_at desc limit 1 for update;
  end if;
  if c.id is null then
    wait := public.widget_rate_limit('conversation:visitor:' || p_user_id, p_conversations_per_hour, 3600);
    if wait = 0 then wait := public.widget_rate_limit('conversation:ip:' || coalesce(p_ip, 'unknown'), p_ip_conversations_per_hour, 3600); end if;
    if wait > 0 then return jsonb_build_object('error', 'rate_limited', 'retry_after', wait); end if;
  end if;
  if p_first_message_id is not null then
    wait := public.widget_rate_limit('message:visitor:' || p_user_id, p_messages_per_minute, 60);
    if wait > 0 then return jsonb_build_object('error', 'rate_limited', 'retry_after', wait); end if;
  end if;

  insert into public.visitors as x (company_id, user_id, name, email, phone, last_page_url, last_page_title, user_agent, locale)
  values (p_company_id, p_user_id, p_name, p_email, p_phone, p_page_url, p_page_title, p_user_agent, p_locale)
  on conflict (company_id, user_id) do update set
    name = coalesce(excluded.name, x.name), email = coalesce(excluded.email, x.email), phone = coalesce(excluded.phone, x.phone),
    last_page_url = coalesce(excluded.last_page_url, x.last_page_url), last_page_title = coalesce(excluded.last_page_title, x.last_page_title),
    user_agent = coalesce(excluded.user_agent, x.user_agent), locale = coalesce(excluded.locale, x.locale), last_seen_at = now()
  returning * into v;

  if c.id is null then
    insert into public.conversations (company_id, visitor_id, platform) values (p_company_id, v.id, 'widget') returning * into c;
    created := true;
  end if;

  if p_first_message_id is not null and p_first_message_body is not null then
    if exists (select 1 from public.messages m where m.id = p_first_message_id and m.conversation_id <> c.id) then
      return jsonb_build_object('error', 'message_id_conflict');
    end if;
    insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
    values (p_first_message_id, c.id, c.company_id, 'visitor', p_user_id, v.name, p_first_message_body)
    on conflict (id) do nothing;
  end if;

  return jsonb_build_object('created', created, 'visitor', to_jsonb(v), 'conversation', to_jsonb(c),
    'messages', coalesce((select jsonb_agg(to_jsonb(m) order by m.created_at, m.id)
                          from (select * from public.messages where conversation_id = c.id order by created_at desc, id desc limit 100) m), '[]'::jsonb));
end;
$$;
comment on function public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int) is
  'Widget session: upserts the visitor, returns their open conversation or starts one, stores the first message, applies rate limits (service role only).';

-- Stores a visitor message idempotently (the client-generated id): a replay returns the stored row.
-- Ownership and rate limits are checked in the same transaction. Returns {created, message} or {error, retry_after?}.
create function public.widget_send_message(
  p_user_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_page_url text,
  p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  vis public.visitors;
  m public.messages;
  wait int;
begin
  select c.* into conv from public.conversations c join public.visitors v on v.id = c.visitor_id
   where c.id = p_conversation_id and v.user_id = p_user_id;
  if not found then
    return jsonb_build_object('error', 'conversation_not_found');
  end if;
  select * into m from public.messages where id = p_message_id;
  if found then
    -- A retry of a stored message: answer with it, no rate limit, no second row.
    if m.conversation_id <> conv.id or m.author_id is distinct from p_user_id then
      return jsonb_build_object('error', 'message_id_conflict');
    end if;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  wait := public.widget_rate_limit('message:visitor:' || p_user_id, p_messages_per_minute, 60);
  if wait = 0 then wait := public.widget_rate_limit('message:ip:' || coalesce(p_ip, 'unknown'), p_ip_messages_per_minute, 60); end if;
  if wait > 0 then return jsonb_build_object('error', 'rate_limited', 'retry_after', wait); end if;
  select * into vis from public.visitors where id = conv.visitor_id;
  insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
  values (p_message_id, conv.id, conv.company_id, 'visitor', p_user_id, vis.name, p_body)
  on conflict (id) do nothing
  returning * into m;
  if not found then
    -- Lost a race with a concurrent retry of the same id.
    select * into m from public.messages where id = p_message_id;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  update public.visitors set last_seen_at = now(), last_page_url = coalesce(p_page_url, last_page_url) where id = vis.id;
  return jsonb_build_object('created', true, 'message', to_jsonb(m));
end;
$$;
comment on function public.widget_send_message(uuid, uuid, uuid, text, text, text, int, int) is
  'Widget message send, idempotent by message id, with ownership and rate limits (service role only).';

-- A visitor's catch-up: messages of their own conversation after a cursor message, oldest first.
create function public.widget_history(p_user_id uuid, p_conversation_id uuid, p_after uuid, p_limit int) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  since timestamptz;
  since_id uuid;
  rows jsonb;
begin
  if not exists (select 1 from public.conversations c join public.visitors v on v.id = c.visitor_id
                  where c.id = p_conversation_id and v.user_id = p_user_id) then
    return jsonb_build_object('error', 'conversation_not_found');
  end if;
  if p_after is not null then
    select created_at, id into since, since_id from public.messages where id = p_after and conversation_id = p_conversation_id;
    if since is null then return jsonb_build_object('error', 'invalid_cursor'); end if;
  end if;
  select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at, m.id), '[]'::jsonb) into rows
    from (select * from public.messages
           where conversation_id = p_conversation_id and (since is null or (created_at, id) > (since, since_id))
           order by created_at, id limit p_limit + 1) m;
  return jsonb_build_object('messages', rows);
end;
$$;
comment on function public.widget_history(uuid, uuid, uuid, int) is 'Widget catch-up after a reconnect (service role only).';

revoke all on function public.widget_rate_limit(text, int, int),
  public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int),
  public.widget_send_message(uuid, uuid, uuid, text, text, text, int, int), public.widget_history(uuid, uuid, uuid, int) from public, anon, authenticated;
grant execute on function public.widget_rate_limit(text, int, int),
  public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int),
  public.widget_send_message(uuid, uuid, uuid, text, text, text, int, int), public.widget_history(uuid, uuid, uuid, int) to service_role;
