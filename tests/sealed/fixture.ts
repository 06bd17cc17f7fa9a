import * as Y from 'yjs'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { createItem, newItemId } from '../../src/core/index.ts'
import { deriveInvitation, foundedBoardId, fromBase64url, generateDeviceKeys, generateInvitationSecret, importAgreement, importDeviceSigner, type DeviceKeyMaterial } from '../../src/crypto/index.ts'
import { SealedBoard, type SealedBoardOptions } from '../../src/sealed/index.ts'

export const CONTENT_KEY = Uint8Array.from({ length: 32 }, (_, i) => 100 + i)
export const TRANSPORT = Uint8Array.from({ length: 32 }, (_, i) => 200 - i)
/** The id boards from before membership used (not bound to a founder). */
export const OLD_BOARD_ID = Uint8Array.from({ length: 16 }, (_, i) => i + 1)

export interface Member {
  readonly name: string
  readonly keys: DeviceKeyMaterial
  readonly board: SealedBoard
}

type Options = Partial<Omit<SealedBoardOptions, 'signer' | 'agreement'>> & { keys?: DeviceKeyMaterial; sealed?: Y.Doc }

/** The engine's options every fixture device has (a board from before membership, no compaction), but its keys. */
export function fixtureOptions() {
  return { boardId: OLD_BOARD_ID, contentKeys: [{ key: CONTENT_KEY, transport: TRANSPORT }], transport: TRANSPORT, rules: BOARD_RULES, compactAfter: 1_000_000, compactWhenQuiet: 0 }
}

/** A device with its own sealed doc (not yet connected to anyone), started. */
export async function device(name: string, opts: Options = {}): Promise<Member> {
  const keys = opts.keys ?? (await generateDeviceKeys())
  const { keys: _k, sealed, ...rest } = opts
  const board = new SealedBoard(sealed ?? new Y.Doc(), {
    ...fixtureOptions(),
    ...rest,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
  })
  await board.start()
  return { name, keys, board }
}

/**
 * A member of a board from before membership: everyone who wrote a join
 * entry is a member, and the founder (when given) moderates.
 */
export async function member(name: string, opts: Options = {}): Promise<Member> {
  const m = await device(name, opts)
  await m.board.join(name)
  return m
}

export interface Circle {
  readonly boardId: Uint8Array
  readonly founder: Member
  /** Everyone in the circle, the founder first. */
  readonly members: Member[]
  /** A newcomer asks with a fresh invitation of `inviter`, and the inviter admits them. */
  admit(name: string, inviter?: Member, opts?: Options & { as?: 'member' | 'device' | 'relay' }): Promise<Member>
}

/** A board with membership: `founder` founds it (with its engine's options, if given), then each of `others` is invited, asks, and is admitted. */
export async function circle(founder_: string | { readonly name: string; readonly opts: Options }, ...others: string[]): Promise<Circle> {
  const [founderName, founderOpts] = typeof founder_ === 'string' ? [founder_, {}] : [founder_.name, founder_.opts]
  const keys = await generateDeviceKeys()
  const nonce = crypto.getRandomValues(new Uint8Array(16))
  const boardId = fromBase64url(foundedBoardId(keys.signPublic, nonce))!
  const founder = await device(founderName, { ...founderOpts, keys, boardId })
  await founder.board.found(founderName, nonce)
  const members = [founder]
  const c: Circle = {
    boardId,
    founder,
    members,
    async admit(name, inviter = founder, opts = {}) {
      const invitation = await deriveInvitation(generateInvitationSecret())
      await inviter.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: opts.as ?? 'member', ask: false })
      const { as: _as, ...rest } = opts
      const newcomer = await device(name, { boardId, contentKeys: [], request: { key: invitation.requestKey }, ...rest })
      await newcomer.board.request(name, { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
      await exchange(inviter, newcomer, ...members.filter((m) => m !== inviter))
      const request = inviter.board.circle.openRequests().find((r) => r.name === name)
      if (!request) throw new Error(`${inviter.name} did not see ${name}'s request`)
      await inviter.board.admit(request.hash)
      await exchange(newcomer, ...members)
      if (newcomer.board.standing !== 'member') throw new Error(`${name} was not let in`)
      members.push(newcomer)
      return newcomer
    },
  }
  for (const name of others) await c.admit(name)
  return c
}

/** Two-way full sync of sealed docs, like y-webrtc's sync step 1/2, then waits for the engines. */
export async function exchange(...members: Member[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (const a of members) {
      for (const b of members) {
        if (a === b) continue
        const update = Y.encodeStateAsUpdate(a.board.sealed, Y.encodeStateVector(b.board.sealed))
        Y.applyUpdate(b.board.sealed, update, 'remote')
      }
    }
    await Promise.all(members.map((m) => m.board.flush()))
  }
  expectNoFailure(...members)
}

/** An engine task that threw is a bug, whatever the test is about. */
export function expectNoFailure(...members: Member[]): void {
  for (const m of members) if (m.board.failure) throw new Error(`${m.name}'s engine failed: ${m.board.failure.stack ?? m.board.failure.message}`)
}

/** Lets any queued engine work run. */
export async function settle(...members: Member[]): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.all(members.map((m) => m.board.flush()))
  expectNoFailure(...members)
}

/** A device's own client id — what its readable doc writes under. */
export const clientOf = (m: Member): number => m.board.readable.clientID

export { generateInvitationSecret }

/** A Yjs update creating one notice, written under `client`, its item key naming `owner`. */
export function noticeUpdate(client: number, title: string, owner: string): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  createItem(doc, { kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(owner))
  return Y.encodeStateAsUpdate(doc)
}
