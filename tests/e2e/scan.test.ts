/**
 * Joining by camera: Bob points his camera at the QR code of Alice's invite.
 * Chromium's fake camera plays a video of that very code (this Linux build has
 * no BarcodeDetector, so the jsQR path runs, loaded only when scanning starts).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { en } from '../../src/i18n/en.ts'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer } from './support/browser.ts'
import { createBoard, readInviteLink, resultCount, unexpectedErrors, waitForText } from './support/flows.ts'
import { writeQrVideo } from './support/qr-video.ts'
import { startApp, type App } from './support/server.ts'

/** The scanner's chunk and jsQR's (src/ui/scan/jsqr-detector.ts), under any query (a try after a failure fetches one under a query of its own: src/chunks/retriable.ts). */
const SCANNER = /\/assets\/scanner-[\w-]+\.js(\?.*)?$/
const JSQR = /\/assets\/jsqr-detector-[\w-]+\.js(\?.*)?$/
/** The fetch failures an outage the test made leaves in the console. */
const OUTAGE = [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/]

/**
 * Counts the page's requests for the camera and keeps the streams it got, so
 * a test can tell whether the camera was ever on and whether it still is.
 */
const WATCH_CAMERA = `(() => {
  const media = navigator.mediaDevices;
  if (!media || globalThis.__hearthE2eCamera) return;
  const camera = { asked: 0, streams: [] };
  globalThis.__hearthE2eCamera = camera;
  const original = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    camera.asked++;
    const stream = await original(constraints);
    camera.streams.push(stream);
    return stream;
  };
})()`

type Camera = { asked: number; live: number }
const cameraOf = (page: import('playwright-core').Page): Promise<Camera> =>
  page.evaluate(() => {
    const camera = (globalThis as unknown as { __hearthE2eCamera: { asked: number; streams: MediaStream[] } }).__hearthE2eCamera
    return { asked: camera.asked, live: camera.streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length }
  })

let app: App

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

