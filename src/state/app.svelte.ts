import {
  BoardOpenElsewhereError,
  ChunkUnavailableError,
  DEFAULT_SETTINGS,
  DeviceLock,
  Hearth,
  fetchServerConfig,
  isStorageRefusal,
  knownSignaling,
  loadChunk,
  onWipeElsewhere,
  ownSignalingUrl,
  panicWipe,
  planNetwork,
  type BoardId,
  type BoardRecord,
  type DeviceSettings,
  type IceServer,
  type JoinResult,
  type Look,
  type NetworkPlan,
  type NetworkSettings,
  type ServerConfig,
  type SetDuressResult,
  type SetPassphraseResult,
  type WipeKind,
  type WipeReport,
} from '../app/index.ts'
import { tick } from 'svelte'
import { BoardHandles } from './board-handles.ts'
import type { BoardState } from './board.svelte.ts'
import { i18n } from './i18n.svelte.ts'
import { LockState } from './lock.svelte.ts'
import { SessionMemory } from './session-memory.ts'
import { retriable } from '../chunks/retriable.ts'

/** The device refused to save a change (it is full, or storage is refused): nothing changed. */
export type NotSaved = { readonly ok: false; readonly error: 'storage' }

/** A storage refusal as the result NotSaved; anything else thrown on. */
function notSaved(err: unknown): NotSaved {
  if (isStorageRefusal(err)) return { ok: false, error: 'storage' }
  throw err
}

export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'new-board' }
  | { readonly name: 'join'; readonly invite?: string }
  | { readonly name: 'settings' }
  | { readonly name: 'board'; readonly id: BoardId }

/**
 * Parses the URL fragment. A board is named by a handle that means something
 * only to this page (see BoardHandles); an unknown one (after a reload) means
 * the board opened last (`last`), or home when there is none.
 */
export function parseRoute(hash: string, idOf: (handle: string) => BoardId | null = () => null, last: BoardId | null = null): Route {
  const path = hash.replace(/^#/, '')
  if (path.startsWith('/join/')) return { name: 'join', invite: '#' + path }
  if (path === '/join') return { name: 'join' }
  if (path === '/new') return { name: 'new-board' }
  if (path === '/settings') return { name: 'settings' }
  const board = /^\/board\/([A-Za-z0-9_-]{1,64})$/.exec(path)
  const id = board && (idOf(board[1]!) ?? last)
  if (id) return { name: 'board', id }
  return { name: 'home' }
}

export function routeHash(route: Route, handleOf: (id: BoardId) => string): string {
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
      return `#/board/${handleOf(route.id)}`
  }
}

export interface AppHooks {
  /** Narrows the page's connect-src to these signaling servers (main.ts); called once, before any board connects. */
  readonly restrictConnections?: (signaling: readonly string[]) => void
}

/** A board's state and its items' model: a chunk of its own, tried again under a URL of its own after a failure (chunks/retriable.ts). */
const importBoardState = retriable(() => import('./board.svelte.ts'))

/** The whole app as the UI sees it: which screen, which boards, which board is open. */
export class AppState {
  route = $state.raw<Route>({ name: 'home' })
  boards = $state.raw<readonly BoardRecord[]>([])
  boardsLoaded = $state(false)
  /**
   * A board whose leaving did not finish, as the list says it: the device
   * refused to save that it was left (full). It stays on the list, and can be
   * left again from there.
   */
  leaveUnfinished = $state.raw<{ readonly id: BoardId; readonly name: string } | null>(null)
  board = $state.raw<BoardState | null>(null)
  /** Set while a board is loading from disk, so the UI never shows it empty by mistake. */
  openingBoard = $state<BoardId | null>(null)
  boardError = $state<'board.openElsewhere' | 'board.missing' | 'board.unavailable' | null>(null)
  settings = $state.raw<DeviceSettings>(DEFAULT_SETTINGS)
  updateAvailable = $state(false)
  #applyUpdate: (() => Promise<void>) | null = null
  #hearth: Hearth | null = null
  readonly #hooks: AppHooks
  /** The operator's extra signaling servers this run may use: the keyring's list, known once it opens (see knownSignaling). */
  #operatorSignaling: readonly string[] = []
  /** What the latest /config.json listed, to keep in the keyring (now, or once unlocked). */
  #configSignaling: readonly string[] | null = null
  /** The operator's STUN/TURN servers, once /config.json has answered (TURN credentials are fresh each start). */
  #operatorIce: readonly IceServer[] = []
  #connectionsRestricted = false
  #wipedThisRun = false
  /** This page's names for boards in the address bar. */
  readonly #handles = new BoardHandles()

