/**
 * Membership over real y-webrtc: every person's device is a child process
 * running the app layer (Hearth, BoardSession, the sealed engine) against
 * Hearth's own signaling server on 127.0.0.1. What a device shows is what
 * its own engine decided from the signed entries it received.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../../src/server/server.ts'
import { Device, eventually, killAllDevices, type DeviceState } from './device-support/device-process.ts'

let server: Awaited<ReturnType<typeof startServer>>

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, staticDir: null })
})
/** The devices of the running test: a timeout describes them all, since the one waited on is seldom the one at fault. */
const present: Device[] = []

afterEach(async () => {
  present.length = 0
  await killAllDevices()
})
afterAll(async () => {
  await killAllDevices()
  await server?.close()
})

async function person(name: string): Promise<Device> {
  const d = new Device(name)
  present.push(d)
  await d.request({ cmd: 'init', signaling: [server.signalingUrl] })
  return d
}

const member = (s: DeviceState, name: string) => s.members.find((m) => m.name === name)
const until = (d: Device, board: string, check: (s: DeviceState) => boolean, what: string, ms = 60_000) =>
  eventually(async () => check(await d.state(board)), ms, `${d.name}: ${what}`, async () => {
    const described: Record<string, unknown> = {}
    for (const other of [d, ...present.filter((p) => p !== d && !p.ended)]) {
      const s = await other.state(board, 5_000).catch((e: unknown) => ({ error: String(e) }))
      described[other.name] =
        'error' in s
          ? s
          : { standing: s.standing, titles: s.titles, members: s.members.map((m) => [m.name, m.role, m.removed]), requests: s.requests, status: s.status, epoch: s.epoch, counts: s.counts, sealedBytes: s.sealedBytes, failure: s.failure }
    }
    return described
  })

/** Ana founds a board; each name is invited by Ana's link, joins, and is let in by Ana's device. */
async function circle(...names: string[]) {
  const ana = await person('Ana')
  const { boardId } = await ana.request<{ boardId: string }>({ cmd: 'create', name: 'Night shelter rota', displayName: 'Ana' })
  const devices = [ana]
  for (const name of names) {
    const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId })
    const d = await person(name)
    await d.request({ cmd: 'join', link, name })
    await until(d, boardId, (s) => s.standing === 'member' && s.members.length === devices.length + 1, 'let in')
    devices.push(d)
  }
  return { boardId, devices }
}

describe('admission', () => {
  it('Bob opens Ana’s invitation, waits seeing nothing, and is let in by Ana’s device; both see him, admitted and invited by Ana', async () => {
    const ana = await person('Ana')
    const { boardId } = await ana.request<{ boardId: string }>({ cmd: 'create', name: 'Night shelter rota', displayName: 'Ana' })
    await ana.request({ cmd: 'post', boardId, title: 'Keys are with Noor', body: 'Before 8 pm' })
    const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId })
    expect(link).toMatch(/^http:\/\/hearth\.test\/#\/join\//)
    const bob = await person('Bob')
    await bob.request({ cmd: 'join', link, name: 'Bob' })
    await until(bob, boardId, (s) => s.standing === 'member' && s.titles.includes('Keys are with Noor'), 'let in, reads the board')
    await bob.request({ cmd: 'post', boardId, title: 'I can do Tuesdays', body: '' })
    await until(ana, boardId, (s) => s.titles.includes('I can do Tuesdays'), 'Bob’s post')
    const s = await ana.state(boardId)
    expect(member(s, 'Bob')).toMatchObject({ role: 'member', admittedBy: s.me, removed: false })
  })

  it('Mallory holds the used invitation: she waits forever, holds no key, and nothing readable reaches her', async () => {
    const ana = await person('Ana')
    const { boardId } = await ana.request<{ boardId: string }>({ cmd: 'create', name: 'Night shelter rota', displayName: 'Ana' })
    await ana.request({ cmd: 'post', boardId, title: 'Members only: the back door code', body: '4711' })
    const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId })
    const bob = await person('Bob')
    await bob.request({ cmd: 'join', link, name: 'Bob' })
    await until(bob, boardId, (s) => s.standing === 'member', 'let in')
    // The same link, a second time; and a link that expired at once.
    const mallory = await person('Mallory')
    await mallory.request({ cmd: 'join', link, name: 'Mallory' })
    const { link: expired } = await ana.request<{ link: string }>({ cmd: 'invite', boardId, expiresInMs: 1 })
    const mallory2 = await person('Mallory again')
    await new Promise((r) => setTimeout(r, 50))
    await mallory2.request({ cmd: 'join', link: expired, name: 'Mallory' })
    await until(mallory, boardId, (s) => s.status.peers > 0 && s.sealedBytes > 1000, 'connected, holding the sealed board')
    await until(ana, boardId, (s) => s.requests.length === 2, 'both requests seen')
    // Long enough for any device to have admitted her, had it wanted to.
    await new Promise((r) => setTimeout(r, 12_000))
    for (const m of [mallory, mallory2]) {
      const s = await m.state(boardId)
      expect(s.standing).toBe('waiting')
      expect(s.heldKeys).toBe(0)
      expect(s.titles).toEqual([])
      expect(s.sealedText).not.toContain('back door')
      expect(s.sealedText).not.toContain('Night shelter')
    }
    expect((await ana.state(boardId)).members.map((m) => m.name)).toEqual(['Ana', 'Bob'])
  })

  it('a newcomer waits while the inviter is offline, and a moderator’s device lets her in', async () => {
    const { boardId, devices } = await circle('Mo', 'Bob')
    const [ana, mo, bob] = devices as [Device, Device, Device]
    await ana.request({ cmd: 'role', boardId, member: (await mo.state(boardId)).me, role: 'moderator' })
    await until(mo, boardId, (s) => member(s, 'Mo')?.role === 'moderator', 'is a moderator')
    const { link } = await bob.request<{ link: string }>({ cmd: 'invite', boardId })
    await bob.kill()
    const carol = await person('Carol')
    await carol.request({ cmd: 'join', link, name: 'Carol' })
    await until(carol, boardId, (s) => s.standing === 'member', 'let in by a moderator', 90_000)
    const s = await ana.state(boardId)
    expect(member(s, 'Carol')?.admittedBy).not.toBe(member(s, 'Bob')?.id)
  })
})

