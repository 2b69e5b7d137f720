// Help center (admins): every article with its language, category and state, and the Auto Bot's default.
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import type { loader } from './help.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './help.server.ts';

const LANGUAGES = { en: 'English', de: 'German' } as const;

export default function HelpCenter() {
  const { articles, autoBotDefault } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const pending = navigation.formData?.get('autoBotDefault');
  const on = pending ? pending === 'true' : autoBotDefault;
  return (
    <main className="page settings">
      <section>
        <h1>Help center</h1>
        <Form method="post" className="inline">
          <input type="hidden" name="autoBotDefault" value={on ? 'false' : 'true'} />
          <p>
            Auto Bot for new conversations: <strong data-testid="bot-default">{on ? 'on' : 'off'}</strong>{' '}
            <button type="submit">{on ? 'Turn off' : 'Turn on'}</button>
          </p>
          <p className="muted">When on, the bot answers a visitor's question with the best matching published article, only when it is confident; visitors can always ask for a person.</p>
        </Form>
        <p>
          <Link to="/help/new">New article</Link>
        </p>
        {articles.length ? (
          <table>
            <caption className="muted">Articles, newest change first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Language</th>
                <th scope="col">Category</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {articles.map((a) => (
                <tr key={a.id} data-testid="article-row">
                  <td>
                    <Link to={`/help/${a.id}`}>{a.title}</Link>
                  </td>
                  <td>{LANGUAGES[a.locale]}</td>
                  <td>{a.category ?? '—'}</td>
                  <td>{a.published ? 'Published' : 'Draft'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>No articles yet.</p>
        )}
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="help center" />;
}
