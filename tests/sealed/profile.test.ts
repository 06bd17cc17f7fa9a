/**
 * A device's profile on a board (profile.ts): the plaintext of its `join`
 * entry, written by its own device. Bob's device writes one; Eve writes
 * profiles no device would, and each must read as nothing rather than as a
 * name on the Members screen.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { decodeJoin, encodeJoin, MEMBER_NAME_MAX } from '../../src/sealed/profile.ts'

const agree = new Uint8Array(32).fill(7)
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const bobs = { v: 1, name: 'Bob', agree: toBase64url(agree), invitedBy: null, at: 1000 }

describe('profiles (join entries)', () => {
  it('Bob’s profile reads back as he wrote it, his name trimmed', () => {
    expect(decodeJoin(encodeJoin({ name: 'Bob', agreePublic: agree, invitedBy: 'alice', at: 1000 }))).toEqual({ v: 1, name: 'Bob', agree: toBase64url(agree), invitedBy: 'alice', at: 1000 })
    expect(decodeJoin(json({ ...bobs, name: ' Bob \t' }))).toEqual(bobs)
  })

  it(`a name of ${MEMBER_NAME_MAX} characters (emoji count as one) is kept; one more, or none, is refused`, () => {
    expect(MEMBER_NAME_MAX).toBe(60)
    expect(decodeJoin(json({ ...bobs, name: '🌱'.repeat(60) }))?.name).toBe('🌱'.repeat(60))
    expect(decodeJoin(json({ ...bobs, name: '🌱'.repeat(61) }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, name: '  ' }))).toBeNull()
  })

  it('Eve’s profiles with a wrong version, a name, key or time of the wrong type, or a key of the wrong length, are refused', () => {
    expect(decodeJoin(json({ ...bobs, v: 2 }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, name: 5 }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, agree: [...agree] }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, agree: toBase64url(new Uint8Array(31)) }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, agree: toBase64url(new Uint8Array(33)) }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, agree: '!!' }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, at: '1000' }))).toBeNull()
    // A list of the key's base64url characters decodes as readily as the text would: still not a key written as text.
    expect(decodeJoin(json({ ...bobs, agree: [...toBase64url(agree)] }))).toBeNull()
  })

  it('who invited her is Eve’s own claim: kept when it is a short string or null, refused otherwise', () => {
    expect(decodeJoin(json({ ...bobs, invitedBy: 'x'.repeat(64) }))?.invitedBy).toBe('x'.repeat(64))
    expect(decodeJoin(json({ ...bobs, invitedBy: 'x'.repeat(65) }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, invitedBy: 42 }))).toBeNull()
    expect(decodeJoin(json({ ...bobs, invitedBy: undefined }))).toBeNull()
  })

  it('bytes that are not UTF-8 JSON of an object read as nothing', () => {
    expect(decodeJoin(Uint8Array.of(0x7b, 0xc3, 0x7d))).toBeNull()
    // Well-formed JSON around a name that is not UTF-8: not read as a name with replacement characters.
    const [before, after] = new TextDecoder().decode(json({ ...bobs, name: 'X' })).split('X') as [string, string]
    const bytes = new TextEncoder()
    expect(decodeJoin(Uint8Array.from([...bytes.encode(before), 0x42, 0xff, 0x62, ...bytes.encode(after)]))).toBeNull()
    expect(decodeJoin(Uint8Array.from([...bytes.encode(before), 0x42, 0x62, ...bytes.encode(after)]))?.name).toBe('Bb')
    expect(decodeJoin(new TextEncoder().encode('{"v":1'))).toBeNull()
    expect(decodeJoin(json(null))).toBeNull()
    expect(decodeJoin(json('Bob'))).toBeNull()
  })
})