describe('removal', () => {
  it('Eve is removed while offline; back online she reads nothing new, and nothing she writes is accepted anywhere', async () => {
    const { boardId, devices } = await circle('Bob', 'Eve')
    const [ana, bob, eve] = devices as [Device, Device, Device]
    await ana.request({ cmd: 'post', boardId, title: 'Before', body: '' })
    await until(eve, boardId, (s) => s.titles.includes('Before'), 'sees the first post')
    const oldEpoch = (await eve.state(boardId)).epoch
    await eve.request({ cmd: 'online', boardId, online: false })
    const eveId = (await eve.state(boardId)).me
    await ana.request({ cmd: 'remove', boardId, member: eveId })
    await until(bob, boardId, (s) => s.epoch !== oldEpoch && member(s, 'Eve')?.removed === true, 'new keys; Eve removed')
    await ana.request({ cmd: 'post', boardId, title: 'After Eve: new meeting place', body: 'Garden gate' })
    await eve.request({ cmd: 'post', boardId, title: 'Eve writes while offline', body: '' })
    await eve.request({ cmd: 'online', boardId, online: true })
    await until(eve, boardId, (s) => s.standing === 'removed', 'learns she was removed', 90_000)
    await until(bob, boardId, (s) => s.titles.includes('After Eve: new meeting place'), 'the post after the removal')
    await new Promise((r) => setTimeout(r, 5000))
    const e = await eve.state(boardId)
    expect(e.titles).not.toContain('After Eve: new meeting place')
    expect(e.sealedText).not.toContain('Garden gate')
    expect(e.epoch).toBe(oldEpoch)
    expect(e.heldKeys).toBe(1)
    for (const d of [ana, bob]) expect((await d.state(boardId)).titles).not.toContain('Eve writes while offline')
  })

  it('Alice removes Eve while Eve removes Alice, both moderators: every device ends with Alice in and Eve out', async () => {
    const { boardId, devices } = await circle('Alice', 'Eve', 'Bob')
    const [ana, alice, eve, bob] = devices as [Device, Device, Device, Device]
    for (const d of [alice, eve]) await ana.request({ cmd: 'role', boardId, member: (await d.state(boardId)).me, role: 'moderator' })
    for (const d of [alice, eve]) await until(d, boardId, (s) => member(s, 'Alice')?.role === 'moderator' && member(s, 'Eve')?.role === 'moderator', 'both moderators')
    const aliceId = (await alice.state(boardId)).me
    const eveId = (await eve.state(boardId)).me
    for (const d of [alice, eve]) await d.request({ cmd: 'online', boardId, online: false })
    await Promise.all([alice.request({ cmd: 'remove', boardId, member: eveId }), eve.request({ cmd: 'remove', boardId, member: aliceId })])
    for (const d of [alice, eve]) await d.request({ cmd: 'online', boardId, online: true })
    for (const d of [ana, alice, bob]) await until(d, boardId, (s) => member(s, 'Eve')?.removed === true && member(s, 'Alice')?.removed === false, 'Alice in, Eve out', 120_000)
    // Membership is decided by the removals themselves; the keys that follow come in rotation entries of their
    // own, which may reach a device a moment later: every device ends on one epoch.
    const epochs = () => Promise.all([ana, alice, bob].map(async (d) => (await d.state(boardId)).epoch))
    await eventually(async () => new Set(await epochs()).size === 1, 60_000, 'one key epoch on Ana’s, Alice’s and Bob’s devices', epochs)
    expect(new Set(await epochs()).size).toBe(1)
    await until(eve, boardId, (s) => s.standing === 'removed', 'Eve sees she is out', 120_000)
  })

  it('Bob links his laptop; it is lost, and Bob removes it from his phone: the laptop reads nothing new', async () => {
    const { boardId, devices } = await circle('Bob')
    const [ana, bob] = devices as [Device, Device]
    const { link } = await bob.request<{ link: string }>({ cmd: 'invite', boardId, purpose: 'device' })
    const laptop = await person('Bob’s laptop')
    await laptop.request({ cmd: 'join', link, name: 'Bob' })
    await until(laptop, boardId, (s) => s.standing === 'member', 'linked')
    await until(ana, boardId, (s) => member(s, 'Bob')?.devices.length === 2 && s.members.length === 2, 'Bob with two devices, one member')
    const laptopTag = (await laptop.state(boardId)).me
    await bob.request({ cmd: 'removeDevice', boardId, device: laptopTag })
    await until(ana, boardId, (s) => s.epoch === null || s.heldKeys === 2, 'new keys')
    await ana.request({ cmd: 'post', boardId, title: 'After the laptop was lost', body: '' })
    await until(bob, boardId, (s) => s.titles.includes('After the laptop was lost'), 'Bob’s phone gets it')
    await until(laptop, boardId, (s) => s.standing === 'removed', 'the laptop is out', 90_000)
    expect((await laptop.state(boardId)).titles).not.toContain('After the laptop was lost')
  })
})

