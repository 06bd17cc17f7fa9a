import { isIPv4, isIPv6 } from 'node:net'

/** The hextets of an IPv6 address, `::` expanded; an embedded dotted IPv4 tail counts as two. */
function hextets(ip: string): string[] {
  const [head = '', tail] = ip.split('::', 2)
  const parts = (s: string): string[] => (s === '' ? [] : s.split(':').flatMap((p) => (p.includes('.') ? ['0', '0'] : [p])))
  const left = parts(head)
  const right = tail === undefined ? [] : parts(tail)
  return [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
}

/**
 * The key under which one client's connections and requests are counted: an
 * IPv4 address as is (IPv4-mapped IPv6 included), and an IPv6 address by its
 * /64 prefix, because one home or phone is usually handed a whole /64 and
 * could otherwise open a fresh address for every connection.
 */
export function addressGroup(ip: string): string {
  const unzoned = ip.split('%', 1)[0] ?? ip
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unzoned)
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1]
  if (!isIPv6(unzoned)) return unzoned
  const prefix = hextets(unzoned)
    .slice(0, 4)
    .map((h) => parseInt(h, 16).toString(16))
  return `${prefix.join(':')}::/64`
}
