import { mount } from 'svelte'
import { registerSW } from 'virtual:pwa-register'
import App from './ui/App.svelte'
import { AppState } from './state/app.svelte.ts'
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

async function main(): Promise<void> {
  const app = new AppState()
  restrictConnections(await app.signalingUrls())
  mount(App, { target: document.getElementById('app')!, props: { app } })
  await app.start()
  const update = registerSW({
    onNeedRefresh: () => app.offerUpdate(() => update(true)),
  })
}

void main()
