/**
 * A Node "member device" that pushes a big board into a browser peer. Runs as
 * a child process (y-webrtc allows one provider per room per process), driven
 * by `seed.ts`. Like the app, it asks to be let in with the invitation link,
 * is admitted by the inviter's device (the browser), and only then writes:
 * its items reach the sealed doc as signed, encrypted entries (SealedBoard);
 * only the sealed doc is replicated.
 *
 * Environment: HEARTH_SEED_INVITE (the invite link), HEARTH_SEED_SIGNALING
 * (signaling URL), HEARTH_SEED_COUNT (items), HEARTH_SEED (PRNG seed).
 * Writes one JSON line per event on stdout: `built`, `status`, `error`.
 * Reads `exit` on stdin (or stdin closing) to disconnect and exit.
 */
import { createInterface } from 'node:readline'
import * as Y from 'yjs'
import { WebSocket } from 'ws'
import { SealedBoard } from '../../../src/sealed/index.ts'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import { presenceProof } from '../../../src/app/presence-proof.ts'
import { createItem, type ItemDraft } from '../../../src/core/index.ts'
import { deriveInvitation, deriveTransportKeys, generateDeviceKeys, importAgreement, importDeviceSigner, parseInvite } from '../../../src/crypto/index.ts'
import { connectBoard } from '../../../src/sync/index.ts'
import type { WrtcLike } from '../../../src/sync/index.ts'

Object.assign(globalThis, { WebSocket })

