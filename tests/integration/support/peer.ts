/**
 * A second Hearth peer in its own process (y-webrtc allows one provider per
 * room per process). Reads one JSON command per stdin line, answers one JSON
 * line per command on stdout: `{ id, ok: true, ...result }` or `{ id, ok: false, error }`.
 * Status changes are pushed as `{ event: 'status', status }`.
 */
import { createInterface } from 'node:readline'
import * as Y from 'yjs'
import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import { connectBoard, type BoardSync } from '../../../src/sync/board-sync.ts'
import type { WrtcLike } from '../../../src/sync/types.ts'
import { fillBoard, items, summarize } from './board-fixture.ts'

Object.assign(globalThis, { WebSocket })

// y-webrtc decrypts signaling with `decryptJson(...).then(...)` and no catch, so a
// message sealed with another password becomes an unhandled rejection, which
// ends a Node process. Count those (the wrong-password story asserts on them)
// and let anything else still fail loudly.
process.on('unhandledRejection', (reason) => {
  if (reason instanceof Error && reason.name === 'OperationError') {
    write({ event: 'decrypt-failure' })
    return
  }
  console.error('[peer] unhandled rejection', reason)
  process.exit(1)
})

const doc = new Y.Doc()
let sync: BoardSync | null = null

function write(line: unknown): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

type Command =
  | { cmd: 'connect'; room: string; password: string; signaling: string[]; raw?: boolean; maxMessageSize?: number }
  | { cmd: 'fill'; count: number; prefix?: string }
  | { cmd: 'set'; key: string; value: unknown }
  | { cmd: 'summary' }
  | { cmd: 'status' }
  | { cmd: 'disconnect' }
  | { cmd: 'reconnect' }
  | { cmd: 'exit' }

function handle(command: Command): Record<string, unknown> {
  switch (command.cmd) {
    case 'connect': {
      sync = connectBoard({ doc, room: command.room, password: command.password, signaling: command.signaling, wrtc: wrtc as unknown as WrtcLike, ...(command.maxMessageSize ? { maxMessageSize: command.maxMessageSize } : {}) })
      sync.onStatus((status) => write({ event: 'status', status }))
      return { status: sync.status }
    }
    case 'fill':
      fillBoard(doc, command.count, command.prefix)
      return summarize(doc) as unknown as Record<string, unknown>
    case 'set':
      items(doc).set(command.key, command.value)
      return {}
    case 'summary':
      return { ...summarize(doc), keys: [...items(doc).keys()].sort() }
    case 'status':
      return { status: sync?.status ?? null }
    case 'disconnect':
      sync?.disconnect()
      return {}
    case 'reconnect':
      sync?.reconnect()
      return {}
    case 'exit':
      sync?.destroy()
      setTimeout(() => process.exit(0), 50)
      return {}
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let id: unknown = null
  try {
    const message = JSON.parse(line) as Command & { id: unknown }
    id = message.id
    write({ id, ok: true, ...handle(message) })
  } catch (err) {
    write({ id, ok: false, error: String(err) })
  }
})
process.stdin.on('end', () => process.exit(0))
write({ event: 'ready' })
