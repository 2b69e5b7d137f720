-- Every visitor call is bound to the widget whose key and origin let it in (issue 14, findings 4, 6 and 7).
--
-- The widget RPCs used to take no widget: a visitor with an Acme conversation could read and write it through
-- Globex's key from Globex's origin, past Acme's suspension, its disabled widget and its allow-list. Now each
-- RPC takes the widget key and the page's origin, finds the widget itself and checks, in the same transaction,
-- that the widget and its company are enabled and the origin allowed (the functions cache widgets for 5 s; the
-- database is the truth). A conversation of another company is answered like an unknown one.
--
-- Refusals are raised, never returned after a write, so a refused call leaves nothing behind: no visitor, no
-- empty conversation, no rate-limit hit (a `return` after the writes used to commit them). Stable SQLSTATEs the
-- functions map to HTTP (functions/_shared/db.ts):
--   PLW04 widget_not_found        unknown key, widget or company switched off, origin not allowed   → 404
--   PLC04 conversation_not_found  unknown conversation, someone else's, or another company's        → 404
--   PLM09 message_id_conflict     the client's message id belongs to another message                → 409
--   PLR29 rate_limited            DETAIL = seconds until retry                                      → 429
--   PLH00 invalid_cursor          the history cursor is not a message of this conversation          → 400
-- Rate limits count stored work only: a refused call rolls its hits back with everything else.
--
-- Every path that stores a visitor message applies the same limits, per visitor and per address, through one
-- helper (private.widget_limit_message): widget-session with a first message skipped the per-address one.

drop function public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int);
drop function public.widget_send_message(uuid, uuid, uuid, text, text, text, int, int);
drop function public.widget_history(uuid, uuid, uuid, int);

create function private.widget_company(p_widget_key text, p_origin text) returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  found_company uuid;
begin
  -- No row lock: a suspension committed while this call runs is ordered after it, like any concurrent change.
  select w.company_id into found_company
    from public.widget_configs w join public.companies co on co.id = w.company_id
   where w.widget_key = p_widget_key and w.enabled and co.enabled and p_origin = any (w.allowed_origins);
  if found_company is null then
    raise exception 'widget_not_found' using errcode = 'PLW04',
      detail = 'unknown widget key, widget or company switched off, or origin not allowed';
  end if;
  return found_company;
end;
$$;
comment on function private.widget_company(text, text) is
  'The company of an enabled widget of an enabled company that allows the origin; raises PLW04 (widget_not_found) otherwise.';

create function private.widget_limit_message(p_user_id uuid, p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int) returns void
language plpgsql security definer set search_path = '' as $$
declare
  wait int;
begin
  wait := public.widget_rate_limit('message:visitor:' || p_user_id, p_messages_per_minute, 60);
  if wait = 0 then
    wait := public.widget_rate_limit('message:ip:' || coalesce(p_ip, 'unknown'), p_ip_messages_per_minute, 60);
  end if;
  if wait > 0 then
    raise exception 'rate_limited' using errcode = 'PLR29', detail = wait::text;
  end if;
end;
$$;
comment on function private.widget_limit_message(uuid, text, int, int) is
  'Counts one stored visitor message against the per-visitor and per-address limits; raises PLR29 (rate_limited, DETAIL = Retry-After seconds) when either is full.';

create function private.widget_limit_conversation(p_user_id uuid, p_ip text, p_per_hour int, p_ip_per_hour int) returns void
language plpgsql security definer set search_path = '' as $$
declare
  wait int;
begin
  wait := public.widget_rate_limit('conversation:visitor:' || p_user_id, p_per_hour, 3600);
  if wait = 0 then
    wait := public.widget_rate_limit('conversation:ip:' || coalesce(p_ip, 'unknown'), p_ip_per_hour, 3600);
  end if;
  if wait > 0 then
    raise exception 'rate_limited' using errcode = 'PLR29', detail = wait::text;
  end if;
end;
$$;
comment on function private.widget_limit_conversation(uuid, text, int, int) is
  'Counts one new conversation against the per-visitor and per-address limits; raises PLR29 (rate_limited, DETAIL = Retry-After seconds) when either is full.';

revoke all on function private.widget_company(text, text), private.widget_limit_message(uuid, text, int, int),
  private.widget_limit_conversation(uuid, text, int, int) from public, anon, authenticated;

