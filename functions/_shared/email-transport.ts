// The email transport: a Resend-compatible HTTP API (`POST /emails`, bearer key, Idempotency-Key), configured by
// the function secrets EMAIL_API_URL, EMAIL_API_KEY and EMAIL_FROM (validated here; Edge Functions have no SMTP).
import { z } from 'zod';

declare const Deno: { env: { get(name: string): string | undefined } };

const emailEnv = z.object({
  EMAIL_API_URL: z.url({ protocol: /^https?$/ }),
  EMAIL_API_KEY: z.string().min(1),
  EMAIL_FROM: z.email(),
});
export type EmailEnv = z.infer<typeof emailEnv>;

/** The transport's settings, or why they are missing (an email then waits and retries, it is not lost). */
export function emailSettings(): EmailEnv | string {
  const parsed = emailEnv.safeParse({ EMAIL_API_URL: Deno.env.get('EMAIL_API_URL'), EMAIL_API_KEY: Deno.env.get('EMAIL_API_KEY'), EMAIL_FROM: Deno.env.get('EMAIL_FROM') });
  return parsed.success ? parsed.data : `email transport not configured: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`;
}

export interface OutgoingEmail {
  idempotencyKey: string;
  fromName: string;
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
}

export type SendOutcome = { ok: true; id: string } | { ok: false; permanent: boolean; reason: string };

/** A display name safe in a From header: no quotes, angle brackets or line breaks. */
const displayName = (s: string) => s.replace(/["<>\r\n\\]/g, '').trim().slice(0, 80) || 'Support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One email, tried up to three times in this call (0.2 s, 0.8 s apart) for a network error, 429 or 5xx; other
 * refusals are permanent. The Idempotency-Key makes every retry, in this call or a later one, the same send.
 */
export async function sendEmail(env: EmailEnv, mail: OutgoingEmail): Promise<SendOutcome> {
  const body = JSON.stringify({
    from: `${displayName(mail.fromName)} <${env.EMAIL_FROM}>`,
    to: [mail.to],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    ...(mail.replyTo ? { reply_to: mail.replyTo } : {}),
  });
  let last: SendOutcome = { ok: false, permanent: false, reason: 'not sent' };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt) await sleep(200 * 4 ** (attempt - 1));
    try {
      const res = await fetch(new URL('/emails', env.EMAIL_API_URL), {
        method: 'POST',
        headers: { Authorization: `Bearer ${env.EMAIL_API_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': mail.idempotencyKey },
        body,
        signal: AbortSignal.timeout(5000),
      });
      const answer = (await res.json().catch(() => ({}))) as { id?: unknown; message?: unknown };
      if (res.ok && typeof answer.id === 'string') return { ok: true, id: answer.id };
      const reason = `HTTP ${res.status}: ${typeof answer.message === 'string' ? answer.message : res.statusText}`.slice(0, 300);
      last = { ok: false, permanent: !(res.status === 429 || res.status >= 500), reason };
      if (last.permanent) return last;
    } catch (err) {
      last = { ok: false, permanent: false, reason: `network: ${(err as Error).message}`.slice(0, 300) };
    }
  }
  return last;
}
