// npm run bench:bot — the Auto Bot on the labelled evaluation set (tests/fixtures/help), through the real functions
// on a local stack of its own: top-1 / top-3 accuracy of widget-help's search, how often the bot answers with the
// wrong article (or answers a question no article answers) above its confidence threshold, how often it answers
// right, and the latency of a visitor's send that the bot answers (widget-messages stores, the bot replies, then it
// returns) next to one it leaves to a person, p50/p95.
import pg from 'pg';
import { BOT_CONFIDENCE_THRESHOLD } from '../functions/_shared/help.ts';
import { ANON_KEY } from '../local-supabase/config.ts';
import { ARTICLES } from '../tests/fixtures/help/articles.ts';
import { QUESTIONS } from '../tests/fixtures/help/questions.ts';
import { createCompany } from '../tests/support/factories.ts';
import { seedHelpCenter } from '../tests/support/help.ts';
import { percentile, report, round, sb, startStackProcess } from './support.ts';

const ORIGIN = 'http://127.0.0.1:3001';
const PER_VISITOR = 15; // under the 20 messages a minute one visitor may send
const titleOf = new Map(ARTICLES.map((a) => [a.key, a.title]));

const stack = await startStackProcess();
const db = new pg.Client({ connectionString: stack.dbUrl });
await db.connect();
try {
  const { companyId, widgetKey } = await createCompany(db, { name: 'Bench shop', widget: { allowed_origins: [ORIGIN], auto_bot_default: true } });
  const { keyOf } = await seedHelpCenter(db, companyId);
  const call = async (fn: string, token: string, init: { body?: unknown; query?: Record<string, string> }) => {
    const url = new URL(`${stack.apiUrl}/functions/v1/${fn}`);
    url.searchParams.set('key', widgetKey!);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method: init.body ? 'POST' : 'GET',
      headers: { apikey: ANON_KEY, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: ORIGIN },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw new Error(`${fn}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  let top1 = 0;
  let top3 = 0;
  let answeredRight = 0;
  let answeredWrong = 0;
  let quietRight = 0;
  const answeredMs: number[] = [];
  const quietMs: number[] = [];
  const misses: string[] = [];
  let token = '';
  let conversationId = '';
  for (const [i, q] of QUESTIONS.entries()) {
    if (i % PER_VISITOR === 0) {
      const signedIn = await sb(stack.apiUrl).auth.signInAnonymously();
      token = signedIn.data.session!.access_token;
      const started = await call('widget-session', token, { body: { name: 'Bench', locale: q.locale } });
      conversationId = started.conversation.id;
    }
    const found = (await call('widget-help', token, { query: { q: q.text, locale: q.locale } })).articles as { id: string }[];
    const keys = found.map((a) => keyOf.get(a.id));
    if (q.expected && keys[0] === q.expected) top1++;
    if (q.expected && keys.slice(0, 3).includes(q.expected)) top3++;

    const id = crypto.randomUUID();
    const t0 = performance.now();
    await call('widget-messages', token, { body: { conversationId, id, body: q.text } });
    const ms = performance.now() - t0;
    const reply = (await db.query(`select body from public.messages where id = (select private.bot_reply_id($1))`, [id])).rows[0]?.body as string | undefined;
    if (reply === undefined) {
      quietMs.push(ms);
      if (q.expected === null) quietRight++;
      else misses.push(`quiet: ${q.text}`);
      continue;
    }
    answeredMs.push(ms);
    const cited = /“(.+?)”/.exec(reply)?.[1];
    if (q.expected && cited === titleOf.get(q.expected)) answeredRight++;
    else {
      answeredWrong++;
      misses.push(`WRONG: ${q.text} → ${cited} (expected ${q.expected ?? 'no answer'})`);
    }
  }
  const labelled = QUESTIONS.filter((q) => q.expected !== null).length;
  const unanswerable = QUESTIONS.length - labelled;
  const answered = answeredRight + answeredWrong;
  const pct = (n: number, d: number) => round((100 * n) / Math.max(1, d), 1);
  const s = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), n: xs.length });
  const a = s(answeredMs);
  const quiet = s(quietMs);
  report(
    'bot',
    {
      threshold: BOT_CONFIDENCE_THRESHOLD,
      articles: ARTICLES.length,
      questions: QUESTIONS.length,
      labelled,
      unanswerable,
      top1Percent: pct(top1, labelled),
      top3Percent: pct(top3, labelled),
      answeredPercent: pct(answered, QUESTIONS.length),
      answeredRightPercentOfLabelled: pct(answeredRight, labelled),
      wrongAnswerPercentOfAnswered: pct(answeredWrong, answered),
      wrongAnswerPercentOfQuestions: pct(answeredWrong, QUESTIONS.length),
      unanswerableLeftQuietPercent: pct(quietRight, unanswerable),
      answeredSendMs: a,
      quietSendMs: quiet,
      misses,
    },
    [
      ['search top-1 (%)', pct(top1, labelled), `${labelled} labelled questions, ${ARTICLES.length} articles (widget-help)`],
      ['search top-3 (%)', pct(top3, labelled), ''],
      ['bot answered right (% of labelled)', pct(answeredRight, labelled), `threshold ${BOT_CONFIDENCE_THRESHOLD}`],
      ['wrong answers (% of answers)', pct(answeredWrong, answered), `${answeredWrong} of ${answered} answers; the figure that matters most`],
      ['wrong answers (% of questions)', pct(answeredWrong, QUESTIONS.length), `${QUESTIONS.length} questions`],
      ['unanswerable left quiet (%)', pct(quietRight, unanswerable), `${unanswerable} questions with no right article`],
      ['send + bot answer p50 (ms)', a.p50, `widget-messages, answered by the bot (n=${a.n})`],
      ['send + bot answer p95 (ms)', a.p95, ''],
      ['send, bot quiet p50 (ms)', quiet.p50, `n=${quiet.n}`],
      ['send, bot quiet p95 (ms)', quiet.p95, ''],
    ],
  );
  for (const m of misses) console.log(`  ${m}`);
} finally {
  await db.end();
  await stack.stop();
}
