import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import {
  deriveTransportKeys,
  encodeInvite,
  fromBase64url,
  generateTransportSecret,
  inviteLink,
  parseInvite,
  toBase64url,
  type TransportSecret,
} from '../../src/crypto/index.ts'

const fixedSecret = Uint8Array.from({ length: 32 }, (_, i) => i) as TransportSecret

/** Independent HKDF via WebCrypto, to check the noble-based derivation. */
async function webCryptoHkdf(secret: Uint8Array, label: string, length: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('hearth/v1'), info: new TextEncoder().encode(label) },
    key,
    length * 8,
  )
  return toBase64url(new Uint8Array(bits))
}

describe('base64url', () => {
  it('round-trips every length and rejects characters outside the alphabet', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n))
      expect(fromBase64url(toBase64url(bytes))).toEqual(bytes)
    }
    expect(fromBase64url('ab+/')).toBeNull()
    expect(fromBase64url('abc=')).toBeNull()
    expect(fromBase64url('a')).toBeNull()
  })

  it('matches RFC 4648 test vectors', () => {
    const enc = (s: string) => toBase64url(new TextEncoder().encode(s))
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual(['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy'])
  })
})

describe('transport keys', () => {
  it('derives board id, room and password by HKDF-SHA256 with separate labels', async () => {
    const keys = deriveTransportKeys(fixedSecret)
    expect(keys.boardId).toBe(await webCryptoHkdf(fixedSecret, 'board-id', 16))
    expect(keys.room).toBe('h1-' + (await webCryptoHkdf(fixedSecret, 'room', 32)))
    expect(keys.password).toBe(await webCryptoHkdf(fixedSecret, 'signaling-password', 32))
    expect(new Set([keys.boardId, keys.room.slice(3), keys.password]).size).toBe(3)
  })

  it('gives different boards unrelated rooms, and never exposes the secret', () => {
    const a = generateTransportSecret()
    const b = generateTransportSecret()
    expect(deriveTransportKeys(a).room).not.toBe(deriveTransportKeys(b).room)
    const keys = deriveTransportKeys(a)
    expect(JSON.stringify(keys)).not.toContain(toBase64url(a))
  })
})

