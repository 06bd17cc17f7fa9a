import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { vi } from 'vitest'
import * as Y from 'yjs'
import type { BoardSession } from '../../src/app/board-session.ts'
import { Hearth } from '../../src/app/hearth.ts'
import type { BoardId } from '../../src/crypto/index.ts'
import { Keyring } from '../../src/storage/index.ts'
import { RECORDS_STORE, VAULT_DB } from '../../src/storage/vault-db.ts'

/** Time in these stories moves only when the test says so. */
export class Clock {
  #now: number
  constructor(start: number) {
    this.#now = start
  }
  readonly now = (): number => this.#now
  advance(ms: number): void {
    this.#now += ms
  }
}

/**
 * y-webrtc frees a room name only once the closed provider's key derivation
 * (PBKDF2) has finished, and one realm allows one provider per room: a phone
 * restarted within milliseconds, as only a test does, would find its own
 * board still taken. Pending derivations are tracked so `stop` can wait.
 */
const derivations = new Set<PromiseLike<unknown>>()
const isPbkdf2 = (algorithm: unknown) => algorithm === 'PBKDF2' || (algorithm as { name?: unknown } | null)?.name === 'PBKDF2'
const { importKey, deriveKey } = crypto.subtle
const track = <T>(derivation: Promise<T>): Promise<T> => {
  derivations.add(derivation)
  void derivation.finally(() => derivations.delete(derivation)).catch(() => undefined)
  return derivation
}
vi.spyOn(crypto.subtle, 'importKey').mockImplementation(function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['importKey']>) {
  const key = importKey.apply(this, args as never) as Promise<CryptoKey>
  return isPbkdf2(args[2]) ? track(key) : key
} as SubtleCrypto['importKey'])
vi.spyOn(crypto.subtle, 'deriveKey').mockImplementation(function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['deriveKey']>) {
  const key = deriveKey.apply(this, args)
  return isPbkdf2(args[0]) ? track(key) : key
})

async function roomsFreed(): Promise<void> {
  while (derivations.size > 0) await Promise.allSettled([...derivations])
  // The providers' own `then`s (which free the room names) run before this.
  await new Promise((resolve) => setImmediate(resolve))
}

/** WebRTC is never reached (no signaling servers); connectBoard only needs the shape. */
function noWrtc() {
  class Never {}
  return { RTCPeerConnection: Never, RTCSessionDescription: Never, RTCIceCandidate: Never } as never
}

/**
 * One person's phone: its own browser profile (IndexedDB), keyring and Hearth,
 * offline (no signaling servers). Board sessions keep their data in the page's
 * `indexedDB`, so whatever a phone does runs inside `act`, with its profile
 * as the page's.
 */
export class Phone {
  readonly profile = new IDBFactory()
  #hearth: Hearth | null = null

  constructor(
    readonly name: string,
    readonly clock: Clock,
  ) {}

  get running(): boolean {
    return this.#hearth !== null
  }

  get hearth(): Hearth {
    if (!this.#hearth) throw new Error(`${this.name}'s Hearth is not running`)
    return this.#hearth
  }

  /** Starts (or restarts) Hearth on this phone. */
  start(): Promise<Hearth> {
    return this.act(async () => {
      const registry = await Keyring.open({ indexedDB: this.profile })
      this.#hearth = new Hearth({
        registry,
        network: async () => ({ signaling: [], iceServers: [], relayOnly: false }),
        appUrl: () => 'http://127.0.0.1/',
        now: this.clock.now,
        wrtc: noWrtc(),
      })
      return this.#hearth
    })
  }

  /** Closes every board and the app, as when the phone is switched off. */
  async stop(): Promise<void> {
    await this.act(() => this.hearth.closeAll())
    this.#hearth = null
    await roomsFreed()
  }

  open(id: BoardId): Promise<BoardSession> {
    return this.act(() => this.hearth.openBoard(id))
  }

  /** Runs `step` with this phone's profile as the page's IndexedDB. */
  async act<T>(step: () => Promise<T>): Promise<T> {
    const page = globalThis.indexedDB
    globalThis.indexedDB = this.profile
    try {
      return await step()
    } finally {
      globalThis.indexedDB = page
    }
  }

  /** Names of the databases on this phone. */
  async databases(): Promise<string[]> {
    return (await this.profile.databases()).map((d) => d.name ?? '')
  }

  /** How many board records the device's one database holds (every board's, indistinguishable). */
  async records(): Promise<number> {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = this.profile.open(VAULT_DB)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    try {
      const count = db.transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).count()
      return await new Promise<number>((resolve, reject) => {
        count.onsuccess = () => resolve(count.result)
        count.onerror = () => reject(count.error)
      })
    } finally {
      db.close()
    }
  }
}

