/**
 * A board made before sealed boards (plain-text registry record + plain-text
 * y-indexeddb database, exactly as version 0.1 stored them) opens after the
 * change with all its items, and the plain-text database is gone afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, initBoard } from '../../src/core/index.ts'
import { deriveTransportKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import { closeAllPeers, launchPeer } from './support/browser.ts'
import { card, waitForText, resultCount } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

let app: App

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** The board as version 0.1 wrote it: a plain Y.Doc, several authors' clients. */
function legacyBoard(): { update: number[]; titles: string[] } {
  const doc = new Y.Doc()
  const now = Date.now()
  initBoard(doc, { name: 'Old Harbour Collective', description: 'made before signatures' }, now)
  const titles = ['Winter coats drive', 'Lawyer on Thursdays', 'Rent fund']
  createItem(doc, { kind: 'notice', title: titles[0], body: 'Bring coats to the usual place', author: 'Rami', tags: ['winter'], pinned: true, expiresAt: null }, now)
  createItem(doc, { kind: 'resource', title: titles[1], body: 'Free advice', contact: 'Ask Noor', notes: '', author: 'Noor', tags: [], pinned: false, expiresAt: null }, now)
  createItem(doc, { kind: 'aid', title: titles[2], body: '', aidType: 'request', category: 'money', status: 'open', author: 'Rami', tags: [], pinned: false, expiresAt: null }, now)
  return { update: [...Y.encodeStateAsUpdate(doc)], titles }
}

describe('a board from before sealed boards', () => {
  it('opens after the change with every item, and its plain-text copy is deleted', async () => {
    const secret = generateTransportSecret()
    const { boardId } = deriveTransportKeys(secret)
    const { update, titles } = legacyBoard()
    const peer = await launchPeer('rami', { offlineCapable: false })
    const page = peer.page
    // An empty page on the app's origin, to write the old databases before the app ever runs.
    await page.goto(new URL('/manifest.webmanifest', app.url).href)
    await page.evaluate(
      async ({ id, secret, update }) => {
        const open = (name: string, version: number, upgrade: (db: IDBDatabase) => void) =>
          new Promise<IDBDatabase>((resolve, reject) => {
            const req = indexedDB.open(name, version)
            req.onupgradeneeded = () => upgrade(req.result)
            req.onsuccess = () => resolve(req.result)
            req.onerror = () => reject(req.error)
          })
        const put = (db: IDBDatabase, store: string, value: unknown) =>
          new Promise<void>((resolve, reject) => {
            const tx = db.transaction(store, 'readwrite')
            tx.objectStore(store).add(value)
            tx.oncomplete = () => resolve()
            tx.onerror = () => reject(tx.error)
          })
        const registry = await open('hearth', 1, (db) => db.createObjectStore('boards', { keyPath: 'id' }))
        await put(registry, 'boards', { id, secret: new Uint8Array(secret), displayName: 'Rami', name: 'Old Harbour Collective', addedAt: 1, openedAt: 2 })
        registry.close()
        const board = await open(`hearth-board-${id}`, 1, (db) => {
          db.createObjectStore('updates', { autoIncrement: true })
          db.createObjectStore('custom')
        })
        await put(board, 'updates', new Uint8Array(update))
        board.close()
      },
      { id: boardId, secret: [...secret], update },
    )

    await page.goto(app.url)
    await page.getByRole('link', { name: /Old Harbour Collective/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Old Harbour Collective' }).waitFor({ timeout: 30_000 })
    await waitForText(resultCount(page), '3 items')
    for (const title of titles) await card(page, title).waitFor()
    // Items from before signatures keep their typed author, marked unverified.
    expect(await card(page, 'Winter coats drive').textContent()).toContain('unverified')

    const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''))
    expect(names).toContain(`hearth-sealed-${boardId}`)
    expect(names).not.toContain(`hearth-board-${boardId}`)
    // The secret never appears in plain form in the new keyring database.
    const raw = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('hearth')
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      const dump: string[] = []
      for (const name of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((resolve) => {
          const req = db.transaction(name).objectStore(name).getAll()
          req.onsuccess = () => resolve(req.result)
        })
        dump.push(JSON.stringify(all, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)))
      }
      db.close()
      return dump.join('\n')
    })
    expect(raw).not.toContain('Old Harbour Collective')
    expect(raw).not.toContain(JSON.stringify([...secret]).slice(1, -1))
    expect(peer.errors).toEqual([])
  })
})
