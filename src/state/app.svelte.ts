import {
  DEFAULT_SETTINGS,
  Hearth,
  fetchServerConfig,
  loadSettings,
  ownSignalingUrl,
  planNetwork,
  saveSettings,
  type BoardId,
  type BoardRecord,
  type DeviceSettings,
  type JoinResult,
} from '../app/index.ts'
import { BoardState } from './board.svelte.ts'
import { i18n } from './i18n.svelte.ts'

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
  readonly hearth: Hearth
  readonly #serverConfig: ReturnType<typeof fetchServerConfig>

  constructor() {
    this.settings = loadSettings()
    this.#serverConfig = fetchServerConfig(location.href)
    this.hearth = new Hearth({
      appUrl: () => location.origin + location.pathname,
      network: async () => planNetwork(ownSignalingUrl(location), await this.#serverConfig, this.settings),
    })
  }

  /** The signaling servers this app may contact (for the runtime CSP). */
  async signalingUrls(): Promise<string[]> {
    const plan = planNetwork(ownSignalingUrl(location), await this.#serverConfig, this.settings)
    return [...plan.signaling]
  }

  async start(): Promise<void> {
    i18n.init(this.settings.language, navigator.languages)
    window.addEventListener('hashchange', () => this.#followHash())
    await this.refreshBoards()
    this.#followHash()
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
    if (route.name === 'board') void this.#openBoard(route.id)
    else this.#closeBoardView()
  }

  async refreshBoards(): Promise<void> {
    this.boards = await this.hearth.listBoards()
    this.boardsLoaded = true
  }

  async #openBoard(id: BoardId): Promise<void> {
    if (this.board?.session.id === id) return
    this.#closeBoardView()
    this.openingBoard = id
    this.boardError = null
    try {
      const session = await this.hearth.openBoard(id)
      const record = (await this.hearth.registry.get(id)) ?? session.record
      if (this.route.name === 'board' && this.route.id === id) this.board = new BoardState(session, record)
    } catch {
      this.boardError = 'board_missing'
    } finally {
      if (this.openingBoard === id) this.openingBoard = null
    }
  }

  #closeBoardView(): void {
    this.board?.destroy()
    this.board = null
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

  inviteLink(record: BoardRecord): string {
    return this.hearth.inviteLink(record)
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