/**
 * What a phone sends a peer that has nothing yet: its whole sealed doc, as
 * y-webrtc's sync step 2 would. (One realm allows one y-webrtc provider per
 * room, so two phones on the same board cannot both have it open here; they
 * exchange what each sent instead.)
 */
export function sent(session: BoardSession): Uint8Array {
  return Y.encodeStateAsUpdate(session.sealed.sealed)
}

/** Takes in what a peer sent, as y-webrtc would, and waits until it is verified and on disk. */
export async function receive(phone: Phone, session: BoardSession, update: Uint8Array): Promise<void> {
  await phone.act(async () => {
    Y.applyUpdate(session.sealed.sealed, update, 'peer')
    await session.flush()
  })
}

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting until ${what}`)
}

/** `host` founds a board "Circle" (its phone started if need be, and left running). */
export async function foundBoard(host: Phone): Promise<BoardId> {
  if (!host.running) await host.start()
  const created = await host.act(() => host.hearth.createBoard({ name: 'Circle', description: '', displayName: host.name }))
  if (!created.ok) throw new Error('create failed')
  return created.record.id
}

/**
 * `host` founds a board "Circle" and makes one invitation; its phone is off
 * afterwards. Returns the board, the link and what the host's phone sent.
 */
export async function boardWithInvite(
  host: Phone,
  invitation: { uses?: number; expiresAt?: number | null; ask?: boolean; revoked?: boolean } = {},
): Promise<{ board: BoardId; link: string; fromHost: Uint8Array }> {
  const board = await foundBoard(host)
  const hosts = await host.open(board)
  const link = await host.act(() => hosts.invite({ uses: invitation.uses ?? 1, expiresAt: invitation.expiresAt ?? null, purpose: 'member', ask: invitation.ask ?? false }))
  const fromHost = sent(hosts)
  if (invitation.revoked) await host.act(() => hosts.revokeInvite(hosts.sealed.circle.invites()[0]!.id))
  await host.stop()
  return { board, link, fromHost }
}

/** `guest` joins with `link` as `name` and asks, having taken in what the host sent; its phone is off afterwards. Returns its request as sent. */
export async function askWith(guest: Phone, board: BoardId, link: string, fromHost: Uint8Array, name = guest.name): Promise<Uint8Array> {
  if (!guest.running) await guest.start()
  const joined = await guest.act(() => guest.hearth.joinBoard(link, name))
  if (!joined.ok) throw new Error(`${name} could not join: ${joined.error}`)
  const guests = await guest.open(board)
  await receive(guest, guests, fromHost)
  const request = sent(guests)
  await guest.stop()
  return request
}

/**
 * The whole way in, as two phones that are never online together would do it:
 * the host invites, the guest joins and asks (its request carried to the
 * host), the host's phone lets the guest in at once (the host made the
 * invite), and the admission is carried back. Both phones are off afterwards.
 * Two phones on one board are never open together: one realm allows one
 * y-webrtc provider per room.
 */
export async function letIn(host: Phone, guest: Phone, board: BoardId, name: string): Promise<void> {
  if (!host.running) await host.start()
  if (!guest.running) await guest.start()
  const hosts = await host.open(board)
  const link = await host.act(() => hosts.invite({ uses: 1, expiresAt: null, purpose: 'member', ask: false }))
  const fromHost = sent(hosts)
  await host.stop()

  const request = await askWith(guest, board, link, fromHost, name)

  await host.start()
  const admitting = await host.open(board)
  await receive(host, admitting, request)
  await until(`${host.name} let ${name} in`, () => admitting.sealed.members().some((m) => m.name === name && !m.removed))
  await host.act(() => admitting.flush())
  const admission = sent(admitting)
  await host.stop()

  await guest.start()
  const admitted = await guest.open(board)
  await receive(guest, admitted, admission)
  await until(`${name} holds the board's key`, async () => admitted.sealed.standing === 'member' && ((await guest.act(() => guest.hearth.registry.get(board)))?.keys?.length ?? 0) > 0)
  await guest.stop()
}
