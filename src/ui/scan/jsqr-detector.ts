/**
 * Reads QR codes with jsQR, where the browser has no BarcodeDetector. A chunk
 * of its own, with jsQR in it (~130 KB): fetched only then (scanner.ts).
 */
import jsQR from 'jsqr'

export function jsQrDetector(): (video: HTMLVideoElement) => Promise<string | null> {
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  return async (video) => {
    if (!ctx || video.videoWidth === 0) return null
    // Downscale: QR codes on a phone screen read fine at 640 px and it is 4x cheaper.
    const scale = Math.min(1, 640 / video.videoWidth)
    canvas.width = Math.round(video.videoWidth * scale)
    canvas.height = Math.round(video.videoHeight * scale)
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height)
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height)
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null
  }
}
