import type { ItemId } from './types.ts'

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

const OWNER_PATTERN = /^[A-Za-z0-9_-]{11}$/
const RANDOM_LENGTH = 22

/**
 * A fresh item id: its owner's device tag (11 characters) followed by 16
 * random bytes, base64url without padding (22 characters). The owner prefix
 * is what lets every device tell, from the key alone, whose item it is: nobody
 * can create an item under someone else's key (see sealed/authority.ts).
 * Random rather than sequential so two devices creating items offline never
 * collide. Without an owner (older boards, tests of core alone) only the
 * random part.
 */
export function newItemId(owner?: string): ItemId {
  if (owner !== undefined && !OWNER_PATTERN.test(owner)) throw new RangeError('An item owner is an 11-character device tag')
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return ((owner ?? '') + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')) as ItemId
}

/** The device tag an item id names as its owner, or null for ids from before owners were named. */
export function itemOwner(id: string): string | null {
  return id.length === 11 + RANDOM_LENGTH && /^[A-Za-z0-9_-]+$/.test(id) ? id.slice(0, 11) : null
}

/**
 * Whether a string can be an item id. Ids arrive as map keys from peers, so a
 * bounded alphabet and length keep hostile keys (huge, or full of markup) out.
 */
export function isItemId(value: unknown): value is ItemId {
  return typeof value === 'string' && ID_PATTERN.test(value)
}
