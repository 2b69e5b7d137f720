// Help center (admins): every article with its language, category and state, the Auto Bot's default, and "try a
// visitor's question": the articles the search finds, their scores, and whether the bot would answer.
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import type { loader } from './help.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './help.server.ts';

const LANGUAGES = { en: 'English', de: 'German' } as const;
const percent = (score: number) => `${Math.round(score * 100)} %`;

export default function HelpCenter() {
  const { articles, autoBotDefault, tried, threshold } = useLoaderData<typeof loader>();
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
      <section aria-labelledby="try-title">
        <h2 id="try-title">Try a visitor's question</h2>
        <p className="muted">
          The published articles the search finds for it, best first, and whether the Auto Bot would answer: it answers with an article scoring {percent(threshold)} or more.
        </p>
        <Form method="get" role="search" className="inline">
          <label>
            Question{' '}
            <input
              name="q"
              type="search"
              maxLength={300}
              defaultValue={tried?.question ?? ''}
              aria-invalid={tried?.error ? true : undefined}
              aria-describedby={tried?.error ? 'try-error' : undefined}
            />
          </label>{' '}
          <button type="submit">Try</button>
        </Form>
        {tried?.error ? (
          <p className="field-error" id="try-error">
            {tried.error}
          </p>
        ) : null}
        {tried && !tried.error ? (
          <div data-testid="try-result">
            <p role="status">
              {tried.answers.length
                ? `The Auto Bot would answer with ${tried.answers.length === 1 ? 'the marked article' : `the ${tried.answers.length} marked articles`}.`
                : `The Auto Bot would stay quiet (no article scores ${percent(threshold)}): the conversation waits for a person.`}
            </p>
            {tried.matches.length ? (
              <ol>
                {tried.matches.map((m) => (
                  <li key={m.id} data-testid="try-match" data-bot-answer={tried.answers.includes(m.id) || undefined}>
                    <Link to={`/help/${m.id}`}>{m.title}</Link> <span className="muted">{`${LANGUAGES[m.locale]} · score ${percent(m.score)}`}</span>
                    {tried.answers.includes(m.id) ? <strong> · Auto Bot answer</strong> : null}
                    <p className="muted">{m.excerpt}</p>
                  </li>
                ))}
              </ol>
            ) : (
              <p>No published article matches.</p>
            )}
          </div>
        ) : null}
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="help center" />;
}
