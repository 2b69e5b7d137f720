// The browser tests' Chromium lookup (tests/support/browser.ts): CHROMIUM_PATH wins, a wrong one is an error.
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from './browser.ts';

const saved = process.env.CHROMIUM_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.CHROMIUM_PATH;
  else process.env.CHROMIUM_PATH = saved;
});

describe('finding a Chromium for the browser tests', () => {
  it('uses CHROMIUM_PATH when it exists', () => {
    process.env.CHROMIUM_PATH = process.execPath;
    expect(findChromium()).toBe(process.execPath);
  });

  it('refuses a CHROMIUM_PATH that does not exist, saying which', () => {
    process.env.CHROMIUM_PATH = '/no/such/chromium';
    expect(() => findChromium()).toThrow('CHROMIUM_PATH=/no/such/chromium does not exist.');
  });

  it('finds one on this machine without CHROMIUM_PATH (CI installs Debian’s)', () => {
    delete process.env.CHROMIUM_PATH;
    expect(findChromium()).toMatch(/chrom/i);
  });
});
