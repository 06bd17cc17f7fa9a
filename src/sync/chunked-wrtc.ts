import { ChunkedDataChannel, CHUNK_PROTOCOL } from './chunked-channel.ts'
import { resolveChunkedOptions, type ChunkedOptions, type ResolvedChunkedOptions } from './chunked-options.ts'
import type { DataChannelLike, WrtcLike } from './types.ts'

export type { ChunkedOptions } from './chunked-options.ts'
export type { WrtcLike } from './types.ts'

/**
 * A WebRTC implementation whose data channels carry messages of any size.
 *
 * y-webrtc sends a peer's whole missing state as one data-channel message, and
 * SCTP rejects messages over about 256 KiB. Passing `chunkedWrtc(base)` as
 * simple-peer's `wrtc` (y-webrtc `peerOpts.wrtc`) fixes that underneath, with
 * no fork: every RTCPeerConnection is the real one behind a Proxy that swaps
 * the data channels it creates or receives for {@link ChunkedDataChannel}s.
 * Everything else (handlers, getStats, createOffer, …) passes straight through.
 *
 * Both peers must use it. The opener marks its channel with the
 * `hearth-chunk/1` protocol and the receiver wraps only marked channels, so
 * unordered or partially reliable channels, which framing cannot serve, are
 * left alone.
 */
export function chunkedWrtc(base: WrtcLike, options?: ChunkedOptions): WrtcLike {
  const opts = resolveChunkedOptions(options)
  class ChunkedRTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      return wrapPeerConnection(new base.RTCPeerConnection(config), opts)
    }
  }
  const statics = base.RTCPeerConnection as unknown as { generateCertificate?: unknown }
  if (typeof statics.generateCertificate === 'function') {
    Object.assign(ChunkedRTCPeerConnection, { generateCertificate: statics.generateCertificate.bind(base.RTCPeerConnection) })
  }
  return {
    RTCPeerConnection: ChunkedRTCPeerConnection as unknown as WrtcLike['RTCPeerConnection'],
    RTCSessionDescription: base.RTCSessionDescription,
    RTCIceCandidate: base.RTCIceCandidate,
  }
}

type DataChannelListener = EventListenerOrEventListenerObject
type DataChannelHandler = ((this: RTCPeerConnection, event: Event) => unknown) | null

function isReliableOrdered(init: RTCDataChannelInit | undefined): boolean {
  return init?.ordered !== false && init?.maxRetransmits == null && init?.maxPacketLifeTime == null
}

function wrapPeerConnection(pc: RTCPeerConnection, opts: ResolvedChunkedOptions): RTCPeerConnection {
  const listeners = new Set<DataChannelListener>()
  let handler: DataChannelHandler = null
  const boundMethods = new WeakMap<object, unknown>()

  const createDataChannel = (label: string, init?: RTCDataChannelInit): RTCDataChannel => {
    if (!isReliableOrdered(init) || (init?.protocol !== undefined && init.protocol !== CHUNK_PROTOCOL)) {
      return pc.createDataChannel(label, init)
    }
    const channel = pc.createDataChannel(label, { ...init, protocol: CHUNK_PROTOCOL }) as RTCDataChannel | undefined
    // wrtc has been seen to return undefined here; simple-peer reports that itself.
    if (!channel) return channel as unknown as RTCDataChannel
    return new ChunkedDataChannel(channel as unknown as DataChannelLike, opts) as unknown as RTCDataChannel
  }

  const onDataChannel = (event: Event): void => {
    const incoming = (event as RTCDataChannelEvent).channel
    const channel =
      incoming && incoming.protocol === CHUNK_PROTOCOL
        ? new ChunkedDataChannel(incoming as unknown as DataChannelLike, opts)
        : incoming
    const wrapped = new Event('datachannel')
    Object.defineProperty(wrapped, 'channel', { value: channel, enumerable: true })
    for (const listener of [...listeners]) {
      if (typeof listener === 'function') listener.call(proxy, wrapped)
      else listener.handleEvent(wrapped)
    }
    handler?.call(proxy, wrapped)
  }
  pc.addEventListener('datachannel', onDataChannel)

  const addEventListener = (type: string, listener: DataChannelListener | null, options?: unknown): void => {
    if (type === 'datachannel') {
      if (listener) listeners.add(listener)
    } else (pc.addEventListener as (t: string, l: unknown, o?: unknown) => void)(type, listener, options)
  }
  const removeEventListener = (type: string, listener: DataChannelListener | null, options?: unknown): void => {
    if (type === 'datachannel') {
      if (listener) listeners.delete(listener)
    } else (pc.removeEventListener as (t: string, l: unknown, o?: unknown) => void)(type, listener, options)
  }
  const overrides = new Map<PropertyKey, unknown>([
    ['createDataChannel', createDataChannel],
    ['addEventListener', addEventListener],
    ['removeEventListener', removeEventListener],
  ])

  const proxy: RTCPeerConnection = new Proxy(pc, {
    get(target, prop) {
      if (overrides.has(prop)) return overrides.get(prop)
      if (prop === 'ondatachannel') return handler
      const value: unknown = Reflect.get(target, prop, target)
      // Event handler properties (onicecandidate, …) read back exactly as set.
      if (typeof value !== 'function' || (typeof prop === 'string' && prop.startsWith('on'))) return value
      // Native methods need the real object as `this`; keep one bound copy so `pc.x === pc.x`.
      let bound = boundMethods.get(value)
      if (!bound) {
        bound = (value as (...args: unknown[]) => unknown).bind(target)
        boundMethods.set(value, bound)
      }
      return bound
    },
    set(target, prop, value) {
      if (prop === 'ondatachannel') {
        handler = typeof value === 'function' ? (value as DataChannelHandler) : null
        return true
      }
      return Reflect.set(target, prop, value, target)
    },
  })
  return proxy
}