  constructor(hooks: AppHooks = {}) {
    this.#hooks = hooks
    // In the background, with a timeout: nothing on screen waits for it.
    void fetchServerConfig(location.href).then((config) => config && this.#configArrived(config))
  }

  /** The device's boards; available once `start()` has run. */
  get hearth(): Hearth {
    if (!this.#hearth) throw new Error('Hearth is not started')
    return this.#hearth
  }

  #plan(): NetworkPlan {
    return planNetwork(ownSignalingUrl(location), { signaling: this.#operatorSignaling, iceServers: this.#operatorIce }, this.settings)
  }

  /** Boards already open get the operator's ICE servers now; a changed signaling list applies from the next start. */
  #configArrived(config: ServerConfig): void {
    this.#operatorIce = config.iceServers
    this.#configSignaling = config.signaling
    void this.#keepConfigSignaling()
    this.#hearth?.updateNetwork(this.#plan())
  }

  /** Keeps the operator's signaling list in the keyring when it changed — never after a wipe this run (the device must stay empty). */
  async #keepConfigSignaling(): Promise<void> {
    const listed = this.#configSignaling
    if (!listed || this.locked || this.#wipedThisRun || this.deviceLock.locked || this.deviceLock.firstRun) return
    const known = this.deviceLock.settings().operatorSignaling
    if (listed.length === known.length && listed.every((url, i) => url === known[i])) return
    await this.deviceLock.saveSettings({ operatorSignaling: [...listed] }).catch(() => undefined)
  }

  /** Reads the device file and the keyring before the app mounts: the language and the look are known for its first frame. */
  async prepare(): Promise<void> {
    await this.deviceLock.ready()
    await this.deviceLock.materialize()
    await this.#applyPrefs()
  }

  async start(): Promise<void> {
    this.#hearth = new Hearth({
      registry: this.deviceLock.registry,
      appUrl: () => location.origin + location.pathname,
      network: async () => this.#plan(),
      // A newcomer let in, a rename: the list shows the name the keyring now has.
      onRecordsChanged: () => {
        if (!this.locked && this.boardsLoaded) void this.refreshBoards().catch(() => undefined)
      },
    })
    window.addEventListener('hashchange', () => this.#followHash())
    this.security.attach(window)
    // A phone may kill a hidden app without warning: remember now what was seen.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void this.#rememberSeen()
    })
    onWipeElsewhere({ started: () => void this.#letGo(), finished: () => void this.#fresh().catch(() => undefined) })
    await this.#openKeyring()
    this.#followHash()
  }

  // ── Device lock, first run and wipes ────────────────────────────────────
  /** The keyring and the device file, through app/ (src/app/device-lock.ts). */
  readonly deviceLock = new DeviceLock()
  /** While true the UI shows only the lock screen: nothing of any board, not even names. */
  locked = $state(false)
  hasPassphrase = $state(false)
  /** Whether a duress passphrase is set (known only while unlocked). */
  hasDuress = $state(false)
  /** Nothing kept on this device yet, and the person has not answered the first-run question. */
  askPassphrase = $state(false)
  /**
   * Someone made or joined their first board without answering it (on the
   * list and the join screen the question follows what they came to do):
   * asked again on that board's first screen only, the newcomer's waiting
   * screen or the founder's empty board.
   */
  askAgain = $state<'waiting' | 'founding' | null>(null)
  /** The first-run question was answered with a passphrase just now (the screen says so, until the next screen). */
  passphraseJustSet = $state(false)
  /** How the app presents itself on this device (the installed app's name and icon follow it). */
  look = $state<Look>('hearth')
  /** The panic-wipe confirmation is open. */
  wipeAsked = $state(false)
  wiping = $state(false)
  /** Drafts and expired-meeting traces: this tab's memory only, forgotten on lock and wipe. */
  readonly memory = new SessionMemory()
  /** Auto-lock, lock when hidden, the veil, and the panic shortcut. */
  readonly security = new LockState({
    active: () => this.hasPassphrase && !this.locked,
    lock: () => void this.lock(),
    panic: (ask) => this.panic(ask),
    save: (lock) => void this.deviceLock.saveSettings({ lock }).catch(() => undefined),
  })

  async #applyPrefs(): Promise<void> {
    const prefs = this.deviceLock.prefs
    this.look = prefs.look
    await i18n.init(prefs.language, navigator.languages)
    this.settings = { ...this.settings, language: prefs.language }
  }

