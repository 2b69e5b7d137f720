-- The writes of the Meta functions, each one transaction: store an incoming message once (visitor, conversation,
-- message and its platform id together), and move deliveries and the "seen" mark on delivery/read webhooks.
-- Service role only: the functions call them after checking the webhook's signature or the agent's JWT.

-- The platform id is claimed before the message exists (same transaction), so a replay waits and stores nothing.
alter table public.meta_inbound drop constraint meta_inbound_message_id_fkey,
  add constraint meta_inbound_message_id_fkey foreign key (message_id) references public.messages(id) on delete cascade deferrable initially deferred;

create function public.meta_receive_message(p_channel_id uuid, p_sender_id text, p_mid text, p_body text, p_user_id uuid default null, p_name text default null, p_picture text default null)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  ch public.meta_channels;
  vis uuid;
  conv public.conversations;
  msg uuid := gen_random_uuid();
  claimed text;
begin
  select * into ch from public.meta_channels where id = p_channel_id;
  if not found then
    raise exception 'no such channel' using errcode = 'PLS41';
  end if;
  select s.visitor_id into vis from public.meta_senders s where s.channel_id = ch.id and s.sender_id = p_sender_id;
  if vis is null and p_user_id is null then
    -- New sender: the function fetches the profile, creates their auth user and calls again.
    if exists (select 1 from public.meta_inbound where platform_message_id = p_mid) then
      return jsonb_build_object('stored', false);
    end if;
    raise exception 'unknown sender' using errcode = 'PLS42';
  end if;
  insert into public.meta_inbound (platform_message_id, channel_id, company_id, message_id)
    values (p_mid, ch.id, ch.company_id, msg) on conflict (platform_message_id) do nothing returning platform_message_id into claimed;
  if claimed is null then
    return jsonb_build_object('stored', false);
  end if;
  if vis is null then
    insert into public.visitors (company_id, user_id, name) values (ch.company_id, p_user_id, left(nullif(p_name, ''), 120)) returning id into vis;
    insert into public.meta_senders (channel_id, sender_id, company_id, visitor_id, profile_pic_url)
      values (ch.id, p_sender_id, ch.company_id, vis, left(p_picture, 2048));
  end if;
  select * into conv from public.conversations c
   where c.visitor_id = vis and c.platform = ch.platform and c.status <> 'resolved'
   order by c.last_message_at desc limit 1;
  if not found then
    insert into public.conversations (company_id, visitor_id, platform) values (ch.company_id, vis, ch.platform) returning * into conv;
  end if;
  insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body)
    select msg, conv.id, ch.company_id, 'visitor', v.user_id, left(p_body, 4000) from public.visitors v where v.id = vis;
  return jsonb_build_object('stored', true, 'message_id', msg, 'conversation_id', conv.id);
end;
$$;
comment on function public.meta_receive_message(uuid, text, text, text, uuid, text, text) is
  'Stores one incoming Messenger/Instagram message once (by its mid): the sender''s visitor (new ones need p_user_id), an open conversation, the message. Raises PLS42 for an unknown sender without a user.';

-- Delivery and read receipts: replies of this sender's conversations up to the watermark are delivered (or read),
-- and a read moves the visitor's "seen" mark forward to the newest of them.
create function public.meta_receipt(p_channel_id uuid, p_sender_id text, p_watermark timestamptz, p_read boolean)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  vis uuid;
  newest record;
begin
  select s.visitor_id into vis from public.meta_senders s where s.channel_id = p_channel_id and s.sender_id = p_sender_id;
  if vis is null then
    return;
  end if;
  update public.meta_deliveries d set status = case when p_read then 'read'::public.meta_delivery_status else 'delivered' end, updated_at = now()
    from public.messages m join public.conversations c on c.id = m.conversation_id
   where d.message_id = m.id and d.channel_id = p_channel_id and c.visitor_id = vis and m.created_at <= p_watermark
     and (d.status in ('sent', 'pending') or (p_read and d.status = 'delivered'));
  if p_read then
    for newest in
      select distinct on (m.conversation_id) m.conversation_id, m.id from public.messages m
        join public.conversations c on c.id = m.conversation_id
        join public.meta_deliveries d on d.message_id = m.id
       where c.visitor_id = vis and d.channel_id = p_channel_id and m.created_at <= p_watermark and d.status = 'read'
       order by m.conversation_id, m.created_at desc, m.id desc
    loop
      update public.conversations c set visitor_last_read_message_id = newest.id, visitor_last_read_at = now()
       where c.id = newest.conversation_id and private.read_mark_moves(c.id, c.visitor_last_read_message_id, newest.id);
    end loop;
  end if;
end;
$$;
comment on function public.meta_receipt(uuid, text, timestamptz, boolean) is
  'A delivery or read webhook: marks the sender''s replies up to the watermark delivered/read; a read moves the "seen" mark forward.';

revoke all on function public.meta_receive_message(uuid, text, text, text, uuid, text, text), public.meta_receipt(uuid, text, timestamptz, boolean) from public, anon, authenticated;
grant execute on function public.meta_receive_message(uuid, text, text, text, uuid, text, text), public.meta_receipt(uuid, text, timestamptz, boolean) to service_role;