-- Starts (or resumes) a visitor's conversation with the widget's company: visitor row, open conversation and
-- first message in one transaction. Everything that can refuse is checked before the first write.
create function public.widget_start_session(
  p_widget_key text, p_origin text, p_user_id uuid, p_name text, p_email text, p_phone text, p_page_url text,
  p_page_title text, p_user_agent text, p_locale text, p_first_message_id uuid, p_first_message_body text, p_ip text,
  p_conversations_per_hour int, p_ip_conversations_per_hour int, p_messages_per_minute int, p_ip_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  v public.visitors;
  c public.conversations;
  m public.messages;
  created boolean := false;
  wants_message boolean := p_first_message_id is not null and p_first_message_body is not null;
  replay boolean := false;
begin
  select * into v from public.visitors where company_id = company and user_id = p_user_id;
  if found then
    select * into c from public.conversations
     where visitor_id = v.id and platform = 'widget' and status <> 'resolved'
     order by created_at desc limit 1 for update;
  end if;
  if wants_message then
    select * into m from public.messages where id = p_first_message_id;
    if found then
      -- A retry of this visitor's first message is answered from the database (no second row, no limit);
      -- an id of any other message is a conflict, refused before anything is written.
      if c.id is null or m.conversation_id <> c.id or m.author_id is distinct from p_user_id or m.sender_kind <> 'visitor' then
        raise exception 'message_id_conflict' using errcode = 'PLM09';
      end if;
      replay := true;
    end if;
  end if;
  if c.id is null then
    perform private.widget_limit_conversation(p_user_id, p_ip, p_conversations_per_hour, p_ip_conversations_per_hour);
  end if;
  if wants_message and not replay then
    perform private.widget_limit_message(p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute);
  end if;

  insert into public.visitors as x (company_id, user_id, name, email, phone, last_page_url, last_page_title, user_agent, locale)
  values (company, p_user_id, p_name, p_email, p_phone, p_page_url, p_page_title, p_user_agent, p_locale)
  on conflict (company_id, user_id) do update set
    name = coalesce(excluded.name, x.name), email = coalesce(excluded.email, x.email), phone = coalesce(excluded.phone, x.phone),
    last_page_url = coalesce(excluded.last_page_url, x.last_page_url), last_page_title = coalesce(excluded.last_page_title, x.last_page_title),
    user_agent = coalesce(excluded.user_agent, x.user_agent), locale = coalesce(excluded.locale, x.locale), last_seen_at = now()
  returning * into v;

  if c.id is null then
    insert into public.conversations (company_id, visitor_id, platform) values (company, v.id, 'widget') returning * into c;
    created := true;
  end if;

  if wants_message and not replay then
    insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
    values (p_first_message_id, c.id, company, 'visitor', p_user_id, v.name, p_first_message_body)
    on conflict (id) do nothing;
    if not found then
      -- A concurrent call stored this id first: the same first message is a replay, any other a conflict
      -- (raised, so the visitor and conversation written above roll back too).
      if not exists (select 1 from public.messages x where x.id = p_first_message_id and x.conversation_id = c.id and x.author_id = p_user_id) then
        raise exception 'message_id_conflict' using errcode = 'PLM09';
      end if;
    end if;
  end if;

  return jsonb_build_object('created', created, 'visitor', to_jsonb(v), 'conversation', to_jsonb(c),
    'messages', coalesce((select jsonb_agg(to_jsonb(r) order by r.created_at, r.id)
                          from (select * from public.messages where conversation_id = c.id order by created_at desc, id desc limit 100) r), '[]'::jsonb));
end;
$$;
comment on function public.widget_start_session(text, text, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int, int) is
  'Widget session for the widget found by key and origin: upserts the visitor, returns their open conversation or starts one, stores the first message, applies rate limits; refusals raise PLW04/PLM09/PLR29 and write nothing (service role only).';

-- Stores a visitor message idempotently (the client-generated id): a replay returns the stored row. The
-- conversation must be the caller's and belong to the widget's company.
create function public.widget_send_message(
  p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_page_url text,
  p_ip text, p_messages_per_minute int, p_ip_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  conv public.conversations;
  vis public.visitors;
  m public.messages;
begin
  select c.* into conv from public.conversations c join public.visitors v on v.id = c.visitor_id
   where c.id = p_conversation_id and v.user_id = p_user_id and c.company_id = company;
  if not found then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  select * into m from public.messages where id = p_message_id;
  if found then
    -- A retry of a stored message: answer with it, no rate limit, no second row.
    if m.conversation_id <> conv.id or m.author_id is distinct from p_user_id or m.sender_kind <> 'visitor' then
      raise exception 'message_id_conflict' using errcode = 'PLM09';
    end if;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  perform private.widget_limit_message(p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute);
  select * into vis from public.visitors where id = conv.visitor_id;
  insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
  values (p_message_id, conv.id, company, 'visitor', p_user_id, vis.name, p_body)
  on conflict (id) do nothing
  returning * into m;
  if not found then
    -- Lost a race with a concurrent send of the same id: a retry of this message, or a conflict (rolled back).
    select * into m from public.messages where id = p_message_id;
    if m.conversation_id <> conv.id or m.author_id is distinct from p_user_id then
      raise exception 'message_id_conflict' using errcode = 'PLM09';
    end if;
    return jsonb_build_object('created', false, 'message', to_jsonb(m));
  end if;
  update public.visitors set last_seen_at = now(), last_page_url = coalesce(p_page_url, last_page_url) where id = vis.id;
  return jsonb_build_object('created', true, 'message', to_jsonb(m));
end;
$$;
comment on function public.widget_send_message(text, text, uuid, uuid, uuid, text, text, text, int, int) is
  'Widget message send for the widget found by key and origin, idempotent by message id, with ownership and rate limits; refusals raise PLW04/PLC04/PLM09/PLR29 and write nothing (service role only).';

-- A visitor's catch-up: messages of their own conversation with the widget's company after a cursor message.
create function public.widget_history(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_after uuid, p_limit int)
returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  since timestamptz;
  since_id uuid;
  rows jsonb;
begin
  if not exists (select 1 from public.conversations c join public.visitors v on v.id = c.visitor_id
                  where c.id = p_conversation_id and v.user_id = p_user_id and c.company_id = company) then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if p_after is not null then
    select created_at, id into since, since_id from public.messages where id = p_after and conversation_id = p_conversation_id;
    if since is null then
      raise exception 'invalid_cursor' using errcode = 'PLH00';
    end if;
  end if;
  select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at, m.id), '[]'::jsonb) into rows
    from (select * from public.messages
           where conversation_id = p_conversation_id and (since is null or (created_at, id) > (since, since_id))
           order by created_at, id limit p_limit + 1) m;
  return jsonb_build_object('messages', rows);
