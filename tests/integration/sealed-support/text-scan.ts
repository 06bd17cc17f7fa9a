/** Searching stored bytes for a board's text, in the encodings an app might leave it in. */

export interface TextHit {
  readonly text: string
  readonly encoding: 'utf8' | 'utf16le'
  readonly offset: number
}

/** Words at least this many UTF-8 bytes long are searched on their own too (shorter ones match random bytes too easily). */
const MIN_WORD_BYTES = 6

/** The strings to look for: each text whole, and each of its longer words. */
export function needles(texts: readonly string[]): string[] {
  const out = new Set<string>()
  for (const t of texts) {
    out.add(t)
    for (const w of t.split(/[\s.,:;!?()«»"'“”‘’—–-]+/u)) if (Buffer.byteLength(w, 'utf8') >= MIN_WORD_BYTES) out.add(w)
  }
  return [...out]
}

/** Every place one of `texts` (or one of its longer words) occurs in `bytes`, as UTF-8 or UTF-16LE. */
export function findText(bytes: Uint8Array, texts: readonly string[]): TextHit[] {
  const hay = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const hits: TextHit[] = []
  for (const text of needles(texts)) {
    for (const encoding of ['utf8', 'utf16le'] as const) {
      const offset = hay.indexOf(Buffer.from(text, encoding))
      if (offset >= 0) hits.push({ text, encoding, offset })
    }
  }
  return hits
}
