import type { SignalingLimits } from './limits.ts'

/**
 * The y-webrtc signaling protocol (see y-webrtc's bin/server.js and
 * SignalingConn), parsed at the boundary into typed values. `data` of a
 * publish is opaque to the server (y-webrtc encrypts it when the room has a
 * password) and is forwarded untouched.
 */
export type SignalingMessage =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'unsubscribe'; topics: string[] }
  | { type: 'publish'; topic: string; data: unknown }
  | { type: 'ping' }

export type ParseError = 'binary' | 'not-json' | 'not-object' | 'unknown-type' | 'bad-topic' | 'bad-topics'

export type ParseResult = { ok: true; message: SignalingMessage } | { ok: false; error: ParseError }

type TopicLimits = Pick<SignalingLimits, 'maxTopicLength' | 'maxTopicsPerConnection'>

function isTopic(value: unknown, limits: TopicLimits): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= limits.maxTopicLength
}

function parseTopics(value: unknown, limits: TopicLimits): string[] | null {
  if (!Array.isArray(value) || value.length > limits.maxTopicsPerConnection) return null
  return value.every((t) => isTopic(t, limits)) ? (value as string[]) : null
}

/** Turns one raw WebSocket frame into a message, or says why it is not one. Never throws. */
export function parseSignalingMessage(raw: string | Buffer, isBinary: boolean, limits: TopicLimits): ParseResult {
  if (isBinary) return { ok: false, error: 'binary' }
  let value: unknown
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'))
  } catch {
    return { ok: false, error: 'not-json' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not-object' }
  const msg = value as Record<string, unknown>
  switch (msg.type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = parseTopics(msg.topics, limits)
      return topics ? { ok: true, message: { type: msg.type, topics } } : { ok: false, error: 'bad-topics' }
    }
    case 'publish':
      return isTopic(msg.topic, limits)
        ? { ok: true, message: { type: 'publish', topic: msg.topic, data: msg.data } }
        : { ok: false, error: 'bad-topic' }
    case 'ping':
      return { ok: true, message: { type: 'ping' } }
    default:
      return { ok: false, error: 'unknown-type' }
  }
}
