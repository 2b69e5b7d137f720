// A search result's snippet: the database marks matches with U+E000 … U+E001; they become <mark> elements
// around plain text (React escapes it), so nothing in a message is ever read as HTML.
const START = '\uE000';
const STOP = '\uE001';

/** The snippet as [text, marked] pieces; an unclosed mark (the snippet was cut) runs to the end. */
export function snippetPieces(snippet: string): { text: string; marked: boolean }[] {
  const pieces: { text: string; marked: boolean }[] = [];
  for (const [i, part] of snippet.split(START).entries()) {
    const [marked, rest] = i === 0 ? [null, part] : [part.split(STOP)[0]!, part.split(STOP).slice(1).join('')];
    if (marked) pieces.push({ text: marked, marked: true });
    if (rest) pieces.push({ text: rest.replaceAll(STOP, ''), marked: false });
  }
  return pieces;
}

export function SearchSnippet({ snippet }: { snippet: string }) {
  return (
    <span data-testid="search-snippet">
      {snippetPieces(snippet).map((p, i) =>
        p.marked ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: pieces of one fixed string, never reordered
          <mark key={i}>{p.text}</mark>
        ) : (
          p.text
        ),
      )}
    </span>
  );
}
