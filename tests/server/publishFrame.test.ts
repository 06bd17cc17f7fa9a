import { describe, expect, it } from 'vitest'
import { isJsonValue } from '../../src/server/isJsonValue.ts'
import { publishFrame } from '../../src/server/publishFrame.ts'

describe('the publish frame sent to subscribers', () => {
  it('embeds the data text untouched and escapes the topic', () => {
    const frame = publishFrame('room "1"', '{ "b": 1.50 }', 2)
    expect(frame).toBe('{"type":"publish","topic":"room \\"1\\"","data":{ "b": 1.50 },"clients":2}')
    expect(JSON.parse(frame)).toEqual({ type: 'publish', topic: 'room "1"', data: { b: 1.5 }, clients: 2 })
  })

  it('leaves data out when the sender sent none', () => {
    expect(JSON.parse(publishFrame('t', null, 1))).toEqual({ type: 'publish', topic: 't', clients: 1 })
  })
})

describe('checking a JSON value from another instance', () => {
  it.each([
    ['"b64"', true],
    ['{"a":[1,2]}', true],
    ['-0', true],
    [`${'['.repeat(4)}${']'.repeat(4)}`, true],
    [`${'['.repeat(5)}${']'.repeat(5)}`, false],
    ['', false],
    ['1,"x":2', false],
    ['{"a":1}}', false],
    ['"unterminated', false],
    ['1}, "evil": {', false],
  ])('%s → %s (depth limit 4)', (text, ok) => {
    expect(isJsonValue(text, 4)).toBe(ok)
  })
})
