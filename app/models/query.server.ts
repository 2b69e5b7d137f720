// What every model shares: a query's error as a DataError (its cause keeps the Postgres code for the route).
import type { PostgrestError } from '@supabase/supabase-js';

export class DataError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** The rows of a PostgREST answer, or a DataError naming what was read. */
export function check<T>(res: { data: T | null; error: { message: string } | null }, what: string): T {
  if (res.error) throw new DataError(`${what}: ${res.error.message}`, res.error);
  return res.data as T;
}

/** Rows a write touched (0: no such row) or the database's refusal (a trigger, RLS), for the route to word. */
export type Written = { count: number; error: null } | { count: 0; error: PostgrestError };

export function written(res: { data: unknown[] | null; error: PostgrestError | null }): Written {
  return res.error ? { count: 0, error: res.error } : { count: res.data?.length ?? 0, error: null };
}
