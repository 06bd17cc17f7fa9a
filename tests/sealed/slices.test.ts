/**
 * A large board opens in slices: the engine's work on the main thread is
 * cut into tasks of about 12 ms, so the page can answer a tap in between.
 * In the browser, decryptions and signature checks answer while the page is
 * busy, so a loop that awaits them does not let the page run on its own:
 * before slices, starting the decryption of every stored entry (each copies
 * its bytes on the main thread) was one long task, 50–60 ms on the
 * benchmark's 10,000-item board.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { SealedBoard } from '../../src/sealed/index.ts'
import { APPLY_PART_BYTES } from '../../src/sealed/pump.ts'
import { JUDGE_IN_SLICES_FROM } from '../../src/sealed/entry-handler.ts'
import type { ContentRules } from '../../src/sealed/content-rules.ts'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { SLICE_MS, Slices } from '../../src/sealed/yield.ts'
import { importAgreement, importDeviceSigner, inlineCrypto, type EntryCrypto } from '../../src/crypto/index.ts'
import { checkAndDecryptWith, SIGNATURE_BYTES } from '../../src/crypto/entry-crypto.ts'
import { device, fixtureOptions, member, settle, type Member } from './fixture.ts'
import { ticks } from '../support/ticks.ts'

/** A clock that moves `step` ms each time it is read. */
function fastClock(step: number): void {
  let now = 0
  vi.spyOn(performance, 'now').mockImplementation(() => (now += step))
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

/** Ana posts `n` notices, one entry each; `stored` is her sealed doc as a reopened device finds it. */
async function anaWithNotices(n: number) {
  const ana = await member('Ana')
  for (let i = 0; i < n; i++) {
    const r = createItem(ana.board.readable, { kind: 'notice', title: `notice ${i}`, body: 'body', author: 'Ana', tags: [], pinned: false, expiresAt: null }, 1000 + i, newItemId(ana.board.myTag))
    if (!r.ok) throw new Error(JSON.stringify(r))
    await settle(ana)
  }
  const stored = new Y.Doc()
  Y.applyUpdate(stored, Y.encodeStateAsUpdate(ana.board.sealed))
  return { ana, stored }
}

describe('slices', () => {
  it('yield to the event loop only once their time is spent, then start again', async () => {
    const log: string[] = []
    fastClock(5)
    // The browser's yield, made of Node's immediates as the ticks are: Node runs those in order. (Without
    // scheduler.yield the engine yields with a message, which Node may deliver before or after an immediate.)
    vi.stubGlobal('scheduler', { yield: () => new Promise<void>((resolve) => setImmediate(resolve)) })
    const slices = new Slices(12)
    const stop = ticks(log)
    // 5, 10: within the slice; nothing else runs.
    await slices.breathe()
    log.push('step')
    await slices.breathe()
    log.push('step')
    // 15: spent; the event loop runs before the next step.
    await slices.breathe()
    log.push('step')
    stop()
    expect(log.slice(0, 2)).toEqual(['step', 'step'])
    expect(log.slice(2, -1)).toContain('tick')
    expect(log.at(-1)).toBe('step')
  })

  it('begun one after another in one task, end with that task’s slice; after a yield, a new one begins', async () => {
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => now)
    const first = new Slices(12)
    expect(first.deadline).toBe(12)
    now += 10
    // The ingest of a batch, then the pump's round, then a look at side entries: one budget, not three.
    const second = new Slices(12)
    expect(second.deadline).toBe(first.deadline)
    now += 3
    expect(second.spent).toBe(true)
    await second.breathe()
    expect(second.deadline).toBe(now + 12)
    now += 5
    expect(new Slices(12).deadline).toBe(second.deadline)
    // A loop that awaited an answer given in a later task goes on with that task's slice.
    await new Promise((resolve) => setTimeout(resolve, 5))
    now += 20
    expect(first.spent).toBe(false)
    expect(first.deadline).toBe(now + 12)
  })

  it('a device reopening its board starts the decryption of its stored entries in slices, not in one task', async () => {
    const { ana, stored } = await anaWithNotices(30)

    const log: string[] = []
    const decrypt = crypto.subtle.decrypt.bind(crypto.subtle)
    vi.spyOn(crypto.subtle, 'decrypt').mockImplementation((...args: Parameters<SubtleCrypto['decrypt']>) => {
      log.push('decrypt')
      return decrypt(...args)
    })
    fastClock(5)
    const stop = ticks(log)
    const again = await device('Ana, reopened', { keys: ana.keys, sealed: stored })
    stop()

    expect(readItems(again.board.readable).map((i) => i.title).sort()).toEqual(readItems(ana.board.readable).map((i) => i.title).sort())
    const first = log.indexOf('decrypt')
    const last = log.lastIndexOf('decrypt')
    expect(log.filter((e) => e === 'decrypt').length).toBeGreaterThanOrEqual(31)
    // The event loop ran between the first decryption started and the last.
    expect(log.slice(first, last)).toContain('tick')
  }, 60_000)

  it('a device reopening its board starts checking its stored entries’ signatures in slices, not 64 at once', async () => {
    const { ana, stored } = await anaWithNotices(70)

    // Each check started copies and hashes its entry on the page's thread, wherever the signature is then checked.
    const log: string[] = []
    const work: EntryCrypto = { ...inlineCrypto, verify: (...args) => (log.push('verify'), inlineCrypto.verify(...args)) }
    fastClock(5)
    const stop = ticks(log)
    const again = await device('Ana, reopened', { keys: ana.keys, sealed: stored, crypto: work })
    stop()

    expect(readItems(again.board.readable)).toHaveLength(70)
    const starts = log.flatMap((e, i) => (e === 'verify' ? [i] : []))
    expect(starts.length).toBeGreaterThanOrEqual(71)
    // The event loop ran before the 64th check was started (the most started ahead of the one handled).
    expect(log.slice(starts[0], starts[63])).toContain('tick')
  }, 60_000)

  it('a device reopening its board applies one large entry in parts, with the page let run between, and shows nothing deleted meanwhile', async () => {
    const { ana, stored, titles } = await anaWithLargeEntries(1)
    const largest = Math.max(...[...stored.getMap<Uint8Array>('entries').values()].map((v) => v.length))
    expect(largest).toBeGreaterThan(6 * APPLY_PART_BYTES)
    const again = await reopened(ana, stored)
    // What the page would show after each of the engine's transactions, and when the event loop ran.
    const log: string[] = []
    const shown: string[][] = []
    again.readable.on('afterTransaction', () => {
      const now = readItems(again.readable).map((i) => i.title)
      if (now.length > (shown.at(-1)?.length ?? 0)) {
        shown.push(now)
        log.push('applied')
      }
    })
    fastClock(5)
    const stop = ticks(log)
    await again.start()
    stop()

    expect(readItems(again.readable).map((i) => i.title).sort()).toEqual(titles)
    // The large entry came in several transactions, and the event loop ran between them.
    const applied = log.flatMap((e, i) => (e === 'applied' ? [i] : []))
    expect(applied.length).toBeGreaterThanOrEqual(3)
    expect(log.slice(applied[0], applied.at(-1))).toContain('tick')
    // Never a deleted notice on the way.
    for (const step of shown) for (const title of step) expect(titles).toContain(title)
  }, 60_000)

  it('a device reopening its board without its kept verdicts judges one large entry in slices, with the page let run between', async () => {
    const { ana, stored, titles } = await anaWithLargeEntries(1)
    // The judge asks who owns each new post's key once: when it asks shows how far it has come.
    const log: string[] = []
    const rules: ContentRules = { ...BOARD_RULES, ownerOf: (key) => (log.push('owner'), BOARD_RULES.ownerOf(key)) }
    const again = await reopened(ana, stored, rules)
    let firstApplied = -1
    again.readable.on('afterTransaction', () => {
      if (firstApplied < 0 && readItems(again.readable).length > 0) firstApplied = log.push('applied') - 1
    })
    fastClock(5)
    const stop = ticks(log)
    await again.start()
    stop()

    expect(readItems(again.readable).map((i) => i.title).sort()).toEqual(titles)
    const asked = log.flatMap((e, i) => (e === 'owner' ? [i] : []))
    expect(asked.length).toBeGreaterThanOrEqual(800)
    // Judged before anything of it was applied, and the event loop ran while it was judged.
    expect(firstApplied).toBeGreaterThan(asked[799]!)
    expect(log.slice(asked[0], asked[799])).toContain('tick')
  }, 60_000)

  it('a device reopening its board without its kept verdicts judges and applies several large entries in a row, never keeping the page waiting much past a slice', async () => {
    const { ana, stored, titles } = await anaWithLargeEntries(6)
    // A clock that moves with the engine’s work: 0.005 ms for each new post judged (the judge asks who owns its
    // key), 1 ms for each transaction on the readable doc (an entry, or a part of one, applied).
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => now)
    const rules: ContentRules = { ...BOARD_RULES, ownerOf: (key) => ((now += 0.005), BOARD_RULES.ownerOf(key)) }
    const again = await reopened(ana, stored, rules)
    again.readable.on('afterTransaction', () => (now += 1))
    // When the event loop ran, by that clock (and when the work ended).
    const ran: number[] = []
    const stop = ticks(ran, () => now)
    await again.start()
    stop()
    ran.push(now)

    expect(readItems(again.readable).map((i) => i.title).sort()).toEqual(titles)
    const longest = Math.max(...ran.slice(1).map((t, i) => t - ran[i]!))
    // A slice, and no more than one step of work past it (before, each judgement and the round after it began a slice of its own: all of it in one task).
    expect(longest).toBeLessThanOrEqual(2 * SLICE_MS)
  }, 60_000)
})

