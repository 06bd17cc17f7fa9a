/**
 * relay: an always-on relay (`npm run relay`, a real child process) on
 * 127.0.0.1, with members whose devices run the app layer in their own
 * processes (real y-webrtc + @roamhq/wrtc through Hearth's signaling server).
 *
 * - catch-up: Ana posts 1,000 notices; Carol, offline meanwhile, catches up
 *   from Ana's device (the relay stopped) — the baseline; then Ana leaves
 *   and Bob, offline all along, catches up from the relay alone.
 * - memory and disk: a relay carrying 1, 10 and 100 boards of 100 sealed
 *   posts each (sealed by each board's founder, written to the relay's store
 *   as it would have received them), idle in their rooms: its resident
 *   memory against a relay carrying none, and its data directory's size.
 *
 *   npm run bench -- --only relay --no-write
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import { createItem } from '../../../src/core/index.ts'
import { foundedBoardId, fromBase64url, generateContentKey, generateDeviceKeys, generateTransportSecret, importAgreement, importDeviceSigner, type TransportSecret } from '../../../src/crypto/index.ts'
import { RelayStore } from '../../../src/relay/relay-store.ts'
import { SealedBoard } from '../../../src/sealed/index.ts'
import { startServer } from '../../../src/server/server.ts'
import { Device, eventually, killAllDevices } from '../../integration/device-support/device-process.ts'
import { addToRelay, RelayProcess } from '../../integration/relay-support/relay-process.ts'
import { figure, type Figure } from '../lib/figure.ts'

const POSTS = Number(process.env.BENCH_RELAY_POSTS ?? 1000)
const BOARD_COUNTS = [1, 10, 100]
const POSTS_PER_BOARD = 100
const MB = 1024 * 1024

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
const sizeOf = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0)
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function measureRelay(log: (m: string) => void): Promise<Figure[]> {
  const server = await startServer({ host: '127.0.0.1', port: 0, staticDir: null })
  const root = mkdtempSync(join(tmpdir(), 'hearth-bench-relay-'))
  const relays: RelayProcess[] = []
  try {
    const catchUp = await measureCatchUp(server, root, relays, log)
    const footprint = await measureFootprint(server.signalingUrl, root, relays, log)
    return [...catchUp, ...footprint]
  } finally {
    await killAllDevices()
    await Promise.all(relays.map((r) => r.kill9()))
    await server.close()
    rmSync(root, { recursive: true, force: true })
  }
}

async function measureCatchUp(server: Awaited<ReturnType<typeof startServer>>, root: string, relays: RelayProcess[], log: (m: string) => void): Promise<Figure[]> {
  const person = async (name: string) => {
    const d = new Device(name)
    await d.request({ cmd: 'init', signaling: [server.signalingUrl], appUrl: server.url })
    return d
  }
  const ana = await person('Ana')
  const { boardId } = await ana.request<{ boardId: string }>({ cmd: 'create', name: 'Bench board', displayName: 'Ana' })
  const others: Device[] = []
  for (const name of ['Bob', 'Carol']) {
    const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId })
    const d = await person(name)
    await d.request({ cmd: 'join', link, name })
    await eventually(async () => (await d.state(boardId)).standing === 'member', 60_000, `${name} let in`)
    await d.request({ cmd: 'online', boardId, online: false })
    others.push(d)
  }
  const [bob, carol] = others as [Device, Device]
  const dir = join(root, 'catch-up')
  const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId, purpose: 'relay' })
  if (addToRelay(dir, link).status !== 0) throw new Error('relay add failed')
  let relay = new RelayProcess(dir)
  relays.push(relay)
  await relay.waitFor((l) => l.event === 'admitted', 60_000, 'the relay let in')
  log(`relay: Ana posts ${POSTS} notices`)
  for (let i = 0; i < POSTS; i++) await ana.request({ cmd: 'post', boardId, title: `Notice ${i + 1}`, body: 'Bench post with a short body of ordinary length.' })
  const anaKeys = (await ana.state(boardId)).entryKeys.length
  await relay.waitFor((l) => l.event === 'stored' && (l.entries ?? 0) >= anaKeys, 120_000, 'every post on the relay’s disk')
  await relay.stop()

  const timeToAll = async (d: Device) => {
    const started = performance.now()
    await d.request({ cmd: 'online', boardId, online: true })
    await eventually(async () => (await d.state(boardId)).titles.length >= POSTS, 300_000, `${d.name} catching up`)
    return performance.now() - started
  }
  const fromMember = await timeToAll(carol)
  await carol.kill()
  await ana.kill()
  relay = new RelayProcess(dir)
  relays.push(relay)
  await relay.waitFor((l) => l.event === 'status' && l.state === 'searching', 60_000, 'the relay back in its room')
  const fromRelay = await timeToAll(bob)
  const status = (await bob.state(boardId)).status
  log(`relay: catch-up of ${POSTS} posts: ${fromRelay.toFixed(0)} ms from the relay alone (Bob's peers ${JSON.stringify(status)}), ${fromMember.toFixed(0)} ms from a member device`)
  await relay.stop()
  return [
    figure({
      id: 'relay-catch-up',
      label: `A member catching up ${POSTS.toLocaleString('en')} posts from a relay alone`,
      unit: 'ms',
      hearth: [fromRelay],
      baselineLabel: 'from a member device',
      baseline: [fromMember],
      note: 'from going online to every post shown, one run each; includes signaling and the WebRTC connection',
    }),
  ]
}

/** One board's sealed state: its founder's genesis and posts, as its members would have synced it to the relay. */
async function sealedBoard(i: number): Promise<{ id: string; transport: TransportSecret; state: Uint8Array }> {
  const keys = await generateDeviceKeys()
  const nonce = crypto.getRandomValues(new Uint8Array(16))
  const id = foundedBoardId(keys.signPublic, nonce)
  const transport = generateTransportSecret()
  const doc = new Y.Doc()
  const board = new SealedBoard(doc, {
    boardId: fromBase64url(id)!,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    contentKeys: [{ key: generateContentKey(), transport }],
    rules: BOARD_RULES,
    compactAfter: 1_000_000,
    compactWhenQuiet: 0,
  })
  await board.start()
  await board.found(`Board ${i}`, nonce)
  for (let p = 0; p < POSTS_PER_BOARD; p++) {
    createItem(board.readable, { kind: 'notice', title: `Notice ${p}`, body: 'Bench post with a short body of ordinary length.', author: 'x', tags: [], pinned: false, expiresAt: null }, Date.now())
    await board.flush()
  }
  const state = Y.encodeStateAsUpdate(doc)
  board.destroy()
  return { id, transport, state }
}