describe('invites', () => {
  const invitation = () => ({
    version: 3 as const,
    transportSecret: generateTransportSecret(),
    boardId: crypto.getRandomValues(new Uint8Array(16)),
    invitationSecret: crypto.getRandomValues(new Uint8Array(32)),
    inviter: crypto.getRandomValues(new Uint8Array(32)),
    purpose: 'member' as const,
  })

  it('Alice shares an invitation link; Bob pastes it and gets the room, the board and the one-time secret — no content key', () => {
    const invite = invitation()
    const link = inviteLink('https://hearth.example/app/#/board/x', invite)
    expect(link.startsWith('https://hearth.example/app/#/join/')).toBe(true)
    const parsed = parseInvite(link)
    expect(parsed).toEqual({ ok: true, ...invite })
    expect(parsed.ok && 'contentKey' in parsed).toBe(false)
  })

  it('a link for a second device of the inviter says so', () => {
    const invite = { ...invitation(), purpose: 'device' as const }
    expect(parseInvite(encodeInvite(invite))).toEqual({ ok: true, ...invite })
  })

  it('accepts the bare payload and tolerates line breaks from chat apps', () => {
    const payload = encodeInvite({ version: 1, transportSecret: fixedSecret })
    expect(parseInvite(payload)).toEqual({ ok: true, version: 1, transportSecret: fixedSecret })
    // The fragment alone, as some apps copy it.
    expect(parseInvite('#/join/' + payload)).toEqual({ ok: true, version: 1, transportSecret: fixedSecret })
    const broken = `  https://h.example/#/join/${payload.slice(0, 20)}\n${payload.slice(20)}  `
    const parsed = parseInvite(broken)
    expect(parsed.ok && parsed.transportSecret).toEqual(fixedSecret)
  })

  it('names what is wrong with a bad invite', () => {
    const payload = encodeInvite(invitation())
    expect(parseInvite('   ')).toEqual({ ok: false, error: 'empty' })
    expect(parseInvite('https://example.com/hello?x=1')).toEqual({ ok: false, error: 'not_an_invite' })
    for (let cut = 1; cut < payload.length; cut += 7) {
      expect(parseInvite('https://h.example/#/join/' + payload.slice(0, cut))).toEqual({ ok: false, error: 'truncated' })
    }
    // One changed character anywhere is caught by the check bytes.
    for (let i = 2; i < payload.length - 1; i++) {
      const c = payload[i] === 'A' ? 'B' : 'A'
      const altered = payload.slice(0, i) + c + payload.slice(i + 1)
      expect(parseInvite(altered).ok, `altered at ${i}`).toBe(false)
    }
    expect(parseInvite(payload + 'AAAA')).toEqual({ ok: false, error: 'damaged' })
    // A link whose payload is whole but holds a character no invite has: damaged, not cut short.
    const dotted = payload.slice(0, 30) + '.' + payload.slice(31)
    expect(parseInvite('https://h.example/#/join/' + dotted)).toEqual({ ok: false, error: 'damaged' })
    expect(parseInvite('https://h.example/#/join/' + payload.slice(0, -1) + '.')).toEqual({ ok: false, error: 'damaged' })
    expect(parseInvite('https://h.example/#/join/' + payload.slice(0, 30) + '.')).toEqual({ ok: false, error: 'truncated' })
  })

  it('an invite longer than its version’s, even with check bytes that hold, is damaged', () => {
    const versioned = Uint8Array.from([...fromBase64url(encodeInvite(invitation()))!.subarray(0, -4), 0])
    expect(parseInvite(toBase64url(Uint8Array.from([...versioned, ...sha256(versioned).subarray(0, 4)])))).toEqual({ ok: false, error: 'damaged' })
  })

  it('an invite for a purpose this app does not know, check bytes intact, is damaged', () => {
    const versioned = fromBase64url(encodeInvite(invitation()))!.subarray(0, -4)
    versioned[versioned.length - 1] = 3
    expect(parseInvite(toBase64url(Uint8Array.from([...versioned, ...sha256(versioned).subarray(0, 4)])))).toEqual({ ok: false, error: 'damaged' })
    versioned[versioned.length - 1] = 2
    expect(parseInvite(toBase64url(Uint8Array.from([...versioned, ...sha256(versioned).subarray(0, 4)])))).toMatchObject({ ok: true, purpose: 'relay' })
  })

  it('a bare payload with a character no invite has is not an invite, wherever the character is', () => {
    const payload = encodeInvite(invitation())
    for (const text of ['.' + payload.slice(1), payload.slice(0, -1) + '.', payload.slice(0, 40) + '.' + payload.slice(41)]) {
      expect(parseInvite(text), text).toEqual({ ok: false, error: 'not_an_invite' })
    }
  })

  it('what is left of a link after "#/join/" tells truncated from damaged, even when it is only a few characters', () => {
    expect(parseInvite('https://h.example/#/join/')).toEqual({ ok: false, error: 'truncated' })
    expect(parseInvite('https://h.example/#/join/z')).toEqual({ ok: false, error: 'truncated' })
    expect(parseInvite('https://h.example/#/join/zz')).toEqual({ ok: false, error: 'damaged' })
    expect(parseInvite('#/join/hello')).toEqual({ ok: false, error: 'damaged' })
    expect(parseInvite('hello')).toEqual({ ok: false, error: 'not_an_invite' })
    // Four bytes that are their own check (nothing before them): no invite of any version.
    expect(parseInvite(toBase64url(sha256(new Uint8Array(0)).subarray(0, 4)))).toEqual({ ok: false, error: 'not_an_invite' })
  })

  it('Bob pastes ordinary words into Join: that is not an invite, not one from a newer version', () => {
    for (const words of ['see you at the park on friday', 'hello', 'Meet_at_5', 'https://h.example/#/board/abc']) {
      expect(parseInvite(words), words).toEqual({ ok: false, error: 'not_an_invite' })
    }
  })

  it('an invite whose first character Bob mistyped is damaged, not from a newer version', () => {
    const link = inviteLink('https://h.example/', invitation())
    const at = link.indexOf('#/join/') + '#/join/'.length
    for (const typo of ['B', 'Z', 'g', '9', '-', '_', 'Q']) {
      if (link[at] === typo) continue
      const altered = link.slice(0, at) + typo + link.slice(at + 1)
      expect(parseInvite(altered), `first character ${typo}`).toEqual({ ok: false, error: 'damaged' })
      // The bare payload, pasted without the link around it, too.
      expect(parseInvite(altered.slice(at)), `bare, first character ${typo}`).toEqual({ ok: false, error: 'damaged' })
    }
  })

  it('only an intact invite of an unknown version asks for an update', () => {
    // Version 9 does not exist yet; its invite keeps the check bytes every version has.
    const versioned = Uint8Array.from([9, ...crypto.getRandomValues(new Uint8Array(100))])
    const v9 = toBase64url(Uint8Array.from([...versioned, ...sha256(versioned).subarray(0, 4)]))
    expect(parseInvite('https://h.example/#/join/' + v9)).toEqual({ ok: false, error: 'unsupported_version' })
    expect(parseInvite(v9)).toEqual({ ok: false, error: 'unsupported_version' })
  })

  it('still reads a version 2 invite from before membership: transport secret, content key, founder and inviter', () => {
    const transportSecret = generateTransportSecret()
    const contentKey = crypto.getRandomValues(new Uint8Array(32))
    const founder = crypto.getRandomValues(new Uint8Array(32))
    const inviter = crypto.getRandomValues(new Uint8Array(32))
    const parsed = parseInvite(inviteLink('https://h.example/', { version: 2, transportSecret, contentKey, founder, inviter }))
    expect(parsed).toEqual({ ok: true, version: 2, transportSecret, contentKey, founder, inviter })
    // A founder's key with zero bytes in it is still a key: only all zero means none.
    const withZeros = Uint8Array.from({ length: 32 }, (_, i) => (i % 2 ? 0 : i + 1))
    expect(parseInvite(encodeInvite({ version: 2, transportSecret, contentKey, founder: withZeros }))).toEqual({ ok: true, version: 2, transportSecret, contentKey, founder: withZeros })
    const noFounder = parseInvite(encodeInvite({ version: 2, transportSecret, contentKey }))
    expect(noFounder).toEqual({ ok: true, version: 2, transportSecret, contentKey })
    const v2 = encodeInvite({ version: 2, transportSecret, contentKey, founder })
    expect(parseInvite(v2.slice(0, 60))).toEqual({ ok: false, error: 'truncated' })
    const altered = v2.slice(0, 70) + (v2[70] === 'A' ? 'B' : 'A') + v2.slice(71)
    expect(parseInvite(altered)).toEqual({ ok: false, error: 'damaged' })
  })
})
