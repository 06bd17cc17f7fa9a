import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { addressGroup } from './addressGroup.ts'

/**
 * Who is asking, for per-address limits (see `addressGroup`). With
 * `trustedProxies` = 0 (the default) this is the TCP peer: a client can
 * forge `X-Forwarded-For`, so it is ignored. With n > 0 the server sits
 * behind n proxies that each append the address they saw, and the n-th entry
 * from the right is the client as the outermost proxy saw it; entries further
 * left were written by the client and are never read. A request without such
 * an entry (one that bypassed the proxy) falls back to the TCP peer.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  const direct = req.socket.remoteAddress ?? 'unknown'
  if (trustedProxies > 0) {
    const header = req.headers['x-forwarded-for']
    const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
    const forwarded = entries[entries.length - trustedProxies]
    if (forwarded !== undefined && isIP(forwarded) !== 0) return addressGroup(forwarded)
  }
  return addressGroup(direct)
}
