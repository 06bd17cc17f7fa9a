/**
 * A camera for tests: writes a Y4M video whose every frame shows a QR code, for
 * Chromium's `--use-file-for-fake-video-capture`. Luma only (chroma flat grey):
 * what a phone camera sees of a QR code on another screen, minus the blur.
 */
import { writeFile } from 'node:fs/promises'
import QRCode from 'qrcode'

export async function writeQrVideo(path: string, text: string, opts: { width?: number; height?: number; frames?: number } = {}): Promise<void> {
  const width = opts.width ?? 640
  const height = opts.height ?? 480
  const frames = opts.frames ?? 10
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = qr.modules.size
  const quiet = 4
  const scale = Math.floor(Math.min(width, height) / (size + 2 * quiet))
  const side = scale * (size + 2 * quiet)
  const left = Math.floor((width - side) / 2)
  const top = Math.floor((height - side) / 2)
  const luma = new Uint8Array(width * height).fill(235)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!qr.modules.get(y, x)) continue
      for (let dy = 0; dy < scale; dy++) {
        const row = (top + (y + quiet) * scale + dy) * width
        luma.fill(16, row + left + (x + quiet) * scale, row + left + (x + quiet + 1) * scale)
      }
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128)
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma])
  await writeFile(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]))
}
