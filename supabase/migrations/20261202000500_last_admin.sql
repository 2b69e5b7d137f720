-- A company keeps at least one admin: no demotion or removal (through REST, Studio or two admins demoting each
-- other at the same moment) may leave a company that had an admin without one.

create function private.keep_an_admin() returns trigger
language plpgsql volatile security definer set search_path = '' as $$
begin
  if old.role <> 'admin' then
    return null;
  end if;
  -- Serialise every admin change of this company on its row: a concurrent demotion waits here, then (read
  -- committed: a fresh snapshot per statement) sees the one that committed first and is refused.
  perform 1 from public.companies c where c.id = old.company_id for no key update;
  if not found then
    return null; -- the company itself is being deleted: its members go with it
  end if;
  if not exists (select 1 from auth.users u where u.id = old.user_id) then
    return null; -- the admin's account is being deleted (an operator's act): Auth must not fail on it
  end if;
  if not exists (select 1 from public.company_members m where m.company_id = old.company_id and m.role = 'admin') then
    raise exception 'A company must keep at least one admin. Make someone else an admin first.'
      using errcode = '23514', hint = 'last_admin';
  end if;
  return null;
end
$$;
comment on function private.keep_an_admin() is
  'After a member row changes or goes: refuses when its company no longer has an admin (locks the company row first, so concurrent demotions are checked one after the other). Deleting the company or the user is allowed.';
revoke all on function private.keep_an_admin() from public, anon, authenticated;

-- After the row changes, so the check sees the statement's own effect (several rows at once included).
create trigger company_members_keep_an_admin
  after update of role, company_id or delete on public.company_members
  for each row execute function private.keep_an_admin();
comment on trigger company_members_keep_an_admin on public.company_members is 'A company keeps at least one admin (private.keep_an_admin).';
