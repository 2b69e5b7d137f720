// The help articles' Markdown renderer (widget/src/help/markdown.ts, shared by the widget and the dashboard
// preview): only the allowed elements come out, text stays text, and links are http(s) only.
import { describe, expect, it } from 'vitest';
import { type H, renderMarkdown } from '../../widget/src/help/markdown.ts';

interface El {
  type: string;
  props: Record<string, unknown>;
  children: (El | string)[];
}
const h: H<El> = (type, props, ...children) => ({ type, props: props ?? {}, children });
const tags = (els: (El | string)[]): string[] => els.flatMap((e) => (typeof e === 'string' ? [] : [e.type, ...tags(e.children)]));
const text = (els: (El | string)[]): string => els.map((e) => (typeof e === 'string' ? e : text(e.children))).join('');

describe('help article Markdown', () => {
  it('builds headings, paragraphs, lists, code, emphasis and links as elements', () => {
    const out = renderMarkdown('# Steps\n\nOpen **My orders** and *pick* `Cancel`.\n\n- one\n- two\n\n1. first\n\n[Docs](https://example.com/a)', h);
    expect(tags(out)).toEqual(['h4', 'p', 'strong', 'em', 'code', 'ul', 'li', 'li', 'ol', 'li', 'p', 'a']);
    const link = out[4]!.children[0] as El;
    expect(link.props).toMatchObject({ href: 'https://example.com/a', rel: 'noopener noreferrer nofollow', target: '_blank' });
  });

  it('keeps HTML and script as text, and links of other schemes as their text', () => {
    const out = renderMarkdown('<img src=x onerror=alert(1)> <script>alert(1)</script>\n\n[click](javascript:void0) [mail](mailto:a@b.c) [data](data:text/html,x)', h);
    expect(tags(out)).toEqual(['p', 'p']);
    expect(text(out)).toContain('<script>alert(1)</script>');
    expect(text([out[1]!])).toBe('click mail data');
  });

  it('renders a fenced code block as one pre element with its text untouched', () => {
    const out = renderMarkdown('```\n<b>**not bold**</b>\n```', h);
    expect(tags(out)).toEqual(['pre', 'code']);
    expect(text(out)).toBe('<b>**not bold**</b>');
  });
});
