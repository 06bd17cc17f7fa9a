import {
  BoardOpenElsewhereError,
  DEFAULT_SETTINGS,
  Hearth,
  fetchServerConfig,
  loadKnownSignaling,
  loadSettings,
  ownSignalingUrl,
  planNetwork,
  saveKnownSignaling,
  saveSettings,
  type BoardId,
  type BoardRecord,
  type DeviceSettings,
  type IceServer,
  type JoinResult,
  type NetworkPlan,
  type ServerConfig,
  Keyring,
  onWipeElsewhere,
  wipeDevice,
  type SetPassphraseResult,
  type UnlockResult,
  type WipeReport,
} from '../app/index.ts'
import { BoardState } from './board.svelte.ts'
import { i18n } from './i18n.svelte.ts'
import { LockState } from './lock.svelte.ts'
import { SessionMemory } from './session-memory.ts'

export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'new-board' }
  | { readonly name: 'join'; readonly invite?: string }
  | { readonly name: 'settings' }
  | { readonly name: 'board'; readonly id: BoardId }

/** Parses the URL fragment. An invite in the fragment is taken out of the address bar at once. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '')
  if (path.startsWith('/join/')) return { name: 'join', invite: '#' + path }
  if (path === '/join') return { name: 'join' }
  if (path === '/new') return { name: 'new-board' }
  if (path === '/settings') return { name: 'settings' }
  const board = /^\/board\/([A-Za-z0-9_-]{10,64})$/.exec(path)
  if (board) return { name: 'board', id: board[1] as BoardId }
  return { name: 'home' }
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/'
    case 'new-board':
      return '#/new'
    case 'join':
      return '#/join'
    case 'settings':
      return '#/settings'
    case 'board':
      return `#/board/${route.id}`
  }
}

/** The whole app as the UI sees it: which screen, which boards, which board is open. */
export class AppState {
  route = $state.raw<Route>({ name: 'home' })
  boards = $state.raw<readonly BoardRecord[]>([])
  boardsLoaded = $state(false)
  board = $state.raw<BoardState | null>(null)
  /** Set while a board is loading from disk, so the UI never shows it empty by mistake. */
  openingBoard = $state<BoardId | null>(null)
  boardError = $state<string | null>(null)
  settings = $state.raw<DeviceSettings>(DEFAULT_SETTINGS)
  updateAvailable = $state(false)
  #applyUpdate: (() => Promise<void>) | null = null
  #hearth: Hearth | null = null
  /** The operator's extra signaling servers this run may use: known at start, never waited for (see loadKnownSignaling). */
  readonly #operatorSignaling: readonly string[]
  /** The operator's STUN/TURN servers, once /config.json has answered (TURN credentials are fresh each start). */
  #operatorIce: readonly IceServer[] = []
  #wipedThisRun = false

