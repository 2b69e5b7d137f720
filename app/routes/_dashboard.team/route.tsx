// Team (admins): members of this company, invite someone by email (pending invitations can be revoked), change a role, remove someone.
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import type { PendingInvitation } from '../../models/invitations.server.ts';
import type { Member } from '../../models/members.server.ts';
import type { loader } from './team.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './team.server.ts';

type ActionData = { ok?: boolean; intent?: string; message?: string; fieldErrors?: Record<string, string> };

function InvitationRow({ invitation }: { invitation: PendingInvitation }) {
  const fetcher = useFetcher<ActionData>();
  return (
    <tr data-testid="invitation-row">
      <td>{invitation.display_name}</td>
      <td>{invitation.email}</td>
      <td>{invitation.role === 'admin' ? 'Admin' : 'Agent'}</td>
      <td>
        <fetcher.Form method="post">
          <input type="hidden" name="intent" value="revoke" />
          <input type="hidden" name="invitationId" value={invitation.id} />
          <button type="submit" className="danger" disabled={fetcher.state !== 'idle'}>
            Revoke
          </button>
        </fetcher.Form>
        {fetcher.data && !fetcher.data.ok ? <p className="field-error">{fetcher.data.message}</p> : null}
      </td>
    </tr>
  );
}

function MemberRow({ member, isMe }: { member: Member; isMe: boolean }) {
  const fetcher = useFetcher<ActionData>();
  const role = (fetcher.formData?.get('role') as string | null) ?? member.role;
  return (
    <tr data-testid="member-row">
      <td>
        {member.display_name || '—'}
        {isMe ? <span className="muted"> (you)</span> : null}
      </td>
      <td>
        <fetcher.Form method="post" className="inline">
          <input type="hidden" name="intent" value="role" />
          <input type="hidden" name="userId" value={member.user_id} />
          <select name="role" value={role} disabled={isMe} onChange={(e) => fetcher.submit(e.currentTarget.form)} aria-label="Role">
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </fetcher.Form>
      </td>
      <td>
        {isMe ? null : (
          <fetcher.Form
            method="post"
            onSubmit={(e) => {
              if (!confirm(`Remove ${member.display_name || 'this member'} from the company?`)) e.preventDefault();
            }}
          >
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="userId" value={member.user_id} />
            <button type="submit" className="danger">
              Remove
            </button>
          </fetcher.Form>
        )}
        {fetcher.data && !fetcher.data.ok ? <p className="field-error">{fetcher.data.message}</p> : null}
      </td>
    </tr>
  );
}

export default function Team() {
  const { members, invitations, me } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = actionData?.intent === 'invite' ? (actionData.fieldErrors ?? {}) : {};
  useEffect(() => {
    if (actionData?.ok && actionData.intent === 'invite') formRef.current?.reset();
  }, [actionData]);
  return (
    <main className="page">
      <h1>Team</h1>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <MemberRow key={m.user_id} member={m} isMe={m.user_id === me} />
          ))}
        </tbody>
      </table>
      {invitations.length ? (
        <>
          <h2>Pending invitations</h2>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invitations.map((i) => (
                <InvitationRow key={i.id} invitation={i} />
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <h2>Invite someone</h2>
      <p className="muted">They get an email with a link; they join once they accept. Someone who already has an account accepts after signing in.</p>
      <Form method="post" ref={formRef} className="card" style={{ display: 'grid', gap: 10, maxWidth: 420 }} noValidate>
        <input type="hidden" name="intent" value="invite" />
        <label>
          Name
          <input name="displayName" required aria-invalid={!!errors.displayName} />
        </label>
        {errors.displayName ? <p className="field-error">{errors.displayName}</p> : null}
        <label>
          Email
          <input name="email" type="email" required aria-invalid={!!errors.email} />
        </label>
        {errors.email ? <p className="field-error">{errors.email}</p> : null}
        <label>
          Role
          <select name="role" defaultValue="agent">
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        {errors._form ? <p className="field-error">{errors._form}</p> : null}
        {actionData?.ok && actionData.intent === 'invite' ? <p className="notice">{actionData.message}</p> : null}
        <button type="submit" className="primary" disabled={navigation.state === 'submitting'}>
          Send invitation
        </button>
      </Form>
    </main>
  );
}
