// One conversation's loader (the thread, the visitor, the members to assign) and its actions: reply, read,
// status, assignee, auto-bot. Refusals are returned as {code, message} with the right 4xx.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { errorResponse, requireAgent } from '../../lib/auth.server.ts';
import { gravatarUrl } from '../../lib/gravatar.server.ts';
import { conversationStatusSchema, fieldErrors, readForm, sendMessageSchema } from '../../lib/validation.ts';
import { listConversationFiles } from '../../models/attachments.server.ts';
import { listCanned } from '../../models/canned.server.ts';
import { conversationExists, getConversation, markRead, updateConversation } from '../../models/conversations.server.ts';
import { addConversationLabel, labelIdsOf, listLabels, removeConversationLabel } from '../../models/labels.server.ts';
import { listMembers } from '../../models/members.server.ts';
import { insertAgentMessage } from '../../models/messages.server.ts';
import { channelState, isChannelPlatform, sendIfChannel, sendThroughChannel } from '../../models/meta.server.ts';
import { DataError } from '../../models/query.server.ts';
import { getRating } from '../../models/ratings.server.ts';
import { listVisitorEmails } from '../../models/visitor-emails.server.ts';

const idSchema = z.string().uuid();

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const id = idSchema.safeParse(params.conversationId);
  if (!id.success) throw errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
  const found = await getConversation(ctx.supabase, ctx.current.companyId, id.data);
  if (!found) throw errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
  // Reading is the `read` action, sent by a tab that shows the conversation: a GET writes nothing.
  const [members, files, labels, labelIds, canned, rating, emails, channel] = await Promise.all([
    listMembers(ctx.supabase, ctx.current.companyId),
    listConversationFiles(ctx.supabase, id.data),
    listLabels(ctx.supabase, ctx.current.companyId),
    labelIdsOf(ctx.supabase, [id.data]),
    listCanned(ctx.supabase, ctx.current.companyId),
    getRating(ctx.supabase, id.data),
    listVisitorEmails(ctx.supabase, id.data),
    isChannelPlatform(found.conversation.platform) ? channelState(ctx.supabase, id.data, found.messages) : null,
  ]);
  return json(
    {
      ...found,
      files,
      emails,
      channel,
      gravatar: gravatarUrl(found.visitor?.email),
      members,
      me: { id: ctx.user.id, name: ctx.current.displayName },
      companyName: ctx.current.companyName,
      labels,
      labelIds: labelIds.get(id.data) ?? [],
      canned,
      rating,
    },
    { headers: ctx.headers },
  );
}

// A reply or, with isPrivate=true, a private note (agents only; the database keeps it from the visitor).
const sendSchema = sendMessageSchema.extend({ isPrivate: z.enum(['true', 'false']).default('false') });
const labelSchema = z.object({ labelId: z.string().uuid('Pick a label.') });

