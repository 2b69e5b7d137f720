// Channel settings (admins): connect a Facebook Page or an Instagram professional account, see each channel's
// webhook URL for Meta's app dashboard, disconnect one. Saved secrets are never shown again.
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import { PlatformBadge, platformLabel } from '../../components/PlatformBadge.tsx';
import type { loader } from './channels.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './channels.server.ts';

type ActionData = { ok?: boolean; message?: string; fieldErrors?: Record<string, string> };

const FIELDS = [
  ['pageId', 'Page id', 'text'],
  ['pageToken', 'Page access token', 'password'],
  ['appSecret', 'App secret', 'password'],
  ['verifyToken', 'Verify token', 'password'],
] as const;

export default function ChannelSettings() {
  const { channels } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const saving = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  return (
    <main className="settings" data-testid="channel-settings">
      <h1>Channels</h1>
      <p>Answer Messenger and Instagram messages in the inbox. Add each webhook URL below to your Meta app, with the same verify token.</p>
      {channels.length ? (
        <ul className="channels" data-testid="channel-list">
          {channels.map((c) => (
            <li key={c.id} data-channel-id={c.id}>
              <PlatformBadge platform={c.platform} /> <strong>{c.name || platformLabel(c.platform)}</strong> (page {c.page_id})
              <p>
                Webhook URL: <code data-testid="webhook-url">{c.webhookUrl}</code>
              </p>
              <Form method="post">
                <input type="hidden" name="intent" value="disconnect" />
                <input type="hidden" name="channelId" value={c.id} />
                <button type="submit">Disconnect {c.name || platformLabel(c.platform)}</button>
              </Form>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No channel connected yet.</p>
      )}
      <h2>Connect a channel</h2>
      <Form method="post" className="stack" aria-describedby={errors._form ? 'channel-form-error' : undefined}>
        <input type="hidden" name="intent" value="connect" />
        <label>
          Platform
          <select name="platform" defaultValue="facebook">
            <option value="facebook">Facebook Page (Messenger)</option>
            <option value="instagram">Instagram professional account (linked to the page)</option>
          </select>
        </label>
        {FIELDS.map(([name, label, type]) => (
          <label key={name}>
            {label}
            <input
              name={name}
              type={type}
              required
              autoComplete="off"
              aria-invalid={errors[name] ? true : undefined}
              aria-describedby={errors[name] ? `${name}-error` : undefined}
            />
            {errors[name] ? (
              <span className="field-error" id={`${name}-error`}>
                {errors[name]}
              </span>
            ) : null}
          </label>
        ))}
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Testing the connection…' : 'Test and connect'}
        </button>
        <p role="status" id="channel-form-error" data-testid="channel-result" className={result?.ok ? 'ok' : 'field-error'}>
          {errors._form ?? result?.message ?? ''}
        </p>
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="channel settings" />;
}
