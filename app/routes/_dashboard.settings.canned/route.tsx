// Canned responses (admins): saved replies under a shortcut. Agents type `/` and the shortcut in the composer;
// the variables are filled in before sending.
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import type { CannedResponse } from '../../lib/canned-variables.ts';
import type { loader } from './canned.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './canned.server.ts';

type ActionData = { ok?: boolean; intent?: string; message?: string; fieldErrors?: Record<string, string> };

function Fields({ idPrefix, values, errors }: { idPrefix: string; values?: CannedResponse; errors: Record<string, string> }) {
  return (
    <>
      <label htmlFor={`${idPrefix}-shortcut`}>Shortcut</label>
      <input id={`${idPrefix}-shortcut`} name="shortcut" defaultValue={values?.shortcut} required maxLength={32} pattern="[a-z0-9][a-z0-9_\-]*" aria-invalid={!!errors.shortcut} />
      {errors.shortcut ? <p className="field-error">{errors.shortcut}</p> : null}
      <label htmlFor={`${idPrefix}-title`}>Title</label>
      <input id={`${idPrefix}-title`} name="title" defaultValue={values?.title} required maxLength={80} aria-invalid={!!errors.title} />
      {errors.title ? <p className="field-error">{errors.title}</p> : null}
      <label htmlFor={`${idPrefix}-body`}>Reply</label>
      <textarea id={`${idPrefix}-body`} name="body" defaultValue={values?.body} required rows={3} aria-invalid={!!errors.body} />
      {errors.body ? <p className="field-error">{errors.body}</p> : null}
    </>
  );
}

function CannedRow({ canned }: { canned: CannedResponse }) {
  const fetcher = useFetcher<ActionData>();
  const errors = fetcher.data?.ok === false ? (fetcher.data.fieldErrors ?? {}) : {};
  return (
    <li className="card" data-testid="canned-row" style={{ display: 'grid', gap: 6 }}>
      <fetcher.Form method="post" style={{ display: 'grid', gap: 6 }}>
        <input type="hidden" name="intent" value="update" />
        <input type="hidden" name="id" value={canned.id} />
        <Fields idPrefix={`c-${canned.id}`} values={canned} errors={errors} />
        {fetcher.data ? <p className={fetcher.data.ok ? 'notice' : 'field-error'}>{fetcher.data.ok ? fetcher.data.message : (errors._form ?? fetcher.data.message)}</p> : null}
        <button type="submit" style={{ justifySelf: 'start' }}>
          Save
        </button>
      </fetcher.Form>
      <fetcher.Form
        method="post"
        onSubmit={(e) => {
          if (!confirm(`Delete /${canned.shortcut}?`)) e.preventDefault();
        }}
      >
        <input type="hidden" name="intent" value="delete" />
        <input type="hidden" name="id" value={canned.id} />
        <button type="submit" className="danger" aria-label={`Delete /${canned.shortcut}`}>
          Delete
        </button>
      </fetcher.Form>
    </li>
  );
}

export default function CannedSettings() {
  const { canned } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = actionData?.intent === 'create' && !actionData.ok ? (actionData.fieldErrors ?? {}) : {};
  useEffect(() => {
    if (actionData?.ok && actionData.intent === 'create') formRef.current?.reset();
  }, [actionData]);
  return (
    <main className="page">
      <h1>Canned responses</h1>
      <p className="muted">
        In a conversation, type <kbd>/</kbd> and the shortcut. Variables filled in before sending: <code>{'{{visitor.name}}'}</code> (“there” when unknown),{' '}
        <code>{'{{visitor.email}}'}</code>, <code>{'{{agent.name}}'}</code> (“the team” when unset), <code>{'{{company.name}}'}</code> (empty when unknown).
      </p>
      {canned.length ? (
        <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 10 }}>
          {canned.map((c) => (
            <CannedRow key={c.id} canned={c} />
          ))}
        </ul>
      ) : (
        <p>No canned responses yet.</p>
      )}
      <h2>New canned response</h2>
      <Form method="post" ref={formRef} className="card" style={{ display: 'grid', gap: 6, maxWidth: 520 }} noValidate>
        <input type="hidden" name="intent" value="create" />
        <Fields idPrefix="new" errors={errors} />
        {errors._form ? <p className="field-error">{errors._form}</p> : null}
        {actionData?.ok && actionData.intent === 'create' ? <p className="notice">{actionData.message}</p> : null}
        <button type="submit" className="primary" disabled={navigation.state === 'submitting'}>
          Add canned response
        </button>
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="canned responses" />;
}
