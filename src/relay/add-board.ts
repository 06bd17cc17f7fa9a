import { ownSignalingUrl } from '../app/network.ts'
import { generateDeviceKeys, parseInvite, toBase64url } from '../crypto/index.ts'
import { LIMIT_VARIABLES, type RelayLimits } from './relay-limits.ts'
import type { RelayBoardRecord } from './relay-record.ts'
import type { RelayStore } from './relay-store.ts'

export type AddBoardResult = { readonly ok: true; readonly record: RelayBoardRecord } | { readonly ok: false; readonly error: string }

/**
 * `npm run relay -- add <relay link>`: a new identity for this board alone,
 * kept with the link's transport secret and invitation secret; the running
 * relay picks it up, asks to be let in, and carries the board from then on.
 * The board's signaling server is the one on the link's own origin.
 */
export async function addBoard(store: RelayStore, input: { readonly link: string; readonly name: string; readonly signaling: readonly string[]; readonly limits: RelayLimits; readonly now: number }): Promise<AddBoardResult> {
  const invite = parseInvite(input.link)
  if (!invite.ok) return { ok: false, error: `this is not a usable link (${invite.error.replace(/_/g, ' ')}): copy the whole relay link again` }
  if (invite.version !== 3 || invite.purpose !== 'relay') return { ok: false, error: 'this is an invite for a person, not a relay link: ask a moderator for Board settings → Add a relay' }
  const id = toBase64url(invite.boardId)
  if (store.hasBoard(id)) return { ok: false, error: `this relay already carries board ${id}` }
  if (store.boards().length >= input.limits.boards) return { ok: false, error: `this relay carries ${input.limits.boards} boards, its limit: raise ${LIMIT_VARIABLES.boards} or remove one` }
  let own: string[] = []
  try {
    const url = new URL(input.link.trim())
    if (url.protocol === 'https:' || url.protocol === 'http:') own = [ownSignalingUrl(url)]
  } catch {
    // Only the invite's payload was given: the signaling servers must come from the options.
  }
  const signaling = [...new Set([...own, ...input.signaling])]
  if (signaling.length === 0) return { ok: false, error: 'give the whole link (its address says where the board meets), or a --signaling server' }
  const record: RelayBoardRecord = {
    id,
    device: await generateDeviceKeys(),
    epochs: [{ transport: invite.transportSecret }],
    invitation: invite.invitationSecret,
    signaling,
    name: input.name,
    addedAt: input.now,
  }
  store.putBoard(record)
  return { ok: true, record }
}