describe('authority', () => {
  it('Eve’s tampered app rewrites, deletes, pins and renames: no device — Carol arriving later included — shows any of it, and only Eve is named', async () => {
    const { boardId, devices } = await circle('Alice', 'Eve')
    const [ana, alice, eve] = devices as [Device, Device, Device]
    const { item: id } = await alice.request<{ item: string }>({ cmd: 'post', boardId, title: 'Safe meeting at the café', body: 'Ask for Samir' })
    await until(eve, boardId, (s) => s.titles.includes('Safe meeting at the café'), 'sees Alice’s post')
    await eve.request({ cmd: 'tamper', boardId, what: 'edit', item: id, title: 'Meeting cancelled' })
    await eve.request({ cmd: 'tamper', boardId, what: 'pin', item: id })
    await eve.request({ cmd: 'tamper', boardId, what: 'rename', item: id, title: 'Eve’s board' })
    await eve.request({ cmd: 'tamper', boardId, what: 'delete', item: id })
    const eveId = (await eve.state(boardId)).me
    for (const d of [ana, alice]) await until(d, boardId, (s) => (s.counts.forbidden_edit ?? 0) >= 3 && (s.counts.forbidden_delete ?? 0) >= 1, 'refused Eve’s four changes')
    const { link } = await ana.request<{ link: string }>({ cmd: 'invite', boardId })
    const carol = await person('Carol')
    await carol.request({ cmd: 'join', link, name: 'Carol' })
    await until(carol, boardId, (s) => s.standing === 'member' && s.titles.includes('Safe meeting at the café'), 'let in, reads the board')
    for (const d of [ana, alice, carol, eve]) {
      const s = await d.state(boardId)
      const item = s.items.find((i) => i.id === id)
      expect(item, d.name).toMatchObject({ title: 'Safe meeting at the café', body: 'Ask for Samir', pinned: false })
      expect(s.boardName, d.name).toBe('Night shelter rota')
      expect(s.failure).toBeNull()
    }
    for (const d of [ana, alice]) expect((await d.state(boardId)).suspects).toEqual([eveId])
  })
})
