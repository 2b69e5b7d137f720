// GET/POST meta-webhook?channel=<id> — Meta's webhook for one channel (verify_jwt = false: Meta sends no JWT).
// GET is the subscription handshake (hub.verify_token must match); a POST is stored only when X-Hub-Signature-256
// is the HMAC of its raw body with the channel's app secret. Messages are stored once by their mid; delivery and
// read receipts move the replies' state and the "seen" mark. Files the user sent are fetched from Meta's CDN and
// linked to the stored message (inbound-files.ts).
import { z } from 'zod';
import { errorResponse, HttpError, json } from '../_shared/http.ts';
import { appSecret, type Channel, findChannel, pageToken, verifyToken } from '../_shared/meta/channel.ts';
import { type InboundFile, storeInboundFiles } from '../_shared/meta/inbound-files.ts';
import { readRaw } from '../_shared/meta/raw-body.ts';
import { createSender } from '../_shared/meta/sender.ts';
import { constantTimeEqual, signatureValid } from '../_shared/meta/signature.ts';
import { adminClient } from '../_shared/supabase.ts';

const id = z.string().regex(/^[0-9]{1,32}$/);
const event = z.object({
  sender: z.object({ id }),
  recipient: z.object({ id }),
  timestamp: z.number().optional(),
  message: z
    .object({
      mid: z.string().min(1).max(200),
      text: z.string().max(20_000).optional(),
      is_echo: z.boolean().optional(),
      attachments: z
        .array(z.object({ type: z.string().max(40), payload: z.object({ url: z.string().max(4000).optional() }).passthrough().nullish() }).passthrough())
        .max(20)
        .optional(),
    })
    .optional(),
  delivery: z.object({ watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number() }).optional(),
});
const payload = z.object({
  object: z.enum(['page', 'instagram']),
  entry: z.array(z.object({ id, time: z.number().optional(), messaging: z.array(event).max(100).optional() })).max(100),
});

function handshake(url: URL, channel: Channel): Promise<Response> {
  return verifyToken(channel).then((expected) => {
    const given = url.searchParams.get('hub.verify_token') ?? '';
    const challenge = url.searchParams.get('hub.challenge') ?? '';
    if (url.searchParams.get('hub.mode') !== 'subscribe' || !constantTimeEqual(given, expected) || !challenge || challenge.length > 200) {
      throw new HttpError(403, 'verification_failed', 'The verify token does not match this channel.');
    }
    return new Response(challenge, { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  });
}

function messageBody(m: NonNullable<z.infer<typeof event>['message']>): string {
  const text = m.text?.trim();
  if (text) return text;
  const kinds = (m.attachments ?? []).map((a) => a.type);
  return kinds.length ? `[${kinds.join(', ')}]` : '[message]';
}

async function receive(channel: Channel, e: z.infer<typeof event>, token: () => Promise<string>): Promise<boolean> {
  const m = e.message!;
  const args = { p_channel_id: channel.id, p_sender_id: e.sender.id, p_mid: m.mid, p_body: messageBody(m) };
  let { data, error } = await adminClient().rpc('meta_receive_message', args);
  if (error?.code === 'PLS42') {
    const sender = await createSender(channel, e.sender.id, await token());
    ({ data, error } = await adminClient().rpc('meta_receive_message', { ...args, p_user_id: sender.userId, p_name: sender.name, p_picture: sender.picture }));
  }
  if (error) throw new Error(`store message: ${error.message}`);
  const result = data as { stored: boolean; message_id?: string; conversation_id?: string };
  const files: InboundFile[] = (m.attachments ?? []).flatMap((a) => (a.payload?.url ? [{ type: a.type, url: a.payload.url }] : []));
  if (result.stored && files.length) {
    // Stored already: a file that cannot be fetched or is refused is left out, and Meta is still answered 200
    // (a redelivery would store nothing more).
    await storeInboundFiles({ messageId: result.message_id!, conversationId: result.conversation_id!, companyId: channel.company_id }, files).catch((err) =>
      console.error('meta-webhook files:', err instanceof Error ? err.message : err),
    );
  }
  return result.stored;
}

async function receipt(channel: Channel, e: z.infer<typeof event>, read: boolean, watermark: number): Promise<void> {
  const { error } = await adminClient().rpc('meta_receipt', {
    p_channel_id: channel.id,
    p_sender_id: e.sender.id,
    p_watermark: new Date(watermark).toISOString(),
    p_read: read,
  });
  if (error) throw new Error(`receipt: ${error.message}`);
}

export async function handler(req: Request): Promise<Response> {
  try {
    const url = new URL(req.url);
    if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use GET or POST.');
    const channel = await findChannel(url.searchParams.get('channel'));
    if (req.method === 'GET') return await handshake(url, channel);

    const raw = await readRaw(req, 262_144);
    const header = req.headers.get('x-hub-signature-256');
    if (!header) throw new HttpError(401, 'signature_missing', 'X-Hub-Signature-256 is required.');
    if (!(await signatureValid(await appSecret(channel), raw, header))) {
      throw new HttpError(403, 'signature_invalid', 'X-Hub-Signature-256 does not match the body.');
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    } catch {
      throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON (UTF-8).');
    }
    const parsed = payload.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'invalid_input', parsed.error.issues[0]?.message ?? 'Invalid webhook payload.');
    if ((parsed.data.object === 'page') !== (channel.platform === 'facebook')) {
      throw new HttpError(400, 'wrong_object', `This channel receives ${channel.platform} webhooks.`);
    }
    let token: Promise<string> | null = null;
    const lazyToken = () => (token ??= pageToken(channel));
    let stored = 0;
    for (const entry of parsed.data.entry) {
      // Only this channel's own page/account: another one's events, even correctly signed, are not ours to store.
      if (entry.id !== channel.account_id) continue;
      for (const e of entry.messaging ?? []) {
        if (e.message && !e.message.is_echo && e.recipient.id === channel.account_id) {
          if (await receive(channel, e, lazyToken)) stored += 1;
        } else if (e.read) await receipt(channel, e, true, e.read.watermark);
        else if (e.delivery) await receipt(channel, e, false, e.delivery.watermark);
      }
    }
    return json({ received: true, stored }, 200);
  } catch (err) {
    return errorResponse(err, {});
  }
}
