/**
 * The way out of an epoch (handoff.ts): a device that stayed in an old room
 * points stragglers to the next one with each rotation from that room and
 * the membership change that made it. Alice rotated twice; a relay (a
 * carrier) holds her membership changes without reading them.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { toBase64url, type EntryKind, type ParsedEntry } from '../../src/crypto/index.ts'
import { AuthorLogs } from '../../src/sealed/author-log.ts'
import { entryKey } from '../../src/sealed/entry-key.ts'
import { handoffEntries } from '../../src/sealed/handoff.ts'
import { encodeRotate, entryHash } from '../../src/sealed/payloads.ts'
import { SharedEntries } from '../../src/sealed/shared-entries.ts'
import { Device } from './membership-fixture.ts'

const room = (n: number) => new Uint8Array(8).fill(n)
const rotation = (from: number, to: number, control: Uint8Array) => encodeRotate(room(to), room(from), entryHash(control), Uint8Array.of(1, 2, 3))

class Holder {
  readonly logs = new AuthorLogs()
  readonly entries = new SharedEntries(new Y.Doc())

  /** `d`'s entry in the shared map; handled here (with its payload, if this device read it) unless `handled` is false. */
  write(d: Device, kind: EntryKind, plain: Uint8Array | null, handled = true): [string, Uint8Array] {
    const seq = ++d.seq
    const header = { kind, version: 2, from: seq, seq, boardId: new Uint8Array(16), keyId: room(1), author: d.sign }
    const key = entryKey(header)
    const bytes = crypto.getRandomValues(new Uint8Array(40))
    this.entries.set(key, bytes)
    if (handled) this.logs.of(d.tag).done.set(key, { key, bytes, entry: { header } as unknown as ParsedEntry, hash: entryHash(bytes), via: null, plain, outcome: 'other' })
    return [key, bytes]
  }
}

describe('the way out of an old room', () => {
  it('is each rotation from that room, with the membership change that made it', () => {
    const alice = new Device('Alice')
    const device = new Holder()
    const first = device.write(alice, 'control', new Uint8Array(1))
    const toTwo = device.write(alice, 'rotate', rotation(1, 2, first[1]))
    const second = device.write(alice, 'control', new Uint8Array(1))
    const toThree = device.write(alice, 'rotate', rotation(2, 3, second[1]))
    // Neither a rotation this device could not read, nor a post whose payload reads like one, leads anywhere.
    device.write(alice, 'rotate', null)
    device.write(alice, 'update', rotation(1, 4, second[1]))
    const handoff = (from: number, carrier = false) => handoffEntries(device.logs, device.entries, carrier, toBase64url(room(from)))
    expect(handoff(1)).toEqual([toTwo, first])
    expect(handoff(2)).toEqual([toThree, second])
    expect(handoff(3)).toEqual([])
    expect(handoff(1, true), 'read or not, a change this device handled is found the same way').toEqual([toTwo, first])
  })

  it('a member who has not handled the change hands on the rotation alone; a relay finds the change among its author’s entries by its hash', () => {
    const alice = new Device('Alice')
    const eve = new Device('Eve')
    const device = new Holder()
    const change = device.write(alice, 'control', null, false)
    device.write(alice, 'control', null, false)
    const rotate = device.write(alice, 'rotate', rotation(1, 2, change[1]))
    // Eve copies Alice's change under her own name; junk sits under Alice's.
    device.entries.set(entryKey({ author: eve.sign, kind: 'control', from: 1, seq: 1 }), change[1])
    device.entries.doc.transact(() => device.entries.map.set(entryKey({ author: alice.sign, kind: 'update', from: 99, seq: 99 }), 'junk'))
    expect(handoffEntries(device.logs, device.entries, false, toBase64url(room(1)))).toEqual([rotate])
    expect(handoffEntries(device.logs, device.entries, true, toBase64url(room(1)))).toEqual([rotate, change])
  })
})