describe('joining with the camera', () => {
  it('Bob scans the invite QR code and joins Alice’s board', async () => {
    const alice = await launchPeer('alice-scan')
    await alice.page.goto(app.url)
    await createBoard(alice.page, { name: 'Camera circle', displayName: 'Alice' })
    const invite = await readInviteLink(alice.page)

    const video = join(await mkdtemp(join(tmpdir(), 'hearth-qr-')), 'invite.y4m')
    await writeQrVideo(video, invite)
    const bob = await launchPeer('bob-scan', {
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    })
    const page = bob.page
    await page.goto(app.url)
    await page.getByRole('button', { name: 'Join a board' }).click()
    const jsqrLoads: string[] = []
    page.on('request', (r) => {
      if (JSQR.test(r.url())) jsqrLoads.push(r.url())
    })
    await page.getByRole('button', { name: 'Scan QR code' }).click()
    const field = page.getByLabel('Invite link')
    await expect.poll(() => field.inputValue(), { timeout: 20_000 }).toBe(invite)
    // The camera stops by itself once a code is read.
    await page.getByRole('button', { name: 'Scan QR code' }).waitFor()
    expect(jsqrLoads.length).toBeGreaterThan(0)
    await expectNoAxeViolations(page, 'join page after scanning')
    await page.getByLabel('Your name on this board').fill('Bob')
    await page.getByRole('button', { name: 'Join board' }).click()
    await page.getByRole('heading', { level: 1, name: 'Camera circle' }).waitFor({ timeout: 30_000 })
    await waitForText(resultCount(page), '0 items')
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})

describe('the scanner when its part of the app cannot be fetched', () => {
  it('says so and leaves the camera off, then scans once the link is back', async () => {
    // Carol opens Hearth for the first time (no service worker yet) and taps "Scan" as her link drops.
    const code = 'https://hearth.invalid/#scan-test-code'
    const video = join(await mkdtemp(join(tmpdir(), 'hearth-qr-')), 'code.y4m')
    await writeQrVideo(video, code)
    const carol = await launchPeer('carol-scan-offline', {
      viewport: { width: 360, height: 740 },
      offlineCapable: false,
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    })
    await carol.context.addInitScript(WATCH_CAMERA)
    const page = carol.page
    await page.goto(app.url)
    await page.getByRole('button', { name: 'Join a board' }).click()
    const blocked = { scanner: 0, jsqr: 0 }
    await page.route(SCANNER, (route) => (blocked.scanner++, route.abort('internetdisconnected')))
    await page.route(JSQR, (route) => (blocked.jsqr++, route.abort('internetdisconnected')))

    const button = page.getByRole('button', { name: en['scan.start'] })
    await button.click()
    await page.getByRole('alert').filter({ hasText: en['scan.unavailable'] }).waitFor({ timeout: 15_000 })
    expect(blocked.scanner).toBeGreaterThan(0)
    // The one button is back to "Scan", and still has the focus; no camera view, and the camera was never asked for.
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(en['scan.start'])
    expect(await page.getByLabel(en['scan.video']).count()).toBe(0)
    expect(await cameraOf(page)).toEqual({ asked: 0, live: 0 })
    await expectNoAxeViolations(page, 'the join page whose scanner could not be fetched')

    // The scanner's chunk arrives, jsQR's does not: the same message, and still no camera.
    await page.unroute(SCANNER)
    await button.click()
    await expect.poll(() => blocked.jsqr, { timeout: 15_000 }).toBeGreaterThan(0)
    await page.getByRole('alert').filter({ hasText: en['scan.unavailable'] }).waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: en['scan.start'] }).waitFor()
    expect(await cameraOf(page)).toEqual({ asked: 0, live: 0 })

    // The link is back: the scan reads the code, the message goes, and the camera is off again.
    await page.unroute(JSQR)
    await page.getByRole('button', { name: en['scan.start'] }).click()
    const field = page.getByLabel('Invite link')
    await expect.poll(() => field.inputValue(), { timeout: 20_000 }).toBe(code)
    await page.getByRole('button', { name: en['scan.start'] }).waitFor()
    expect(await page.getByText(en['scan.unavailable']).count()).toBe(0)
    await expect.poll(() => cameraOf(page)).toEqual({ asked: 1, live: 0 })
    expect(unexpectedErrors(carol.errors, OUTAGE)).toEqual([])
  })

  it('never turns the camera on for a scan stopped, or a page left, while the scanner was still on the way', async () => {
    const code = 'https://hearth.invalid/#scan-stopped'
    const video = join(await mkdtemp(join(tmpdir(), 'hearth-qr-')), 'code.y4m')
    await writeQrVideo(video, code)
    const dan = await launchPeer('dan-scan-stopped', {
      offlineCapable: false,
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    })
    await dan.context.addInitScript(WATCH_CAMERA)
    const page = dan.page
    await page.goto(app.url)
    /** A slow link: the chunk is held back until the test lets it go. */
    const holdBack = async (chunk: RegExp) => {
      let release: () => void = () => {}
      const held = new Promise<void>((resolve) => (release = resolve))
      let asked = 0
      await page.route(chunk, async (route) => {
        asked++
        await held
        await route.continue()
      })
      return { asked: () => asked, release }
    }

    // Dan presses "Scan", then "Stop camera" before the scanner has arrived.
    await page.getByRole('button', { name: 'Join a board' }).click()
    const scanner = await holdBack(SCANNER)
    await page.getByRole('button', { name: en['scan.start'] }).click()
    await expect.poll(scanner.asked, { timeout: 15_000 }).toBeGreaterThan(0)
    await page.getByRole('button', { name: en['scan.stop'] }).click()
    await page.getByRole('button', { name: en['scan.start'] }).waitFor()
    scanner.release()

    // He presses "Scan" again, then leaves the page before jsQR has arrived.
    const jsqr = await holdBack(JSQR)
    await page.getByRole('button', { name: en['scan.start'] }).click()
    await expect.poll(jsqr.asked, { timeout: 15_000 }).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    jsqr.release()

    // Back on the join page, a scan reads the code: the camera was asked for once, by this scan, and is off again.
    // (Either scan before, had it gone on, would have asked by now: its part of the app came before this one's.)
    await page.getByRole('button', { name: 'Join a board' }).click()
    await page.getByRole('button', { name: en['scan.start'] }).click()
    await expect.poll(() => page.getByLabel('Invite link').inputValue(), { timeout: 20_000 }).toBe(code)
    await expect.poll(() => cameraOf(page)).toEqual({ asked: 1, live: 0 })
    expect(await page.getByRole('alert').count()).toBe(0)
    expect(unexpectedErrors(dan.errors)).toEqual([])
  })
})
