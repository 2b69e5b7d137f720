// The CHANNEL_SECRETS_KEY function secret of the test stacks (vitest and e2e): test-only, public.
export const TEST_CHANNEL_SECRETS_KEY = 'dGVzdC1vbmx5LWNoYW5uZWwtc2VjcmV0cy1rZXktMzI=';
