// Widget settings (admins): every widget_configs field, a live preview of the real widget, the allowed
// origins and the embed code.
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { POSITIONS, PRECHAT, widgetConfigSchema, widgetFormToInput } from '../../models/widget-config.ts';
import type { loader } from './settings.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './settings.server.ts';

type ActionData = { ok?: boolean; message?: string; fieldErrors?: Record<string, string> };

function FieldError({ errors, name }: { errors: Record<string, string>; name: string }) {
  const msg = errors[name];
  return msg ? (
    <p className="field-error" id={`${name}-error`}>
      {msg}
    </p>
  ) : null;
}

export default function WidgetSettings() {
  const { widgetKey, values, embed } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const [origins, setOrigins] = useState<string[]>(values.allowedOrigins.length ? values.allowedOrigins : ['']);
  const [autoOpen, setAutoOpen] = useState(values.autoOpen);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [previewSrc, setPreviewSrc] = useState('/settings/widget-preview');
  const [copied, setCopied] = useState(false);
  // Reload the preview after a save: the widget then fetches the stored config itself.
  const [saves, setSaves] = useState(0);
  useEffect(() => {
    if (actionData?.ok) setSaves((n) => n + 1);
  }, [actionData]);
  const errors = { ...(actionData?.fieldErrors ?? {}), ...clientErrors };
  const saving = navigation.state === 'submitting';

  useEffect(() => {
    setOrigins(values.allowedOrigins.length ? values.allowedOrigins : ['']);
  }, [values.allowedOrigins]);

  // Same schema as the action: hints while typing, and the preview only shows valid configs.
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const onChange = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!formRef.current) return;
      const parsed = widgetConfigSchema.safeParse(widgetFormToInput(new FormData(formRef.current)));
      if (!parsed.success) {
        const errs: Record<string, string> = {};
        for (const i of parsed.error.issues) errs[i.path.map(String).join('.')] ??= i.message;
        setClientErrors(errs);
        return;
      }
      setClientErrors({});
      setPreviewSrc(`/settings/widget-preview?config=${encodeURIComponent(JSON.stringify(parsed.data))}`);
    }, 400);
  };

  const originErrors = Object.entries(errors).filter(([k]) => k.startsWith('allowedOrigins'));

  return (
    <main className="page settings">
      <section>
        <h1>Widget settings</h1>
        <p className="muted">
          Widget key: <code data-testid="widget-key">{widgetKey}</code>
        </p>
        <Form method="post" ref={formRef} onChange={onChange} noValidate>
          <fieldset>
            <legend>Appearance</legend>
            <label className="inline">
              <input type="checkbox" name="enabled" defaultChecked={values.enabled} /> Widget enabled
            </label>
            <div className="grid2">
              <label>
                Primary colour
                <input type="color" name="primaryColor" defaultValue={values.primaryColor} aria-invalid={!!errors.primaryColor} />
              </label>
              <label>
                Accent colour
                <input type="color" name="accentColor" defaultValue={values.accentColor} aria-invalid={!!errors.accentColor} />
              </label>
            </div>
            <FieldError errors={errors} name="primaryColor" />
            <FieldError errors={errors} name="accentColor" />
            <label>
              Position
              <select name="position" defaultValue={values.position}>
                {POSITIONS.map((p) => (
                  <option key={p} value={p}>
                    {p.replace('-', ' ')}
                  </option>
                ))}
              </select>
            </label>
            <FieldError errors={errors} name="position" />
          </fieldset>
          <fieldset>
            <legend>Text</legend>
            <label>
              Title
              <input name="title" defaultValue={values.title} maxLength={60} aria-invalid={!!errors.title} />
            </label>
            <FieldError errors={errors} name="title" />
            <label>
              Greeting
              <textarea name="greeting" defaultValue={values.greeting} maxLength={280} rows={2} aria-invalid={!!errors.greeting} />
            </label>
            <FieldError errors={errors} name="greeting" />
            <label>
              Launcher label
              <input name="launcherLabel" defaultValue={values.launcherLabel} maxLength={40} aria-invalid={!!errors.launcherLabel} />
            </label>
            <FieldError errors={errors} name="launcherLabel" />
            <label>
              Locale
              <input name="locale" defaultValue={values.locale} aria-invalid={!!errors.locale} />
            </label>
            <FieldError errors={errors} name="locale" />
          </fieldset>
          <fieldset>
            <legend>Behaviour</legend>
            <div className="grid2">
              <label>
                Auto-open
                <select name="autoOpen" value={autoOpen} onChange={(e) => setAutoOpen(e.target.value as 'off' | 'after')}>
                  <option value="off">Off</option>
                  <option value="after">After some seconds</option>
                </select>
              </label>
              <label>
                Seconds
                <input
                  type="number"
                  name="autoOpenAfterSeconds"
                  min={1}
                  max={600}
                  disabled={autoOpen !== 'after'}
                  defaultValue={values.autoOpenAfterSeconds ?? 10}
                  aria-invalid={!!errors.autoOpenAfterSeconds}
                />
              </label>
            </div>
            <FieldError errors={errors} name="autoOpenAfterSeconds" />
            <div className="grid2">
              {(
                [
                  ['prechatName', 'Ask for name'],
                  ['prechatEmail', 'Ask for email'],
                  ['prechatPhone', 'Ask for phone'],
                ] as const
              ).map(([name, label]) => (
                <label key={name}>
                  {label}
                  <select name={name} defaultValue={values[name]}>
                    {PRECHAT.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset className="origins">
            <legend>Allowed origins</legend>
            <p className="muted">The widget only works on these sites (scheme, host and port, e.g. https://shop.example.com).</p>
            <ul>
              {origins.map((o, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
                <li key={`${i}:${origins.length}`}>
                  <input
                    name="allowedOrigins"
                    defaultValue={o}
                    placeholder="https://example.com"
                    aria-label={`Allowed origin ${i + 1}`}
                    aria-invalid={!!errors[`allowedOrigins.${i}`]}
                    onBlur={(e) => {
                      const v = e.currentTarget.value;
                      setOrigins((list) => list.map((x, j) => (j === i ? v : x)));
                    }}
                  />
                  <button type="button" onClick={() => setOrigins((list) => (list.length > 1 ? list.filter((_, j) => j !== i) : ['']))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
            {originErrors.map(([k, m]) => (
              <p key={k} className="field-error">
                Origin {Number(k.split('.')[1] ?? 0) + 1}: {m}
              </p>
            ))}
            <button type="button" onClick={() => setOrigins((list) => [...list, ''])}>
              Add origin
            </button>
          </fieldset>
          <FieldError errors={errors} name="_form" />
          {actionData?.ok ? <p className="notice">{actionData.message}</p> : null}
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save settings'}
          </button>
        </Form>
      </section>
      <section className="preview">
        <h2>Live preview</h2>
        <iframe key={saves} title="Widget preview" src={previewSrc} data-testid="widget-preview" />
        <h2>Embed code</h2>
        <pre className="embed" data-testid="embed-code">
          {embed}
        </pre>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(embed).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? 'Copied!' : 'Copy embed code'}
        </button>
      </section>
    </main>
  );
}
