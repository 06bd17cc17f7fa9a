/**
 * Nothing that links or counts. Alice keeps two boards on her phone — her
 * garden circle and her kitchen rota — and Carol one. Their members see a
 * different device of Alice's on each board: nothing shown to one circle (or
 * its relays) matches what the other sees. Locked, the two phones look the
 * same from outside Hearth: the same one database with the same stores, a
 * keyring of the same size, nothing named after a board; and no file of
 * Alice's profile holds anything an invite to her boards holds — the board
 * id, the secrets, her inviting key — in any encoding.
 */
import { lstat, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { deriveTransportKeys, parseInvite, toBase64url } from '../../src/crypto/index.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, goHome, memberRow, openMembers, readInviteLink } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

const PASSPHRASE = 'moths circle the porch lamp'

let app: App

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

async function firstRun(page: Page): Promise<void> {
  await page.goto(app.url)
  await page.getByLabel('Choose a passphrase').fill(PASSPHRASE)
  await page.getByLabel('Type it again').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Set passphrase' }).click()
  await page.getByRole('status').filter({ hasText: 'Passphrase set.' }).waitFor()
}

/** On a board: the fingerprints of `name`'s devices on its Members screen, as every member sees them. */
async function fingerprintsOf(page: Page, name: string): Promise<string[]> {
  const members = await openMembers(page)
  const prints = await memberRow(members, name).getByTestId('fingerprint').allTextContents()
  await page.keyboard.press('Escape')
  await members.waitFor({ state: 'detached' })
  return prints.map((p) => p.trim())
}

/** A locked phone seen from outside Hearth: its databases with their stores and sizes of values, its files in the origin-private file system. */
async function fromOutside(page: Page): Promise<{ databases: string[]; blobBytes: number; files: string[] }> {
  return page.evaluate(async () => {
    const databases: string[] = []
    let blobBytes = -1
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name!)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      const stores = Array.from(db.objectStoreNames)
      databases.push(`${name} [${stores.join(', ')}]`)
      if (stores.includes('keyring'))
        blobBytes = await new Promise<number>((resolve, reject) => {
          const req = db.transaction('keyring', 'readonly').objectStore('keyring').get('blob')
          req.onsuccess = () => resolve((req.result as Uint8Array | undefined)?.length ?? 0)
          req.onerror = () => reject(req.error)
        })
      db.close()
    }
    const root = await (navigator.storage as unknown as { getDirectory(): Promise<{ keys(): AsyncIterable<string> }> }).getDirectory()
    const files: string[] = []
    for await (const name of root.keys()) files.push(name)
    return { databases: databases.sort(), blobBytes, files: files.sort() }
  })
}

function boardIdOfInvite(link: string): string {
  const invite = parseInvite(link)
  if (!invite.ok) throw new Error('not an invite')
  return deriveTransportKeys(invite.transportSecret).boardId
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, entry)
    const s = await lstat(path).catch(() => null)
    if (s?.isDirectory()) out.push(...(await filesUnder(path)))
    else if (s?.isFile()) out.push(path)
  }
  return out
}

describe('two boards on one phone', () => {
  it('show their members unrelated devices; locked, the phone tells neither how many boards it keeps nor anything an invite holds', { timeout: 300_000 }, async () => {
    const alice = await launchPeer('alice-two-boards', { keepProfile: true })
    const carol: Peer = await launchPeer('carol-one-board')
    const page = alice.page
    await firstRun(page)
    const invites: string[] = []
    const prints: string[][] = []
    for (const name of ['Secret Garden Collective', 'Kitchen rota']) {
      await createBoard(page, { name, displayName: 'Alice' })
      prints.push(await fingerprintsOf(page, 'Alice'))
      // Alice keeps the invite on screen while she shares it: long enough for
      // Chromium to save the page's state (form fields included) into its
      // session file, about 1 s for the page's state plus 2.5 s for the file.
      invites.push(await readInviteLink(page, { keepOpenMs: 5_000 }))
      await goHome(page)
    }
    // One device on each board, and not the same one.
    expect(prints.map((p) => p.length)).toEqual([1, 1])
    expect(prints[0]![0]).not.toBe(prints[1]![0])

    // Planted on purpose, to prove the scan finds what an invite holds where it is: a board id, in Local Storage.
    const canary = boardIdOfInvite(invites[0]!)
    await page.evaluate((id) => localStorage.setItem('e2e-canary', id), canary)

    await firstRun(carol.page)
    await createBoard(carol.page, { name: 'Night shelter', displayName: 'Carol' })

    // Both phones lock and restart.
    const seen: Awaited<ReturnType<typeof fromOutside>>[] = []
    for (const peer of [alice, carol]) {
      const locked = await peer.reopen()
      await locked.goto(app.url)
      await locked.getByRole('heading', { level: 1, name: 'Locked' }).waitFor()
      seen.push(await fromOutside(locked))
    }
    console.log(`[measure] a locked phone from outside: ${JSON.stringify(seen[0])}`)
    expect(seen[0]).toEqual(seen[1])
    await carol.close()
    await alice.close()

    // Everything an invite to her boards holds, as text and as bytes, in every file of her profile.
    const needles: { label: string; bytes: Buffer }[] = []
    for (const link of invites) {
      const invite = parseInvite(link)
      if (!invite.ok || invite.version !== 3) throw new Error('not an invite of this version')
      const id = boardIdOfInvite(link)
      const raw = { 'board id': invite.boardId, 'transport secret': invite.transportSecret, 'invitation secret': invite.invitationSecret, 'inviting key': invite.inviter }
      for (const text of [id, link.split('#')[1]!]) needles.push({ label: text, bytes: Buffer.from(text, 'utf8') }, { label: `${text} (UTF-16)`, bytes: Buffer.from(text, 'utf16le') })
      for (const [label, bytes] of Object.entries(raw)) {
        needles.push({ label: `${label} (bytes)`, bytes: Buffer.from(bytes) })
        for (const text of [toBase64url(bytes), Buffer.from(bytes).toString('hex'), Buffer.from(bytes).toString('base64')]) needles.push({ label: `${label} as ${text}`, bytes: Buffer.from(text, 'utf8') }, { label: `${label} as ${text} (UTF-16)`, bytes: Buffer.from(text, 'utf16le') })
      }
    }
    const hits: string[] = []
    const files = await filesUnder(alice.profileDir)
    for (const file of files) {
      const data = await readFile(file).catch(() => null)
      if (!data) continue
      for (const n of needles) if (data.includes(n.bytes)) hits.push(`${n.label} in ${file.slice(alice.profileDir.length)}`)
    }
    console.log(`[measure] linking scan: ${files.length} files, ${needles.length} forms of what the invites hold`)
    const planted = (h: string) => h.startsWith(canary) && h.includes('Local Storage')
    expect(hits.filter(planted), 'the scan finds the planted id').not.toEqual([])
    expect(hits.filter((h) => !planted(h))).toEqual([])
    await rm(alice.profileDir, { recursive: true, force: true })
  })
})
