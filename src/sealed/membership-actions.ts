import { deviceTag, fromBase64url, generateContentKey, generateTransportSecret, importContentKey, keyId, sealLockboxes, type DeviceSigner } from '../crypto/index.ts'
import type { AuthorLogs } from './author-log.ts'
import type { Circle } from './circle.ts'
import type { BoardKeys } from './keys.ts'
import { legacyRequest } from './legacy-joiners.ts'
import type { AdmitAs, Cutoff, Op, Role } from './membership/ops.ts'
import type { OwnEntries } from './own-entries.ts'
import { encodeGift, encodeRequest, encodeRotate, encodeWelcome, lockboxContext, requestProofMessage, type KeyGift } from './payloads.ts'
import { encodeJoin } from './profile.ts'
import { ActionRefused } from './task-queue.ts'
import type { SharedEntries } from './shared-entries.ts'

/** An invitation as its creator seals it: the secret stays in the invite link. */
export interface InviteOptions {
  readonly id: Uint8Array
  readonly publicKey: Uint8Array
  readonly requestKey: Uint8Array
  readonly uses: number
  readonly expiresAt: number | null
  readonly as: AdmitAs
  readonly ask: boolean
}

/** What a newcomer holds of its invitation: its id, request key, and a signer with the key derived from its secret. */
export interface Invitation {
  readonly id: Uint8Array
  readonly requestKey: Uint8Array
  sign(message: Uint8Array): Promise<Uint8Array>
}

/** What this device's membership actions need from the engine. */
export interface MembershipActionsContext {
  readonly boardId: Uint8Array
  readonly signer: DeviceSigner
  /** Boards from before membership: the founder's signing key, from the invite. */
  readonly founder: Uint8Array | undefined
  readonly myTag: string
  readonly circle: Circle
  readonly keys: BoardKeys
  readonly logs: AuthorLogs
  readonly entries: SharedEntries
  readonly own: OwnEntries
  now(): number
  /** Keeps keys this device made (a rotation's), as if they had been sent to it. */
  takeGift(gift: KeyGift, source: null): Promise<void>
}

/**
 * This device's membership actions, each one signed entry (a control entry,
 * or a newcomer's request or profile), with what goes with it: the keys sent
 * to a newcomer, the lockboxes of a rotation. They decide what this device
 * asks for; whether it counts is decided by every device alike, from the
 * entries (membership/). Each runs as one engine task.
 */
export class MembershipActions {
  readonly #ctx: MembershipActionsContext

  constructor(ctx: MembershipActionsContext) {
    this.#ctx = ctx
  }

  async found(name: string, nonce: Uint8Array, membersMayInvite: boolean): Promise<void> {
    const first = this.#ctx.keys.first
    if (!first) throw new Error('A board is founded with its first content key')
    await this.#ctx.own.control({ t: 'genesis', nonce, name, agree: this.#ctx.signer.agreePublic, key: fromBase64url(first)!, members: [], membersMayInvite })
  }

  /** Only the founder of a board from before membership converts it, listing everyone who had joined. */
  async convert(): Promise<void> {
    const { circle, founder, myTag } = this.#ctx
    if (circle.managed || !founder || deviceTag(founder) !== myTag) return
    const first = this.#ctx.keys.first
    const me = circle.profiles.get(myTag)
    if (!first || !me) return
    const members = [...circle.profiles].filter(([t]) => t !== myTag).map(([, p]) => ({ sign: p.sign, agree: p.agree, name: p.name }))
    await this.#ctx.own.control({ t: 'genesis', nonce: new Uint8Array(16), name: me.name, agree: this.#ctx.signer.agreePublic, key: fromBase64url(first)!, members, membersMayInvite: true })
  }

  async invite(opts: InviteOptions): Promise<void> {
    await this.#ctx.keys.addRequestKey(opts.requestKey)
    await this.#ctx.own.control({ t: 'invite', id: opts.id, pub: opts.publicKey, requestKey: opts.requestKey, uses: opts.uses, expiresAt: opts.expiresAt, as: opts.as, ask: opts.ask })
  }

  async revoke(inviteId: string): Promise<void> {
    await this.#ctx.own.control({ t: 'revoke', id: fromBase64url(inviteId)! })
  }

