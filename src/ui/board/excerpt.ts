/**
 * The start of a text for a compact card: whitespace collapsed, cut at a word
 * boundary near `max` characters (by code point, so no emoji or Arabic letter
 * is split), with an ellipsis when cut. The card shows a short text rather
 * than clipping a long one with CSS, which would hide text inside its box.
 */
export function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const chars = [...flat]
  if (chars.length <= max) return flat
  const cut = chars.slice(0, max).join('')
  const space = cut.lastIndexOf(' ')
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…'
}
