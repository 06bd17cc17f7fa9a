/**
 * The order every device takes concurrent membership changes in, whatever
 * order they arrived in: the most senior author first (founder, moderators,
 * members by admission, then devices nobody admitted), the entry hash last.
 * Two rotations from the same key make the order visible: the first taken
 * becomes the key in use, the other is kept but not effective.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import type { ControlEntry } from '../../src/sealed/membership/state.ts'
import { Device, FIRST_KEY, History, reduce, shuffles } from './membership-fixture.ts'

const key = (n: number) => new Uint8Array(8).fill(n)
/** A rotation from the first key, to everyone in the circle. */
const rotation = (n: number, h: History) => ({ t: 'rekey', rekey: { key: key(n), parent: FIRST_KEY, to: h.circle() } }) as const

/** In every one of many arrival orders, the key in use is `expected`. */
function expectKeyInUse(entries: readonly ControlEntry[], founder: Device, expected: number): void {
  for (const order of [entries, [...entries].reverse(), ...shuffles(entries, 16)]) {
    expect(reduce(order, founder).current?.key).toBe(toBase64url(key(expected)))
  }
}

describe('the order of concurrent changes', () => {
  it('Alice, the founder, and Mo, a moderator, rotate the key at the same time: Alice’s rotation is taken first on every device', () => {
    const alice = new Device('Alice')
    const mo = new Device('Mo')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, mo)
    h.role(alice, mo, 'moderator')
    const base = h.heads()
    h.write(mo, rotation(3, h), base)
    h.write(alice, rotation(2, h), base)
    expectKeyInUse(h.entries, alice, 2)
  })

  it('Mo and Bob, moderators, rotate at the same time: Mo, admitted first, is taken first', () => {
    const alice = new Device('Alice')
    const mo = new Device('Mo')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, mo)
    h.invite(alice, bob)
    h.role(alice, bob, 'moderator')
    h.role(alice, mo, 'moderator')
    const base = h.heads()
    h.write(bob, rotation(4, h), base)
    h.write(mo, rotation(3, h), base)
    expectKeyInUse(h.entries, alice, 3)
  })

  it('Mo’s phone and Mo’s laptop rotate at the same time: one moderator, so the entry hash decides, the same on every device', () => {
    const alice = new Device('Alice')
    const mo = new Device('Mo')
    const laptop = new Device('Mo’s laptop')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, mo)
    h.invite(mo, laptop, { as: 'device' })
    h.role(alice, mo, 'moderator')
    const base = h.heads()
    const fromPhone = h.write(mo, rotation(3, h), base)
    const fromLaptop = h.write(laptop, rotation(4, h), base)
    expectKeyInUse(h.entries, alice, fromPhone.hash < fromLaptop.hash ? 3 : 4)
  })

  it('a change by the relay, or by a stranger, refused anyway, does not let the changes that follow it jump ahead of a moderator’s', () => {
    for (const outsider of ['relay', 'stranger'] as const) {
      const alice = new Device('Alice')
      const mo = new Device('Mo')
      const other = new Device(outsider)
      const h = new History()
      h.genesis(alice)
      h.invite(alice, mo)
      h.role(alice, mo, 'moderator')
      if (outsider === 'relay') h.invite(alice, other, { as: 'relay' })
      const base = h.heads()
      // Alice had seen the outsider's change before rotating; Mo had not.
      const outsiders = h.write(other, { t: 'refuse', request: new Uint8Array(16) }, base)
      h.write(alice, rotation(2, h), [outsiders])
      h.write(mo, rotation(3, h), base)
      expect(reduce(h.entries, alice).verdicts.get(outsiders.hash)).toBe(outsider === 'relay' ? 'not_allowed' : 'not_member')
      expectKeyInUse(h.entries, alice, 3)
    }
  })
})

describe('changes whose past is not known here', () => {
  it('Mo’s change naming one this device has not received waits, and changes nothing until it arrives', () => {
    const alice = new Device('Alice')
    const mo = new Device('Mo')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, mo)
    h.role(alice, mo, 'moderator')
    const missing = h.write(alice, { t: 'refuse', request: new Uint8Array(16) })
    const settings = h.write(mo, { t: 'settings', membersMayInvite: false }, [missing])
    const without = h.entries.filter((e) => e !== missing)
    const m = reduce(without, alice)
    expect(m.verdicts.get(settings.hash)).toBe('waiting')
    expect(m.needed.has(settings.hash)).toBe(false)
    expect(m.membersMayInvite).toBe(true)
    expect(reduce(h.entries, alice).membersMayInvite).toBe(false)
  })
})
