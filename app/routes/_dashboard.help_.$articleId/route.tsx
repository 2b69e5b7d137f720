// A help article's editor (admins): title, Markdown body with a live preview rendered exactly as the widget does
// (the shared parser of widget/src/help/markdown.ts), language, category, draft or published.
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { createElement, type ReactNode, useState } from 'react';
import { renderMarkdown } from '../../../widget/src/help/markdown.ts';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import type { loader } from './article.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './article.server.ts';

type ActionData = { ok?: boolean; message?: string; fieldErrors?: Record<string, string> };

function ErrorText({ errors, name }: { errors: Record<string, string>; name: string }) {
  return errors[name] ? (
    <p className="field-error" id={`${name}-error`}>
      {errors[name]}
    </p>
  ) : null;
}

export default function ArticleEditor() {
  const { article } = useLoaderData<typeof loader>();
  const result = useActionData<ActionData>();
  const navigation = useNavigation();
  const [title, setTitle] = useState(article.title);
  const [body, setBody] = useState(article.body);
  const errors = result?.fieldErrors ?? {};
  const described = (name: string) => (errors[name] ? { 'aria-invalid': true, 'aria-describedby': `${name}-error` } : {});
  return (
    <main className="page settings">
      <section>
        <p>
          <Link to="/help">← Help center</Link>
        </p>
        <h1>{article.id ? 'Edit article' : 'New article'}</h1>
        <Form method="post" key={article.id ?? 'new'} noValidate>
          <label>
            Title
            <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required {...described('title')} />
          </label>
          <ErrorText errors={errors} name="title" />
          <label>
            Body (Markdown: # heading, **bold**, *italic*, `code`, - lists, [links](https://…))
            <textarea name="body" rows={14} value={body} onChange={(e) => setBody(e.target.value)} required {...described('body')} />
          </label>
          <ErrorText errors={errors} name="body" />
          <div className="grid2">
            <label>
              Language
              <select name="locale" defaultValue={article.locale}>
                <option value="en">English</option>
                <option value="de">German</option>
              </select>
            </label>
            <label>
              Category (optional)
              <input name="category" defaultValue={article.category ?? ''} maxLength={80} {...described('category')} />
            </label>
          </div>
          <ErrorText errors={errors} name="category" />
          <label className="inline">
            <input type="checkbox" name="published" defaultChecked={article.published} /> Published (visitors and the Auto Bot see published articles only)
          </label>
          <p>
            <button type="submit" name="intent" value="save" disabled={navigation.state === 'submitting'}>
              Save
            </button>{' '}
            {article.id ? (
              <button type="submit" name="intent" value="delete" formNoValidate>
                Delete
              </button>
            ) : null}
          </p>
          {result?.message ? <p role="status">{result.message}</p> : null}
        </Form>
      </section>
      <section aria-labelledby="preview-title" data-testid="article-preview">
        <h2 id="preview-title">Preview</h2>
        <article className="help-preview">
          <h3>{title || 'Untitled'}</h3>
          {renderMarkdown<ReactNode>(body, createElement as never)}
        </article>
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="help article" />;
}