const patchSchemas = {
  status: z.object({ status: conversationStatusSchema }),
  assign: z.object({ assigneeId: z.union([z.literal(''), z.string().uuid()]) }),
  bot: z.object({ autoBot: z.enum(['true', 'false']) }),
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  // Returned, not thrown: these actions are fetcher submissions (a read, a reply), and a thrown response would
  // replace the whole page with the error boundary, e.g. while Auth is briefly unreachable. A redirect to the
  // login page still redirects.
  const ctx = await requireAgent(request, context).catch((refusal: unknown) => {
    if (refusal instanceof Response) return refusal;
    throw refusal;
  });
  if (ctx instanceof Response) return ctx;
  const id = idSchema.safeParse(params.conversationId);
  if (!id.success) return errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
  const form = await readForm(request);
  const intent = form.intent;

  if (intent === 'send') {
    const parsed = sendSchema.safeParse(form);
    if (!parsed.success) {
      return errorResponse(422, 'validation_failed', 'The message could not be sent.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
    }
    try {
      const result = await insertAgentMessage(ctx.supabase, {
        id: parsed.data.id,
        conversation_id: id.data,
        body: parsed.data.body,
        author_id: ctx.user.id,
        is_private: parsed.data.isPrivate === 'true',
      });
      if (result === 'conflict') {
        return errorResponse(409, 'message_id_conflict', 'This message id is already used by another message; send it with a new id.', ctx.headers, {
          fieldErrors: { id: 'This message id is already used.' },
        });
      }
      // Messenger/Instagram: stored first (the thread shows it), then handed to the Send API; its delivery row says how it went.
      const channel = await sendIfChannel(ctx.supabase, id.data, parsed.data.id);
      return json({ ok: true, id: parsed.data.id, result, channel }, { status: result === 'created' ? 201 : 200, headers: ctx.headers });
    } catch (e) {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      // RLS refused (another company's or unknown conversation) or the foreign key did not match.
      if (code === '42501' || code === '23503') return errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
      throw e;
    }
  }

  if (intent === 'deliver') {
    const messageId = idSchema.safeParse(form.messageId);
    if (!messageId.success) return errorResponse(422, 'validation_failed', 'No such reply.', ctx.headers, { fieldErrors: { messageId: 'No such reply.' } });
    const sent = await sendThroughChannel(ctx.supabase, messageId.data);
    return json(sent, { status: sent.ok ? 200 : 502, headers: ctx.headers });
  }

  if (intent === 'read') {
    // Sent by a tab that shows the conversation (use-read.ts). RLS keeps the write to this company's
    // conversations; the lookup beside it says whether there was one to read.
    try {
      const [found] = await Promise.all([conversationExists(ctx.supabase, ctx.current.companyId, id.data), markRead(ctx.supabase, id.data)]);
      if (!found) return errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
      return json({ ok: true }, { headers: ctx.headers });
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      // The database is unreachable for now: the unread count stays, and the next read (or catch-up) sets it.
      return errorResponse(503, 'read_unavailable', 'The conversation could not be marked read right now.', ctx.headers);
    }
  }

  if (intent === 'label-add' || intent === 'label-remove') {
    const parsed = labelSchema.safeParse(form);
    if (!parsed.success) return errorResponse(422, 'validation_failed', 'Pick a label.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
    if (intent === 'label-remove') {
      await removeConversationLabel(ctx.supabase, id.data, parsed.data.labelId);
      return json({ ok: true }, { headers: ctx.headers });
    }
    const code = await addConversationLabel(ctx.supabase, id.data, parsed.data.labelId);
    // 42501: not this company's conversation (RLS). 23514/23503: the label and the conversation are of different
    // companies, or one does not exist; which of the two is wrong decides the answer (the lookup runs only here).
    const notFound = () => errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
    if (code === '42501') return notFound();
    if (code === '23514' || code === '23503') {
      if (!(await conversationExists(ctx.supabase, ctx.current.companyId, id.data))) return notFound();
      return errorResponse(422, 'validation_failed', 'Pick a label of this company.', ctx.headers, { fieldErrors: { labelId: 'Pick a label of this company.' } });
    }
    if (code) throw new Error(`add label: ${code}`);
    return json({ ok: true }, { headers: ctx.headers });
  }

  let patch: Parameters<typeof updateConversation>[3];
  if (intent === 'status') {
    const parsed = patchSchemas.status.safeParse(form);
    if (!parsed.success) return errorResponse(422, 'validation_failed', 'Pick a valid status.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
    patch = { status: parsed.data.status };
  } else if (intent === 'assign') {
    const parsed = patchSchemas.assign.safeParse(form);
    if (!parsed.success) return errorResponse(422, 'validation_failed', 'Pick a member of this company.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
    if (parsed.data.assigneeId) {
      const members = await listMembers(ctx.supabase, ctx.current.companyId);
      if (!members.some((m) => m.user_id === parsed.data.assigneeId)) {
        return errorResponse(422, 'validation_failed', 'Pick a member of this company.', ctx.headers, { fieldErrors: { assigneeId: 'Pick a member of this company.' } });
      }
    }
    patch = { assignee_id: parsed.data.assigneeId || null };
  } else if (intent === 'bot') {
    const parsed = patchSchemas.bot.safeParse(form);
    if (!parsed.success) return errorResponse(422, 'validation_failed', 'Invalid value.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
    patch = { auto_bot: parsed.data.autoBot === 'true' };
  } else {
    return errorResponse(400, 'unknown_intent', 'Unknown action.', ctx.headers, { fieldErrors: { intent: 'Unknown action.' } });
  }
  try {
    const changed = await updateConversation(ctx.supabase, ctx.current.companyId, id.data, patch);
    if (!changed) return errorResponse(404, 'conversation_not_found', 'No such conversation.', ctx.headers);
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === '23503' || code === '23514') {
      return errorResponse(422, 'validation_failed', 'Pick a member of this company.', ctx.headers, { fieldErrors: { assigneeId: 'Pick a member of this company.' } });
    }
    if (code === '42501') return errorResponse(403, 'forbidden', 'You cannot change this conversation.', ctx.headers);
    throw e;
  }
  return json({ ok: true }, { headers: ctx.headers });
}
