// Database errors → HTTP: the widget RPCs' own refusals (raised with stable SQLSTATEs, see the migration
// 20261202000100_widget_calls_bound_to_widget.sql) and any error Postgres raises because of the input: never a 500.
import { HttpError, rateLimited } from './http.ts';
import { widgetUnavailable } from './widget-lookup.ts';

/** The parts of a PostgREST error (supabase-js PostgrestError) this mapping reads. */
export interface DbError {
  code?: string;
  message?: string;
  details?: string | null;
}

export function dbError(error: DbError, what: string): Error {
  const code = error.code ?? '';
  switch (code) {
    case 'PLW04':
      return widgetUnavailable();
    case 'PLC04':
      return new HttpError(404, 'conversation_not_found', 'This conversation does not exist or is not yours.');
    case 'PLM09':
      return new HttpError(409, 'message_id_conflict', 'That message id is already used by another message.');
    case 'PLR29':
      return rateLimited(Math.max(1, Number.parseInt(error.details ?? '', 10) || 60));
    case 'PLA04':
      return new HttpError(404, 'attachment_not_found', 'That file is not one you uploaded to this conversation.');
    case 'PLA05':
      return new HttpError(422, 'too_many_attachments', 'A message can carry at most 5 different files.');
    case 'PLA09':
      return new HttpError(409, 'attachment_not_uploaded', 'That file has not finished uploading; upload it, then send again.');
    case 'PLA13':
      return new HttpError(413, 'attachment_too_large', 'That file is larger than this chat accepts.', /^\d+$/.test(error.details ?? '') ? { maxBytes: Number(error.details) } : {});
    case 'PLA15':
      return new HttpError(415, 'attachment_type_refused', 'Files of this type cannot be sent here.');
    case 'PLA22':
      return new HttpError(422, 'attachment_type_mismatch', 'The file is not of the type it claims to be.');
    case 'PLH00':
      return new HttpError(400, 'invalid_cursor', 'The cursor message is not part of this conversation.');
  }
  // Class 22 (data exception: bad text, bad number, unsupported Unicode escape) and class 23 (a constraint
  // refused the value) come from what the caller sent, whatever slipped past the schemas.
  if (code === '23505') return new HttpError(409, 'conflict', 'This conflicts with something already stored; retry with a new id.');
  if (code.startsWith('22') || code.startsWith('23')) {
    return new HttpError(400, 'invalid_request', 'Some fields are not valid.');
  }
  return new Error(`${what} failed: ${code} ${error.message ?? ''}`);
}
