/**
 * Reads a QR code from the camera. Uses the browser's BarcodeDetector where it
 * exists and falls back to jsQR, which is loaded only then (it is ~130 KB and
 * most people join by link). Frames never leave the device.
 */
export type ScanError = 'no_camera' | 'camera_denied' | 'camera_failed'

export interface Scanner {
  stop(): void
}

type Detector = (source: HTMLVideoElement) => Promise<string | null>

interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>
}
interface BarcodeDetectorCtor {
  new (opts: { formats: string[] }): BarcodeDetectorLike
  getSupportedFormats(): Promise<string[]>
}

async function nativeDetector(): Promise<Detector | null> {
  const Ctor = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector
  if (!Ctor) return null
  try {
    if (!(await Ctor.getSupportedFormats()).includes('qr_code')) return null
    const detector = new Ctor({ formats: ['qr_code'] })
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null
  } catch {
    return null
  }
}

async function jsQrDetector(): Promise<Detector> {
  const { default: jsQR } = await import('jsqr')
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

export async function startScanner(
  video: HTMLVideoElement,
  onCode: (text: string) => void,
): Promise<{ ok: true; scanner: Scanner } | { ok: false; error: ScanError }> {
  if (!navigator.mediaDevices?.getUserMedia) return { ok: false, error: 'no_camera' }
  let stream: MediaStream
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
  } catch (e) {
    const name = (e as DOMException).name
    return { ok: false, error: name === 'NotAllowedError' ? 'camera_denied' : name === 'NotFoundError' ? 'no_camera' : 'camera_failed' }
  }
  video.srcObject = stream
  video.muted = true
  video.playsInline = true
  await video.play().catch(() => {})
  const detect = (await nativeDetector()) ?? (await jsQrDetector())
  let stopped = false
  const loop = async () => {
    while (!stopped) {
      const text = await detect(video).catch(() => null)
      if (stopped) break
      if (text) {
        onCode(text)
        break
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  void loop()
  return {
    ok: true,
    scanner: {
      stop() {
        stopped = true
        for (const track of stream.getTracks()) track.stop()
        video.srcObject = null
      },
    },
  }
}
