/**
 * Reads a QR code from the camera. Uses the browser's BarcodeDetector where it
 * exists and falls back to jsQR, which is loaded only then (it is ~130 KB and
 * most people join by link). Frames never leave the device.
 *
 * The way of reading is ready before the camera is asked for: if jsQR cannot
 * be fetched (offline before the service worker had it), the camera is never
 * turned on.
 */
import { retriable } from '../../chunks/retriable.ts'

export type ScanError = 'no_camera' | 'camera_denied' | 'camera_failed' | 'unavailable'

// jsQR, in a chunk of its own; after a failed fetch, tried again under a URL of its own (chunks/retriable.ts).
const loadJsQr = retriable(() => import('./jsqr-detector.ts'))

export interface Scanner {
  stop(): void
}

/** `stopped`: the person stopped the scan (`signal`) before the camera was on; it is off. */
export type ScanStart = { ok: true; scanner: Scanner } | { ok: false; error: ScanError } | { ok: false; error: 'stopped' }

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

export async function startScanner(
  video: HTMLVideoElement,
  onCode: (text: string) => void,
  signal?: AbortSignal,
): Promise<ScanStart> {
  if (!navigator.mediaDevices?.getUserMedia) return { ok: false, error: 'no_camera' }
  let detect: Detector
  try {
    detect = (await nativeDetector()) ?? (await loadJsQr()).jsQrDetector()
  } catch {
    return { ok: false, error: 'unavailable' }
  }
  if (signal?.aborted) return { ok: false, error: 'stopped' }
  let stream: MediaStream
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
  } catch (e) {
    const name = (e as DOMException).name
    return { ok: false, error: name === 'NotAllowedError' ? 'camera_denied' : name === 'NotFoundError' ? 'no_camera' : 'camera_failed' }
  }
  if (signal?.aborted) {
    for (const track of stream.getTracks()) track.stop()
    return { ok: false, error: 'stopped' }
  }
  video.srcObject = stream
  video.muted = true
  video.playsInline = true
  await video.play().catch(() => {})
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
