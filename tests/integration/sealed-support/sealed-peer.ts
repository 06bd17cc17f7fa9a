/**
 * One Hearth device in its own process (y-webrtc allows one provider per room
 * per process), for the sealed-board integration tests. JSON lines over stdio,
 * like `../support/peer.ts`: `{ id, ok: true, ...result }` or `{ id, ok: false, error }`.
 *
 * Roles (chosen by the first `init` command):
 * - `member`: a full member. Holds the transport secret, the content key and
 *   device keys, and runs a SealedBoard over the sealed doc it replicates.
 *   With `record: true` it also keeps a copy of every entry that ever appeared
 *   in its sealed doc, and can `detach` its engine and then write crafted
 *   operations straight into the sealed doc (that is Eve).
 * - `relay`: holds ONLY the transport secret. Replicates a plain Y.Doc and
 *   writes its full state to a file on every update. Never sees a content key.
 */
import { writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import * as Y from 'yjs'
import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import { connectBoard, type BoardSync } from '../../../src/sync/board-sync.ts'
import type { WrtcLike } from '../../../src/sync/types.ts'
import { SealedBoard, entryKey } from '../../../src/sealed/index.ts'
import { encodeContent } from '../../../src/sealed/payloads.ts'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import { createItem, initBoard, newItemId, readItems, readMeta } from '../../../src/core/index.ts'
import {
  asTransportSecret,
  boundClientId,
  deriveTransportKeys,
  deviceTag,
  fromBase64url,
  generateDeviceKeys,
  importAgreement,
  importContentKey,
  importDeviceSigner,
  keyId,
  sealEntry,
  type ContentCipher,
  type DeviceKeyMaterial,
  type DeviceSigner,
  type EntryHeader,
} from '../../../src/crypto/index.ts'
import type { SealedInit, RawOp, PeerState } from './protocol.ts'
import { handUpdate, id, item, map, skip, value } from '../../sealed/hand-update.ts'

Object.assign(globalThis, { WebSocket })

function write(line: unknown): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

// y-webrtc decrypts signaling with `decryptJson(...).then(...)` and no catch: a
// message it cannot open would end the process. Report those; anything else
// still fails loudly.
process.on('unhandledRejection', (reason) => {
  if (reason instanceof Error && reason.name === 'OperationError') {
    write({ event: 'decrypt-failure' })
    return
  }
  console.error(`[${process.env.HEARTH_PEER ?? 'peer'}] unhandled rejection`, reason)
  process.exit(1)
})

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))

const sealedDoc = new Y.Doc()
const entries = sealedDoc.getMap<unknown>('entries')
let secretB64 = ''
let role: 'member' | 'relay' | null = null
let board: SealedBoard | null = null
let sync: BoardSync | null = null
let keys: DeviceKeyMaterial | null = null
let signer: DeviceSigner | null = null
let cipher: ContentCipher | null = null
let boardId: Uint8Array | null = null
let contentKeyId: Uint8Array | null = null
/** Eve's memory: every binary value that ever appeared under each key (last one wins). */
const seen = new Map<string, Uint8Array>()
/** Eve's copy of the readable board, taken when she detaches (to craft plausible updates). */
let mirror: Y.Doc | null = null
/** Device tag → signing public key, from the roster when Eve detaches. */
const publicKeys = new Map<string, Uint8Array>()

function transport() {
  const secret = asTransportSecret(unb64(secretB64))
  if (!secret) throw new Error('bad transport secret')
  return deriveTransportKeys(secret)
}

