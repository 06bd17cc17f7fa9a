/**
 * The device file holds two root-key slots: the keyring blob names the live
 * one, and a rotation writes a new root into the other, then the blob, then
 * zeroes the old slot. A board's records moving to a new secret (once the
 * board deletes something) rotates the root in the background, so two tabs,
 * a tab opening mid-rotation, a device file that refuses a write and a
 * power cut must all leave one root that opens the blob on disk — never
 * the wrong slot zeroed or overwritten (found by an audit, 2026-12-07: each
 * case below destroyed the keyring, or lost a write, or left the old root).
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { decodeDeviceFile, rootKey } from '../../src/storage/device-file.ts'
import { Keyring, type BoardRecord } from '../../src/storage/index.ts'
import { board, MemoryKeyFile, profile, type Profile } from './support.ts'

const PASS = 'moths circle the porch lamp'
const rootKeys = (bytes: Uint8Array | null): number => {
  const file = bytes && decodeDeviceFile(bytes)
  return file ? [rootKey(file, 0), rootKey(file, 1)].filter(Boolean).length : 0
}

/** A board's store open on a doc holding `kept`, whose records also hold a deleted address: its next forget() moves it. */
async function boardWithDeletion(keyring: Keyring, record: BoardRecord, kept: Record<string, string>) {
  const doc = new Y.Doc()
  const store = await keyring.openStore(record.store!, doc)
  await store.loaded
  const items = doc.getMap('items')
  items.set('place', '14 Elm Street')
  await store.flush()
  items.delete('place')
  for (const [k, v] of Object.entries(kept)) items.set(k, v)
  await store.flush()
  return { doc, store, items }
}

/** The board's items after a fresh start of the app (unlocked with `passphrase`, where one is set). */
async function itemsAfterRestart(p: Profile, id: BoardRecord['id'], passphrase?: string): Promise<unknown> {
  const keyring = await Keyring.open(p)
  if (passphrase) expect(await keyring.unlock(passphrase)).toEqual({ ok: true })
  const doc = new Y.Doc()
  const store = await keyring.openStore((await keyring.get(id))!.store!, doc)
  await store.loaded
  const items = doc.getMap('items').toJSON()
  await store.destroy()
  await keyring.close()
  return items
}

/** Refuses the next write that leaves a single root in the file (the last step of a rotation). */
class RefusingKeyFile extends MemoryKeyFile {
  refuseZeroing = false
  override async write(bytes: Uint8Array): Promise<void> {
    if (this.refuseZeroing && rootKeys(bytes) === 1 && rootKeys(this.bytes) === 2) {
      this.refuseZeroing = false
      throw new DOMException('refused', 'UnknownError')
    }
    return super.write(bytes)
  }
}

describe('the device file’s root-key slots', () => {
  it('two tabs, each with a board open, both move their records: the keyring opens after, with both boards whole', async () => {
    const p = profile()
    const tab1 = await Keyring.open(p)
    const [a, b] = [board('A', 'Alice'), board('B', 'Alice')]
    await tab1.put(a)
    await tab1.put(b)
    const tab2 = await Keyring.open(p)
    expect(await tab2.list()).toHaveLength(2)
    const inA = await boardWithDeletion(tab1, a, { keepA: 'kept A' })
    const inB = await boardWithDeletion(tab2, b, { keepB: 'kept B' })
    // Tab 1 rotates; tab 2 has not read the keyring since.
    await inA.store.forget()
    await inB.store.forget()
    for (const s of [inA.store, inB.store]) await s.destroy()
    await tab1.close()
    await tab2.close()
    expect(rootKeys(p.keyFile.bytes)).toBe(1)
    expect(await itemsAfterRestart(p, a.id)).toEqual({ keepA: 'kept A' })
    expect(await itemsAfterRestart(p, b.id)).toEqual({ keepB: 'kept B' })
  })

  it('two tabs each forget a board (a rotation each): the keyring opens after', async () => {
    const p = profile()
    const tab1 = await Keyring.open(p)
    const [a, b, c] = [board('A', 'Alice'), board('B', 'Alice'), board('C', 'Alice')]
    for (const r of [a, b, c]) await tab1.put(r)
    const tab2 = await Keyring.open(p)
    await tab2.list()
    await tab1.remove(a.id)
    await tab2.remove(b.id)
    await tab1.close()
    await tab2.close()
    const again = await Keyring.open(p)
    expect((await again.list()).map((r) => r.name)).toEqual(['C'])
    await again.close()
  })

  it('a tab that opens while another moves a board zeroes only the root no blob uses', async () => {
    const p = profile()
    const tab1 = await Keyring.open(p)
    const a = board('A', 'Alice')
    await tab1.put(a)
    const inA = await boardWithDeletion(tab1, a, { kept: 'soup' })
    // Tab 1's move lands while tab 2 opens, just before it finishes a rotation it believes was cut short.
    let calls = 0
    const hooked = new Proxy(p.indexedDB, {
      get(target, prop) {
        if (prop === 'databases')
          return async () => {
            if (++calls === 2) await inA.store.forget()
            return target.databases()
          }
        const v = Reflect.get(target, prop, target) as unknown
        return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v
      },
    })
    const tab2 = await Keyring.open({ ...p, indexedDB: hooked as IDBFactory })
    expect(calls).toBeGreaterThanOrEqual(2)
    await inA.store.destroy()
    await tab1.close()
    await tab2.close()
    expect(await itemsAfterRestart(p, a.id)).toEqual({ kept: 'soup' })
  })

  it('a device file that refuses the zeroing after a move: the move stands, later writes are kept, the next write zeroes the old root', async () => {
    const keyFile = new RefusingKeyFile()
    const p: Profile = { ...profile(), keyFile }
    const keyring = await Keyring.open(p)
    const a = board('A', 'Alice')
    await keyring.put(a)
    const inA = await boardWithDeletion(keyring, a, { kept: 'soup' })
    keyFile.refuseZeroing = true
    await inA.store.forget()
    expect(rootKeys(keyFile.bytes)).toBe(2)
    expect(Buffer.from((await keyring.get(a.id))!.store!).equals(Buffer.from(a.store!))).toBe(false)
    inA.items.set('later', 'coats in winter')
    await inA.store.flush()
    // Another deletion, another move: under the right slot.
    inA.items.delete('kept')
    await inA.store.forget()
    expect(rootKeys(keyFile.bytes)).toBe(1)
    await inA.store.destroy()
    await keyring.close()
    expect(await itemsAfterRestart(p, a.id)).toEqual({ later: 'coats in winter' })
  })

  it('with a passphrase, a power cut between a move and the zeroing: the next start, still locked, zeroes the old root', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    expect(await keyring.setPassphrase(PASS)).toEqual({ ok: true })
    const a = board('A', 'Alice')
    await keyring.put(a)
    const inA = await boardWithDeletion(keyring, a, { kept: 'soup' })
    const versions = p.keyFile.history.length
    await inA.store.forget()
    await inA.store.destroy()
    await keyring.close()
    const written = p.keyFile.history.slice(versions)
    expect(written.map(rootKeys)).toEqual([2, 1])
    // The power went before the old root was zeroed.
    p.keyFile.bytes = new Uint8Array(written[0]!)
    // The app starts again; nobody unlocks (the phone is seized).
    const restarted = await Keyring.open(p)
    expect(restarted.state).toBe('locked')
    expect(rootKeys(p.keyFile.bytes)).toBe(1)
    expect(await restarted.unlock(PASS)).toEqual({ ok: true })
    await restarted.close()
    expect(await itemsAfterRestart(p, a.id, PASS)).toEqual({ kept: 'soup' })
  })
})
