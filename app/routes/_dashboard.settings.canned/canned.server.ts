// Canned responses settings (admins): the company's saved replies; create, change and delete one.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import type { PostgrestError } from '@supabase/supabase-js';
import { z } from 'zod';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { cannedSchema } from '../../lib/canned-variables.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';
import { createCanned, deleteCanned, listCanned, updateCanned } from '../../models/canned.server.ts';

const idSchema = z.object({ id: z.string().uuid('No such canned response.') });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  return json({ canned: await listCanned(ctx.supabase, ctx.current.companyId) }, { headers: ctx.headers });
}

function writeError(error: PostgrestError, intent: string, headers: Headers) {
  if (error.code === '23505') {
    return errorResponse(409, 'shortcut_taken', 'Another canned response has this shortcut.', headers, { intent, fieldErrors: { shortcut: 'Another canned response has this shortcut.' } });
  }
  if (error.code === '23514') return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', headers, { intent, fieldErrors: { _form: error.message } });
  if (error.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', headers, { intent });
  throw new Error(`canned responses ${intent}: ${error.message}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const form = await readForm(request);
  const intent = form.intent ?? '';
  const invalid = (error: z.ZodError) => errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { intent, fieldErrors: fieldErrors(error) });
  const company = ctx.current.companyId;

  if (intent === 'create') {
    const parsed = cannedSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    const { error } = await createCanned(ctx.supabase, company, parsed.data);
    if (error) return writeError(error, intent, ctx.headers);
    return json({ ok: true, intent, message: `Saved as /${parsed.data.shortcut}.` }, { status: 201, headers: ctx.headers });
  }
  if (intent === 'update' || intent === 'delete') {
    const id = idSchema.safeParse(form);
    if (!id.success) return invalid(id.error);
    let res: { error: PostgrestError | null; count: number | null };
    if (intent === 'update') {
      const parsed = cannedSchema.safeParse(form);
      if (!parsed.success) return invalid(parsed.error);
      res = await updateCanned(ctx.supabase, company, id.data.id, parsed.data);
    } else {
      res = await deleteCanned(ctx.supabase, company, id.data.id);
    }
    if (res.error) return writeError(res.error, intent, ctx.headers);
    if (!res.count) return errorResponse(404, 'canned_not_found', 'No such canned response.', ctx.headers, { intent });
    return json({ ok: true, intent, message: intent === 'update' ? 'Saved.' : 'Deleted.' }, { headers: ctx.headers });
  }
  return errorResponse(400, 'unknown_intent', 'Unknown action.', ctx.headers, { fieldErrors: { intent: 'Unknown action.' } });
}
