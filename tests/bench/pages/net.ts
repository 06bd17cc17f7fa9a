/**
 * Baselines over the network, driven from Node through `globalThis.bench`:
 *
 * - raw: one RTCDataChannel between two browsers, SDP relayed by the driver;
 *   bytes sent in 16 KiB messages with bufferedAmount back-pressure (1 MiB
 *   high-water mark, like Hearth's chunked channel): the physical limit.
 * - plain y-webrtc: a `Y.Map.set` of one item (a nested Y.Map, as Hearth's
 *   items are) on one peer, observed on the other, through the same
 *   signaling server Hearth uses, without password or chunking; both docs
 *   may first hold the same board, so the write lands on a doc of that size.
 *
 * Times are epoch milliseconds (`performance.timeOrigin + performance.now()`),
 * comparable across the two browser processes on one machine.
 */
import * as Y from 'yjs'
import { WebrtcProvider } from 'y-webrtc'

const CHUNK = 16 * 1024
const HIGH_WATER = 1024 * 1024
const now = (): number => performance.timeOrigin + performance.now()
const out = document.getElementById('out')!

let pc: RTCPeerConnection | null = null
let channel: RTCDataChannel | null = null
let channelOpen: Promise<number> | null = null
let payload: Uint8Array<ArrayBuffer> | null = null

/** Bytes the driver handed over in pieces (lib/browser.ts `loadBytes`), taken once. */
function takeBytes(key: string): Uint8Array<ArrayBuffer> {
  const g = globalThis as unknown as { __benchBytes?: Record<string, Uint8Array<ArrayBuffer>> }
  const bytes = g.__benchBytes?.[key]
  if (!bytes) throw new Error(`no bytes under ${key}`)
  delete g.__benchBytes![key]
  return bytes
}

function gathered(conn: RTCPeerConnection): Promise<void> {
  if (conn.iceGatheringState === 'complete') return Promise.resolve()
  return new Promise((resolve) => {
    const check = () => {
      if (conn.iceGatheringState === 'complete') resolve()
    }
    conn.addEventListener('icegatheringstatechange', check)
    setTimeout(resolve, 3000) // host candidates arrive in a few ms; never hang
  })
}

function watchOpen(dc: RTCDataChannel): Promise<number> {
  dc.binaryType = 'arraybuffer'
  return new Promise((resolve) => {
    if (dc.readyState === 'open') resolve(now())
    else dc.addEventListener('open', () => resolve(now()), { once: true })
  })
}

let received = 0
let expected = 0
let parts: Uint8Array[] = []
let onComplete: ((t: number) => void) | null = null

function onMessage(e: MessageEvent): void {
  const bytes = new Uint8Array(e.data as ArrayBuffer)
  received += bytes.byteLength
  parts.push(bytes)
  if (received >= expected && onComplete) {
    const done = onComplete
    onComplete = null
    done(now())
  }
}

