/**
 * A blind relay: an always-on Node peer that holds ONLY the board's transport
 * secret (room + signaling password; no content key, no device keys) carries
 * a sealed board between Alice and Bob, who are never online at the same time.
 * Real y-webrtc through Hearth's own signaling server on 127.0.0.1; every peer
 * is a child process. The relay's stored bytes — the file it persists and its
 * in-memory doc — contain none of the board's text.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startServer } from '../../src/server/server.ts'
import { SealedBoard } from '../../src/sealed/index.ts'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { readItems, readMeta } from '../../src/core/index.ts'
import {
  deriveTransportKeys,
  fromBase64url,
  generateTransportSecret,
  generateContentKey,
  generateDeviceKeys,
  importAgreement,
  importDeviceSigner,
  type DeviceKeyMaterial,
} from '../../src/crypto/index.ts'
import { SealedPeer, waitFor } from './sealed-support/sealed-process.ts'
import { findText, needles } from './sealed-support/text-scan.ts'
import { cleanUpChildProcesses } from '../support/clean-up-children.ts'

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const keysB64 = (k: DeviceKeyMaterial) => ({ signPkcs8: b64(k.signPkcs8), signPublic: b64(k.signPublic), agreePkcs8: b64(k.agreePkcs8), agreePublic: b64(k.agreePublic) })
const sorted = (xs: readonly string[]) => [...xs].sort()

let server: Awaited<ReturnType<typeof startServer>>
let dir: string
const peers: SealedPeer[] = []

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, staticDir: null })
  dir = mkdtempSync(join(tmpdir(), 'hearth-relay-'))
})

afterAll(async () => {
  await Promise.all(peers.splice(0).map((p) => p.kill()))
  await server?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

cleanUpChildProcesses('all')

function spawnPeer(name: string): SealedPeer {
  const p = new SealedPeer(name)
  peers.push(p)
  return p
}

const BOARD_NAME = 'Sunflower Circle — دائرة عباد الشمس'
const BOARD_DESCRIPTION = 'Mutual aid for the neighbourhood, Friedrichshain'
const ALICE = 'Alice Nour — أليس نور'
const BOB = 'Bob Karimi'
const OFFLINE_ITEMS = [
  { title: 'Safe house near the old bakery', body: 'Knock twice; ask for Leyla. Door code 4471' },
  { title: 'اجتماع الدعم يوم الخميس', body: 'في الغرفة الخلفية للمكتبة، الساعة السابعة مساءً' },
  { title: 'Lawyer Marwan takes asylum cases', body: 'Free consultation — call 0176-5550123' },
  { title: 'Бесплатная юридическая помощь', body: 'Каждую среду, вход со двора' },
]
const LIVE_ITEMS = [
  { title: 'Clinic moved: Kastanienallee 12', body: 'Bring insurance paperwork if you have some' },
  { title: 'مأوى آمن متاح الليلة', body: 'سريران فقط، اتصلوا أولاً' },
]
const ITEMS = [...OFFLINE_ITEMS, ...LIVE_ITEMS]
/** Every piece of the board's text the relay must never hold in clear. */
const BOARD_TEXT = [BOARD_NAME, BOARD_DESCRIPTION, ALICE, BOB, ...ITEMS.flatMap((i) => [i.title, i.body])]

