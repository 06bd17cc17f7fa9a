/**
 * The browser figures' boards, stored the way today's app stores a board:
 * a sealed doc of signed, encrypted entries, written by the board's member
 * devices themselves (no migration from the pre-sealed format on open).
 *
 * The seeded board is generated as usual (lib/board.ts), each member device
 * writing under the Yjs client id bound to its own signing key. Every member
 * then has two entries: its join (seq 1) and one snapshot (seq 2) holding the
 * structs it created and the tombstones of those structs — the layout a
 * compaction that also folds others' deletions would reach (the best case;
 * today's compaction keeps more, see the sealed (Node) rows). Member keys,
 * the content key and the sealed doc's writer ids all come from the seed.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { encodeJoin } from '../../../src/app/sealed/roster.ts'
import { entryKey } from '../../../src/app/sealed/sealed-board.ts'
import {
  asBoardSecret,
  boundClientId,
  deriveTransportKeys,
  deviceTag,
  fromBase64url,
  importContentKey,
  importDeviceSigner,
  sealEntry,
  type BoardId,
  type BoardSecret,
  type DeviceKeyMaterial,
  type EntryHeader,
} from '../../../src/crypto/index.ts'
import { BOARD_EPOCH, generateBoard, type BoardSpec, type GeneratedBoard } from './board.ts'
import { Random } from './random.ts'

export interface SealedSeed {
  secret: BoardSecret
  boardId: BoardId
  /** `Y.encodeStateAsUpdate` of the sealed doc: what y-indexeddb holds for the board. */
  state: Uint8Array
  entries: number
}

export interface BrowserBoard extends GeneratedBoard {
  contentKey: Uint8Array
  /** Member 1's signing key: the board's founder. */
  founder: Uint8Array
  members: DeviceKeyMaterial[]
  /** Per member: the Yjs update with its structs and their tombstones. */
  authorUpdates: Uint8Array[]
  sealed: SealedSeed
  sealMs: number
}

const PKCS8_PREFIX = {
  Ed25519: Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]),
  X25519: Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]),
}

/** A key pair from a 32-byte seed (WebCrypto cannot derive one, but imports PKCS#8 and reports the public half in JWK). */
async function keyFromSeed(alg: 'Ed25519' | 'X25519', seed: Uint8Array): Promise<{ pkcs8: Uint8Array; publicKey: Uint8Array }> {
  const pkcs8 = new Uint8Array(48)
  pkcs8.set(PKCS8_PREFIX[alg])
  pkcs8.set(seed, 16)
  const usages: KeyUsage[] = alg === 'Ed25519' ? ['sign'] : ['deriveBits']
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: alg }, true, usages)
  const jwk = await crypto.subtle.exportKey('jwk', key)
  return { pkcs8, publicKey: fromBase64url(jwk.x!)! }
}

async function memberKeys(rng: Random): Promise<DeviceKeyMaterial> {
  const sign = await keyFromSeed('Ed25519', rng.bytes(32))
  const agree = await keyFromSeed('X25519', rng.bytes(32))
  return { signPkcs8: sign.pkcs8, signPublic: sign.publicKey, agreePkcs8: agree.pkcs8, agreePublic: agree.publicKey }
}

/** The delete set of one client's structs, in Yjs's update encoding. */
function encodeDeletes(client: number, deletes: readonly { clock: number; len: number }[]): Uint8Array {
  const e = encoding.createEncoder()
  if (deletes.length === 0) {
    encoding.writeVarUint(e, 0)
    return encoding.toUint8Array(e)
  }
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, deletes.length)
  for (const d of deletes) {
    encoding.writeVarUint(e, d.clock)
    encoding.writeVarUint(e, d.len)
  }
  return encoding.toUint8Array(e)
}

/**
 * Splits a doc into one update per client: that client's structs, and the
 * tombstones of those structs. An update is its structs section followed by
 * the delete set; `encodeStateAsUpdate` against a state vector that holds
 * every other client gives one client's structs and the whole delete set,
 * which is cut off and replaced by the client's own part.
 */