const bench = {
  /** Peer A: creates the connection and channel (`config`: a relay, as Hearth's settings would give); returns the offer and when it started. */
  async rawOffer(config: RTCConfiguration = { iceServers: [] }): Promise<{ sdp: string; startedAt: number }> {
    const startedAt = now()
    pc = new RTCPeerConnection(config)
    channel = pc.createDataChannel('raw', { ordered: true })
    channelOpen = watchOpen(channel)
    await pc.setLocalDescription(await pc.createOffer())
    await gathered(pc)
    return { sdp: pc.localDescription!.sdp, startedAt }
  },
  /** Peer B: answers; resolves its channel when it arrives. */
  async rawAnswer(sdp: string, config: RTCConfiguration = { iceServers: [] }): Promise<string> {
    pc = new RTCPeerConnection(config)
    channelOpen = new Promise((resolve) => {
      pc!.addEventListener('datachannel', (e) => {
        channel = e.channel
        channel.addEventListener('message', onMessage)
        void watchOpen(channel).then(resolve)
      })
    })
    await pc.setRemoteDescription({ type: 'offer', sdp })
    await pc.setLocalDescription(await pc.createAnswer())
    await gathered(pc)
    return pc.localDescription!.sdp
  },
  async rawAccept(sdp: string): Promise<void> {
    await pc!.setRemoteDescription({ type: 'answer', sdp })
  },
  /** When this side's channel opened (epoch ms). */
  rawOpened(): Promise<number> {
    return channelOpen!
  },
  /** Peer A: holds the bytes to send (untimed), handed over as `__benchBytes[key]`. */
  rawLoad(key: string): number {
    payload = takeBytes(key)
    return payload.byteLength
  },
  /** Peer B: expects `total` bytes; resolves when the last one arrived (and, if `apply`, after decoding them with Yjs). */
  rawExpect(total: number, apply: boolean): Promise<{ receivedAt: number; appliedAt: number | null; items: number | null }> {
    received = 0
    expected = total
    parts = []
    return new Promise((resolve) => {
      onComplete = (receivedAt) => {
        if (!apply) return resolve({ receivedAt, appliedAt: null, items: null })
        const all = new Uint8Array(received)
        let at = 0
        for (const p of parts) {
          all.set(p, at)
          at += p.byteLength
        }
        const doc = new Y.Doc()
        Y.applyUpdate(doc, all)
        const items = doc.getMap('items').size
        out.textContent = `${items} items`
        resolve({ receivedAt, appliedAt: now(), items })
      }
    })
  },
  /** Peer A: sends the loaded bytes; returns when sending started (epoch ms). */
  rawSend(): number {
    const dc = channel!
    const data = payload!
    const startedAt = now()
    dc.bufferedAmountLowThreshold = HIGH_WATER / 2
    let offset = 0
    const pump = (): void => {
      while (offset < data.byteLength) {
        if (dc.bufferedAmount > HIGH_WATER - CHUNK) {
          dc.addEventListener('bufferedamountlow', pump, { once: true })
          return
        }
        dc.send(data.subarray(offset, Math.min(offset + CHUNK, data.byteLength)))
        offset += CHUNK
      }
    }
    pump()
    return startedAt
  },
  rawClose(): void {
    channel?.close()
    pc?.close()
    pc = null
    channel = null
  },

  // ---- plain y-webrtc ----
  yw: null as null | { doc: Y.Doc; provider: WebrtcProvider; map: Y.Map<unknown> },
  /** Joins `room`; with `stateKey`, the doc first holds that board (`__benchBytes[stateKey]`), as Hearth's does. */
  ywStart(room: string, signaling: string, stateKey: string | null): number {
    const doc = new Y.Doc()
    if (stateKey) Y.applyUpdate(doc, takeBytes(stateKey))
    const provider = new WebrtcProvider(room, doc, { signaling: [signaling] })
    const map = doc.getMap('items')
    bench.yw = { doc, provider, map }
    return map.size
  },
  ywPeers(): number {
    const room = bench.yw?.provider.room as unknown as { webrtcConns: Map<string, { connected: boolean }> } | null
    let n = 0
    for (const c of room?.webrtcConns.values() ?? []) if (c.connected) n++
    return n
  },
  ywExpect(key: string): Promise<number> {
    const map = bench.yw!.map
    return new Promise((resolve) => {
      const observer = (e: Y.YMapEvent<unknown>) => {
        if (!e.keysChanged.has(key)) return
        map.unobserve(observer)
        out.textContent = String((map.get(key) as Y.Map<unknown>).get('title'))
        ;(globalThis as { __benchRecvAtReach?: number }).__benchRecvAtReach = (globalThis as { __benchLastRecv?: number }).__benchLastRecv
        resolve(now())
      }
      map.observe(observer)
    })
  },
  /** One item as a nested Y.Map (the shape Hearth's items have), set in one transaction. */
  ywSet(key: string, value: Record<string, unknown>): number {
    const t = now()
    bench.yw!.map.set(key, new Y.Map(Object.entries(value)))
    return t
  },
  ywStop(): void {
    bench.yw?.provider.destroy()
    bench.yw?.doc.destroy()
    bench.yw = null
  },
}

Object.assign(globalThis, { bench })
export type NetBench = typeof bench
