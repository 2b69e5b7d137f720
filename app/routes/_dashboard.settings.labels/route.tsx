// Labels (admins): the company's coloured labels for conversations. Agents put them on conversations; the inbox
// filters by them. Each chip's text is black or white, whichever contrasts more with the colour (AA).
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import { LabelChip } from '../../components/LabelChip.tsx';
import { LABEL_PALETTE } from '../../lib/label-colors.ts';
import type { Label } from '../../models/labels.server.ts';
import type { loader } from './labels.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './labels.server.ts';

type ActionData = { ok?: boolean; intent?: string; message?: string; fieldErrors?: Record<string, string> };

function LabelRow({ label }: { label: Label }) {
  const fetcher = useFetcher<ActionData>();
  const errors = fetcher.data?.ok === false ? (fetcher.data.fieldErrors ?? {}) : {};
  return (
    <tr data-testid="label-row">
      <td>
        <LabelChip name={label.name} color={label.color} />
      </td>
      <td>
        <fetcher.Form method="post" className="inline">
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="id" value={label.id} />
          <label className="sr-only" htmlFor={`name-${label.id}`}>{`Name of ${label.name}`}</label>
          <input id={`name-${label.id}`} name="name" defaultValue={label.name} maxLength={40} required aria-invalid={!!errors.name} />
          <label className="sr-only" htmlFor={`color-${label.id}`}>{`Colour of ${label.name}`}</label>
          <input id={`color-${label.id}`} name="color" type="color" defaultValue={label.color} />
          <button type="submit">Save</button>
        </fetcher.Form>
        {fetcher.data && !fetcher.data.ok ? <p className="field-error">{errors.name ?? fetcher.data.message}</p> : null}
      </td>
      <td>
        <fetcher.Form
          method="post"
          onSubmit={(e) => {
            if (!confirm(`Delete the label “${label.name}”? It is taken off every conversation.`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="intent" value="delete" />
          <input type="hidden" name="id" value={label.id} />
          <button type="submit" className="danger" aria-label={`Delete ${label.name}`}>
            Delete
          </button>
        </fetcher.Form>
      </td>
    </tr>
  );
}

export default function LabelsSettings() {
  const { labels } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = actionData?.intent === 'create' && !actionData.ok ? (actionData.fieldErrors ?? {}) : {};
  useEffect(() => {
    if (actionData?.ok && actionData.intent === 'create') formRef.current?.reset();
  }, [actionData]);
  const nextColor = LABEL_PALETTE[labels.length % LABEL_PALETTE.length];
  return (
    <main className="page">
      <h1>Labels</h1>
      <p className="muted">Agents put labels on conversations; the inbox filters by them.</p>
      {labels.length ? (
        <table>
          <thead>
            <tr>
              <th>Label</th>
              <th>Name and colour</th>
              <th>
                <span className="sr-only">Delete</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {labels.map((l) => (
              <LabelRow key={l.id} label={l} />
            ))}
          </tbody>
        </table>
      ) : (
        <p>No labels yet.</p>
      )}
      <h2>New label</h2>
      <Form method="post" ref={formRef} className="card" style={{ display: 'grid', gap: 10, maxWidth: 420 }} noValidate>
        <input type="hidden" name="intent" value="create" />
        <label>
          Name
          <input name="name" required maxLength={40} aria-invalid={!!errors.name} />
        </label>
        {errors.name ? <p className="field-error">{errors.name}</p> : null}
        <label>
          Colour
          <input name="color" type="color" defaultValue={nextColor} aria-invalid={!!errors.color} />
        </label>
        {errors.color ? <p className="field-error">{errors.color}</p> : null}
        {actionData?.ok && actionData.intent === 'create' ? <p className="notice">{actionData.message}</p> : null}
        <button type="submit" className="primary" disabled={navigation.state === 'submitting'}>
          Add label
        </button>
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="labels" />;
}
