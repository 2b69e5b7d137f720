// Channel settings (admins): connect a Facebook Page or an Instagram professional account, see each channel's
// webhook URL for Meta's app dashboard, replace a channel's token and secrets (rotated in Meta's app), disconnect
// one. Saved secrets are never shown again.
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import { PlatformBadge, platformLabel } from '../../components/PlatformBadge.tsx';
import type { loader } from './channels.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './channels.server.ts';

/** `channelId` names the channel whose replace form answered; without it, the connect form did. */
type ActionData = { ok?: boolean; message?: string; channelId?: string; fieldErrors?: Record<string, string> };

const FIELDS = [
  ['pageId', 'Page id', 'text'],
  ['pageToken', 'Page access token', 'password'],
  ['appSecret', 'App secret', 'password'],
  ['verifyToken', 'Verify token', 'password'],
] as const;
const SECRET_FIELDS = FIELDS.filter(([name]) => name !== 'pageId');

/** The form's inputs with their errors; `idPrefix` keeps the error ids unique when a page holds several forms. */
function Fields({ fields, errors, idPrefix, labelPrefix = '' }: { fields: readonly (typeof FIELDS)[number][]; errors: Record<string, string>; idPrefix: string; labelPrefix?: string }) {
  return fields.map(([name, label, type]) => (
    <label key={name}>
      {labelPrefix ? `${labelPrefix}${label.toLowerCase()}` : label}
      <input
        name={name}
        type={type}
        required
        autoComplete="off"
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `${idPrefix}-${name}-error` : undefined}
      />
      {errors[name] ? (
        <span className="field-error" id={`${idPrefix}-${name}-error`}>
          {errors[name]}
        </span>
      ) : null}
    </label>
  ));
}

function Result({ id, testId, result, errors }: { id: string; testId: string; result: ActionData | undefined; errors: Record<string, string> }) {
  return (
    <p role="status" id={id} data-testid={testId} className={result?.ok ? 'ok' : 'field-error'}>
      {errors._form ?? result?.message ?? ''}
    </p>
  );
}

export default function ChannelSettings() {
  const { channels } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const saving = useNavigation().state === 'submitting';
  const forChannel = (id?: string) => (result?.channelId === id ? result : undefined);
  const errors = forChannel(undefined)?.fieldErrors ?? {};
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
              <details open={forChannel(c.id) ? true : undefined}>
                <summary>Replace token and secrets</summary>
                <Form method="post" className="stack" aria-describedby={forChannel(c.id)?.fieldErrors?._form ? `replace-${c.id}-result` : undefined}>
                  <input type="hidden" name="intent" value="replace" />
                  <input type="hidden" name="channelId" value={c.id} />
                  <input type="hidden" name="platform" value={c.platform} />
                  <input type="hidden" name="pageId" value={c.page_id} />
                  <Fields fields={SECRET_FIELDS} errors={forChannel(c.id)?.fieldErrors ?? {}} idPrefix={`replace-${c.id}`} labelPrefix="New " />
                  <button type="submit" disabled={saving}>
                    Test and save
                  </button>
                  <Result id={`replace-${c.id}-result`} testId="channel-replace-result" result={forChannel(c.id)} errors={forChannel(c.id)?.fieldErrors ?? {}} />
                </Form>
              </details>
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
        <Fields fields={FIELDS} errors={errors} idPrefix="connect" />
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Testing the connection…' : 'Test and connect'}
        </button>
        <Result id="channel-form-error" testId="channel-result" result={forChannel(undefined)} errors={errors} />
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="channel settings" />;
}
