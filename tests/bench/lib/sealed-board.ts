/**
 * The browser figures' boards, stored the way today's app stores a board:
 * a sealed doc of signed, encrypted entries, written by the board's member
 * devices themselves with the app's own engine (src/sealed/), so nothing is
 * migrated or converted on open.
 *
 * The seeded board is generated as usual (lib/board.ts), keeping the board's
 * rules of who writes what, each member device writing under the Yjs client
 * id bound to its own signing key. Then, in Node, one SealedBoard per member
 * device: member 1 founds the board (genesis, with the content key and
 * transport secret) and makes an invitation; every other member asks with it
 * and is admitted (its welcome lockbox carries the keys), as in the app.
 * Each member device then writes what it wrote on the board — its structs and
 * their tombstones (see `splitByClient`) — as one local change, sealed by the
 * engine as its own entries; member 1 writes last, after reading everyone's
 * (so the seed is checked as any member's device checks it: every item
 * read, nothing refused). Member 1 then makes a second invitation, the one
 * the figures' newcomers join with (the founder's page, online, lets them in
 * at once). The member keys, the content key, the transport secret, the
 * founding nonce and the invitation secrets come from the seed; entries carry
 * fresh nonces, so the sealed bytes differ from run to run, not their size.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import {
  asTransportSecret,
  boundClientId,
  deriveInvitation,
  deviceTag,
  foundedBoardId,
  fromBase64url,
  importAgreement,
  importDeviceSigner,
  type BoardId,
  type DeviceKeyMaterial,
  type TransportSecret,
} from '../../../src/crypto/index.ts'
import { SealedBoard } from '../../../src/sealed/index.ts'
import { generateBoard, type BoardSpec, type GeneratedBoard } from './board.ts'
import { Random } from './random.ts'

export interface SealedSeed {
  transportSecret: TransportSecret
  /** The founded board's id (from the founder's key and the nonce). */
  boardId: BoardId
  /** `Y.encodeStateAsUpdate` of the sealed doc: what y-indexeddb holds for the board. */
  state: Uint8Array
  entries: number
  /** The founder's open invitation (version 3) that newcomers join with. */
  invitationSecret: Uint8Array
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

/** How many newcomers the join invitation lets in (each initial-sync run uses one; an invitation allows at most 1,000). */
const JOIN_USES = 1000

async function engine(keys: DeviceKeyMaterial, boardId: Uint8Array, transport: TransportSecret, held: Uint8Array | null, request?: Uint8Array): Promise<SealedBoard> {
  const board = new SealedBoard(new Y.Doc({ gc: true }), {
    boardId,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    contentKeys: held ? [{ key: held, transport }] : [],
    transport,
    rules: BOARD_RULES,
    ...(request ? { request: { key: request } } : {}),
  })
  await board.start()
  return board
}

/**
 * A member's own structs, written on its device as one local change. Yjs
 * takes structs of a doc's own client id arriving in an update for another
 * client's and gives the doc a new id, so the id steps aside meanwhile.
 */
function write(device: SealedBoard, update: Uint8Array): void {
  const doc = device.readable
  const own = doc.clientID
  doc.clientID = own === 1 ? 2 : 1
  try {
    Y.applyUpdate(doc, update)
  } finally {
    doc.clientID = own
  }
}
const stateOf = (board: SealedBoard) => Y.encodeStateAsUpdate(board.sealed)
const refusals = (board: SealedBoard) => board.diagnostics.events.map((e) => `${e.reason} (${e.key.slice(0, 20)}…: ${e.detail ?? 'no detail'})`).join('; ')

/** Founds `board` under `transport` and has its member devices write it, each with the app's engine; the sealed doc it ends as. */
export async function sealFor(board: Pick<BrowserBoard, 'name' | 'contentKey' | 'members' | 'authorUpdates' | 'itemCount'>, transport: TransportSecret, seed: number): Promise<SealedSeed> {
  const rng = new Random(seed ^ 0x5ea1)
  const nonce = rng.bytes(16)
  const boardId = foundedBoardId(board.members[0]!.signPublic, nonce)
  const rawId = fromBase64url(boardId)!
  const founder = await engine(board.members[0]!, rawId, transport, board.contentKey)
  const devices: SealedBoard[] = [founder]
  try {
    await founder.found('member 1', nonce)
    const circle = await deriveInvitation(rng.bytes(32))
    await founder.invite({ id: circle.id, publicKey: circle.signer.publicKey, requestKey: circle.requestKey, uses: board.members.length - 1, expiresAt: null, as: 'member', ask: false })
    await founder.flush()
    const asking = { id: circle.id, requestKey: circle.requestKey, sign: (m: Uint8Array) => circle.signer.sign(m) }
    for (const [i, keys] of board.members.entries()) {
      if (i === 0) continue
      const newcomer = await engine(keys, rawId, transport, null, circle.requestKey)
      Y.applyUpdate(newcomer.sealed, stateOf(founder), 'remote')
      await newcomer.flush()
      await newcomer.request(`member ${i + 1}`, asking)
      await newcomer.flush()
      devices.push(newcomer)
    }
    Y.applyUpdate(founder.sealed, Y.mergeUpdates(devices.slice(1).map(stateOf)), 'remote')
    await founder.flush()
    for (const request of founder.circle.openRequests()) await founder.admit(request.hash)
    await founder.flush()
    const admitted = stateOf(founder)
    // Everyone but the founder writes what it wrote, on its own device, once let in.
    for (const [i, d] of devices.entries()) {
      if (i === 0) continue
      Y.applyUpdate(d.sealed, admitted, 'remote')
      await d.flush()
      if (d.standing !== 'member' || !d.epoch) throw new Error(`bench seed: member ${i + 1} was not let in (${d.standing})`)
      write(d, board.authorUpdates[i]!)
      await d.flush()
    }
    Y.applyUpdate(founder.sealed, Y.mergeUpdates(devices.slice(1).map(stateOf)), 'remote')
    await founder.flush()
    write(founder, board.authorUpdates[0]!)
    await founder.flush()
    const join = rng.bytes(32)
    const invitation = await deriveInvitation(join)
    await founder.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: JOIN_USES, expiresAt: null, as: 'member', ask: false })
    await founder.flush()
    const items = founder.readable.getMap('items').size
    if (items !== board.itemCount || founder.diagnostics.counts.size > 0 || founder.pendingCount() > 0) {
      throw new Error(`bench seed: the founder reads ${items} of ${board.itemCount} items (refused: ${refusals(founder) || 'none'}; ${founder.pendingCount()} waiting)`)
    }
    const state = stateOf(founder)
    return { transportSecret: transport, boardId, state, entries: founder.sealed.getMap('entries').size, invitationSecret: join }
  } finally {
    for (const d of devices) d.destroy()
  }
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
  const generated = generateBoard(name, spec, seed, {
    clientOf: (m) => clients[m]!,
    owners: members.map((m) => deviceTag(m.signPublic)),
    inspect: (doc) => (authorUpdates = splitByClient(doc, clients)),
  })
  const started = performance.now()
  const board = { ...generated, name, contentKey, founder: members[0]!.signPublic, members, authorUpdates }
  const sealed = await sealFor(board, generated.secret, seed)
  return { ...board, boardId: sealed.boardId, sealed, sealMs: performance.now() - started }
}

/** The same board founded again under another transport secret (another room and board id), e.g. for a second app on the same browsers. */
export async function twinOf(board: BrowserBoard, seed: number): Promise<SealedSeed> {
  const secret = asTransportSecret(new Random(seed ^ 0x7717).bytes(32))!
  return sealFor(board, secret, seed ^ 0x7717)
}
