import { describe, expect, it } from 'vitest'
import { DEFAULT_SIGNALING_LIMITS } from '../../src/server/limits.ts'
import { parseSignalingMessage } from '../../src/server/parseSignalingMessage.ts'

const parse = (text: string, binary = false) => parseSignalingMessage(Buffer.from(text), binary, DEFAULT_SIGNALING_LIMITS)

describe('parsing signaling frames', () => {
  it('accepts the four y-webrtc messages', () => {
    expect(parse('{"type":"subscribe","topics":["a","b"]}')).toEqual({ ok: true, message: { type: 'subscribe', topics: ['a', 'b'] } })
    expect(parse('{"type":"unsubscribe","topics":["a"]}')).toEqual({ ok: true, message: { type: 'unsubscribe', topics: ['a'] } })
    expect(parse('{"type":"publish","topic":"a","data":"xyz","extra":1}')).toEqual({
      ok: true,
      message: { type: 'publish', topic: 'a', data: 'xyz' },
    })
    expect(parse('{"type":"ping"}')).toEqual({ ok: true, message: { type: 'ping' } })
  })

  it.each([
    ['binary frame', '{"type":"ping"}', true, 'binary'],
    ['not JSON', 'hello', false, 'not-json'],
    ['null', 'null', false, 'not-object'],
    ['array', '[{"type":"ping"}]', false, 'not-object'],
    ['number', '42', false, 'not-object'],
    ['unknown type', '{"type":"pong"}', false, 'unknown-type'],
    ['type of wrong type', '{"type":1}', false, 'unknown-type'],
    ['topics not an array', '{"type":"subscribe","topics":"a"}', false, 'bad-topics'],
    ['non-string topic', '{"type":"subscribe","topics":[1]}', false, 'bad-topics'],
    ['empty topic', '{"type":"subscribe","topics":[""]}', false, 'bad-topics'],
    ['overlong topic', `{"type":"subscribe","topics":["${'x'.repeat(129)}"]}`, false, 'bad-topics'],
    ['too many topics in one frame', JSON.stringify({ type: 'subscribe', topics: Array.from({ length: 65 }, (_, i) => `t${i}`) }), false, 'bad-topics'],
    ['publish without topic', '{"type":"publish","data":1}', false, 'bad-topic'],
    ['publish with object topic', '{"type":"publish","topic":{},"data":1}', false, 'bad-topic'],
  ])('rejects %s', (_name, text, binary, error) => {
    expect(parse(text, binary)).toEqual({ ok: false, error })
  })

  it('does not let __proto__ tricks through', () => {
    expect(parse('{"__proto__":{"type":"ping"}}')).toEqual({ ok: false, error: 'unknown-type' })
  })
})