  constructor() {
    this.settings = loadSettings()
    this.#operatorSignaling = loadKnownSignaling()
    // In the background, with a timeout: nothing on screen waits for it.
    void fetchServerConfig(location.href).then((config) => config && this.#configArrived(config))
  }

  /** The device's boards; available once `start()` has opened the keyring. */
  get hearth(): Hearth {
    if (!this.#hearth) throw new Error('Hearth is not started')
    return this.#hearth
  }

  /** The signaling servers this app may contact (for the runtime CSP), known without the network. */
  signalingUrls(): string[] {
    return [...this.#plan().signaling]
  }

  #plan(): NetworkPlan {
    return planNetwork(ownSignalingUrl(location), { signaling: this.#operatorSignaling, iceServers: this.#operatorIce }, this.settings)
  }

  /** Boards already open get the operator's ICE servers now; a changed signaling list applies from the next start. */
  #configArrived(config: ServerConfig): void {
    this.#operatorIce = config.iceServers
    const known = this.#operatorSignaling
    const changed = config.signaling.length !== known.length || config.signaling.some((url, i) => url !== known[i])
    // After a wipe this run nothing is written: the device must stay empty.
    if (changed && !this.#wipedThisRun) saveKnownSignaling(config.signaling)
    this.#hearth?.updateNetwork(this.#plan())
  }

  async start(): Promise<void> {
    i18n.init(this.settings.language, navigator.languages)
    this.#hearth = await Hearth.open({
      registry: this.keyring,
      appUrl: () => location.origin + location.pathname,
      network: async () => this.#plan(),
    })
    window.addEventListener('hashchange', () => this.#followHash())
    this.security.attach(window)
    // A phone may kill a hidden app without warning: remember now what was seen.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void this.#rememberSeen()
    })
    onWipeElsewhere({ started: () => void this.#letGo(), finished: () => void this.#fresh() })
    await this.#openKeyring()
    this.#followHash()
  }

  // ── Device lock and panic wipe ──────────────────────────────────────────
  /** Everything secret on this device, sealed (src/storage/keyring.ts). */
  readonly keyring = new Keyring()
  /** While true the UI shows only the lock screen: nothing of any board, not even names. */
  locked = $state(false)
  hasPassphrase = $state(false)
  /** The panic-wipe confirmation is open. */
  wipeAsked = $state(false)
  wiping = $state(false)
  /** Drafts and expired-meeting traces: this tab's memory only, forgotten on lock and wipe. */
  readonly memory = new SessionMemory()
  /** Auto-lock, lock when hidden, and the panic shortcut. */
  readonly security = new LockState({
    active: () => this.hasPassphrase && !this.locked,
    lock: () => void this.lock(),
    panic: () => this.panic(),
  })

  async #openKeyring(): Promise<void> {
    await this.keyring.ready()
    this.hasPassphrase = this.keyring.hasPassphrase
    this.locked = this.keyring.state === 'locked'
    if (!this.locked) await this.refreshBoards()
    this.security.restart()
  }

  /** Locks now: hides everything, closes every board session, and forgets the keys. Only with a passphrase. */
  async lock(): Promise<void> {
    if (!this.hasPassphrase || this.locked) return
    this.locked = true
    const seen = this.#rememberSeen()
    this.#closeBoardView()
    this.memory.clear()
    this.boards = []
    this.boardsLoaded = false
    this.route = { name: 'home' }
    // The address bar must not keep pointing at a board while locked.
    if (location.hash && location.hash !== '#/') history.replaceState(null, '', location.pathname + location.search + '#/')
    await seen
    await this.hearth.closeAll()
    this.keyring.lock()
  }

  async unlock(passphrase: string): Promise<UnlockResult> {
    const result = await this.keyring.unlock(passphrase)
    if (!result.ok) return result
    this.locked = false
    await this.refreshBoards()
    this.security.restart()
    this.#followHash()
    return result
  }

  /** Sets, changes or (with null) removes the passphrase. */
  async setPassphrase(passphrase: string | null): Promise<SetPassphraseResult> {
    const result = await this.keyring.setPassphrase(passphrase)
    this.hasPassphrase = this.keyring.hasPassphrase
    this.security.restart()
    return result
  }

  /** The panic button or shortcut: asks first when the person wants that, else wipes at once. */
  panic(): void {
    if (this.wiping || this.wipeAsked) return
    if (this.security.settings.confirmWipe) this.wipeAsked = true
    else void this.wipe()
  }

  /** Destroys every byte Hearth keeps on this device, then shows a fresh first-run app. */
  async wipe(): Promise<WipeReport> {
    this.wiping = true
    this.#wipedThisRun = true
    this.wipeAsked = false
    this.#closeBoardView()
    this.memory.clear()
    this.boards = []
    let fresh: Promise<void> | null = null
    try {
      // Close this page's own connections first, so no deletion waits for them.
      // (Timings go to the Performance timeline as hearth:wipe:* measures.)
      performance.mark('hearth:wipe')
      await this.#hearth?.closeAll()
      performance.measure('hearth:wipe:close-sessions', 'hearth:wipe')
      await this.keyring.close()
      performance.measure('hearth:wipe:close-keyring', 'hearth:wipe')
      const report = await wipeDevice({ onDataGone: () => void (fresh = this.#fresh()) })
      performance.measure('hearth:wipe:delete', 'hearth:wipe')
      return report
    } finally {
      await (fresh ?? this.#fresh())
    }
  }

  /** Another tab is wiping: let go of everything at once so its deletions are not blocked. */
  async #letGo(): Promise<void> {
    this.wiping = true
    this.#wipedThisRun = true
    this.#closeBoardView()
    this.memory.clear()
    this.boards = []
    await this.#hearth?.closeAll()
    await this.keyring.close()
  }

  /** The state of a first run, in memory (storage was wiped: nothing is read or written here). */
  async #fresh(): Promise<void> {
    this.settings = DEFAULT_SETTINGS
    this.security.forget()
    i18n.init(null, navigator.languages)
    this.locked = false
    this.hasPassphrase = false
    this.wipeAsked = false
    this.boards = []
    this.boardsLoaded = true
    this.boardError = null
    history.replaceState(null, '', location.pathname + '#/')
    this.route = { name: 'home' }
    // Storage is empty now: this makes a new identity in memory and writes nothing until a board is made.
    await this.keyring.ready()
    this.wiping = false
  }

  #followHash(): void {
    const route = parseRoute(location.hash)
    if (route.name === 'join' && route.invite) {
      // Never leave a board secret in the address bar or the history.
      history.replaceState(null, '', location.pathname + location.search + '#/join')
    }
    this.#show(route)
  }

  navigate(route: Route): void {
    const hash = routeHash(route)
    if (location.hash !== hash) history.pushState(null, '', hash)
    this.#show(route)
  }

  #show(route: Route): void {
    this.route = route
    if (route.name === 'board' && !this.locked) void this.#openBoard(route.id)
    else {
      void this.#rememberSeen()
      this.#closeBoardView()
    }
  }

  async refreshBoards(): Promise<void> {
    this.boards = await this.hearth.listBoards()
    this.boardsLoaded = true
  }

  async #openBoard(id: BoardId): Promise<void> {
    if (this.board?.session.id === id) return
    void this.#rememberSeen()
    this.#closeBoardView()
    this.openingBoard = id
    this.boardError = null
    try {
      const session = await this.hearth.openBoard(id)
      const record = (await this.hearth.registry.get(id)) ?? session.record
      if (this.route.name === 'board' && this.route.id === id && !this.locked) {
        this.board = new BoardState(session, record, this.memory, record.lastSeenAt ?? null)
        await this.hearth.registry.update(id, { lastSeenAt: Date.now() })
      }
    } catch (e) {
      this.boardError = e instanceof BoardOpenElsewhereError ? 'board.openElsewhere' : 'board.missing'
    } finally {
      if (this.openingBoard === id) this.openingBoard = null
    }
  }

  #closeBoardView(): void {
    this.board?.destroy()
    this.board = null
  }

