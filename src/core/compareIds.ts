/**
 * Orders ids by UTF-16 code units: the same on every device, unlike
 * `localeCompare`, so ties sort identically on every peer.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
