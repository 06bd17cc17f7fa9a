/**
 * `npm run relay` as its operator runs it: a child process started from the
 * real command line, carrying boards for circles whose devices run the app
 * layer in their own processes (real y-webrtc through Hearth's signaling
 * server on 127.0.0.1). Members are rarely online together; the relay is.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../../src/server/server.ts'
import { Device, eventually, killAllDevices, type DeviceState } from './device-support/device-process.ts'
import { addToRelay, relayDisk, RelayProcess } from './relay-support/relay-process.ts'

let server: Awaited<ReturnType<typeof startServer>>
const relays: RelayProcess[] = []
const dirs: string[] = []

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, staticDir: null })
})
afterEach(async () => {
  await killAllDevices()
  await Promise.all(relays.splice(0).map((r) => r.kill9()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
afterAll(async () => {
  await server?.close()
})

async function person(name: string): Promise<Device> {
  const d = new Device(name)
  // Links point at the server's own origin, where a relay finds the board's signaling.
  await d.request({ cmd: 'init', signaling: [server.signalingUrl], appUrl: server.url })
  return d
}

const until = (d: Device, board: string, check: (s: DeviceState) => boolean, what: string, ms = 60_000) =>
  eventually(async () => check(await d.state(board)), ms, `${d.name}: ${what}`, async () => {
    const s = await d.state(board)
    return { standing: s.standing, titles: s.titles, members: s.members.map((m) => [m.name, m.role, m.removed]), status: s.status, epoch: s.epoch, counts: s.counts, failure: s.failure }
  })

function relayDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hearth-relayd-'))
  dirs.push(d)
  return join(d, 'data')
}

function startRelay(dir: string, env: Record<string, string> = {}): RelayProcess {
  const r = new RelayProcess(dir, env)
  relays.push(r)
  return r
}

/** Ana founds a board and lets each name in; then she makes a relay link, which the operator adds to a running relay. */
async function circleWithRelay(dir: string, names: string[], env: Record<string, string> = {}) {
  const ana = await person('Ana')
  const { boardId } = await ana.request<{ boardId: string }>({ cmd: 'create', name: 'Night shelter rota', displayName: 'Ana' })
  const members: Device[] = []
  for (const name of names) {
    const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId })
    const d = await person(name)
    await d.request({ cmd: 'join', link, name })
    await until(d, boardId, (s) => s.standing === 'member', 'let in')
    members.push(d)
  }
  const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId, purpose: 'relay' })
  const added = addToRelay(dir, link, env)
  expect(added.stderr).toBe('')
  expect(added.status).toBe(0)
  const relay = startRelay(dir, env)
  await relay.waitFor((l) => l.event === 'admitted' && l.board === boardId, 60_000, 'the relay let in')
  await until(ana, boardId, (s) => s.members.some((m) => m.role === 'relay' && !m.removed), 'the relay listed as a relay')
  return { ana, boardId, members, relay }
}

/** Waits until the relay's disk holds every entry `d` holds. */
async function relayHoldsAllOf(dir: string, d: Device, board: string): Promise<void> {
  await eventually(
    async () => {
      const mine = (await d.state(board)).entryKeys
      const disk = relayDisk(dir).get(board)
      return !!disk && mine.every((k) => disk.getMap('entries').has(k))
    },
    30_000,
    `the relay's disk holding all of ${d.name}'s entries`,
  )
}

