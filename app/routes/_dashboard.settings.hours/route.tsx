// Office hours & away mode (admins): time zone, weekly hours, closed days and what the widget does while away,
// with a live "now: open/closed" for the form's values as typed (computed by the database's one rule); and the
// widget's identity verification (IdentitySettings.tsx).
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useRef, useState } from 'react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import { hoursFormToInput, officeHoursSchema, WEEKDAYS } from '../../models/office-hours.ts';
import type { loader } from './hours.server.ts';
import { IdentitySettings } from './IdentitySettings.tsx';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './hours.server.ts';

type ActionData = { ok?: boolean; message?: string; secret?: string; fieldErrors?: Record<string, string> };
type Preview = { preview: { open: boolean } | null; fieldErrors: Record<string, string> };

function FieldError({ errors, name }: { errors: Record<string, string>; name: string }) {
  const msg = errors[name];
  return msg ? (
    <p className="field-error" id={`${name}-error`}>
      {msg}
    </p>
  ) : null;
}

export default function HoursSettings() {
  // The page's own load always has the settings; the ?preview shape only reaches the fetcher.
  const data = useLoaderData<typeof loader>() as Extract<ReturnType<typeof useLoaderData<typeof loader>>, { values: unknown }>;
  const { values, open, saved } = data;
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const preview = useFetcher<Preview>();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const hoursSaved = actionData?.ok && navigation.formData === undefined && !actionData.secret;
  const errors = { ...(actionData?.fieldErrors ?? {}), ...(preview.data?.fieldErrors ?? {}), ...clientErrors };
  const nowOpen = preview.data?.preview ? preview.data.preview.open : open;

  // Same schema as the action for hints; the database answers open/closed for what is typed.
  const onChange = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!formRef.current) return;
      const fd = new FormData(formRef.current);
      const parsed = officeHoursSchema.safeParse(hoursFormToInput(fd));
      if (!parsed.success) {
        const errs: Record<string, string> = {};
        for (const i of parsed.error.issues) errs[i.path.map(String).join('.')] ??= i.message;
        setClientErrors(errs);
        return;
      }
      setClientErrors({});
      fd.delete('intent');
      fd.set('preview', '1');
      preview.submit(fd, { method: 'get' });
    }, 300);
  };

  return (
    <main className="page settings">
      <section>
        <h1>Office hours &amp; away</h1>
        <p className="status" role="status" data-testid="open-now" data-open={nowOpen ? 'true' : 'false'}>
          Now: <strong>{nowOpen ? 'open' : 'closed'}</strong>
          {saved ? '' : ' (not set up yet: the widget shows no away state)'}
        </p>
        <Form method="post" ref={formRef} onChange={onChange} noValidate>
          <input type="hidden" name="intent" value="hours" />
          <fieldset>
            <legend>Hours</legend>
            <label className="inline">
              <input type="checkbox" name="enabled" defaultChecked={values.enabled} /> Use office hours (off: always open)
            </label>
            <label>
              Time zone
              <input name="timeZone" defaultValue={values.timeZone} placeholder="Europe/Berlin" aria-invalid={errors.timeZone ? true : undefined} aria-describedby={errors.timeZone ? 'timeZone-error' : undefined} />
            </label>
            <FieldError errors={errors} name="timeZone" />
            <table className="hours">
              <caption className="muted">Weekly hours, local time of the zone</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Open</th>
                  <th scope="col">Opens</th>
                  <th scope="col">Closes</th>
                </tr>
              </thead>
              <tbody>
                {WEEKDAYS.map((name, i) => {
                  const d = values.days[i]!;
                  const key = `days.${i}.closes`;
                  return (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>
                        <input type="checkbox" name={`day${i + 1}.open`} defaultChecked={d.open} aria-label={`${name} open`} />
                      </td>
                      <td>
                        <input type="time" name={`day${i + 1}.opens`} defaultValue={d.opens} aria-label={`${name} opens`} />
                      </td>
                      <td>
                        <input type="time" name={`day${i + 1}.closes`} defaultValue={d.closes === '24:00' ? '23:59' : d.closes} aria-label={`${name} closes`} aria-invalid={errors[key] ? true : undefined} aria-describedby={errors[key] ? `${key}-error` : undefined} />
                        <FieldError errors={errors} name={key} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <label>
              Closed days (one date per line, YYYY-MM-DD)
              <textarea name="closedDays" rows={3} defaultValue={values.closedDays.join('\n')} aria-invalid={errors['closedDays.0'] ? true : undefined} />
            </label>
            <FieldError errors={errors} name="closedDays.0" />
          </fieldset>
          <fieldset>
            <legend>While away (outside hours, or nobody online)</legend>
            <label className="inline">
              <input type="radio" name="awayMode" value="message" defaultChecked={values.awayMode === 'message'} /> Show the away message and still take messages
            </label>
            <label className="inline">
              <input type="radio" name="awayMode" value="form" defaultChecked={values.awayMode === 'form'} /> Show a contact form only (name, email, message)
            </label>
            <label>
              Away message (empty: the widget's default)
              <textarea name="awayMessage" rows={2} maxLength={280} defaultValue={values.awayMessage} />
            </label>
            <FieldError errors={errors} name="awayMessage" />
          </fieldset>
          <FieldError errors={errors} name="_form" />
          {hoursSaved ? <p className="notice">{actionData?.message}</p> : null}
          <button type="submit" className="primary" disabled={navigation.state === 'submitting'}>
            Save office hours
          </button>
        </Form>
      </section>
      <IdentitySettings requireVerification={data.requireVerification} rotatedAt={data.secretRotatedAt} secret={actionData?.secret ?? null} />
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="office hours" />;
}
