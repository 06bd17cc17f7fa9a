/**
 * One Hearth "device" per peer: its own Chromium process with its own fresh
 * profile, so IndexedDB, localStorage, service workers and BroadcastChannel
 * are never shared between peers and two peers really talk WebRTC.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Host candidates carry real (loopback-machine) addresses instead of mDNS
  // names, so peers on this machine connect without an mDNS responder.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
]

export type PeerOptions = {
  /** BCP 47 locale of the browser, e.g. 'ar' or 'en-GB'. Default 'en-US'. */
  locale?: string
  viewport?: { width: number; height: number }
  /**
   * Allow service workers (default true), so the app can install its
   * precache and start offline. Pass false for tests that must always load
   * the freshest files from the server.
   */
  offlineCapable?: boolean
  /** Keep the profile directory on disk after close(), e.g. to inspect it. */
  keepProfile?: boolean
  /** Extra Chromium flags, e.g. a fake camera for invite scanning. */
  args?: string[]
}

export type Peer = {
  name: string
  /** The current context; replaced by reopen(). */
  context: BrowserContext
  /** The peer's main tab; replaced by reopen(). */
  page: Page
  profileDir: string
  /**
   * Console errors and uncaught page errors of every tab, across reopen(),
   * as "[console] …" / "[pageerror] …" lines. Errors that happen while the
   * peer is offline are marked "(offline)", since failing requests are
   * expected then.
   */
  errors: string[]
  /** Whether the peer is currently cut off (see setOffline). */
  readonly offline: boolean
  setOffline(offline: boolean): Promise<void>
  /** Waits until the main page is controlled by the app's service worker. */
  waitForServiceWorker(): Promise<void>
  /**
   * Closes the browser and starts it again on the same profile (like a phone
   * killing and relaunching the app), then opens the URL the main page was on,
   * offline again if the peer was offline. Returns the new main page.
   */
  reopen(): Promise<Page>
  close(): Promise<void>
}

/**
 * Registers every RTCPeerConnection a page uses, so that setOffline() can
 * close them. It hooks setLocalDescription (which every connection calls, as
 * offerer or answerer) instead of replacing the constructor, so the app's
 * RTCPeerConnection stays the browser's own. Installed with
 * addInitScript, which the page's CSP does not apply to.
 */
const TRACK_RTC = `(() => {
  const proto = globalThis.RTCPeerConnection && globalThis.RTCPeerConnection.prototype;
  if (!proto || globalThis.__hearthE2eRtc) return;
  const live = new Set();
  globalThis.__hearthE2eRtc = live;
  const original = proto.setLocalDescription;
  proto.setLocalDescription = function (...args) {
    live.add(this);
    return original.apply(this, args);
  };
})()`

const livePeers = new Set<Peer>()

/** Closes every peer still open, e.g. in an afterAll after a failed test. */
export async function closeAllPeers(): Promise<void> {
  await Promise.allSettled([...livePeers].map((p) => p.close()))
}

async function launchContext(profileDir: string, opts: PeerOptions): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    locale: opts.locale ?? 'en-US',
    serviceWorkers: opts.offlineCapable === false ? 'block' : 'allow',
  })
  await context.addInitScript(TRACK_RTC)
  return context
}

