import type { AuthorLog } from './author-log.ts'
import type { Circle, RequestInfo } from './circle.ts'
import { ZERO_INVITE } from './membership/reduce.ts'

/**
 * Devices that joined a board from before membership wrote a profile (a
 * join entry) and were never admitted. Once the board has membership, a
 * moderator may admit them as if they had asked: their join stands for the
 * request.
 */
export function legacyRequest(logs: ReadonlyMap<string, AuthorLog>, circle: Circle, hash: string, now: number): RequestInfo | null {
  for (const [tag, log] of logs) {
    for (const d of log.done.values()) {
      if (d.hash !== hash || d.entry.header.kind !== 'join') continue
      const p = circle.profiles.get(tag)
      if (p) return { hash, tag, sign: p.sign, agree: p.agree, name: p.name, invite: ZERO_INVITE, seenAt: now }
    }
  }
  return null
}

/** Devices that joined with an old invite (a join entry, no admission) while the board's first key is in use. */
export function legacyJoiners(logs: ReadonlyMap<string, AuthorLog>, circle: Circle, now: number): RequestInfo[] {
  if (!circle.managed) return []
  const m = circle.membership()
  if (m.current?.hash !== m.genesis?.hash) return []
  const out: RequestInfo[] = []
  for (const [tag, log] of logs) {
    if (m.devices.has(tag)) continue
    const join = [...log.done.values()].find((d) => d.entry.header.kind === 'join')
    const request = join ? legacyRequest(logs, circle, join.hash, now) : null
    if (request) out.push(request)
  }
  return out
}