describe('an always-on relay', () => {
  it('Bob, offline while Ana posts, gets every post from the relay alone — after the relay restarted too; the status counts it as a relay, not a member', async () => {
    const dir = relayDir()
    const { ana, boardId, members, relay } = await circleWithRelay(dir, ['Bob', 'Carol'])
    const [bob, carol] = members as [Device, Device]
    for (const d of [bob, carol]) await d.request({ cmd: 'online', boardId, online: false })
    await until(ana, boardId, (s) => s.status.peers === 1 && s.status.relays === 1 && s.status.members === 0 && s.status.unverified === 0, 'connected to the relay, counted as a relay')
    const titles = ['Keys are with Noor', 'Shelter full tonight', 'Bring blankets Thursday']
    for (const title of titles) await ana.request({ cmd: 'post', boardId, title, body: 'for members only' })
    await relayHoldsAllOf(dir, ana, boardId)
    await ana.kill()

    await bob.request({ cmd: 'online', boardId, online: true })
    await until(bob, boardId, (s) => titles.every((t) => s.titles.includes(t)), 'Ana’s posts, from the relay')
    // The relay's proof that it is one travels apart from the posts: it may be counted a moment later.
    await until(bob, boardId, (s) => s.status.relays === 1, 'the relay counted as a relay')
    const b = await bob.state(boardId)
    expect(b.status).toMatchObject({ peers: 1, members: 0, relays: 1, unverified: 0 })

    // The relay restarts (an update, a reboot): it carries the board again from its disk.
    const stored = relay.lastStored(boardId)!.entries!
    await relay.stop()
    await bob.request({ cmd: 'online', boardId, online: false })
    const again = startRelay(dir)
    const opened = await again.waitFor((l) => l.event === 'opened' && l.board === boardId, 30_000, 'the board opened from disk')
    expect(opened.entries).toBeGreaterThanOrEqual(stored)
    await carol.request({ cmd: 'online', boardId, online: true })
    await until(carol, boardId, (s) => titles.every((t) => s.titles.includes(t)), 'Ana’s posts, from the restarted relay')
    await until(carol, boardId, (s) => s.status.relays === 1, 'the restarted relay counted as a relay')
    expect((await carol.state(boardId)).status).toMatchObject({ peers: 1, relays: 1, members: 0 })
  })

  it('kill -9 in the middle of a sync loses nothing the relay had acknowledged writing; what it had not, it gets again', async () => {
    const dir = relayDir()
    const { ana, boardId, members, relay } = await circleWithRelay(dir, ['Bob'])
    const [bob] = members as [Device]
    await bob.request({ cmd: 'online', boardId, online: false })
    const titles = Array.from({ length: 120 }, (_, i) => `Rota slot ${i + 1}`)
    const posting = (async () => {
      for (const title of titles) await ana.request({ cmd: 'post', boardId, title, body: '' })
    })()
    await relay.waitFor((l) => l.event === 'stored' && l.board === boardId && (l.entries ?? 0) >= 40, 60_000, '40 entries stored')
    await relay.kill9()
    const acknowledged = relay.lastStored(boardId)!.entries!
    const onDisk = relayDisk(dir).get(boardId)!.getMap('entries').size
    expect(onDisk).toBeGreaterThanOrEqual(acknowledged)
    const again = startRelay(dir)
    const opened = await again.waitFor((l) => l.event === 'opened' && l.board === boardId, 30_000, 'the board opened from disk')
    expect(opened.entries).toBeGreaterThanOrEqual(acknowledged)
    await posting
    await relayHoldsAllOf(dir, ana, boardId)
    await ana.kill()
    await bob.request({ cmd: 'online', boardId, online: true })
    await until(bob, boardId, (s) => titles.every((t) => s.titles.includes(t)), 'all 120 posts, from the relay alone', 90_000)
    console.log(`[relay kill -9] acknowledged ${acknowledged} entries, ${onDisk} on disk after the kill, ${opened.entries} when it opened again`)
  })

  it('follows a rotation and points Bob, offline through it, to the new room; once removed itself, it is shut out of what follows', async () => {
    const dir = relayDir()
    const { ana, boardId, members, relay } = await circleWithRelay(dir, ['Bob', 'Mallory'])
    const [bob, mallory] = members as [Device, Device]
    await bob.request({ cmd: 'online', boardId, online: false })
    const malloryId = (await ana.state(boardId)).members.find((m) => m.name === 'Mallory')!.id
    await ana.request({ cmd: 'remove', boardId, member: malloryId })
    await relay.waitFor((l) => l.event === 'followed' && l.board === boardId, 60_000, 'the relay following the rotation')
    await mallory.kill()
    await until(ana, boardId, (s) => s.status.relays === 1, 'the relay in the new room')
    await ana.request({ cmd: 'post', boardId, title: 'New meeting place from Friday', body: 'Ask Noor' })
    await relayHoldsAllOf(dir, ana, boardId)
    const anaState = await ana.state(boardId)

    // Bob missed the rotation: his device finds the way out in the old room (where the relay, and Ana's
    // device, keep a forwarding presence), and Ana's post in the new room from the relay alone.
    await ana.request({ cmd: 'online', boardId, online: false })
    await bob.request({ cmd: 'online', boardId, online: true })
    await until(bob, boardId, (s) => s.epoch === anaState.epoch && s.titles.includes('New meeting place from Friday'), 'the new room and Ana’s post, from the relay alone', 90_000)

    // Ana removes the relay: a rotation it is not sealed into.
    await ana.request({ cmd: 'online', boardId, online: true })
    const relayTag = anaState.members.find((m) => m.role === 'relay')!.devices[0]!
    await ana.request({ cmd: 'removeDevice', boardId, device: relayTag })
    await until(ana, boardId, (s) => s.members.some((m) => m.role === 'relay' && m.removed), 'the relay shown removed')
    const lastOf = (s: DeviceState) => Math.max(...s.entryKeys.filter((k) => k.startsWith(`${s.me}.`)).map((k) => Number(k.split('.')[1])))
    const sealedBefore = lastOf(await ana.state(boardId))
    await ana.request({ cmd: 'post', boardId, title: 'Only for the circle now', body: '' })
    // The post is on Ana's screen at once and sealed into an entry a moment later: the entry is what must not travel.
    await until(ana, boardId, (s) => lastOf(s) > sealedBefore, 'Ana’s post sealed into an entry')
    const after = await ana.state(boardId)
    const postEntry = `${after.me}.${lastOf(after)}`
    // Long enough for the relay to have followed, had it been able to.
    await new Promise((r) => setTimeout(r, 8000))
    expect(relay.lines.filter((l) => l.event === 'followed')).toHaveLength(1)
    const disk = relayDisk(dir).get(boardId)!.getMap('entries')
    expect(after.entryKeys).toContain(postEntry)
    expect(disk.has(postEntry), 'Ana’s post after the relay’s removal is not on the relay’s disk').toBe(false)
  })

  it('stops storing a board at its limit, with an error its operator can act on', async () => {
    const dir = relayDir()
    const env = { HEARTH_RELAY_BOARD_ENTRIES: '25' }
    const { ana, boardId, relay } = await circleWithRelay(dir, [], env)
    for (let i = 0; i < 30; i++) await ana.request({ cmd: 'post', boardId, title: `Notice ${i}`, body: '' })
    const paused = await relay.waitFor((l) => l.event === 'paused' && l.board === boardId, 30_000, 'the board paused')
    expect(paused.reason).toMatch(/over its limit of 25.*HEARTH_RELAY_BOARD_ENTRIES/)
    expect(relayDisk(dir).get(boardId)!.getMap('entries').size).toBeLessThanOrEqual(25)
    await until(ana, boardId, (s) => s.status.relays === 0, 'the paused relay gone from the room')
  })
})
