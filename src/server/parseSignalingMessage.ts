import type { SignalingLimits } from './limits.ts'
import { scanJsonObject } from './scanJsonObject.ts'

/**
 * The y-webrtc signaling protocol (see y-webrtc's bin/server.js and
 * SignalingConn), parsed at the boundary into typed values. `data` of a
 * publish is opaque to the server (y-webrtc encrypts it when the room has a
 * password): it is kept as the exact JSON text the sender wrote, so the
 * server forwards what it validated and never re-serialises a structure an
 * attacker shaped.
 */
export type SignalingMessage =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'unsubscribe'; topics: string[] }
  /** `data`: the JSON text of the sender's `data` member, or null when it had none. */
  | { type: 'publish'; topic: string; data: string | null }
  | { type: 'ping' }

export type ParseError = 'binary' | 'not-json' | 'not-object' | 'too-deep' | 'unknown-type' | 'bad-topic' | 'bad-topics'

export type ParseResult = { ok: true; message: SignalingMessage } | { ok: false; error: ParseError }

type ParseLimits = Pick<SignalingLimits, 'maxTopicLength' | 'maxTopicsPerConnection' | 'maxJsonDepth'>

function isTopic(value: unknown, limits: ParseLimits): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= limits.maxTopicLength
}

function parseTopics(value: unknown, limits: ParseLimits): string[] | null {
  if (!Array.isArray(value) || value.length > limits.maxTopicsPerConnection) return null
  return value.every((t) => isTopic(t, limits)) ? (value as string[]) : null
}

/** Turns one raw WebSocket frame into a message, or says why it is not one. Never throws. */
export function parseSignalingMessage(raw: string | Buffer, isBinary: boolean, limits: ParseLimits): ParseResult {
  if (isBinary) return { ok: false, error: 'binary' }
  const text = typeof raw === 'string' ? raw : raw.toString('utf8')
  // The depth check comes first so no deep structure is ever built.
  const scan = scanJsonObject(text, limits.maxJsonDepth)
  if (!scan.ok && scan.error === 'too-deep') return { ok: false, error: 'too-deep' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, error: 'not-json' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !scan.ok) return { ok: false, error: 'not-object' }
  const msg = value as Record<string, unknown>
  switch (msg.type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = parseTopics(msg.topics, limits)
      return topics ? { ok: true, message: { type: msg.type, topics } } : { ok: false, error: 'bad-topics' }
    }
    case 'publish': {
      if (!isTopic(msg.topic, limits)) return { ok: false, error: 'bad-topic' }
      const span = Object.hasOwn(msg, 'data') ? scan.members.get('data') : undefined
      return { ok: true, message: { type: 'publish', topic: msg.topic, data: span ? text.slice(span.start, span.end) : null } }
    }
    case 'ping':
      return { ok: true, message: { type: 'ping' } }
    default:
      return { ok: false, error: 'unknown-type' }
  }
}
