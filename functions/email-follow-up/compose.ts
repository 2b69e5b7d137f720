// What a visitor's email says: the company's unseen replies (or the transcript) as plain text and escaped HTML,
// with the continuity link back to the page the conversation started on.
export interface ClaimedEmail {
  id: string;
  kind: 'follow_up' | 'transcript';
  to: string;
  attempt: number;
  company: string;
  replyTo: string | null;
  pageUrl: string | null;
  token: string;
  messages: { sender: string; author: string | null; body: string; at: string }[];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page with `#porchlight_resume=<token>`; only http(s) pages (anything else gets no link). */
export function continuityLink(pageUrl: string | null, token: string): string | null {
  if (!pageUrl) return null;
  try {
    const url = new URL(pageUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    url.hash = `porchlight_resume=${encodeURIComponent(token)}`;
    return url.toString();
  } catch {
    return null;
  }
}

export function compose(e: ClaimedEmail): { subject: string; text: string; html: string } {
  const who = (m: ClaimedEmail['messages'][number]) => (m.sender === 'visitor' ? 'You' : m.author || e.company);
  const link = continuityLink(e.pageUrl, e.token);
  const subject = e.kind === 'follow_up' ? `New reply from ${e.company}` : `Your conversation with ${e.company}`;
  const intro = e.kind === 'follow_up' ? `${e.company} replied to your message:` : `Here is your conversation with ${e.company}:`;
  const lines = e.messages.map((m) => `${who(m)}:\n${m.body}`);
  const text = [intro, '', ...lines.flatMap((l) => [l, '']), link ? `Continue the conversation: ${link}` : ''].join('\n').trim();
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    ...e.messages.map((m) => `<p><strong>${escapeHtml(who(m))}</strong><br>${escapeHtml(m.body).replace(/\n/g, '<br>')}</p>`),
    link ? `<p><a href="${escapeHtml(link)}">Continue the conversation</a></p>` : '',
  ].join('');
  return { subject, text, html };
}