async function init(cmd: SealedInit): Promise<Record<string, unknown>> {
  if (role) throw new Error('already initialised')
  secretB64 = cmd.secret
  const t = transport()
  boardId = fromBase64url(t.boardId)!
  if (cmd.role === 'relay') {
    role = 'relay'
    const path = cmd.persistPath
    if (!path) throw new Error('a relay needs persistPath')
    const persist = () => writeFileSync(path, Y.encodeStateAsUpdate(sealedDoc))
    sealedDoc.on('update', persist)
    persist()
    return {}
  }
  role = 'member'
  if (!cmd.contentKey || !cmd.name) throw new Error('a member needs a content key and a name')
  keys = cmd.keys
    ? {
        signPkcs8: unb64(cmd.keys.signPkcs8),
        signPublic: unb64(cmd.keys.signPublic),
        agreePkcs8: unb64(cmd.keys.agreePkcs8),
        agreePublic: unb64(cmd.keys.agreePublic),
      }
    : await generateDeviceKeys()
  signer = await importDeviceSigner(keys)
  cipher = await importContentKey(unb64(cmd.contentKey))
  contentKeyId = keyId(unb64(cmd.contentKey))
  if (cmd.record) {
    const remember = () => {
      for (const [k, v] of entries) if (v instanceof Uint8Array) seen.set(k, v)
    }
    entries.observe(remember)
  }
  // A board from before membership: every device with a join entry is a member (these tests are about the shared doc).
  board = new SealedBoard(sealedDoc, {
    boardId,
    signer,
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    contentKeys: [{ key: unb64(cmd.contentKey), transport: unb64(cmd.secret) }],
    rules: BOARD_RULES,
    ...(cmd.founder ? { founder: unb64(cmd.founder) } : {}),
    ...(cmd.compactAfter ? { compactAfter: cmd.compactAfter } : {}),
  })
  await board.start()
  await board.join(cmd.name)
  return { tag: deviceTag(keys.signPublic), signPublic: b64(keys.signPublic) }
}

/** With HEARTH_PEER_DEBUG set, logs every peer connection's states to stderr. */
function debugWrtc(): WrtcLike {
  const base = wrtc as unknown as WrtcLike
  if (!process.env.HEARTH_PEER_DEBUG) return base
  const name = process.env.HEARTH_PEER
  class Logged {
    constructor(config?: RTCConfiguration) {
      const pc = new base.RTCPeerConnection(config)
      const t0 = Date.now()
      const log = (what: string) => console.error(`[${name}] +${Date.now() - t0}ms pc ${what}`)
      log('created')
      pc.addEventListener('iceconnectionstatechange', () => log(`ice ${pc.iceConnectionState}`))
      pc.addEventListener('icegatheringstatechange', () => log(`gathering ${pc.iceGatheringState}`))
      pc.addEventListener('connectionstatechange', () => log(`conn ${pc.connectionState}`))
      pc.addEventListener('icecandidate', (e) => log(`candidate ${(e as RTCPeerConnectionIceEvent).candidate?.candidate ?? 'end'}`))
      return pc
    }
  }
  return { ...base, RTCPeerConnection: Logged as unknown as WrtcLike['RTCPeerConnection'] }
}

function connect(signaling: string[]): Record<string, unknown> {
  const t = transport()
  sync = connectBoard({ doc: sealedDoc, room: t.room, password: t.password, signaling, wrtc: debugWrtc() })
  sync.onStatus((status) => write({ event: 'status', status }))
  return { status: sync.status }
}

function needBoard(): SealedBoard {
  if (!board) throw new Error('no sealed board (relay, or detached)')
  return board
}

function state(): PeerState {
  const base: PeerState = {
    keys: [...entries.keys()].sort(),
    status: sync?.status ?? null,
    stateBytes: Y.encodeStateAsUpdate(sealedDoc).byteLength,
  }
  if (!board) return base
  const d = board.diagnostics
  return {
    ...base,
    titles: readItems(board.readable)
      .map((i) => i.title)
      .sort(),
    bodies: readItems(board.readable)
      .map((i) => i.body)
      .sort(),
    boardName: readMeta(board.readable).name,
    roster: board.members().map((m) => ({ tag: m.id, name: m.name, founder: m.role === 'founder' })),
    counts: Object.fromEntries(d.counts),
    events: d.events.map((e) => ({ reason: e.reason, key: e.key, author: e.author, via: e.via })),
    suspects: [...d.suspects()].sort(),
    pending: board.pendingCount(),
    myTag: board.myTag,
    failure: board.failure ? String(board.failure) : null,
  }
}

// ── Eve's tools ─────────────────────────────────────────────────────────────

/** Eve stops her own engine (which would repair and collect); her sealed doc stays connected. */
function detach(): Record<string, unknown> {
  const b = needBoard()
  mirror = new Y.Doc()
  Y.applyUpdate(mirror, Y.encodeStateAsUpdate(b.readable))
  for (const m of b.members()) {
    const k = b.circle.keysOf(m.id)
    if (k) publicKeys.set(m.id, k.sign)
  }
  b.destroy()
  board = null
  return { seen: [...seen.keys()].sort() }
}

