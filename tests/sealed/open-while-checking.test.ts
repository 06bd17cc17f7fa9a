/**
 * A post from another device reaches the board after its signature is
 * checked and its payload decrypted. Each is a trip to the platform's
 * crypto; one after the other, they were two on the way from Bob's post to
 * Ana's board. The decryption now begins while the signature is checked
 * (admission.ts, screen.ts), and the pump takes what it gave instead of
 * decrypting again (pump.ts).
 */
import { describe, expect, it } from 'vitest'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { inlineCrypto, type EntryCrypto } from '../../src/crypto/index.ts'
import { exchange, member } from './fixture.ts'

describe('a peer’s entry is decrypted while its signature is checked', () => {
  it('Bob’s post on Ana’s device: its decryption begins before the check answers, happens once, and the post shows', async () => {
    const events: string[] = []
    // Ana's checks: a signature check that takes 20 ms to answer.
    const slowChecks: EntryCrypto = {
      async verify(publicKey, signature, message) {
        events.push('verify')
        const ok = await inlineCrypto.verify(publicKey, signature, message)
        await new Promise((resolve) => setTimeout(resolve, 20))
        events.push('verified')
        return ok
      },
      decrypt(key, nonce, ciphertext, associatedData) {
        events.push('decrypt')
        return inlineCrypto.decrypt(key, nonce, ciphertext, associatedData)
      },
    }
    const ana = await member('Ana', { crypto: slowChecks })
    const bob = await member('Bob')
    await exchange(ana, bob)
    events.length = 0
    const r = createItem(bob.board.readable, { kind: 'notice', title: 'Soup at 6', body: 'back door', author: 'Bob', tags: [], pinned: false, expiresAt: null }, 1000, newItemId(bob.board.myTag))
    expect(r.ok).toBe(true)
    await bob.board.flush()
    await exchange(ana, bob)
    // Begun with the check, before it answers; once.
    expect(events).toEqual(['decrypt', 'verify', 'verified'])
    expect(readItems(ana.board.readable).map((i) => i.title)).toEqual(['Soup at 6'])
  })
})
