/**
 * One person's device running the real app layer (Hearth, BoardSession, the
 * sealed engine, y-webrtc, y-indexeddb on fake-indexeddb) in its own process,
 * driven by JSON lines over stdio: `{ id, ok: true, ...result }` or
 * `{ id, ok: false, error }`. The membership and authority stories use it:
 * what each device decides is what the app decides.
 *
 * `tamper` writes straight into the readable board, as an informant's
 * modified app would: the device's own engine seals it (and refuses it,
 * like every honest device).
 */
import 'fake-indexeddb/auto'
import { createInterface } from 'node:readline'
import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { Hearth, type BoardSession } from '../../../src/app/index.ts'
import { deleteItem, metaMap, readItems, readMeta, setPinned, updateItem, type ItemId } from '../../../src/core/index.ts'
import type { BoardId } from '../../../src/crypto/index.ts'
import { Keyring } from '../../../src/storage/index.ts'
import type { WrtcLike } from '../../../src/sync/types.ts'

Object.assign(globalThis, { WebSocket })

function write(line: unknown): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

process.on('unhandledRejection', (reason) => {
  if (reason instanceof Error && reason.name === 'OperationError') return // y-webrtc: a signaling message it cannot open
  console.error(`[${process.env.HEARTH_PEER ?? 'device'}] unhandled rejection`, reason)
  process.exit(1)
})

let hearth: Hearth | null = null
let signaling: string[] = []
const sessions = new Map<string, BoardSession>()

function need(): Hearth {
  if (!hearth) throw new Error('init first')
  return hearth
}

async function session(boardId: string): Promise<BoardSession> {
  let s = sessions.get(boardId)
  if (!s) {
    s = await need().openBoard(boardId as BoardId)
    sessions.set(boardId, s)
  }
  return s
}

function state(s: BoardSession) {
  const d = s.sealed.diagnostics
  return {
    standing: s.sealed.standing,
    me: s.me,
    boardName: readMeta(s.doc).name,
    items: readItems(s.doc).map((i) => ({ id: i.id, title: i.title, body: i.body, pinned: i.pinned })),
    titles: readItems(s.doc)
      .map((i) => i.title)
      .sort(),
    members: s.sealed.members().map((m) => ({ id: m.id, name: m.name, role: m.role, removed: m.removed, equivocated: m.equivocated, devices: m.devices.map((x) => x.tag), admittedBy: m.admittedBy })),
    requests: s.sealed.circle.openRequests().map((r) => ({ hash: r.hash, name: r.name })),
    epoch: s.sealed.epoch?.key ?? null,
    heldKeys: s.sealed.keys.contentKeys().length,
    status: s.syncStatus,
    counts: Object.fromEntries(d.counts),
    events: d.events.map((e) => ({ reason: e.reason, key: e.key, author: e.author })),
    suspects: [...d.suspects()].sort(),
    sealedBytes: Y.encodeStateAsUpdate(s.sealed.sealed).byteLength,
    entryKeys: [...s.sealed.sealed.getMap('entries').keys()].sort(),
    sealedText: Buffer.from(Y.encodeStateAsUpdate(s.sealed.sealed)).toString('latin1'),
    failure: s.sealed.failure?.message ?? null,
  }
}

type Command = { cmd: string; [key: string]: unknown }

async function handle(c: Command): Promise<Record<string, unknown>> {
  const str = (k: string) => String(c[k])
  switch (c.cmd) {
    case 'init': {
      signaling = c.signaling as string[]
      const keyring = await Keyring.open({ kdfLogN: 10 })
      hearth = new Hearth({
        registry: keyring,
        network: async () => ({ signaling, iceServers: [], relayOnly: false }),
        appUrl: () => (typeof c.appUrl === 'string' ? c.appUrl : 'http://hearth.test/'),
        wrtc: wrtc as unknown as WrtcLike,
      })
      return {}
    }
    case 'create': {
      const r = await need().createBoard({ name: str('name'), description: '', displayName: str('displayName') })
      if (!r.ok) throw new Error(JSON.stringify(r.errors))
      await session(r.record.id)
      return { boardId: r.record.id }
    }
    case 'invite': {
      const s = await session(str('boardId'))
      const link = await s.invite({ uses: Number(c.uses ?? 1), expiresAt: c.expiresInMs === null ? null : Date.now() + Number(c.expiresInMs ?? 86_400_000), purpose: (c.purpose as 'member' | 'device' | 'relay') ?? 'member', ask: Boolean(c.ask) })
      return { link }
    }
    case 'join': {
      const r = await need().joinBoard(str('link'), str('name'))
      if (!r.ok) throw new Error(r.error)
      await session(r.record.id)
      return { boardId: r.record.id }
    }
    case 'post': {
      const s = await session(str('boardId'))
      const r = await s.createItem({ kind: 'notice', title: str('title'), body: str('body'), author: 'x', tags: [], pinned: false, expiresAt: null })
      if (!r.ok) throw new Error(JSON.stringify(r.errors))
      return { item: r.value.id }
    }
    case 'edit': {
      const s = await session(str('boardId'))
      const r = await s.updateItem(str('item') as ItemId, { title: str('title') })
      return { ok: r.ok }
    }
    case 'delete':
      return { deleted: await (await session(str('boardId'))).deleteItem(str('item') as ItemId) }
    case 'pin':
      return { pinned: await (await session(str('boardId'))).setPinned(str('item') as ItemId, true) }
    case 'tamper': {
      const s = await session(str('boardId'))
      const id = str('item') as ItemId
      if (c.what === 'edit') updateItem(s.doc, id, { title: str('title'), body: 'Changed by someone else' }, Date.now())
      else if (c.what === 'delete') deleteItem(s.doc, id)
      else if (c.what === 'pin') setPinned(s.doc, id, true)
      else if (c.what === 'rename') s.doc.transact(() => metaMap(s.doc).set('name', str('title')))
      await s.flush()
      return {}
    }
    case 'remove': {
      const s = await session(str('boardId'))
      await s.removeMember(str('member'))
      return {}
    }
    case 'removeDevice': {
      const s = await session(str('boardId'))
      await s.removeDevices([str('device')])
      return {}
    }
    case 'role': {
      const s = await session(str('boardId'))
      await s.setRole(str('member'), c.role as 'founder' | 'moderator' | 'member')
      return {}
    }
    case 'online': {
      const s = await session(str('boardId'))
      s.setOnline(Boolean(c.online))
      return {}
    }
    case 'admit': {
      const s = await session(str('boardId'))
      await s.admit(str('hash'))
      return {}
    }
    case 'state':
      return state(await session(str('boardId')))
    case 'probe': {
      const s = await session(str('boardId'))
      const race = (p: Promise<unknown>) => Promise.race([p.then(() => 'done'), new Promise((r) => setTimeout(() => r('stuck'), 2000))])
      return { sealed: await race(s.sealed.flush()), session: await race(s.flush()), pending: s.sealed.pendingCount() }
    }
    case 'exit':
      await need().closeAll()
      setTimeout(() => process.exit(0), 50)
      return {}
    default:
      throw new Error(`unknown command ${c.cmd}`)
  }
}

let chain: Promise<void> = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  chain = chain.then(async () => {
    let id: unknown = null
    try {
      const message = JSON.parse(line) as Command & { id: unknown }
      id = message.id
      write({ ...(await handle(message)), id, ok: true })
    } catch (err) {
      write({ id, ok: false, error: String(err instanceof Error ? (err.stack ?? err.message) : err) })
    }
  })
})
process.stdin.on('end', () => process.exit(0))
write({ event: 'ready' })
