import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { vi } from 'vitest'
import * as Y from 'yjs'
import type { BoardSession } from '../../src/app/board-session.ts'
import { Hearth } from '../../src/app/hearth.ts'
import type { BoardId } from '../../src/crypto/index.ts'
import { Keyring } from '../../src/storage/index.ts'

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

  get hearth(): Hearth {
    if (!this.#hearth) throw new Error(`${this.name}'s Hearth is not running`)
    return this.#hearth
  }

  /** Starts (or restarts) Hearth on this phone. */
  start(): Promise<Hearth> {
    return this.act(async () => {
      const registry = await Keyring.open({ indexedDB: this.profile, name: 'hearth' })
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