describe('a blind relay carries a sealed board between members who are never online together', () => {
  it('Bob gets all of Alice’s items and her name from the relay alone; the relay’s bytes hold none of the board’s text', async () => {
    const secret = generateTransportSecret()
    const contentKey = generateContentKey()
    const aliceKeys = await generateDeviceKeys()
    const member = { secret: b64(secret), contentKey: b64(contentKey), founder: b64(aliceKeys.signPublic) }
    const persistPath = join(dir, 'relay-board.bin')

    // The relay: the transport secret only.
    const relay = spawnPeer('relay')
    await relay.init({ role: 'relay', secret: b64(secret), persistPath })
    await relay.connect(server.signalingUrl)
    await waitFor(async () => (await relay.state()).status?.state === 'searching', 10_000, 'the relay on signaling')

    // Alice writes some items offline, connects, writes more, and leaves once the relay holds everything.
    const alice = spawnPeer('alice')
    const { tag: aliceTag } = await alice.init({ role: 'member', ...member, keys: keysB64(aliceKeys), name: ALICE })
    await alice.request({ cmd: 'meta', name: BOARD_NAME, description: BOARD_DESCRIPTION })
    await alice.post(OFFLINE_ITEMS)
    await alice.connect(server.signalingUrl)
    await waitFor(async () => (await alice.state()).status?.peers === 1, 20_000, 'Alice connected to the relay')
    await alice.post(LIVE_ITEMS)
    const aliceState = await alice.state()
    expect(aliceState.titles).toEqual(sorted(ITEMS.map((i) => i.title)))
    await waitFor(
      async () => sorted((await relay.state()).keys).join() === sorted(aliceState.keys).join(),
      20_000,
      'every one of Alice’s entries at the relay',
      async () => ({ relay: (await relay.state()).keys, alice: aliceState.keys }),
    )
    await alice.exit()
    expect(alice.alive).toBe(false)

    // Only now does Bob appear: new device, both secrets (his invite), nothing else.
    const bob = spawnPeer('bob')
    const { tag: bobTag } = await bob.init({ role: 'member', ...member, name: BOB, invitedBy: aliceTag })
    await bob.connect(server.signalingUrl)
    await waitFor(
      async () => {
        const s = await bob.state()
        return sorted(s.titles ?? []).join('\n') === sorted(ITEMS.map((i) => i.title)).join('\n') && !!s.roster?.some((m) => m.name === ALICE)
      },
      30_000,
      'Alice’s board at Bob, from the relay',
      () => bob.state(),
    )
    const b = await bob.state()
    expect(b.status?.peers, 'Bob’s only peer is the relay').toBe(1)
    expect(b.bodies).toEqual(sorted(ITEMS.map((i) => i.body)))
    expect(b.boardName).toBe(BOARD_NAME)
    expect(b.roster).toEqual(
      expect.arrayContaining([
        { tag: aliceTag, name: ALICE, founder: true },
        { tag: bobTag, name: BOB, founder: false },
      ]),
    )
    expect(b.counts).toEqual({})
    // The relay stores Bob's join too (so the next member learns of him the same way).
    await waitFor(async () => (await relay.state()).keys.includes(`${bobTag}.1`), 20_000, 'Bob’s join at the relay')

    // ── what the relay holds ───────────────────────────────────────────────
    const dump = await relay.request<{ b64: string; values: string[] }>({ cmd: 'dump' })
    const inMemory = new Uint8Array(Buffer.from(dump.b64, 'base64'))
    const onDisk = new Uint8Array(readFileSync(persistPath))
    const values = dump.values.map((v) => new Uint8Array(Buffer.from(v, 'base64')))
    // The file is the relay's current state (the last update was persisted).
    const fromDisk = new Y.Doc()
    Y.applyUpdate(fromDisk, onDisk)
    expect(sorted([...fromDisk.getMap('entries').keys()])).toEqual(sorted((await relay.state()).keys))

    // It is the whole board, sealed: with the content key (which the relay never had), it opens with every item.
    const reader = await generateDeviceKeys()
    const opened = new SealedBoard(fromDisk, {
      boardId: fromBase64url(deriveTransportKeys(secret).boardId)!,
      contentKeys: [{ key: contentKey, transport: secret }],
      rules: BOARD_RULES,
      // A board from before membership knows its founder from the invite: the founder named the board.
      founder: aliceKeys.signPublic,
      signer: await importDeviceSigner(reader),
      agreement: await importAgreement(reader.agreePkcs8, reader.agreePublic),
    })
    await opened.start()
    expect(sorted(readItems(opened.readable).map((i) => i.title))).toEqual(sorted(ITEMS.map((i) => i.title)))
    expect(readMeta(opened.readable).name).toBe(BOARD_NAME)
    expect(sorted(opened.members().map((m) => m.name))).toEqual(sorted([ALICE, BOB]))

    // The scan finds this text where it is in clear (UTF-8 in a plain Yjs update; UTF-16LE), so finding none below means something.
    const plain = Y.encodeStateAsUpdate(opened.readable)
    for (const t of [BOARD_NAME, ...ITEMS.map((i) => i.title)]) expect(findText(plain, [t]).map((h) => h.encoding)).toContain('utf8')
    expect(findText(new Uint8Array(Buffer.from(`xx${ALICE}yy`, 'utf16le')), [ALICE]).map((h) => h.encoding)).toContain('utf16le')
    opened.destroy()

    const stores: [string, Uint8Array][] = [
      ['relay file', onDisk],
      ['relay in-memory doc', inMemory],
      ...values.map((v, i): [string, Uint8Array] => [`relay entry #${i}`, v]),
    ]
    for (const [what, bytes] of stores) expect(findText(bytes, BOARD_TEXT), `${what} holds board text`).toEqual([])
    console.log(
      `[relay] ${values.length} sealed entries; file ${onDisk.byteLength} B, in-memory state ${inMemory.byteLength} B; searched ${needles(BOARD_TEXT).length} strings × UTF-8/UTF-16LE: none found`,
    )
  })
})
