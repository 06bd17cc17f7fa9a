/**
 * One peer of the scale figure, in its own process (y-webrtc allows one
 * provider per room per process). One JSON command per stdin line, one JSON
 * reply per line on stdout: `{ id, ok: true, ...result }` or `{ id, ok: false, error }`.
 *
 * Modes: `hearth` = Hearth's connectBoard (password-sealed signaling, chunked
 * data channels) with items written by core's createItem; `plain` = a plain
 * WebrtcProvider with `Y.Map.set` of the same fields. Both count every
 * message y-webrtc hands to simple-peer (`Peer.prototype.send`).
 */
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import * as Y from 'yjs'
import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import { WebrtcProvider } from 'y-webrtc'
import { createItem, itemsMap } from '../../src/core/index.ts'
import { connectBoard, type BoardSync } from '../../src/sync/board-sync.ts'
import type { WrtcLike } from '../../src/sync/types.ts'

Object.assign(globalThis, { WebSocket })

// Same module instance y-webrtc imports (CommonJS cache).
const Peer = createRequire(import.meta.url)('simple-peer/simplepeer.min.js') as { prototype: { send(chunk: Uint8Array): void } }
const counters = { messages: 0, bytes: 0, failed: 0, failure: '' }
const originalSend = Peer.prototype.send
Peer.prototype.send = function (chunk: Uint8Array) {
  counters.messages++
  counters.bytes += chunk.byteLength
  try {
    return originalSend.call(this, chunk)
  } catch (err) {
    // y-webrtc swallows it and the message is lost: counted, so a mesh that does not converge can say why.
    counters.failed++
    counters.failure ||= String(err).slice(0, 200)
    throw err
  }
}

// Exits normally when the bench stops it, so that `NODE_OPTIONS=--cpu-prof` writes each peer's profile.
process.on('SIGTERM', () => process.exit(0))

process.on('unhandledRejection', (reason) => {
  write({ event: 'error', error: String(reason) })
})

let doc = new Y.Doc()
let sync: BoardSync | null = null
let plain: WebrtcProvider | null = null
const waiters: { count: number; resolve: (at: number) => void }[] = []

function write(line: unknown): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

function watchItems(): void {
  itemsMap(doc).observe(() => {
    const size = itemsMap(doc).size
    const at = Date.now()
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (size >= waiters[i]!.count) waiters.splice(i, 1)[0]!.resolve(at)
    }
  })
}
watchItems()

function connectedPeers(): number {
  if (sync) return sync.status.peers
  const room = plain?.room as unknown as { webrtcConns: Map<string, { connected: boolean }> } | null
  let n = 0
  for (const c of room?.webrtcConns.values() ?? []) if (c.connected) n++
  return n
}

type Command =
  | { cmd: 'connect'; mode: 'hearth' | 'plain'; room: string; password: string; signaling: string[] }
  | { cmd: 'peers' }
  | { cmd: 'post'; count: number; prefix: string }
  | { cmd: 'wait'; count: number }
  | { cmd: 'stats' }
  | { cmd: 'leave' }

async function handle(c: Command): Promise<Record<string, unknown>> {
  switch (c.cmd) {
    case 'connect':
      if (c.mode === 'hearth') {
        sync = connectBoard({ doc, room: c.room, password: c.password, signaling: c.signaling, wrtc: wrtc as unknown as WrtcLike })
      } else {
        plain = new WebrtcProvider(c.room, doc, { signaling: c.signaling, peerOpts: { wrtc } })
      }
      return {}
    case 'peers':
      return { peers: connectedPeers() }
    case 'post': {
      const now = Date.now()
      const at = now
      for (let i = 0; i < c.count; i++) {
        const fields = {
          kind: 'aid',
          title: `${c.prefix} ${i}: spare room for two nights`,
          body: 'Quiet flat, near the tram. Message first; bring your own bedding if you can.',
          author: c.prefix,
          aidType: 'offer',
          category: 'housing',
          status: 'open',
          pinned: false,
          tags: ['housing'],
          expiresAt: null,
        }
        if (sync) {
          const r = createItem(doc, fields, now)
          if (!r.ok) throw new Error(JSON.stringify(r.errors))
        } else {
          itemsMap(doc).set(`${c.prefix}-${i}`, { ...fields, createdAt: now, updatedAt: now })
        }
      }
      return { at }
    }
    case 'wait': {
      const size = itemsMap(doc).size
      const at = size >= c.count ? Date.now() : await new Promise<number>((resolve) => waiters.push({ count: c.count, resolve }))
      return { at }
    }
    case 'stats': {
      const result = { ...counters, items: itemsMap(doc).size, stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('base64') }
      counters.messages = 0
      counters.bytes = 0
      counters.failed = 0
      counters.failure = ''
      return result
    }
    case 'leave':
      sync?.destroy()
      plain?.destroy()
      sync = null
      plain = null
      doc.destroy()
      doc = new Y.Doc()
      watchItems()
      return {}
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let id: unknown = null
  try {
    const message = JSON.parse(line) as Command & { id: unknown }
    id = message.id
    handle(message).then(
      (result) => write({ id, ok: true, ...result }),
      (err: unknown) => write({ id, ok: false, error: String(err) }),
    )
  } catch (err) {
    write({ id, ok: false, error: String(err) })
  }
})
process.stdin.on('end', () => process.exit(0))
write({ event: 'ready' })
