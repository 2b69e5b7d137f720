-- Membership only with consent: admins invite an email address, the person behind it accepts.
-- Admins can no longer insert someone (say, another company's agent) into their company directly: a membership
-- row is written only by public.accept_invitation, run by the invitee, whose verified email must match.

create table public.company_invitations (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  email text not null check (email = lower(email) and char_length(email) between 3 and 320),
  role public.member_role not null default 'agent',
  display_name text not null check (char_length(display_name) between 1 and 80),
  invited_by uuid default auth.uid() references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users(id) on delete set null,
  check (expires_at > created_at and expires_at <= created_at + interval '30 days'),
  check ((accepted_at is null) = (accepted_by is null))
);
-- One open invitation per company and address: inviting again is a conflict, not a second row.
create unique index company_invitations_open_idx on public.company_invitations (company_id, email) where accepted_at is null;
create index company_invitations_email_idx on public.company_invitations (email) where accepted_at is null;
comment on table public.company_invitations is
  'Invitations to join a company, addressed to an email. The invitee accepts with public.accept_invitation; revoking one deletes it. No secret token: the invitee is identified by the verified email of their sign-in (the invite email''s link proves it).';
comment on column public.company_invitations.id is 'Invitation id; the invitee passes it to accept_invitation.';
comment on column public.company_invitations.company_id is 'The company the invitee joins.';
comment on column public.company_invitations.email is 'Lower-case address of the invitee; only a user signed in with this verified email can accept.';
comment on column public.company_invitations.role is 'Role the invitee gets on accepting.';
comment on column public.company_invitations.display_name is 'Name the invitee gets in the company (visitors see it on replies).';
comment on column public.company_invitations.invited_by is 'The admin who invited (their auth user), null once that user is deleted.';
comment on column public.company_invitations.created_at is 'When the invitation was made.';
comment on column public.company_invitations.expires_at is 'After this it can no longer be accepted (7 days by default, at most 30).';
comment on column public.company_invitations.accepted_at is 'When it was accepted; null while pending. An accepted invitation cannot be used again.';
comment on column public.company_invitations.accepted_by is 'The auth user who accepted it.';

create function private.my_verified_email() returns text
language sql stable security definer set search_path = '' as $$
  select lower(u.email) from auth.users u
  where u.id = (select auth.uid()) and u.email_confirmed_at is not null and not u.is_anonymous
    and lower(u.email) = lower((select auth.jwt()) ->> 'email')
$$;
comment on function private.my_verified_email() is
  'The current user''s email if Auth has verified it (and it is the one in their token), else null: what invitations are matched against.';
revoke all on function private.my_verified_email() from public, anon;
grant execute on function private.my_verified_email() to authenticated, service_role;

alter table public.company_invitations enable row level security;

create policy "admins see their company's invitations" on public.company_invitations
  for select to authenticated using (company_id in (select private.my_admin_company_ids()));
create policy "invitees see invitations to their email" on public.company_invitations
  for select to authenticated using (email = (select private.my_verified_email()));
create policy "admins invite to their company" on public.company_invitations
  for insert to authenticated
  with check (company_id in (select private.my_admin_company_ids()) and invited_by = (select auth.uid()) and accepted_at is null);
create policy "admins revoke their company's invitations" on public.company_invitations
  for delete to authenticated using (company_id in (select private.my_admin_company_ids()));

-- Revoke first: databases whose defaults grant ALL must not keep update or other columns.
revoke all on public.company_invitations from public, anon, authenticated;
grant select, delete on public.company_invitations to authenticated;
grant insert (company_id, email, role, display_name, expires_at) on public.company_invitations to authenticated;
grant all on public.company_invitations to service_role;

-- Nobody but accept_invitation (and the service role) writes memberships now.
drop policy "admins add members" on public.company_members;
revoke insert on public.company_members from authenticated;

create function public.accept_invitation(p_invitation_id uuid) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_email text := private.my_verified_email();
  v_inv public.company_invitations;
  v_confirmed_at timestamptz;
begin
  if v_uid is null then
    raise exception 'Sign in to accept an invitation.' using errcode = '42501', hint = 'not_signed_in';
  end if;
  -- Lock the invitation: two tabs accepting at once write one membership, and the second sees it accepted.
  select * into v_inv from public.company_invitations i where i.id = p_invitation_id for update;
  if not found or v_email is null or v_inv.email <> v_email then
    raise exception 'No such invitation for this account.' using errcode = 'PT404', hint = 'invitation_not_found';
  end if;
  if v_inv.accepted_at is not null then
    if v_inv.accepted_by = v_uid then
      return v_inv.company_id; -- a retry of our own accept: already done
    end if;
    raise exception 'This invitation was already used.' using errcode = 'PT409', hint = 'invitation_used';
  end if;
  if v_inv.expires_at <= now() then
    raise exception 'This invitation has expired. Ask an admin for a new one.' using errcode = 'PT410', hint = 'invitation_expired';
  end if;
  -- An address confirmed only after the invitation (by its invite link) proves the mailbox in that link's
  -- session (amr otp), not with a password: someone who registered the address in advance knows that password.
  select u.email_confirmed_at into v_confirmed_at from auth.users u where u.id = v_uid;
  if v_confirmed_at >= v_inv.created_at and not coalesce((select auth.jwt()) -> 'amr' @> '[{"method": "otp"}]'::jsonb, false) then
    raise exception 'Open the invitation link from your email to accept it.' using errcode = 'PT403', hint = 'invitation_link_required';
  end if;
  -- Already a member (e.g. invited twice through two admins): keep the existing role and name.
  insert into public.company_members (company_id, user_id, role, display_name)
  values (v_inv.company_id, v_uid, v_inv.role, v_inv.display_name)
  on conflict (company_id, user_id) do nothing;
  update public.company_invitations set accepted_at = now(), accepted_by = v_uid where id = v_inv.id;
  return v_inv.company_id;
end
$$;
comment on function public.accept_invitation(uuid) is
  'The signed-in invitee joins the invitation''s company: checks it is addressed to their verified email, pending and unexpired (and, for an address confirmed after the invitation, that the session came from the email link), then writes the membership and marks it accepted in one transaction. Returns the company id; a retry by the same user returns it again.';
revoke all on function public.accept_invitation(uuid) from public, anon;
grant execute on function public.accept_invitation(uuid) to authenticated;

create function public.my_invitations()
returns table (id uuid, company_id uuid, company_name text, role public.member_role, display_name text, expires_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select i.id, i.company_id, c.name, i.role, i.display_name, i.expires_at
  from public.company_invitations i join public.companies c on c.id = i.company_id
  where i.email = private.my_verified_email() and i.accepted_at is null and i.expires_at > now()
  order by i.created_at
$$;
comment on function public.my_invitations() is
  'Pending, unexpired invitations to the current user''s verified email, with the company''s name (which the invitee cannot read yet).';
revoke all on function public.my_invitations() from public, anon;
grant execute on function public.my_invitations() to authenticated;
