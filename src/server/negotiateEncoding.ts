/** A content coding Hearth serves precompressed. */
export type ContentCoding = 'br' | 'gzip'

/**
 * Picks the coding for a response from the request's `Accept-Encoding`:
 * brotli or gzip, whichever the client weights higher (brotli on a tie, as it
 * is smaller), or null for the identity. `q=0` refuses a coding; `*` stands
 * for every coding not named.
 */
export function negotiateEncoding(header: string | string[] | undefined): ContentCoding | null {
  const weights = new Map<string, number>()
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (name === '') continue
    const q = params.find((p) => p.startsWith('q='))
    const weight = q === undefined ? 1 : Number(q.slice(2))
    weights.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(weight) ? weight : 0)
  }
  const weightOf = (coding: ContentCoding): number => weights.get(coding) ?? weights.get('*') ?? 0
  const br = weightOf('br')
  const gzip = weightOf('gzip')
  if (br > 0 && br >= gzip) return 'br'
  return gzip > 0 ? 'gzip' : null
}
