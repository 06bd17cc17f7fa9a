/**
 * The relay's disk: what it writes is sealed under a key kept apart, readable
 * by its own user only, and there again after the store is reopened.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateDeviceKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import type { RelayBoardRecord } from '../../src/relay/relay-record.ts'
import { RelayStore } from '../../src/relay/relay-store.ts'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hearth-relay-store-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const MARKER = 'Sunflower Circle meets at the bakery'
const recordFor = async (id: string): Promise<RelayBoardRecord> => ({
  id,
  device: await generateDeviceKeys(),
  epochs: [{ transport: generateTransportSecret() }],
  invitation: new Uint8Array(32).fill(7),
  signaling: ['wss://hearth.example/signal'],
  name: 'Relay',
  addedAt: 1,
})
const filesOf = (dir: string) => readdirSync(dir).map((f) => join(dir, f))

describe('the relay store', () => {
  it('keeps records and updates across a reopen, in order, and merges them on compaction', async () => {
    const dir = tempDir()
    const store = RelayStore.open(join(dir, 'data'))
    const record = await recordFor('board-a')
    store.putBoard(record)
    store.append('board-a', Uint8Array.of(1, 2, 3))
    store.append('board-a', Uint8Array.of(4))
    store.close()
    const again = RelayStore.open(join(dir, 'data'))
    expect(again.boards().map((r) => r.id)).toEqual(['board-a'])
    const back = again.boards()[0]!
    expect([...back.device.signPublic]).toEqual([...record.device.signPublic])
    expect([...back.epochs[0]!.transport]).toEqual([...record.epochs[0]!.transport])
    expect(again.load('board-a').map((u) => [...u])).toEqual([[1, 2, 3], [4]])
    expect(again.usage().get('board-a')?.rows).toBe(2)
    again.compact('board-a', Uint8Array.of(9, 9))
    expect(again.load('board-a').map((u) => [...u])).toEqual([[9, 9]])
    again.removeBoard('board-a')
    expect(again.boards()).toEqual([])
    expect(again.load('board-a')).toEqual([])
    again.close()
  })

  it('writes no readable byte: updates and records are sealed under the store key, files are for the relay’s user only', async () => {
    const dir = join(tempDir(), 'data')
    const store = RelayStore.open(dir)
    const record = await recordFor('board-b')
    store.putBoard(record)
    store.append('board-b', new TextEncoder().encode(MARKER))
    store.close()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, 'store.key')).mode & 0o777).toBe(0o600)
    const transport = Buffer.from(record.epochs[0]!.transport)
    for (const file of filesOf(dir)) {
      if (file.endsWith('store.key')) continue
      const bytes = readFileSync(file)
      expect(bytes.indexOf(MARKER), file).toBe(-1)
      expect(bytes.indexOf(transport), file).toBe(-1)
      expect(bytes.indexOf(Buffer.from(record.device.signPkcs8)), file).toBe(-1)
    }
  })

  it('opens nothing under another key: a copied database without its key file gives nothing', async () => {
    const dir = tempDir()
    const keyFile = join(dir, 'elsewhere.key')
    writeFileSync(keyFile, Buffer.alloc(32, 1).toString('base64'))
    const store = RelayStore.open(join(dir, 'data'), keyFile)
    store.putBoard(await recordFor('board-c'))
    store.append('board-c', Uint8Array.of(1))
    store.close()
    const otherKey = join(dir, 'other.key')
    writeFileSync(otherKey, Buffer.alloc(32, 2).toString('base64'))
    const thief = RelayStore.open(join(dir, 'data'), otherKey)
    expect(thief.boards()).toEqual([])
    expect(() => thief.load('board-c')).toThrow(/does not open/)
    thief.close()
    expect(() => RelayStore.open(join(dir, 'data'), join(dir, 'missing.key'))).toThrow(/does not exist/)
  })
})