async function measureFootprint(signaling: string, root: string, relays: RelayProcess[], log: (m: string) => void): Promise<Figure[]> {
  log(`relay: sealing ${Math.max(...BOARD_COUNTS)} boards of ${POSTS_PER_BOARD} posts`)
  const boards: Awaited<ReturnType<typeof sealedBoard>>[] = []
  for (let i = 0; i < Math.max(...BOARD_COUNTS); i++) boards.push(await sealedBoard(i))
  const measure = async (n: number) => {
    const dir = join(root, `footprint-${n}`)
    const store = RelayStore.open(dir)
    for (const b of boards.slice(0, n)) {
      store.putBoard({ id: b.id, device: await generateDeviceKeys(), epochs: [{ transport: b.transport }], signaling: [signaling], name: 'Relay', addedAt: 0, admittedAt: 0 })
      store.append(b.id, b.state)
    }
    store.close()
    const relay = new RelayProcess(dir)
    relays.push(relay)
    await relay.waitFor((l) => l.event === 'ready', 300_000, 'the relay ready')
    await settle(5000)
    const rss = rssOf(relay.pid)
    await relay.stop()
    return { rss, disk: sizeOf(dir) }
  }
  const idle = await measure(0)
  const out: Figure[] = []
  for (const n of BOARD_COUNTS) {
    const m = await measure(n)
    log(`relay: ${n} board(s): ${(m.rss / MB).toFixed(1)} MB resident (${(idle.rss / MB).toFixed(1)} MB carrying none), ${(m.disk / MB).toFixed(2)} MB on disk`)
    out.push(
      figure({ id: `relay-memory-${n}`, label: `Relay resident memory, ${n} board${n === 1 ? '' : 's'} of ${POSTS_PER_BOARD} posts`, unit: 'MB', hearth: [m.rss / MB], baselineLabel: 'carrying no board', baseline: [idle.rss / MB] }),
      figure({ id: `relay-disk-${n}`, label: `Relay data on disk, ${n} board${n === 1 ? '' : 's'} of ${POSTS_PER_BOARD} posts`, unit: 'MB', hearth: [m.disk / MB], baselineLabel: 'carrying no board', baseline: [idle.disk / MB] }),
    )
  }
  return out
}