/** A Yjs update that adds an item, built on Eve's copy of the board under `client` (as if `client` wrote it). */
function craftUpdate(client: number, title: string): Uint8Array {
  if (!mirror) throw new Error('detach first')
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(mirror))
  doc.clientID = client
  let update: Uint8Array | null = null
  doc.on('update', (u: Uint8Array) => (update = u))
  const owner = [...publicKeys].find(([, k]) => boundClientId(k) === client)?.[0] ?? deviceTag(keys!.signPublic)
  const r = createItem(doc, { kind: 'notice', title, body: `${title} (body)`, author: 'Alice', tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(owner))
  if (!r.ok || !update) throw new Error('could not craft an item')
  return update
}

/**
 * An entry that claims `as` as its author. `sig: 'eve'` — Eve signs it with
 * her own key (a real signature, by the wrong key); `sig: 'garbage'` — 64
 * random bytes. The payload is a valid item under the victim's bound client
 * id, encrypted with the real content key: only the signature can stop it.
 */
async function forge(as: string, seq: number, sig: 'eve' | 'garbage', title: string): Promise<Record<string, unknown>> {
  const victim = publicKeys.get(as)
  if (!victim || !signer || !cipher || !boardId) throw new Error(`unknown victim ${as}`)
  const header: EntryHeader = { kind: 'update', boardId, keyId: contentKeyId!, author: victim, seq, from: seq }
  const eve = signer
  const impostor: DeviceSigner = {
    publicKey: victim,
    agreePublic: eve.agreePublic,
    sign: sig === 'eve' ? (m) => eve.sign(m) : async () => crypto.getRandomValues(new Uint8Array(64)),
  }
  const bytes = await sealEntry(header, encodeContent([], craftUpdate(boundClientId(victim), title)), cipher, impostor)
  return { key: entryKey(header), b64: b64(bytes) }
}

/** A genuine entry by Eve, correctly signed, whose update writes under the victim's client id. */
async function forgeForeign(as: string, title: string): Promise<Record<string, unknown>> {
  const victim = publicKeys.get(as)
  if (!victim || !signer || !cipher || !boardId || !keys) throw new Error(`unknown victim ${as}`)
  const seq = eveNextSeq()
  const header: EntryHeader = { kind: 'update', boardId, keyId: contentKeyId!, author: keys.signPublic, seq, from: seq }
  const bytes = await sealEntry(header, encodeContent([], craftUpdate(boundClientId(victim), title)), cipher, signer)
  return { key: entryKey(header), b64: b64(bytes) }
}

/** Eve's next sequence number, after every entry of hers in the shared doc. */
function eveNextSeq(): number {
  const eveTag = deviceTag(keys!.signPublic)
  let last = 0
  for (const k of entries.keys()) {
    const m = /^(.+)\.(?:\d+-)?(\d+)$/.exec(k)
    if (m && m[1] === eveTag) last = Math.max(last, Number(m[2]))
  }
  return last + 1
}

/** The clocks of Eve's own client her broken entries used up (every device fills them in once it refuses them). */
let eveClock = -1

/**
 * A genuine entry by Eve, correctly signed, whose update no honest writer
 * would produce. `forward`: her post, then two values each built on the
 * other — Yjs cannot integrate it (before the judge refused it, Yjs threw
 * halfway through and the engine stopped, on every device). `gap`: her post,
 * a skipped gap, and `true` next to a clock inside the gap — Yjs would hold
 * the `true` back until her next post filled the gap, and pin that post.
 */
async function forgeBroken(how: 'forward' | 'gap'): Promise<Record<string, unknown>> {
  if (!signer || !cipher || !boardId || !keys || !mirror) throw new Error('detach first')
  const client = boundClientId(keys.signPublic)
  const n = Math.max(eveClock, Y.getState(mirror.store, client))
  const post = item(client, n, { parent: 'items', key: newItemId(deviceTag(keys.signPublic)) }, map())
  const structs =
    how === 'forward'
      ? [post, item(client, n + 1, { origin: id(client, n + 2) }, value('a')), item(client, n + 2, { origin: id(client, n + 1) }, value('b'))]
      : [post, skip(client, n + 1, 5), item(client, n + 6, { origin: id(client, n + 3) }, value(true))]
  eveClock = n + (how === 'forward' ? 3 : 7)
  const seq = eveNextSeq()
  const header: EntryHeader = { kind: 'update', boardId, keyId: contentKeyId!, author: keys.signPublic, seq, from: seq }
  const bytes = await sealEntry(header, encodeContent([], handUpdate([{ client, clock: n, structs }])), cipher, signer)
  return { key: entryKey(header), b64: b64(bytes) }
}

