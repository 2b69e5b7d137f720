// bench:dashboard's settings (the BENCH_* knobs, see index.ts) and the seeded company it measures.
export const ACME = 'c0000000-0000-4000-8000-00000000ac3e';
export const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
export const MESSAGES_PER_CONVERSATION = Number(process.env.BENCH_MESSAGES_PER_CONVERSATION ?? 3);
export const BIG_CONVERSATION_MESSAGES = 2_000;
export const RUNS = Number(process.env.BENCH_RUNS ?? 10);
export const COST_MESSAGES = Number(process.env.BENCH_COST_MESSAGES ?? 10);
export const BEFORE_DIR = process.env.BENCH_BEFORE_DIR ?? '/tmp/before-dash';