end;
$$;
comment on function public.widget_history(text, text, uuid, uuid, uuid, int) is
  'Widget catch-up for the widget found by key and origin, own conversation only; refusals raise PLW04/PLC04/PLH00 (service role only).';

revoke all on function public.widget_start_session(text, text, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int, int),
  public.widget_send_message(text, text, uuid, uuid, uuid, text, text, text, int, int),
  public.widget_history(text, text, uuid, uuid, uuid, int) from public, anon, authenticated;
grant execute on function public.widget_start_session(text, text, uuid, text, text, text, text, text, text, text, uuid, text, text, int, int, int, int),
  public.widget_send_message(text, text, uuid, uuid, uuid, text, text, text, int, int),
  public.widget_history(text, text, uuid, uuid, uuid, int) to service_role;

-- Text the widget stores holds no control characters (the rule of functions/_shared/text-rules.ts: none but tab,
-- line feed and carriage return; Postgres text cannot hold NUL at all). The functions refuse them first with a
-- 400; these constraints refuse them from any other writer too (23514, a 400 through the API), so what agents
-- read and export never holds invisible characters. NOT VALID: rows stored before are not re-checked.
alter table public.messages add constraint messages_body_plain_text
  check (body !~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]') not valid;
comment on constraint messages_body_plain_text on public.messages is 'No control characters but tab, line feed and carriage return.';
alter table public.visitors add constraint visitors_plain_text
  check ((coalesce(name, '') || coalesce(email, '') || coalesce(phone, '') || coalesce(last_page_url, '') || coalesce(last_page_title, '')
          || coalesce(user_agent, '') || coalesce(locale, '')) !~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]') not valid;
comment on constraint visitors_plain_text on public.visitors is 'No control characters but tab, line feed and carriage return in what a visitor sent.';
