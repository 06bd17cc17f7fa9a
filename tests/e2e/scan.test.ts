/**
 * Joining by camera: Bob points his camera at the QR code of Alice's invite.
 * Chromium's fake camera plays a video of that very code (this Linux build has
 * no BarcodeDetector, so the jsQR path runs, loaded only when scanning starts).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer } from './support/browser.ts'
import { createBoard, readInviteLink, resultCount, unexpectedErrors, waitForText } from './support/flows.ts'
import { writeQrVideo } from './support/qr-video.ts'
import { startApp, type App } from './support/server.ts'

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
      if (/jsQR/i.test(r.url())) jsqrLoads.push(r.url())
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
