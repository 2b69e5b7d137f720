// The Auto Bot, run by the widget functions right after a visitor message is stored: asks the database whether it
// may answer (bot on, no agent joined, not answered yet) and which published articles match; above the confidence
// threshold it stores one `bot` message (bot_reply: its id derives from the visitor message's, so never twice).
// With an OpenAI-compatible endpoint configured (function secrets BOT_LLM_URL, BOT_LLM_API_KEY, BOT_LLM_MODEL) the
// answer is composed from the articles and cites them; without one, or when it fails, the best article is quoted.
import { botAnswerArticles, botLabels, markdownToText, quoteAnswer } from './help.ts';
import { adminClient } from './supabase.ts';

declare const Deno: { env: { get(name: string): string | undefined } };

interface Match {
  id: string;
  title: string;
  body: string;
  score: number;
}

interface Consideration {
  eligible: boolean;
  reason?: string;
  locale?: string | null;
  matches?: Match[];
}

const LLM_TIMEOUT_MS = 8_000;

/** A short answer from the articles by the configured chat endpoint, or null (none configured, or it failed). */
export async function composeAnswer(question: string, matches: Match[], locale: string | null | undefined): Promise<string | null> {
  const url = Deno.env.get('BOT_LLM_URL');
  const model = Deno.env.get('BOT_LLM_MODEL');
  if (!url || !model) return null;
  const key = Deno.env.get('BOT_LLM_API_KEY');
  const articles = matches.map((m, i) => `[${i + 1}] ${m.title}\n${markdownToText(m.body).slice(0, 2000)}`).join('\n\n');
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({
        model,
        temperature: 0,
        max_tokens: 300,
        messages: [
          { role: 'system', content: `You answer a shop's customers from its help articles only, in at most three sentences, in the customer's language (${locale ?? 'en'}). If the articles do not answer the question, reply exactly NO_ANSWER.` },
          { role: 'user', content: `Articles:\n${articles}\n\nQuestion: ${question}` },
        ],
      }),
      signal: AbortSignal.timeout(LLM_TIMEOUT_MS),
    });
    if (!res.ok) return null;
    const data = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
    const text = data.choices?.[0]?.message?.content;
    if (typeof text !== 'string' || !text.trim() || text.includes('NO_ANSWER')) return null;
    const l = botLabels(locale);
    // Messages are plain text: whatever the model wrote is shown as text, never HTML.
    return `${text.trim().slice(0, 1500)}\n\n${l.more} ${matches.map((m) => `“${m.title}”`).join(', ')}\n\n${l.person}`;
  } catch {
    return null;
  }
}

/** Answers a stored visitor message if the bot may and is confident enough. Never throws: the send has succeeded. */
export async function answerVisitorMessage(messageId: string, question: string): Promise<void> {
  try {
    const { data, error } = await adminClient().rpc('bot_consider', { p_message_id: messageId, p_limit: 3 });
    if (error) throw new Error(error.message);
    const c = data as Consideration;
    const matches = botAnswerArticles(c.matches ?? []);
    if (!c.eligible || !matches.length) return;
    const body = (await composeAnswer(question, matches, c.locale)) ?? quoteAnswer(matches, c.locale);
    const stored = await adminClient().rpc('bot_reply', { p_message_id: messageId, p_body: body });
    if (stored.error) throw new Error(stored.error.message);
  } catch (err) {
    console.error('auto bot:', err instanceof Error ? err.message : err);
  }
}