  /** The admission, then the keys. Returns null, or the verdict of an admission that does not count (no keys were sent). */
  async admit(requestHash: string): Promise<string | null> {
    const { circle, keys, own } = this.#ctx
    const request = circle.requests.get(requestHash) ?? legacyRequest(this.#ctx.logs, circle, requestHash, this.#ctx.now())
    if (!request) throw new ActionRefused('No such request')
    const invite = circle.invites().find((i) => i.id === request.invite)
    // Checked before the admission is written: once signed, every device counts the newcomer in, keys or not.
    const current = own.currentKeyId()
    const transport = current ? keys.transport(current) : null
    if (!transport) throw new ActionRefused('This device does not hold the current transport secret')
    const key = await own.control({ t: 'admit', request: fromBase64url(requestHash)!, invite: fromBase64url(request.invite)!, device: { sign: request.sign, agree: request.agree }, name: request.name })
    // Keys go out only for an admission every device will count (an open invitation, a right to admit).
    const hash = this.#ctx.logs.of(this.#ctx.myTag).done.get(key)?.hash
    const verdict = hash ? circle.membership().verdicts.get(hash) : undefined
    if (verdict !== 'ok') return verdict ?? 'invalid'
    const gift = { contentKeys: invite?.as === 'relay' ? [] : keys.contentKeys(), transport }
    const boxes = await sealLockboxes([{ agreePublic: request.agree, payload: encodeGift(gift) }], lockboxContext('welcome', this.#ctx.boardId, fromBase64url(requestHash)!))
    await own.sealPublic('welcome', encodeWelcome(requestHash, boxes), transport)
    return null
  }

  async refuse(requestHash: string): Promise<void> {
    await this.#ctx.own.control({ t: 'refuse', request: fromBase64url(requestHash)! })
  }

  async remove(devices: readonly string[]): Promise<void> {
    const cutoffs: Cutoff[] = devices.map((device) => ({ device, seq: this.#cutoffFor(device) }))
    await this.#rotate({ t: 'remove', cutoffs, rekey: null }, new Set(devices))
  }

  async rekey(): Promise<void> {
    await this.#rotate(null, new Set())
  }

  async setRole(member: string, role: Role): Promise<void> {
    const info = this.#ctx.circle.membership().members.get(member)
    if (!info) throw new ActionRefused('No such member')
    await this.#ctx.own.control({ t: 'role', member, role, cutoffs: info.devices.map((device) => ({ device, seq: this.#cutoffFor(device) })) })
  }

  async setMembersMayInvite(value: boolean): Promise<void> {
    await this.#ctx.own.control({ t: 'settings', membersMayInvite: value })
  }

  async request(name: string, invitation: Invitation): Promise<void> {
    const { boardId, signer } = this.#ctx
    if (this.#ctx.logs.of(this.#ctx.myTag).frontier > 0) return // asked already
    const proof = await invitation.sign(requestProofMessage(boardId, signer.publicKey, signer.agreePublic))
    const payload = encodeRequest({ name, agree: signer.agreePublic, invite: invitation.id, proof })
    await this.#ctx.own.sealWith('request', payload, keyId(invitation.requestKey), await importContentKey(invitation.requestKey))
  }

  async join(name: string): Promise<void> {
    const { circle, myTag } = this.#ctx
    const me = circle.profiles.get(myTag)
    if (me && me.name === name) return
    if (circle.managed && me === undefined && circle.membership().members.get(myTag)?.name === name) return
    await this.#ctx.own.seal('join', encodeJoin({ name, agreePublic: this.#ctx.signer.agreePublic, invitedBy: null, at: this.#ctx.now() }))
  }

  /** The last sequence number of a device this device has accepted (entries and control entries alike). */
  #cutoffFor(device: string): number {
    return this.#ctx.logs.get(device)?.frontier ?? 0
  }

  /** A rotation: the control entry (with its new key's id) and the lockboxes, in the old epoch, then the new keys here. */
  async #rotate(removal: Extract<Op, { t: 'remove' }> | null, removed: Set<string>): Promise<void> {
    const { circle, keys, own } = this.#ctx
    const m = circle.membership()
    const parent = own.currentKeyId()
    if (!parent || !m.current) throw new ActionRefused('Nothing to rotate')
    const oldTransport = keys.transport(parent)
    if (!oldTransport) throw new ActionRefused('This device does not hold the current transport secret')
    const contentKey = generateContentKey()
    const transport = generateTransportSecret()
    const remaining = [...m.devices.values()].filter((d) => !d.removed && !removed.has(d.tag))
    const rekey = { key: keyId(contentKey), parent: fromBase64url(parent)!, to: remaining.map((d) => d.tag) }
    // The same two gifts for everyone (relays get no content key): encoded once, sealed to each device on its own.
    const gifts = { member: encodeGift({ contentKeys: [contentKey], transport }), relay: encodeGift({ contentKeys: [], transport }) }
    // The lockboxes (the bulk of the work) need only the new key's id.
    const boxes = await sealLockboxes(
      remaining.map((d) => ({ agreePublic: d.agree, payload: d.as === 'relay' ? gifts.relay : gifts.member })),
      lockboxContext('rotate', this.#ctx.boardId, rekey.key),
    )
    // The change and the rotation reach every device in one piece: a device that learnt of a removal
    // without its new key would write with the newest key it holds, which the removed device holds too.
    await own.together(async () => {
      const controlKey = await own.control(removal ? { ...removal, rekey } : { t: 'rekey', rekey })
      await own.sealPublic('rotate', encodeRotate(rekey.key, rekey.parent, own.heldHash(controlKey)!, boxes), oldTransport)
    })
    await this.#ctx.takeGift({ contentKeys: [contentKey], transport }, null)
  }
}