/** Crafted operations on the sealed doc, all in one transaction (one update on the wire). */
function raw(ops: RawOp[]): Record<string, unknown> {
  if (board) throw new Error('detach first: Eve bypasses her own engine')
  sealedDoc.transact(() => {
    for (const op of ops) {
      switch (op.op) {
        case 'delete':
          entries.delete(op.key)
          break
        case 'set':
          entries.set(op.key, unb64(op.b64))
          break
        case 'setSeen': {
          const v = seen.get(op.from)
          if (!v) throw new Error(`never saw ${op.from}`)
          entries.set(op.key, v)
          break
        }
        case 'fill': {
          const big = new Uint8Array(op.size)
          big.set(op.head)
          for (let i = op.head.length; i < big.length; i += 4096) big[i] = i & 0xff
          entries.set(op.key, big)
          break
        }
        case 'value':
          entries.set(op.key, op.value)
          break
      }
    }
  }, 'eve')
  return { keys: [...entries.keys()].sort() }
}

// ── commands ────────────────────────────────────────────────────────────────

type Command =
  | ({ cmd: 'init' } & SealedInit)
  | { cmd: 'connect'; signaling: string[] }
  | { cmd: 'post'; items: { title: string; body: string }[] }
  | { cmd: 'meta'; name: string; description: string }
  | { cmd: 'state' }
  | { cmd: 'dump' }
  | { cmd: 'seen' }
  | { cmd: 'detach' }
  | { cmd: 'forge'; as: string; seq: number; sig: 'eve' | 'garbage'; title: string }
  | { cmd: 'forgeForeign'; as: string; title: string }
  | { cmd: 'forgeBroken'; how: 'forward' | 'gap' }
  | { cmd: 'raw'; ops: RawOp[] }
  | { cmd: 'exit' }

async function handle(command: Command): Promise<Record<string, unknown>> {
  switch (command.cmd) {
    case 'init':
      return init(command)
    case 'connect':
      return connect(command.signaling)
    case 'post': {
      const b = needBoard()
      for (const item of command.items) {
        const r = createItem(b.readable, { kind: 'notice', title: item.title, body: item.body, author: 'me', tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(b.myTag))
        if (!r.ok) throw new Error(`createItem failed: ${JSON.stringify(r.errors)}`)
        // One post, one action: each is sealed as its own entry (changes of one task share one).
        await b.flush()
      }
      return {}
    }
    case 'meta': {
      const b = needBoard()
      const r = initBoard(b.readable, { name: command.name, description: command.description }, Date.now())
      if (!r.ok) throw new Error(`initBoard failed: ${JSON.stringify(r.errors)}`)
      await b.flush()
      return {}
    }
    case 'state':
      if (board) await board.flush()
      return state() as unknown as Record<string, unknown>
    case 'dump':
      // The whole in-memory doc as Yjs encodes it, and every entry value side by side.
      return {
        b64: b64(Y.encodeStateAsUpdate(sealedDoc)),
        values: [...entries.values()].filter((v): v is Uint8Array => v instanceof Uint8Array).map(b64),
      }
    case 'seen':
      return { keys: [...seen.keys()].sort() }
    case 'detach':
      return detach()
    case 'forge':
      return forge(command.as, command.seq, command.sig, command.title)
    case 'forgeForeign':
      return forgeForeign(command.as, command.title)
    case 'forgeBroken':
      return forgeBroken(command.how)
    case 'raw':
      return raw(command.ops)
    case 'exit':
      sync?.destroy()
      board?.destroy()
      setTimeout(() => process.exit(0), 50)
      return {}
  }
}

let chain: Promise<void> = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  // One command at a time, in order.
  chain = chain.then(async () => {
    let id: unknown = null
    try {
      const message = JSON.parse(line) as Command & { id: unknown }
      id = message.id
      write({ id, ok: true, ...(await handle(message)) })
    } catch (err) {
      write({ id, ok: false, error: String(err instanceof Error ? (err.stack ?? err.message) : err) })
    }
  })
})
process.stdin.on('end', () => process.exit(0))
write({ event: 'ready' })
