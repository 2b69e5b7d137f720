-- A visitor message costs fewer statements (issue 15, "the send's database work"; ADR 0003).
--
-- Same guarantees as before: the widget found by key and origin with its company enabled, the conversation the
-- caller's and that company's, idempotent by message id, per-visitor and per-address limits counted only for
-- stored work, the conversation's bookkeeping and the two broadcasts (made by the triggers, unchanged). What goes:
--   * the rate-limit counts filtered on `hit_at > clock_timestamp() - …`: volatile, so never an index bound; the
--     backward index scan read every hit of the bucket's day once fewer than the limit were recent. The cutoff is
--     now computed once, and both buckets (visitor, address) are locked, counted and written together: 3
--     statements instead of 8, in one helper instead of two near-identical ones;
--   * widget, conversation, visitor and replayed message read by one joined statement instead of four;
--   * the visitor's last_seen_at rewritten on every message: now only when a minute old or the page changed;
--   * the before-insert trigger's two lookups of the conversation (company, then the visitor's name): one join.

create or replace function private.widget_limit(p_kind text, p_user_id uuid, p_ip text, p_per_visitor int, p_per_address int, p_window_seconds int)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  by_visitor constant text := p_kind || ':visitor:' || p_user_id;
  by_address constant text := p_kind || ':ip:' || coalesce(p_ip, 'unknown');
  now_at constant timestamptz := clock_timestamp();
  cutoff constant timestamptz := now_at - make_interval(secs => p_window_seconds);
  wait int;
begin
  -- Serialises concurrent sends of the same visitor or address (the count and the insert are one decision).
  perform pg_advisory_xact_lock(hashtext(by_visitor)), pg_advisory_xact_lock(hashtext(by_address));
  select max(greatest(1, ceil(extract(epoch from (r.oldest + make_interval(secs => p_window_seconds) - now_at)))::int)) into wait
    from (
      select min(hit_at) as oldest, count(*) as hits, p_per_visitor as cap
        from (select hit_at from public.widget_rate_limit_hits where bucket = by_visitor and hit_at > cutoff order by hit_at desc limit p_per_visitor) v
      union all
      select min(hit_at), count(*), p_per_address
        from (select hit_at from public.widget_rate_limit_hits where bucket = by_address and hit_at > cutoff order by hit_at desc limit p_per_address) a
    ) r
   where r.hits >= r.cap;
  if wait is not null then
    raise exception 'rate_limited' using errcode = 'PLR29', detail = wait::text;
  end if;
  insert into public.widget_rate_limit_hits (bucket, hit_at) values (by_visitor, now_at), (by_address, now_at);
  if random() < 0.01 then
    delete from public.widget_rate_limit_hits where hit_at < now_at - interval '1 day';
  end if;
end;
$$;
comment on function private.widget_limit(text, uuid, text, int, int, int) is
  'Counts one action of p_kind (message, conversation) against the per-visitor and per-address limits of a sliding window, both buckets in one pass; raises PLR29 (rate_limited, DETAIL = Retry-After seconds) when either is full, which rolls the hits back with the rest.';
revoke all on function private.widget_limit(text, uuid, text, int, int, int) from public, anon, authenticated;

-- The two old helpers keep their names and signatures (widget_start_session calls them) and share the one above.
create or replace function private.widget_limit_message(p_user_id uuid, p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int) returns void
language sql security definer set search_path = '' as $$
  select private.widget_limit('message', p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute, 60)
$$;
create or replace function private.widget_limit_conversation(p_user_id uuid, p_ip text, p_per_hour int, p_ip_per_hour int) returns void
language sql security definer set search_path = '' as $$
  select private.widget_limit('conversation', p_user_id, p_ip, p_per_hour, p_ip_per_hour, 3600)
$$;

create or replace function public.widget_send_message(
  p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_page_url text,
  p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  ctx record;
  m public.messages;
begin
  -- One read for every check: the widget (enabled, company enabled, origin allowed), the conversation (this
  -- company's, the caller's) and a message already stored under this id.
  select c.id as conversation_id, c.company_id, v.id as visitor_id, v.last_seen_at, v.last_page_url, old_m as replayed
    into ctx
    from public.widget_configs w
    join public.companies co on co.id = w.company_id and co.enabled
    join public.conversations c on c.id = p_conversation_id and c.company_id = w.company_id
    join public.visitors v on v.id = c.visitor_id and v.user_id = p_user_id
    left join public.messages old_m on old_m.id = p_message_id
   where w.widget_key = p_widget_key and w.enabled and p_origin = any (w.allowed_origins);
  if not found then
    perform private.widget_company(p_widget_key, p_origin); -- raises PLW04 when the widget is what refuses
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if (ctx.replayed).id is not null then
    -- A retry of a stored message: answer with it, no rate limit, no second row.
    m := ctx.replayed;
    if m.conversation_id <> ctx.conversation_id or m.author_id is distinct from p_user_id or m.sender_kind <> 'visitor' then
      raise exception 'message_id_conflict' using errcode = 'PLM09';
    end if;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  perform private.widget_limit('message', p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute, 60);
  insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body)
  values (p_message_id, ctx.conversation_id, ctx.company_id, 'visitor', p_user_id, p_body)
  on conflict (id) do nothing
  returning * into m;
  if not found then
    -- Lost a race with a concurrent send of the same id: a retry of this message, or a conflict (rolled back).
    select * into m from public.messages where id = p_message_id;
    if m.conversation_id <> ctx.conversation_id or m.author_id is distinct from p_user_id then
      raise exception 'message_id_conflict' using errcode = 'PLM09';
    end if;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  -- Presence says who is here now; last_seen_at is for the profile, to the minute.
  if ctx.last_seen_at < now() - interval '1 minute' or (p_page_url is not null and p_page_url is distinct from ctx.last_page_url) then
    update public.visitors set last_seen_at = now(), last_page_url = coalesce(p_page_url, last_page_url) where id = ctx.visitor_id;
  end if;
  return jsonb_build_object('created', true, 'message', to_jsonb(m));
end;
$$;
comment on function public.widget_send_message(text, text, uuid, uuid, uuid, text, text, text, int, int) is
  'Widget message send for the widget found by key and origin, idempotent by message id, with ownership and rate limits; refusals raise PLW04/PLC04/PLM09/PLR29 and write nothing (service role only). One joined read does every check (ADR 0003).';

create or replace function private.message_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  member_name text;
  visitor_name text;
begin
  -- The company always comes from the conversation, whatever the writer sent; the visitor's name in the same read.
  select c.company_id, v.name into new.company_id, visitor_name
    from public.conversations c left join public.visitors v on v.id = c.visitor_id
   where c.id = new.conversation_id;
  if new.company_id is null then
    raise exception 'conversation % does not exist', new.conversation_id using errcode = '23503';
  end if;
  if new.sender_kind = 'agent' then
    select m.display_name into member_name from public.company_members m
     where m.company_id = new.company_id and m.user_id = new.author_id;
    -- Agents' own inserts always find themselves (the insert policy requires author = caller and membership);
    -- only the service role may store an agent message for someone who is not a member, under its own name.
    if found then
      new.author_name := member_name;
    end if;
  elsif new.sender_kind = 'visitor' then
    new.author_name := visitor_name;
  end if;
  return new;
end;
$$;