function write(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

process.on('unhandledRejection', (reason) => {
  write({ event: 'error', error: `unhandled rejection: ${String(reason)}` })
  process.exit(1)
})

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = (
  'housing shelter tonight safe contact lawyer clinic friendly doctor meeting moved back door bring ID food bank rides ' +
  'available Thursday evening call before coming hotline open late support group newcomers welcome keep quiet legal aid ' +
  'appointment translation Arabic Russian Turkish Persian room sofa week rent deposit job interview shift cash transfer ' +
  'medicine prescription pharmacy therapist counsellor community garden kitchen soup warm coats winter children school ' +
  'papers residence permit asylum hearing court witness trusted member organiser quietly discreet nearby station bus'
).split(' ')
const PLACES = ['The blue door on Cedar Street', 'Community centre, 2nd floor', 'Back room of the bookshop', 'Park by the river, east gate', 'Library meeting room B']
const NAMES = ['Alice', 'Bob', 'Sami', 'Noor', 'Yusuf', 'Dana', 'Mira', 'Olek', 'Zeynep', 'Reza', 'Lena', 'Kofi']
const TAGS = ['urgent', 'weekly', 'housing', 'legal', 'health', 'food', 'newcomers', 'transport']
const CATEGORIES = ['housing', 'work', 'legal', 'health', 'money', 'food', 'other'] as const

function buildItems(doc: Y.Doc, count: number, seed: number, now: number, owner: string): number {
  const rnd = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ')
  /** Text of `min`–`max` characters, cut at a word boundary where possible. */
  const text = (min: number, max: number) => {
    const target = min + Math.floor(rnd() * (max - min + 1))
    let out = ''
    while (out.length < target) out += (out ? ' ' : '') + pick(WORDS)
    out = out.slice(0, target).trim()
    return out.charAt(0).toUpperCase() + out.slice(1) + '.'
  }
  // Ids name their owner (this device), like every new item's.
  const idFor = (i: number) => `${owner}${`seed${seed}_${String(i).padStart(6, '0')}`.padEnd(22, '_')}`
  let created = 0
  // One transaction per batch: each becomes one sealed update entry (at most 1 MiB).
  for (let batch = 0; batch < count; batch += BATCH) {
  doc.transact(() => {
    for (let i = batch; i < Math.min(count, batch + BATCH); i++) {
      const r = rnd()
      const title = text(12, 70).replace(/\.$/, '')
      const common = {
        title,
        body: text(50, 400),
        author: pick(NAMES),
        pinned: false,
        expiresAt: null,
        tags: rnd() < 0.5 ? [] : [...new Set([pick(TAGS), pick(TAGS)])],
      }
      const createdAt = now - (count - i) * 60_000
      const day = 24 * 3600_000
      let draft: ItemDraft
      if (r < 0.3) draft = { kind: 'notice', ...common }
      else if (r < 0.5) {
        const start = now + Math.floor((rnd() - 0.3) * 60) * day
        draft = { kind: 'event', ...common, start, end: start + 2 * 3600_000, place: pick(PLACES) }
      } else if (r < 0.6) {
        const start = now + (1 + Math.floor(rnd() * 60)) * day
        draft = { kind: 'meeting', ...common, start, end: start + 2 * 3600_000, place: pick(PLACES), access: `Ask for ${pick(NAMES)}, code word: ${pick(WORDS)}` }
      } else if (r < 0.85) {
        draft = { kind: 'aid', ...common, aidType: rnd() < 0.5 ? 'offer' : 'request', category: pick(CATEGORIES), status: rnd() < 0.8 ? 'open' : 'taken' }
      } else {
        draft = { kind: 'resource', ...common, contact: `+1 555 ${String(1000 + Math.floor(rnd() * 9000))}, ${words(3)}`, notes: rnd() < 0.5 ? '' : text(20, 120) }
      }
      const result = createItem(doc, draft, createdAt, idFor(i))
      if (!result.ok) throw new Error(`seed item ${i} invalid: ${JSON.stringify(result.errors)}`)
      created++
    }
  })
  }
  return created
}

/** Items per transaction (≈ 30 KB of update each). */
const BATCH = 50

async function main(): Promise<void> {
  const invite = parseInvite(process.env.HEARTH_SEED_INVITE ?? '')
  if (!invite.ok) throw new Error(`bad invite: ${invite.error}`)
  const signaling = process.env.HEARTH_SEED_SIGNALING
  if (!signaling) throw new Error('HEARTH_SEED_SIGNALING is required')
  const count = Number(process.env.HEARTH_SEED_COUNT ?? '10000')
  const seed = Number(process.env.HEARTH_SEED ?? '1')

  if (invite.version !== 3) throw new Error('this seeder joins with an invitation (version 3 invite)')
  const { room, password } = deriveTransportKeys(invite.transportSecret)
  const invitation = await deriveInvitation(invite.invitationSecret)

  const sealedDoc = new Y.Doc()
  const keys = await generateDeviceKeys()
  const signer = await importDeviceSigner(keys)
  const board = new SealedBoard(sealedDoc, {
    boardId: invite.boardId,
    signer,
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    contentKeys: [],
    transport: invite.transportSecret,
    request: { key: invitation.requestKey },
    rules: BOARD_RULES,
  })
  await board.start()
  await board.request('Seeder', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })

  const wrtc = (await import('@roamhq/wrtc')).default as unknown as WrtcLike
  // It proves itself a member device once let in, as the app does (the browser's status counts it as one).
  const proof = presenceProof({ sealed: board, signer, room, transport: invite.transportSecret, as: 'member' })
  const sync = connectBoard({ doc: sealedDoc, room, password, signaling: [signaling], wrtc, proof })
  board.onCircleChange(() => sync.recheckPeers())
  write({ event: 'status', status: sync.status })
  sync.onStatus((status) => write({ event: 'status', status }))

  // Let in by the inviter's device, then write.
  await new Promise<void>((resolve) => {
    const check = () => {
      if (board.standing === 'member' && board.keys.contentKeys().length > 0) resolve()
      else setTimeout(check, 50)
    }
    check()
  })
  const started = Date.now()
  const created = buildItems(board.readable, count, seed, Date.now(), board.myTag)
  await board.flush()
  write({
    event: 'built',
    items: created,
    bytes: Y.encodeStateAsUpdate(sealedDoc).byteLength,
    entries: sealedDoc.getMap('entries').size,
    ms: Date.now() - started,
  })

  const exit = () => {
    sync.destroy()
    board.destroy()
    sealedDoc.destroy()
    setTimeout(() => process.exit(0), 100)
  }
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'exit') exit()
  })
  process.stdin.on('end', exit)
}

main().catch((err: unknown) => {
  write({ event: 'error', error: String(err instanceof Error ? err.stack : err) })
  process.exit(1)
})