  async #openKeyring(): Promise<void> {
    await this.deviceLock.ready()
    await this.#applyPrefs()
    this.hasPassphrase = this.deviceLock.hasPassphrase
    this.locked = this.deviceLock.locked
    this.askPassphrase = this.deviceLock.firstRun
    if (!this.locked) await this.#unlocked()
    this.security.restart()
  }

  /** The keyring is open: the person's settings apply, the page's connections are narrowed, the boards are listed. */
  async #unlocked(): Promise<void> {
    const kept = this.deviceLock.settings()
    this.settings = { ...kept.network, language: this.deviceLock.prefs.language }
    this.#operatorSignaling = knownSignaling(kept.operatorSignaling)
    this.hasDuress = this.deviceLock.hasDuress()
    this.security.use(kept.lock)
    if (!this.#connectionsRestricted) {
      this.#connectionsRestricted = true
      this.#hooks.restrictConnections?.(this.#plan().signaling)
    }
    void this.#keepConfigSignaling()
    await this.refreshBoards()
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
    this.leaveUnfinished = null
    this.hasDuress = false
    this.route = { name: 'home' }
    // The address bar must not keep pointing at a board while locked.
    if (location.hash && location.hash !== '#/') history.replaceState(null, '', location.pathname + location.search + '#/')
    await seen
    await this.hearth.closeAll()
    this.deviceLock.lock()
  }

  /**
   * The lock screen's passphrase. The duress passphrase wipes everything
   * (the installed app stays) and answers like a right one: the screen then
   * shows a fresh first run, as on a device that never had Hearth data.
   */
  async unlock(passphrase: string): Promise<{ readonly ok: boolean }> {
    const outcome = await this.deviceLock.unlock(passphrase)
    if (outcome === 'wrong') return { ok: false }
    if (outcome === 'duress') {
      await this.#wipe('duress')
      return { ok: true }
    }
    this.locked = false
    await this.#unlocked()
    this.security.restart()
    this.#followHash()
    return { ok: true }
  }

  /** Sets, changes or (with null) removes the passphrase; `storage`: the device refused to save it (it is full), and nothing changed. */
  async setPassphrase(passphrase: string | null): Promise<SetPassphraseResult | NotSaved> {
    const result = await this.deviceLock.setPassphrase(passphrase).catch(notSaved)
    this.hasPassphrase = this.deviceLock.hasPassphrase
    this.hasDuress = this.deviceLock.hasDuress()
    if (result.ok) {
      this.passphraseJustSet = this.askPassphrase || this.askAgain !== null
      this.askPassphrase = false
      this.askAgain = null
    }
    this.security.restart()
    return result
  }

  /** Sets or (with null) clears the duress passphrase; `storage` as for setPassphrase. */
  async setDuress(duress: string | null): Promise<SetDuressResult | NotSaved> {
    const result = await this.deviceLock.setDuress(duress).catch(notSaved)
    this.hasDuress = this.deviceLock.hasDuress()
    return result
  }

  /** The first run's "Not now": device mode, asked no more (until the next first run). */
  skipPassphrase(): void {
    this.askPassphrase = false
    this.askAgain = null
  }

  setLook(look: Look): void {
    this.look = look
    void this.deviceLock.setPrefs({ look })
  }

  /** The panic button or shortcut: asks first when the person wants that (or `ask`: the shortcut also closed windows), else wipes at once. */
  panic(ask = false): void {
    if (this.wiping || this.wipeAsked) return
    if (this.security.settings.confirmWipe || ask) this.wipeAsked = true
    else void this.wipe()
  }

  /** Destroys every byte Hearth keeps on this device, then shows a fresh first-run app. */
  wipe(): Promise<WipeReport> {
    return this.#wipe('panic')
  }

  async #wipe(kind: WipeKind): Promise<WipeReport> {
    // The duress wipe is silent: the lock screen stays, "Unlocking…", until the fresh app shows.
    if (kind === 'panic') this.wiping = true
    this.#wipedThisRun = true
    this.wipeAsked = false
    this.#closeBoardView()
    this.memory.clear()
    this.boards = []
    let fresh: Promise<void> | null = null
    // After a panic wipe the fresh screen shows as soon as the data is gone; the duress wipe's
    // fresh start writes the device file again, so it waits until the wipe has checked that nothing is left.
    const onDataGone = kind === 'panic' ? () => void (fresh = this.#fresh(kind)) : undefined
    try {
      return await panicWipe({ lock: this.deviceLock, hearth: this.#hearth, kind, ...(onDataGone ? { onDataGone } : {}) })
    } finally {
      // The data is gone whether or not the fresh start can open the device afresh: where it cannot (a
      // browser whose signatures could not be fetched: CannotRun.svelte), the next start does, as a first one.
      await (fresh ?? this.#fresh(kind)).catch(() => undefined)
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
    await this.deviceLock.close()
  }

  /**
   * The state of a first run, in memory. After a panic wipe nothing is
   * written; after the duress wipe the device file and the empty database are
   * made again, as a fresh install's first start makes them.
   */
  async #fresh(kind: WipeKind = 'panic'): Promise<void> {
    this.settings = DEFAULT_SETTINGS
    this.security.forget()
    this.locked = false
    this.hasPassphrase = false
    this.hasDuress = false
    this.wipeAsked = false
    this.boards = []
    this.boardsLoaded = true
    this.boardError = null
    this.#handles.clear()
    history.replaceState(null, '', location.pathname + '#/')
    this.route = { name: 'home' }
    this.passphraseJustSet = false
    this.askAgain = null
    try {
      await this.deviceLock.ready()
      if (kind === 'duress') await this.deviceLock.materialize()
      await this.#applyPrefs()
      this.askPassphrase = this.deviceLock.firstRun
    } finally {
      this.wiping = false
    }
  }

  // ── Routes ───────────────────────────────────────────────────────────────
  /** The address of a board for this page (a handle, never its id: see parseRoute). */
  boardHref(id: BoardId): string {
    return routeHash({ name: 'board', id }, (b) => this.#handles.handleOf(b))
  }

  #followHash(): void {
    // The list is most recently opened first.
    const route = parseRoute(location.hash, (h) => this.#handles.idOf(h), this.boards[0]?.id ?? null)
    if (route.name === 'join' && route.invite) {
      // Never leave a board secret in the address bar or the history.
      history.replaceState(null, '', location.pathname + location.search + '#/join')
    }
    this.#show(route)
  }

  navigate(route: Route): void {
    const hash = routeHash(route, (id) => this.#handles.handleOf(id))
    if (location.hash !== hash) history.pushState(null, '', hash)
    this.#show(route)
  }

  #show(route: Route): void {
    this.route = route
    // Said on the screen where it was set, not again on every later one (where it would take the focus).
    this.passphraseJustSet = false
    if (route.name === 'board' && !this.locked) void this.#openBoard(route.id)
    else {
      void this.#rememberSeen()
      this.#closeBoardView()
    }
  }

  async refreshBoards(): Promise<void> {
    this.boards = await this.hearth.listBoards()
    this.boardsLoaded = true
    if (!this.deviceLock.firstRun) this.askPassphrase = false
  }

  async #openBoard(id: BoardId): Promise<void> {
    if (this.board?.session.id === id) return
    void this.#rememberSeen()
    this.#closeBoardView()
    this.openingBoard = id
    this.boardError = null
    try {
      // The board's state (with the items' model and Yjs) is a chunk of its own, loaded meanwhile: the first script stays small.
      const [session, { BoardState }] = await Promise.all([this.hearth.openBoard(id), loadChunk(importBoardState)])
      const record = (await this.hearth.registry.get(id)) ?? session.record
      if (this.route.name === 'board' && this.route.id === id && !this.locked) {
        const board = new BoardState(session, record, this.memory, record.lastSeenAt ?? null)
        // A large board's items are read in slices, then rendered: the first
        // few cards in one task, the rest of the page in the next.
        await board.prime()
        await new Promise((resolve) => setTimeout(resolve, 0))
        if (this.route.name !== 'board' || this.route.id !== id || this.locked || this.board) {
          board.destroy()
          return
        }
        const shownFrom = performance.now()
        this.board = board
        await tick()
        // What the first cards cost, with the board view around them, sizes the list's next steps.
        board.firstShown(performance.now() - shownFrom)
        await new Promise((resolve) => setTimeout(resolve, 0))
        if (this.board === board) board.fillPage()
        await this.hearth.registry.update(id, { lastSeenAt: Date.now() })
      }
    } catch (e) {
      this.boardError = e instanceof BoardOpenElsewhereError ? 'board.openElsewhere' : e instanceof ChunkUnavailableError ? 'board.unavailable' : 'board.missing'
    } finally {
      if (this.openingBoard === id) this.openingBoard = null
    }
  }

  /** Opens the board on screen again, after a part of the app it needs could not be fetched (`board.unavailable`). */
  retryBoard(): void {
    if (this.route.name === 'board' && !this.board) void this.#openBoard(this.route.id)
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
    const asked = this.askPassphrase
    const result = await this.hearth.createBoard(input)
    if (result.ok) {
      await this.refreshBoards()
      this.askAgain = asked && !this.deviceLock.hasPassphrase ? 'founding' : null
      this.navigate({ name: 'board', id: result.record.id })
    }
    return result
  }

  async joinBoard(invite: string, displayName: string): Promise<JoinResult> {
    const asked = this.askPassphrase
    const result = await this.hearth.joinBoard(invite, displayName)
    if (result.ok) {
      await this.refreshBoards()
      this.askAgain = asked && !this.deviceLock.hasPassphrase ? 'waiting' : null
      this.navigate({ name: 'board', id: result.record.id })
    }
    return result
  }

  /**
   * Leaves a board and shows the list. On a device that refused to save that
   * the board was left (full), the list keeps it and says so (leaveUnfinished):
   * its records may already be deleted, its keys not yet.
   */
  async leaveBoard(id: BoardId): Promise<void> {
    const name = this.boards.find((b) => b.id === id)?.name ?? ''
    if (this.board?.session.id === id) this.#closeBoardView()
    try {
      await this.hearth.leaveBoard(id)
      if (this.leaveUnfinished?.id === id) this.leaveUnfinished = null
    } catch (err) {
      if (!isStorageRefusal(err)) throw err
      this.leaveUnfinished = { id, name }
    }
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

  /** Language choices still being written to the device file (the choice shows as busy meanwhile). */
  languageSaving = $state(0)

  /** A language chosen could not be loaded (offline before the app was ever cached): said until the next choice or dismissed. */
  languageUnavailable = $state(false)

  /**
   * The language, kept in the device file (readable before unlocking, so the
   * lock screen speaks it too). Its messages load first (a chunk of their
   * own, from the cache once the app is installed); if they cannot be, the
   * language on screen stays and `languageUnavailable` says so.
   */
  async setLanguage(locale: string): Promise<'switched' | 'unavailable' | 'superseded'> {
    this.languageSaving++
    try {
      const outcome = await i18n.set(locale)
      // Superseded by another choice meanwhile: that one says how it went.
      if (outcome === 'superseded') return outcome
      this.languageUnavailable = outcome === 'unavailable'
      if (outcome === 'unavailable') return outcome
      this.settings = { ...this.settings, language: i18n.current }
      // A failed write leaves the language as it is on screen; it is asked again on the next choice.
      await this.deviceLock.setPrefs({ language: i18n.current }).catch(() => undefined)
      return outcome
    } finally {
      this.languageSaving--
    }
  }

  /** Saves network settings in the keyring. They take effect on reload, because the page's CSP was fixed at start. */
  async saveNetworkSettings(network: NetworkSettings): Promise<void> {
    this.settings = { ...this.settings, ...network }
    await this.deviceLock.saveSettings({ network })
  }

  offerUpdate(apply: () => Promise<void>): void {
    this.#applyUpdate = apply
    this.updateAvailable = true
  }

  async applyUpdate(): Promise<void> {
    await this.#applyUpdate?.()
  }
}
