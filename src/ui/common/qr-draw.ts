/**
 * Draws a link as a QR code. A chunk of its own, with qrcode in it: fetched
 * only when a link is shown as a code (QrCode.svelte).
 */
import { toCanvas } from 'qrcode'

export function drawQr(canvas: HTMLCanvasElement, text: string): Promise<void> {
  return toCanvas(canvas, text, { errorCorrectionLevel: 'M', margin: 2, width: 280 })
}
