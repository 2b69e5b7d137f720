// Conformance: the admin API refuses what hosted Auth refuses, seen through supabase-js (issue 17): an email
// GoTrue's format check rejects, and page parameters that are not unsigned numbers.
import { AuthApiError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { serviceClient, uniqueEmail } from '../../tests/support/stack.ts';

describe('admin user validation', () => {
  it('refuses to create a user whose email GoTrue rejects, with 400 validation_failed', async () => {
    const admin = serviceClient().auth.admin;
    for (const email of ['xx:;x@x.x', 'a b@example.com', 'user@-example.com']) {
      const { data, error } = await admin.createUser({ email, password: 'correct-horse-battery' });
      expect(data.user).toBeNull();
      expect(error).toBeInstanceOf(AuthApiError);
      expect(error?.status).toBe(400);
      expect(error?.code).toBe('validation_failed');
      expect(error?.message).toBe('Unable to validate email address: invalid format');
    }
    const ok = await admin.createUser({ email: uniqueEmail("o'neil+tag"), password: 'correct-horse-battery' });
    expect(ok.error).toBeNull();
    await admin.deleteUser(ok.data.user!.id);
  });

  it('refuses listUsers with a negative page or page size, with 400 validation_failed', async () => {
    const admin = serviceClient().auth.admin;
    for (const params of [{ page: -1 }, { page: 1, perPage: -5 }]) {
      const { error } = await admin.listUsers(params);
      expect(error).toBeInstanceOf(AuthApiError);
      expect(error?.status).toBe(400);
      expect(error?.code).toBe('validation_failed');
      expect(error?.message).toMatch(/^Bad Pagination Parameters/);
    }
    const ok = await serviceClient().auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(ok.error).toBeNull();
  });
});
