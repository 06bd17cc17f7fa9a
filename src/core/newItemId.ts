import type { ItemId } from './types.ts'

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/**
 * A fresh item id: 16 random bytes, base64url without padding (22 characters).
 * Random rather than sequential so two peers creating items offline never
 * collide and an id reveals nothing about who made it or when.
 */
export function newItemId(): ItemId {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') as ItemId
}

/**
 * Whether a string can be an item id. Ids arrive as map keys from peers, so a
 * bounded alphabet and length keep hostile keys (huge, or full of markup) out.
 */
export function isItemId(value: unknown): value is ItemId {
  return typeof value === 'string' && ID_PATTERN.test(value)
}
