-- "Try a visitor's question" in the help center (issue 22): an admin sees the published articles the search finds
-- for a question, with the scores the Auto Bot judges them by, so they can tell whether the bot would answer and
-- with what before a visitor asks. The very search the bot and the widget use (private.help_search), for admins
-- of the company only.

create function public.help_try(p_company_id uuid, p_query text)
returns table (id uuid, title text, category text, locale text, excerpt text, score real)
language plpgsql stable security definer set search_path = '' as $$
begin
  if p_company_id is null or p_company_id not in (select private.my_admin_company_ids()) then
    raise exception 'only an admin of this company can try the help search' using errcode = '42501';
  end if;
  if p_query is null or char_length(btrim(p_query)) not between 1 and 300 then
    raise exception 'a question is 1 to 300 characters' using errcode = '22023';
  end if;
  return query select * from private.help_search(p_company_id, p_query, 5);
end;
$$;
comment on function public.help_try(uuid, text) is
  'The published articles the help search (and so the Auto Bot) finds for a question, with their 0..1 scores; admins of the company only.';
revoke all on function public.help_try(uuid, text) from public, anon;
grant execute on function public.help_try(uuid, text) to authenticated;
