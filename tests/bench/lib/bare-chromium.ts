/**
 * Page loads timed the way a person's browser runs them: no DevTools domain
 * enabled in the page.
 *
 * Playwright enables the Runtime domain in every page it drives, and while it
 * is on, V8 collects the source positions of a module as it evaluates it:
 * Hearth's main chunk (about 660 KB) is parsed a second time, 35–39 ms of a
 * 53–58 ms task at every start, in a trace. Without the domain, the same load
 * has no task over 50 ms (docs/PERFORMANCE.md, "The debugger's own long
 * task"). So the open is measured here too.
 *
 * The browser is driven over `--remote-debugging-pipe` (no port). A session
 * attaches to each new tab only to add a script before the page's own
 * (`Page.addScriptToEvaluateOnNewDocument`, no domain enabled) and to
 * navigate. The script watches for a selector and records long tasks; once
 * the window has passed, it writes what it saw into the tab's title, which
 * the bench reads from the tab's history (`Page.getNavigationHistory`, kept
 * by the browser): nothing runs in the page on the bench's behalf.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { CHROMIUM, CHROMIUM_ARGS } from '../../e2e/support/browser.ts'
import type { LongTasks } from './browser.ts'
import { pause } from './stats.ts'

/** What one bare load saw: ms from navigation start to the selector, and the long tasks until `settleMs` after it. */
export interface BareLoad {
  ms: number
  tasks: LongTasks
}

const TITLE = '__bench_bare:'
const POLL_MS = 200

/** Installed before the page's scripts: long tasks, the selector's first appearance, then the title. */
const script = (selector: string, settleMs: number) => `(() => {
  if (globalThis.__benchBare) return;
  globalThis.__benchBare = true;
  // As the Playwright peers: no service worker, every load from the server.
  try { delete Navigator.prototype.serviceWorker; } catch {}
  const tasks = [];
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) tasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  } catch {}
  let mark = null;
  const check = () => {
    if (mark !== null || !document.querySelector(${JSON.stringify(selector)})) return;
    mark = performance.now();
    setTimeout(() => {
      const title = ${JSON.stringify(TITLE)} + JSON.stringify({ mark, tasks });
      document.title = title;
      // The app may set its own title meanwhile: ours wins until the tab closes.
      new MutationObserver(() => { if (document.title !== title) document.title = title; }).observe(document.head, { childList: true, subtree: true, characterData: true });
    }, ${settleMs});
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})()`

/** Chromium driven over its DevTools pipe: JSON messages ending in a NUL byte. */
class Pipe {
  #id = 0
  #buffer = ''
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  readonly #listeners = new Set<(method: string, params: Record<string, unknown>, sessionId?: string) => void>()

  readonly #out: Writable

  constructor(out: Writable, input: Readable) {
    this.#out = out
    input.setEncoding('utf8')
    input.on('data', (chunk: string) => {
      this.#buffer += chunk
      for (let end = this.#buffer.indexOf('\0'); end >= 0; end = this.#buffer.indexOf('\0')) {
        const message = JSON.parse(this.#buffer.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string }
        this.#buffer = this.#buffer.slice(end + 1)
        if (message.id !== undefined) {
          const p = this.#pending.get(message.id)
          this.#pending.delete(message.id)
          if (message.error) p?.reject(new Error(`DevTools: ${message.error.message}`))
          else p?.resolve(message.result)
        } else if (message.method) {
          for (const l of this.#listeners) l(message.method, message.params ?? {}, message.sessionId)
        }
      }
    })
  }

  send<T>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = ++this.#id
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.#out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0')
    })
  }

  on(listener: (method: string, params: Record<string, unknown>, sessionId?: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error)
    this.#pending.clear()
  }
}

/**
 * Starts Chromium on `profileDir` (a profile no other browser has open) and
 * loads each URL in a tab of its own, one after another; for each, waits for
 * `selector`, then `settleMs`. Long tasks count from navigation start until
 * `settleMs` after the selector appeared, as the Playwright figures count them.
 */
export async function bareLoads(profileDir: string, loads: readonly { url: string; selector: string }[], settleMs: number, timeoutMs = 600_000): Promise<BareLoad[]> {
  const args = [
    ...CHROMIUM_ARGS,
    '--headless',
    '--remote-debugging-pipe',
    `--user-data-dir=${profileDir}`,
    '--window-size=1280,800',
    '--disable-background-timer-throttling',
    '--disable-backgrounding-occluded-windows',
    '--disable-renderer-backgrounding',
    '--mute-audio',
    'about:blank',
  ]
  const child: ChildProcess = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] })
  const pipe = new Pipe(child.stdio[3] as Writable, child.stdio[4] as Readable)
  child.once('exit', () => pipe.failAll(new Error('bench: the bare Chromium exited')))
  const out: BareLoad[] = []
  try {
    for (const { url, selector } of loads) {
      const { targetId } = await pipe.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' })
      try {
        const { sessionId } = await pipe.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true })
        // The Page domain (the browser's side of the tab), never Runtime.
        await pipe.send('Page.enable', {}, sessionId)
        // BENCH_BARE_RUNTIME=1: the control, with the Runtime domain on as Playwright has it.
        if (process.env.BENCH_BARE_RUNTIME) await pipe.send('Runtime.enable', {}, sessionId)
        await pipe.send('Page.addScriptToEvaluateOnNewDocument', { source: script(selector, settleMs) }, sessionId)
        await pipe.send('Page.navigate', { url }, sessionId)
        // The title, as the browser keeps it in the tab's history (nothing runs in the page to read it).
        let seen: string | null = null
        for (const started = Date.now(); seen === null; await pause(POLL_MS)) {
          if (Date.now() - started > timeoutMs) throw new Error(`bench: ${selector} did not appear within ${timeoutMs / 1000} s in a bare load`)
          // Refused while the tab moves to the page's process: asked again.
          const history = await pipe.send<{ currentIndex: number; entries: { title: string }[] }>('Page.getNavigationHistory', {}, sessionId).catch(() => null)
          const title = history?.entries[history.currentIndex]?.title ?? ''
          if (title.startsWith(TITLE)) seen = title.slice(TITLE.length)
        }
        const { mark, tasks } = JSON.parse(seen) as { mark: number; tasks: [number, number][] }
        const counted = tasks.filter(([start, d]) => start + d >= 0 && start <= mark + settleMs).map(([, d]) => d)
        out.push({
          ms: mark,
          tasks: {
            longest: counted.length === 0 ? 0 : Math.max(...counted),
            total: counted.reduce((s, d) => s + d, 0),
            blocking: counted.reduce((s, d) => s + Math.max(0, d - 50), 0),
            count: counted.length,
          },
        })
      } finally {
        await pipe.send('Target.closeTarget', { targetId }).catch(() => undefined)
      }
    }
    return out
  } finally {
    await pipe.send('Browser.close').catch(() => undefined)
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
  }
}