export function splitByClient(doc: Y.Doc, clients: readonly number[]): Uint8Array[] {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc))
  const everything = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(sv))
  // No structs (one 0 byte for "no clients"), then the delete set.
  const fullDeletes = everything.subarray(1)
  const deletes = Y.createDeleteSetFromStructStore(doc.store).clients
  for (const client of [...sv.keys(), ...deletes.keys()]) if (!clients.includes(client)) throw new Error(`bench seed: client ${client} belongs to no member`)
  return clients.map((client) => {
    const others = new Map(sv)
    others.delete(client)
    const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(others))
    const structsEnd = update.length - fullDeletes.length
    if (!fullDeletes.every((b, i) => update[structsEnd + i] === b)) throw new Error('bench seed: unexpected update layout (delete set not at the end)')
    const own = encodeDeletes(client, deletes.get(client) ?? [])
    const out = new Uint8Array(structsEnd + own.length)
    out.set(update.subarray(0, structsEnd))
    out.set(own, structsEnd)
    return out
  })
}

/** Seals the members' joins and snapshots into a sealed doc for `secret`'s board. */
export async function sealFor(board: Pick<BrowserBoard, 'name' | 'contentKey' | 'members' | 'authorUpdates'>, secret: BoardSecret, seed: number): Promise<SealedSeed> {
  const { boardId } = deriveTransportKeys(secret)
  const rawId = fromBase64url(boardId)!
  const cipher = await importContentKey(board.contentKey)
  const rng = new Random(seed ^ 0x5ea1)
  const doc = new Y.Doc({ gc: true })
  const entries = doc.getMap<Uint8Array>('entries')
  const founderTag = deviceTag(board.members[0]!.signPublic)
  let count = 0
  for (const [i, keys] of board.members.entries()) {
    const signer = await importDeviceSigner(keys)
    const header = (kind: 'join' | 'snapshot', seq: number): EntryHeader => ({ kind, boardId: rawId, epoch: 0, author: keys.signPublic, seq, from: seq })
    const join = encodeJoin({ name: `member ${i + 1}`, agreePublic: keys.agreePublic, invitedBy: i === 0 ? null : founderTag, at: BOARD_EPOCH + i })
    const sealed: [string, Uint8Array][] = [[entryKey(header('join', 1)), await sealEntry(header('join', 1), join, cipher, signer)]]
    const update = board.authorUpdates[i]!
    // An update with no structs and no deletions is 2 bytes (two empty sections).
    if (update.length > 2) sealed.push([entryKey(header('snapshot', 2)), await sealEntry(header('snapshot', 2), update, cipher, signer)])
    // Each member wrote from its own device: its own sealed-doc client id.
    doc.clientID = 1 + Math.floor(rng.next() * 0x7ffffffe)
    doc.transact(() => {
      for (const [key, bytes] of sealed) entries.set(key, bytes)
    })
    count += sealed.length
  }
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return { secret, boardId, state, entries: count }
}

/** Generates a board (lib/board.ts) written by member devices with their own keys, and seals it. */
export async function generateSealedBoard(name: string, spec: BoardSpec, seed: number): Promise<BrowserBoard> {
  const rng = new Random(seed ^ 0x6b657973)
  const members: DeviceKeyMaterial[] = []
  for (let i = 0; i < spec.members; i++) members.push(await memberKeys(rng))
  const contentKey = rng.bytes(32)
  const clients = members.map((m) => boundClientId(m.signPublic))
  if (new Set(clients).size !== clients.length) throw new Error('bench seed: two members share a client id')
  let authorUpdates: Uint8Array[] = []
  const generated = generateBoard(name, spec, seed, { clientOf: (m) => clients[m]!, inspect: (doc) => (authorUpdates = splitByClient(doc, clients)) })
  const started = performance.now()
  const board = { ...generated, name, contentKey, founder: members[0]!.signPublic, members, authorUpdates }
  const sealed = await sealFor(board, generated.secret, seed)
  return { ...board, sealed, sealMs: performance.now() - started }
}

/** The same board under another transport secret (another room and board id), e.g. for a second app on the same browsers. */
export async function twinOf(board: BrowserBoard, seed: number): Promise<SealedSeed> {
  const secret = asBoardSecret(new Random(seed ^ 0x7717).bytes(32))!
  return sealFor(board, secret, seed)
}