describe('a sync in slices', () => {
  it('a device of Ana’s that syncs her entries never keeps the page waiting much past a slice: checking them, then judging and applying them, share each task’s slice', async () => {
    const { ana, stored, titles } = await anaWithLargeEntries(2, 40)
    // Checks that answer at once, as a crypto worker's answers that came while the page was busy do: in the
    // browser, awaiting them ends no task. Their answers are the real ones, from a first sync.
    const crypto = new AnsweringAtOnce()
    await syncedDevice(ana, stored, BOARD_RULES, crypto)
    crypto.warm = true
    // A clock that moves with the engine's work: 0.005 ms for each new post judged, 1 ms for each transaction on
    // the readable doc, and 1 ms for each entry's check begun (it copies and hashes the entry on the page).
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => now)
    crypto.onBegin = () => (now += 1)
    const rules: ContentRules = { ...BOARD_RULES, ownerOf: (key) => ((now += 0.005), BOARD_RULES.ownerOf(key)) }
    const ran: number[] = []
    let stop = () => {}
    const again = await syncedDevice(ana, stored, rules, crypto, (board) => {
      board.readable.on('afterTransaction', () => (now += 1))
      stop = ticks(ran, () => now)
    })
    stop()
    ran.push(now)

    expect(readItems(again.readable).map((i) => i.title).sort()).toEqual(titles)
    const longest = Math.max(...ran.slice(1).map((t, i) => t - ran[i]!))
    // A slice, and no more than a step of work past it (1 ms on this clock). Before, the batch's checks and the
    // pump's round each began a slice of their own, in one task: 16 ms here, 30–60 ms on a joining peer.
    expect(longest).toBeLessThanOrEqual(SLICE_MS + 2)
  }, 60_000)
})

