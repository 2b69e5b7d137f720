// Labels settings (admins): the company's labels; create, rename/recolour and delete one. Refusals as {code, message}.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import type { PostgrestError } from '@supabase/supabase-js';
import { z } from 'zod';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { labelSchema } from '../../lib/label-colors.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';
import { createLabel, deleteLabel, listLabels, updateLabel } from '../../models/labels.server.ts';

const idSchema = z.object({ id: z.string().uuid('No such label.') });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  return json({ labels: await listLabels(ctx.supabase, ctx.current.companyId) }, { headers: ctx.headers });
}

function writeError(error: PostgrestError, intent: string, headers: Headers) {
  if (error.code === '23505') return errorResponse(409, 'label_exists', 'A label with this name exists already.', headers, { intent, fieldErrors: { name: 'A label with this name exists already.' } });
  if (error.code === '23514') return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', headers, { intent, fieldErrors: { _form: error.message } });
  if (error.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', headers, { intent });
  throw new Error(`labels ${intent}: ${error.message}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const form = await readForm(request);
  const intent = form.intent ?? '';
  const invalid = (error: z.ZodError) => errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { intent, fieldErrors: fieldErrors(error) });
  const company = ctx.current.companyId;

  if (intent === 'create') {
    const parsed = labelSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    const { error } = await createLabel(ctx.supabase, company, parsed.data);
    if (error) return writeError(error, intent, ctx.headers);
    return json({ ok: true, intent, message: `Label “${parsed.data.name}” added.` }, { status: 201, headers: ctx.headers });
  }
  if (intent === 'update' || intent === 'delete') {
    const id = idSchema.safeParse(form);
    if (!id.success) return invalid(id.error);
    let res: { error: PostgrestError | null; count: number | null };
    if (intent === 'update') {
      const parsed = labelSchema.safeParse(form);
      if (!parsed.success) return invalid(parsed.error);
      res = await updateLabel(ctx.supabase, company, id.data.id, parsed.data);
    } else {
      res = await deleteLabel(ctx.supabase, company, id.data.id);
    }
    if (res.error) return writeError(res.error, intent, ctx.headers);
    if (!res.count) return errorResponse(404, 'label_not_found', 'No such label.', ctx.headers, { intent });
    return json({ ok: true, intent, message: intent === 'update' ? 'Saved.' : 'Label deleted.' }, { headers: ctx.headers });
  }
  return errorResponse(400, 'unknown_intent', 'Unknown action.', ctx.headers, { fieldErrors: { intent: 'Unknown action.' } });
}
