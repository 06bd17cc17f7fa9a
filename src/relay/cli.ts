import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import type { WrtcLike } from '../sync/index.ts'
import { addBoard } from './add-board.ts'
import { Relay } from './relay.ts'
import { parseRelayConfig, RELAY_USAGE } from './relay-config.ts'
import { RelayStore } from './relay-store.ts'

/**
 * `npm run relay`: an always-on blind relay for Hearth boards (see
 * docs/SELF_HOSTING.md). It logs one JSON line per event on stdout — board
 * ids and states, never content, room ids, secrets or peers' addresses.
 */

// y-webrtc's signaling runs on the WebSocket global, which Node 20 lacks.
Object.assign(globalThis, { WebSocket })

const line = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ at: new Date().toISOString(), ...o }) + '\n')

async function main(): Promise<void> {
  const parsed = parseRelayConfig(process.argv.slice(2), process.env)
  if (!parsed.ok) {
    console.error(`hearth relay: ${parsed.error}\n\n${RELAY_USAGE}`)
    process.exit(2)
  }
  const { config } = parsed
  if (config.command.name === 'help') {
    process.stdout.write(RELAY_USAGE)
    return
  }
  // Everything the relay writes (database, its journal, the store key) is for its own user only.
  process.umask(0o077)
  const store = RelayStore.open(config.dataDir, config.keyFile)
  const command = config.command
  if (command.name === 'add') {
    const added = await addBoard(store, { link: command.link, name: command.relayName, signaling: config.signaling, limits: config.limits, now: Date.now() })
    store.close()
    if (!added.ok) {
      console.error(`hearth relay: ${added.error}`)
      process.exit(1)
    }
    process.stdout.write(`Added board ${added.record.id}. The running relay asks to be let in within a few seconds; a moderator's device lets it in when it is online.\n`)
    return
  }
  if (command.name === 'list') {
    const usage = store.usage()
    for (const r of store.boards()) {
      const state = r.admittedAt === undefined ? 'waiting to be let in' : 'carrying'
      const rooms = r.epochs.filter((e) => e.leftAt === undefined).length
      process.stdout.write(`${r.id}  ${state}, ${rooms} room${rooms === 1 ? '' : 's'}, ${usage.get(r.id)?.bytes ?? 0} bytes stored\n`)
    }
    store.close()
    return
  }
  if (command.name === 'remove') {
    const known = store.hasBoard(command.board)
    if (known) store.removeBoard(command.board)
    store.close()
    if (!known) {
      console.error(`hearth relay: no board ${command.board} (see list)`)
      process.exit(1)
    }
    process.stdout.write(`Removed board ${command.board} and everything stored for it.\n`)
    return
  }

  process.on('unhandledRejection', (reason) => {
    // y-webrtc: a signaling message it cannot decrypt (another board's room, a stale peer) rejects unhandled.
    if (reason instanceof Error && reason.name === 'OperationError') return
    console.error('hearth relay: unhandled rejection', reason)
    process.exit(1)
  })
  const relay = await Relay.start({
    store,
    limits: config.limits,
    wrtc: wrtc as unknown as WrtcLike,
    log: (event) => {
      if (event.event !== 'stored' || config.verbose) line(event)
    },
  })
  line({ event: 'ready', boards: relay.boards.length })
  let stopping = false
  const stop = (): void => {
    if (stopping) process.exit(1)
    stopping = true
    void relay
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
