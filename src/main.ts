import { mount, unmount } from 'svelte'
import { registerSW } from 'virtual:pwa-register'
import App from './ui/App.svelte'
import CannotRun, { type CannotStart } from './ui/CannotRun.svelte'
import { AppState } from './state/app.svelte.ts'
import { i18n } from './state/i18n.svelte.ts'
import { loadLocale, pickLocale, warmFormatters } from './i18n/index.ts'
import { isStorageRefusal, keepsDatabases, KeyringDamagedError, yieldToEventLoop } from './app/index.ts'
import { CurvesUnavailableError, curves } from './crypto/curves.ts'
import './ui/app.css'

/**
 * Narrows the page's connect-src to exactly the signaling servers in use. The
 * server's header allows any ws:/wss: (it cannot know a person's settings); a
 * second policy can only restrict, so the effective policy is the intersection.
 */
function restrictConnections(signaling: readonly string[]): void {
  const meta = document.createElement('meta')
  meta.httpEquiv = 'Content-Security-Policy'
  meta.content = `connect-src 'self' ${signaling.join(' ')}`
  document.head.append(meta)
}

/**
 * Applies the app's stylesheets, which the build leaves preloaded rather than
 * render-blocking (vite.config.ts) so the static shell paints first. Resolves
 * once they are in effect (or failed: the app still works unstyled).
 */
function applyAppStyles(): Promise<unknown> {
  const preloads = [...document.querySelectorAll<HTMLLinkElement>('link[rel=preload][as=style]')]
  return Promise.all(
    preloads.map(
      (preload) =>
        new Promise<void>((resolve) => {
          const link = document.createElement('link')
          link.rel = 'stylesheet'
          link.crossOrigin = preload.crossOrigin
          link.href = preload.href
          link.onload = link.onerror = () => resolve()
          document.head.append(link)
        }),
    ),
  )
}

/** Why the app could not start, for the screen shown instead (ui/CannotRun.svelte). */
function whyCannotStart(err: unknown): CannotStart {
  if (err instanceof CurvesUnavailableError) return err.unfetched ? 'unfetched' : 'unsupported'
  if (err instanceof KeyringDamagedError) return 'damaged'
  // A browser with no IndexedDB at all (turned off in its settings) cannot keep data either.
  return !(globalThis as { indexedDB?: unknown }).indexedDB || isStorageRefusal(err) ? 'storage' : 'failed'
}

/** Once the fallback has come, the app starts afresh at the same address (an invitation opened is kept). */
const retryCurves = () => curves().then(() => location.reload())
/** The page again (what failed came before the app took anything out of the address). */
const reload = () => {
  location.reload()
  return new Promise<never>(() => undefined)
}

async function main(): Promise<void> {
  performance.mark('hearth:script')
  // The browser's language, fetched now alongside the device file (which may name another: that one is loaded then).
  loadLocale(pickLocale(null, navigator.languages)).catch(() => undefined)
  // Nothing here waits on the network: the CSP and the first screen come from
  // what this device already knows; /config.json loads in the background.
  // The CSP is narrowed once the person's settings are known (inside the keyring), before any board connects.
  const app = new AppState({ restrictConnections })
  // Signatures: WebCrypto, or the fallback's chunk on an older phone, chosen now.
  const signatures = curves()
  // Awaited below; a failure that comes first (while preparing) must not also surface as unhandled.
  signatures.catch(() => undefined)
  const target = document.getElementById('app')!
  let component: ReturnType<typeof mount> | null = null
  try {
    // The device file gives the language and the look for the app's first frame (and may need signatures already).
    await Promise.all([applyAppStyles(), app.prepare()])
    // Intl loads the language's data on first use. A device that holds boards may show "opened 3 hours
    // ago" in its first list: it makes the formatters here, in a task before the first render's, not in it.
    // A fresh device (a first visit: the join form, an empty list) shows no date until a board opens, so it
    // makes them once it is started, instead of before its first screen (about 200 ms of a cheap phone's CPU).
    const fresh = app.deviceLock.firstRun
    if (!fresh) {
      warmFormatters(i18n.current)
      await yieldToEventLoop()
    }
    // The static shell from index.html goes in the same task as the app renders, so no blank frame.
    target.replaceChildren()
    component = mount(App, { target, props: { app } })
    performance.mark('hearth:mounted')
    await Promise.all([signatures, app.start()])
    performance.mark('hearth:started')
    if (fresh) {
      await yieldToEventLoop()
      warmFormatters(i18n.current)
    }
  } catch (err) {
    const why = whyCannotStart(err)
    // After the app has mounted (what this device keeps was read), only the signatures or a damaged keyring
    // stop it; anything else surfaces as before, the app left as it is.
    if (component && (why === 'failed' || why === 'storage')) throw err
    if (component) await unmount(component)
    await i18n.init(app.settings.language, navigator.languages)
    // The panic shortcut listens from the app's start (just after it mounts): here too, when the app did not get that far.
    if (!component) app.security.attach(window)
    document.documentElement.lang = i18n.current
    document.documentElement.dir = i18n.dir
    // The keyring read (the app prepared): it knows whether the device holds anything. Otherwise, ask the browser.
    const holds = component && !(err instanceof KeyringDamagedError) ? !app.deviceLock.firstRun : await keepsDatabases()
    target.replaceChildren()
    mount(CannotRun, { target, props: { app, why, holds, retry: why === 'unfetched' ? retryCurves : reload } })
    return
  }
  // Someone who opened an invite joins next: load the board engine while they type their name.
  if (app.route.name === 'join') app.hearth.prepareBoards()
  const update = registerSW({
    onNeedRefresh: () => app.offerUpdate(() => update(true)),
  })
}

void main()