describe('a piece of a sync', () => {
  it('whose apply spent the slice has its entries checked in a task after it, not in the same one', async () => {
    const { ana, stored } = await anaWithNotices(20)
    const log: string[] = []
    const work: EntryCrypto = { ...inlineCrypto, verify: (...args) => (log.push('check'), inlineCrypto.verify(...args)) }
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => now)
    const sealed = new Y.Doc()
    // Applying the piece takes 20 ms (listened to before the engine's own listener: it runs first).
    sealed.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin === 'remote') now += 20
    })
    const again = new SealedBoard(sealed, { ...fixtureOptions(), crypto: work, signer: await importDeviceSigner(ana.keys), agreement: await importAgreement(ana.keys.agreePkcs8, ana.keys.agreePublic) })
    await again.start()
    await settle({ name: 'Ana, again', keys: ana.keys, board: again })
    // The piece comes in a task of its own, as a peer's message does.
    await new Promise((resolve) => setTimeout(resolve, 0))
    // A message posted as the piece is applied marks the end of its task: what runs after it runs in another.
    const marker = new MessageChannel()
    marker.port1.onmessage = () => {
      log.push('next task')
      marker.port1.close()
    }
    Y.applyUpdate(sealed, Y.encodeStateAsUpdate(stored), 'remote')
    marker.port2.postMessage(null)
    await again.flush()

    expect(readItems(again.readable)).toHaveLength(20)
    expect(log.filter((e) => e === 'check')).toHaveLength(21)
    expect(log[0]).toBe('next task')
  }, 60_000)
})

