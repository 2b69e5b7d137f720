// A help article's Markdown → elements of a small allowed subset (headings, paragraphs, lists, code, emphasis,
// http(s) links), built with the caller's `h` (Preact's in the widget, React's in the dashboard preview): text is
// only ever a text node, never HTML, and any other link or mark stays plain text.
export type Inline = string | { t: 'em' | 'strong' | 'code'; c: Inline[] } | { t: 'a'; href: string; c: Inline[] };
export type Block = { t: 'h'; c: Inline[] } | { t: 'p'; c: Inline[] } | { t: 'ul' | 'ol'; items: Inline[][] } | { t: 'pre'; text: string };

// One token at a time, leftmost first: code, strong, emphasis, link.
const INLINE = /`([^`\n]+)`|\*\*([^*\n]+)\*\*|__([^_\n]+)__|\*([^*\n]+)\*|_([^_\n]+)_|\[([^\]\n]+)\]\(([^)\s]+)\)/;

export function inline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  for (let m = INLINE.exec(rest); m; m = INLINE.exec(rest)) {
    if (m.index) out.push(rest.slice(0, m.index));
    const [all, code, strong, strong2, em, em2, label, href] = m;
    if (code) out.push({ t: 'code', c: [code] });
    else if (strong || strong2) out.push({ t: 'strong', c: inline(strong ?? strong2 ?? '') });
    else if (em || em2) out.push({ t: 'em', c: inline(em ?? em2 ?? '') });
    else if (/^https?:\/\/[^\s]+$/i.test(href ?? '')) out.push({ t: 'a', href: href!, c: inline(label!) });
    else out.push(label ?? all);
    rest = rest.slice(m.index + all.length);
  }
  if (rest) out.push(rest);
  return out;
}

export function parseMarkdown(md: string): Block[] {
  const blocks: Block[] = [];
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: 'p', c: inline(para.join(' ')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const list = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !/^```/.test(lines[i]!)) code.push(lines[i]!);
      blocks.push({ t: 'pre', text: code.join('\n') });
    } else if (/^#{1,6}\s/.test(line)) {
      flush();
      blocks.push({ t: 'h', c: inline(line.replace(/^#+\s+/, '')) });
    } else if (list) {
      flush();
      const t = /\d/.test(list[1]!) ? 'ol' : 'ul';
      const last = blocks[blocks.length - 1];
      const item = inline(list[2]!);
      if (last && last.t === t) last.items.push(item);
      else blocks.push({ t, items: [item] });
    } else if (!line.trim()) flush();
    else para.push(line.trim());
  }
  flush();
  return blocks;
}

/** Any createElement: (type, props, ...children). */
export type H<T> = (type: string, props: Record<string, unknown> | null, ...children: (T | string)[]) => T;

function inlines<T>(c: Inline[], h: H<T>): (T | string)[] {
  return c.map((x, key) => {
    if (typeof x === 'string') return x;
    if (x.t === 'a') return h('a', { key, href: x.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, ...inlines(x.c, h));
    return h(x.t, { key }, ...inlines(x.c, h));
  });
}

/** Elements of the article; `heading` is the tag of its headings (below the article's own title). */
export function renderMarkdown<T>(md: string, h: H<T>, heading = 'h4'): T[] {
  return parseMarkdown(md).map((b, key) => {
    if (b.t === 'h') return h(heading, { key }, ...inlines(b.c, h));
    if (b.t === 'p') return h('p', { key }, ...inlines(b.c, h));
    if (b.t === 'pre') return h('pre', { key }, h('code', null, b.text));
    return h(b.t, { key }, ...b.items.map((item, k) => h('li', { key: k }, ...inlines(item, h))));
  });
}
