/**
 * Proves the e2e harness itself, without the app: two peers in separate
 * Chromium processes against a tiny page served with Hearth's CSP.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { screenshot } from './support/screens.ts'

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'"
const PAGES: Record<string, string> = {
  '/': '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harness</title></head><body><main><h1>Harness page</h1><p>Hello.</p></main></body></html>',
  '/bad': '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head><body><main><h1>Bad</h1><img src="/x.png"></main></body></html>',
}

let server: Server
let base: string
let alice: Peer
let bob: Peer

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = PAGES[req.url ?? '']
    if (req.url === '/favicon.ico') return void res.writeHead(204).end()
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP })
    res.end(body ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  ;[alice, bob] = await Promise.all([launchPeer('alice'), launchPeer('bob', { locale: 'ar', viewport: { width: 390, height: 844 } })])
  await Promise.all([alice.page.goto(base), bob.page.goto(base)])
})

afterAll(async () => {
  await closeAllPeers()
  await new Promise((resolve) => server?.close(resolve))
})

/** Opens an RTCDataChannel from a to b, passing SDP by hand (no signaling server). */
async function connectDataChannel(a: Page, b: Page): Promise<void> {
  // Functions cannot be passed into the page, and its CSP forbids eval, so
  // "wait for ICE gathering" is written out on both sides.
  const offer = await a.evaluate(async () => {
    const w = globalThis as unknown as { pc: RTCPeerConnection; dc: RTCDataChannel; got: string[] }
    w.got = []
    w.pc = new RTCPeerConnection()
    w.dc = w.pc.createDataChannel('harness')
    w.dc.onmessage = (e) => w.got.push(String(e.data))
    await w.pc.setLocalDescription()
    const pc = w.pc
    if (pc.iceGatheringState !== 'complete')
      await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r(null)))
    if (!pc.localDescription) throw new Error('no local description')
    return pc.localDescription.toJSON()
  })
  const answer = await b.evaluate(
    async (offer) => {
      const w = globalThis as unknown as { pc: RTCPeerConnection; dc?: RTCDataChannel; got: string[] }
      w.got = []
      w.pc = new RTCPeerConnection()
      w.pc.ondatachannel = (e) => {
        w.dc = e.channel
        w.dc.onmessage = (m) => w.got.push(String(m.data))
      }
      await w.pc.setRemoteDescription(offer)
      await w.pc.setLocalDescription()
      const pc = w.pc
      if (pc.iceGatheringState !== 'complete')
        await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r(null)))
      if (!pc.localDescription) throw new Error('no local description')
      return pc.localDescription.toJSON()
    },
    offer,
  )
  await a.evaluate((answer) => (globalThis as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription(answer), answer)
  for (const p of [a, b]) await p.waitForFunction(() => (globalThis as { dc?: RTCDataChannel }).dc?.readyState === 'open')
}

const send = (p: Page, text: string) => p.evaluate((t) => (globalThis as unknown as { dc: RTCDataChannel }).dc.send(t), text)
const received = (p: Page) => p.evaluate(() => (globalThis as unknown as { got: string[] }).got)
const channelState = (p: Page) => p.evaluate(() => (globalThis as { dc?: RTCDataChannel }).dc?.readyState)
const canFetch = (p: Page) =>
  p.evaluate((u) => fetch(u).then(() => true, () => false), base)

describe('e2e harness', () => {
  it('gives each peer its own profile and storage', async () => {
    expect(alice.profileDir).not.toBe(bob.profileDir)
    await alice.page.evaluate(() => localStorage.setItem('who', 'alice'))
    expect(await bob.page.evaluate(() => localStorage.getItem('who'))).toBeNull()
    expect(await bob.page.evaluate(() => navigator.language)).toBe('ar')
  })

  it('runs axe under a strict CSP and reports violations readably', async () => {
    // The CSP is real: an inline script is refused…
    await expect(alice.page.addScriptTag({ content: 'window.inline = 1' })).rejects.toThrow()
    alice.errors.length = 0 // …and Chromium logs the refusal as a console error.
    // …yet axe runs, and finds nothing on a clean page.
    await expectNoAxeViolations(alice.page, 'harness page')
    await bob.page.goto(`${base}bad`)
    await expect(expectNoAxeViolations(bob.page, 'bad page')).rejects.toThrow(/image-alt \(critical\).*\n\s+- img/)
    await bob.page.goto(base)
    bob.errors.length = 0 // the missing /x.png was a 404
  })

  it('documents that context.setOffline alone leaves open WebRTC channels working', async () => {
    await connectDataChannel(alice.page, bob.page)
    await alice.context.setOffline(true)
    expect(await canFetch(alice.page)).toBe(false)
    await send(alice.page, 'through the "offline" emulation')
    await expect.poll(() => received(bob.page)).toEqual(['through the "offline" emulation'])
    await alice.context.setOffline(false)
    // Back before the next test connects again (once, in a clean-clone run, its ICE never completed).
    await expect.poll(() => canFetch(alice.page)).toBe(true)
  })

  it('setOffline cuts the network and WebRTC, and comes back', async () => {
    await alice.page.reload()
    await bob.page.reload()
    await connectDataChannel(alice.page, bob.page)
    await alice.setOffline(true)
    expect(await alice.page.evaluate(() => navigator.onLine)).toBe(false)
    expect(await canFetch(alice.page)).toBe(false)
    await expect.poll(() => channelState(bob.page), { timeout: 10_000 }).toBe('closed')
    await alice.setOffline(false)
    expect(await canFetch(alice.page)).toBe(true)
    alice.errors.length = 0 // the failed fetch is logged
  })

  it('a new document opened while offline stays offline (Chromium 150 alone would say it is online again)', async () => {
    await alice.setOffline(true)
    // A new document that needs no network (this page has no service worker to serve a reload).
    await alice.page.goto('data:text/html,<title>offline</title><p>offline</p>')
    expect(await alice.page.evaluate(() => navigator.onLine)).toBe(false)
    await alice.setOffline(false)
    await alice.page.goto(base)
    expect(await alice.page.evaluate(() => navigator.onLine)).toBe(true)
    expect(await canFetch(alice.page)).toBe(true)
  })

  it('reopen() restarts the browser on the same profile', async () => {
    await alice.page.evaluate(() => localStorage.setItem('kept', 'yes'))
    const page = await alice.reopen()
    expect(page.url()).toBe(base)
    expect(await page.evaluate(() => localStorage.getItem('kept'))).toBe('yes')
    // The reopened browser renders the page, not only loads its URL (the screenshot is for humans).
    await expect.poll(() => page.locator('h1').textContent()).toBe('Harness page')
    await screenshot(page, 'harness-alice-reopened')
  })

  it('collected no unexpected page errors', () => {
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