/** A fresh device of Ana's, sent `stored` in one sync (`before`: just before it arrives). */
async function syncedDevice(ana: Member, stored: Y.Doc, rules: ContentRules, work: EntryCrypto, before?: (board: SealedBoard) => void): Promise<SealedBoard> {
  const board = new SealedBoard(new Y.Doc(), { ...fixtureOptions(), rules, crypto: work, signer: await importDeviceSigner(ana.keys), agreement: await importAgreement(ana.keys.agreePkcs8, ana.keys.agreePublic) })
  await board.start()
  before?.(board)
  Y.applyUpdate(board.sealed, Y.encodeStateAsUpdate(stored), 'remote')
  await board.flush()
  return board
}

/** Entry checks that, once `warm`, answer with a promise already settled: what the first (real) ones answered, by the entry's signature. */
class AnsweringAtOnce implements EntryCrypto {
  warm = false
  onBegin = () => {}
  readonly #answers = new Map<string, unknown>()

  #at<T>(key: string, real: () => Promise<T>): Promise<T> {
    this.onBegin()
    if (this.warm && this.#answers.has(key)) return Promise.resolve(this.#answers.get(key) as T)
    return real().then((answer) => (this.#answers.set(key, answer), answer))
  }

  verify = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) => this.#at(`v${signature.join()}`, () => inlineCrypto.verify(publicKey, signature, message))
  decrypt = (key: CryptoKey, nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array) => this.#at(`d${nonce.join()}`, () => inlineCrypto.decrypt(key, nonce, ciphertext, associatedData))
  checkAndDecrypt = (publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array, key: CryptoKey, headerEnd: number) => this.#at(`o${entry.subarray(-SIGNATURE_BYTES).join()}`, () => checkAndDecryptWith(inlineCrypto, publicKey, context, entry, key, headerEnd))
}

/** Ana's `entries` large entries: each one task's 800 notices, about 250 KB, a third of them deleted again; `stored` is her sealed doc as a reopened device finds it. */
async function anaWithLargeEntries(entries: number, small = 0) {
  const ana = await member('Ana')
  for (let i = 0; i < small; i++) {
    createItem(ana.board.readable, { kind: 'notice', title: `small ${i}`, body: 'body', author: 'Ana', tags: [], pinned: false, expiresAt: null }, 1000 + i, newItemId(ana.board.myTag))
    await settle(ana)
  }
  const items = ana.board.readable.getMap('items')
  for (let e = 0; e < entries; e++) {
    const ids: string[] = []
    for (let i = 0; i < 800; i++) {
      const id = newItemId(ana.board.myTag)
      const r = createItem(ana.board.readable, { kind: 'notice', title: `notice ${e}.${i}`, body: `meet at the usual place, bring ${i} blankets`, author: 'Ana', tags: ['aid'], pinned: false, expiresAt: null }, 1000 + i, id)
      if (!r.ok) throw new Error(JSON.stringify(r))
      ids.push(id)
    }
    for (const id of ids.filter((_, i) => i % 3 === 0)) items.delete(id)
    await settle(ana)
  }
  const titles = readItems(ana.board.readable).map((i) => i.title).sort()
  const stored = new Y.Doc()
  Y.applyUpdate(stored, Y.encodeStateAsUpdate(ana.board.sealed))
  const large = [...stored.getMap<Uint8Array>('entries').values()].filter((v) => v.length > JUDGE_IN_SLICES_FROM)
  expect(large.length).toBeGreaterThanOrEqual(entries)
  return { ana, stored, titles }
}

/** Ana's device reopened on `stored`, not started (the test starts it), without the verdicts it kept. */
async function reopened(ana: Member, stored: Y.Doc, rules: ContentRules = BOARD_RULES): Promise<SealedBoard> {
  return new SealedBoard(stored, { ...fixtureOptions(), rules, signer: await importDeviceSigner(ana.keys), agreement: await importAgreement(ana.keys.agreePkcs8, ana.keys.agreePublic) })
}