  /**
   * Records in the keyring (encrypted, never plain localStorage) that the
   * person has looked at the open board until now, so that next time the
   * posts that came after are marked new. Never during a wipe.
   */
  async #rememberSeen(): Promise<void> {
    const board = this.board
    if (!board || this.wiping) return
    await this.hearth.registry.update(board.session.id, { lastSeenAt: Date.now() }).catch(() => undefined)
  }

  async createBoard(input: { name: string; description: string; displayName: string }) {
    const result = await this.hearth.createBoard(input)
    if (result.ok) {
      await this.refreshBoards()
      this.navigate({ name: 'board', id: result.record.id })
    }
    return result
  }

  async joinBoard(invite: string, displayName: string): Promise<JoinResult> {
    const result = await this.hearth.joinBoard(invite, displayName)
    if (result.ok) {
      await this.refreshBoards()
      this.navigate({ name: 'board', id: result.record.id })
    }
    return result
  }

  async leaveBoard(id: BoardId): Promise<void> {
    if (this.board?.session.id === id) this.#closeBoardView()
    await this.hearth.leaveBoard(id)
    await this.refreshBoards()
    this.navigate({ name: 'home' })
  }

  async setDisplayName(id: BoardId, name: string) {
    const error = await this.hearth.setDisplayName(id, name)
    if (!error) {
      const record = await this.hearth.registry.get(id)
      if (record && this.board?.session.id === id) this.board.record = record
      await this.refreshBoards()
    }
    return error
  }

  setLanguage(locale: string): void {
    i18n.set(locale)
    this.settings = { ...this.settings, language: i18n.current }
    saveSettings(this.settings)
  }

  /** Saves network settings. They take effect on reload, because the page's CSP was fixed at start. */
  saveNetworkSettings(settings: Pick<DeviceSettings, 'signaling' | 'replaceSignaling' | 'iceServers' | 'relayOnly'>): void {
    this.settings = { ...this.settings, ...settings }
    saveSettings(this.settings)
  }

  offerUpdate(apply: () => Promise<void>): void {
    this.#applyUpdate = apply
    this.updateAvailable = true
  }

  async applyUpdate(): Promise<void> {
    await this.#applyUpdate?.()
  }
}