export async function launchPeer(name: string, opts: PeerOptions = {}): Promise<Peer> {
  const profileDir = await mkdtemp(join(tmpdir(), `hearth-e2e-${name.replace(/[^\w-]/g, '_')}-`))
  const errors: string[] = []
  let offline = false
  let context: BrowserContext
  let page: Page

  /**
   * Chromium 150 forgets the offline emulation's navigator.onLine with every
   * new document: after a reload, a navigation or a restart offline, requests
   * still fail but navigator.onLine is true again and "offline" never fires
   * (measured: tests/e2e/harness.test.ts). So each page gets a DevTools
   * session of its own that, whenever the main frame commits a new document
   * while the peer is offline, says so again with Network.overrideNetworkState
   * — which sets navigator.onLine only: blocking the network stays
   * Playwright's, so going back online unblocks everything in one step.
   * `settled` is the latest such override of each page, for reopen().
   */
  const sessions = new Map<Page, Promise<CDPSession | null>>()
  const settled = new WeakMap<Page, Promise<void>>()
  const override = (p: Page, offlineNow: boolean): Promise<void> => {
    const done = (sessions.get(p) ?? Promise.resolve(null))
      .then((s) => s?.send('Network.overrideNetworkState', { offline: offlineNow, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }))
      .then(
        () => undefined,
        () => undefined, // the page closed meanwhile
      )
    settled.set(p, done)
    return done
  }
  const follow = (p: Page) => {
    const session = p
      .context()
      .newCDPSession(p)
      .then(async (s) => {
        s.on('Page.frameNavigated', (e) => {
          if (offline && !e.frame.parentId) void override(p, true)
        })
        await s.send('Page.enable')
        return s
      })
      .catch(() => null) // the page closed at once
    sessions.set(p, session)
    p.on('close', () => sessions.delete(p))
  }

  const watch = (ctx: BrowserContext) => {
    const attach = (p: Page) => {
      follow(p)
      const mark = () => (offline ? ' (offline)' : '')
      p.on('console', (msg) => {
        if (msg.type() !== 'error') return
        const at = msg.location().url ? ` at ${msg.location().url}` : ''
        errors.push(`[console]${mark()} ${msg.text()}${at}`)
      })
      p.on('pageerror', (err) => errors.push(`[pageerror]${mark()} ${err.stack ?? err.message}`))
    }
    ctx.pages().forEach(attach)
    ctx.on('page', attach)
  }

  const start = async () => {
    context = await launchContext(profileDir, opts)
    watch(context)
    page = context.pages()[0] ?? (await context.newPage())
  }

  await start()

  const peer: Peer = {
    name,
    get context() {
      return context
    },
    get page() {
      return page
    },
    profileDir,
    errors,
    get offline() {
      return offline
    },

    /**
     * Cuts the peer off from (or reconnects it to) everything, as if its
     * phone lost signal. Measured on Chromium 156 with two peer processes
     * (see tests/e2e/harness.test.ts):
     *
     * context.setOffline(true) alone:
     * - cuts: HTTP fetches, including the service worker's own network
     *   fetches (its cache still answers, so the app can start offline),
     *   new WebSocket connections, and new WebRTC connections (ICE stays in
     *   "checking"); navigator.onLine becomes false and "offline" fires.
     * - does NOT close an open WebSocket: it stays OPEN and its messages,
     *   both ways, are held back and delivered once back online.
     * - does NOT cut an open RTCDataChannel at all: messages keep flowing
     *   both ways and ICE stays "connected".
     *
     * So this also closes every RTCPeerConnection the peer's pages opened
     * (tracked by TRACK_RTC above); the remote side sees the channel close.
     * While offline none can be re-made (signaling is held back and ICE
     * fails). After setOffline(false) the held-back WebSocket traffic flows
     * and the app reconnects through signaling on its own.
     */
    async setOffline(value: boolean) {
      if (!value) {
        await context.setOffline(false)
        await Promise.all([...sessions.keys()].map((p) => override(p, false)))
        // Until here, a failed request is still one of the offline time.
        offline = false
        return
      }
      offline = true
      await context.setOffline(true)
      for (const p of context.pages()) {
        await p
          .evaluate(() => {
            const live = (globalThis as { __hearthE2eRtc?: Set<RTCPeerConnection> }).__hearthE2eRtc
            for (const pc of live ?? []) pc.close()
            live?.clear()
          })
          .catch(() => undefined) // a page that is navigating has no connections to close
      }
    },

    async waitForServiceWorker() {
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready
      })
      // A first install does not control the page that registered it.
      if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
        await page.reload()
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
      }
    },

    async reopen() {
      const url = page.url()
      await context.close()
      sessions.clear()
      await start()
      if (offline) await context.setOffline(true)
      // The page's own session listens before it navigates.
      await sessions.get(page)
      if (/^https?:/.test(url)) await page.goto(url)
      await settled.get(page)
      return page
    },

    async close() {
      livePeers.delete(peer)
      await context.close().catch(() => undefined)
      if (!opts.keepProfile) await rm(profileDir, { recursive: true, force: true })
    },
  }
  livePeers.add(peer)
  return peer
}
