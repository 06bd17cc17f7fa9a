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
      message: { type: 'publish', topic: 'a', data: '"xyz"' },
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
    ['one bad topic among good ones', '{"type":"subscribe","topics":["a",""]}', false, 'bad-topics'],
    ['empty topic', '{"type":"subscribe","topics":[""]}', false, 'bad-topics'],
    ['overlong topic', `{"type":"subscribe","topics":["${'x'.repeat(129)}"]}`, false, 'bad-topics'],
    ['too many topics in one frame', JSON.stringify({ type: 'subscribe', topics: Array.from({ length: 65 }, (_, i) => `t${i}`) }), false, 'bad-topics'],
    ['publish without topic', '{"type":"publish","data":1}', false, 'bad-topic'],
    ['publish with object topic', '{"type":"publish","topic":{},"data":1}', false, 'bad-topic'],
    ['nesting one level too deep', `{"type":"publish","topic":"a","data":${'['.repeat(32)}${']'.repeat(32)}}`, false, 'too-deep'],
    ['thousands of nested arrays (the frame that crashed the server)', `{"type":"publish","topic":"a","data":${'['.repeat(8000)}${']'.repeat(8000)}}`, false, 'too-deep'],
    ['deep nesting that is not even closed', `{"type":"publish","topic":"a","data":${'[{"a":'.repeat(5000)}`, false, 'too-deep'],
    ['trailing garbage', '{"type":"ping"} x', false, 'not-json'],
    ['two objects', '{"type":"ping"}{"type":"ping"}', false, 'not-json'],
  ])('rejects %s', (_name, text, binary, error) => {
    expect(parse(text, binary)).toEqual({ ok: false, error })
  })

  it('does not let __proto__ tricks through', () => {
    expect(parse('{"__proto__":{"type":"ping"}}')).toEqual({ ok: false, error: 'unknown-type' })
    expect(parse('{"type":"publish","topic":"__proto__","data":{"__proto__":{"polluted":1},"constructor":{"prototype":1}}}')).toEqual({
      ok: true,
      message: { type: 'publish', topic: '__proto__', data: '{"__proto__":{"polluted":1},"constructor":{"prototype":1}}' },
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('a publish keeps the exact text of its data', () => {
  const dataOf = (text: string) => {
    const parsed = parse(text)
    if (!parsed.ok || parsed.message.type !== 'publish') throw new Error(`not a publish: ${JSON.stringify(parsed)}`)
    return parsed.message.data
  }

  it('as written: spacing, key order and number spelling survive, so nothing is re-serialised', () => {
    expect(dataOf('{"type":"publish", "data" :  { "b": 1.50, "a": [ 1e3 ] } , "topic":"t"}')).toBe('{ "b": 1.50, "a": [ 1e3 ] }')
  })

  it('with brackets, quotes and escapes inside strings', () => {
    expect(dataOf('{"type":"publish","topic":"t","data":"]}\\"{[\\u0022,"}')).toBe('"]}\\"{[\\u0022,"')
  })

  it('with strings that end in escaped backslashes (an even run does not escape the closing quote)', () => {
    for (const value of ['x\\', 'x\\\\', '\\"', 'a"b\\"c\\\\']) {
      const data = JSON.stringify(value)
      expect(dataOf(`{"type":"publish","topic":"t","data":${data},"after":"]}"}`)).toBe(data)
    }
  })

  it('from the top-level member only, and the last one when the key repeats (as JSON.parse does)', () => {
    expect(dataOf('{"type":"publish","topic":"t","x":{"data":1},"data":2,"data":[3]}')).toBe('[3]')
  })

  it('as null when there is no data', () => {
    expect(dataOf('{"type":"publish","topic":"t"}')).toBeNull()
  })

  it('up to the depth limit: data nested 31 deep in the frame is fine', () => {
    const data = `${'['.repeat(31)}${']'.repeat(31)}`
    expect(dataOf(`{"type":"publish","topic":"t","data":${data}}`)).toBe(data)
  })

  it('huge numbers and odd values as their text', () => {
    expect(dataOf('{"type":"publish","topic":"t","data":123456789012345678901234567890e300}')).toBe('123456789012345678901234567890e300')
    expect(dataOf('{"type":"publish","topic":"t","data":-0}')).toBe('-0')
    expect(dataOf('{"type":"publish","topic":"t","data":"\\ud800"}')).toBe('"\\ud800"')
  })
})

describe('the limits themselves are allowed', () => {
  it('a topic of exactly the longest length, and exactly the most topics in one frame', () => {
    const longest = 'x'.repeat(DEFAULT_SIGNALING_LIMITS.maxTopicLength)
    expect(parse(JSON.stringify({ type: 'publish', topic: longest, data: 1 }))).toMatchObject({ ok: true, message: { topic: longest } })
    const most = Array.from({ length: DEFAULT_SIGNALING_LIMITS.maxTopicsPerConnection }, (_, i) => `t${i}`)
    expect(parse(JSON.stringify({ type: 'subscribe', topics: most }))).toEqual({ ok: true, message: { type: 'subscribe', topics: most } })
  })
})
