/**
 * Small structural types for the WebRTC parts sync touches, so the same code
 * runs on browser globals, on `@roamhq/wrtc` in Node, and on test fakes.
 */

/** What simple-peer needs from a WebRTC implementation (its `opts.wrtc`). */
export interface WrtcLike {
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection
  RTCSessionDescription: new (init: RTCSessionDescriptionInit) => RTCSessionDescription
  RTCIceCandidate: new (init?: RTCIceCandidateInit) => RTCIceCandidate
}

/** An ICE server entry (same shape as the DOM's RTCIceServer). */
export interface RTCIceServerLike {
  urls: string | string[]
  username?: string
  credential?: string
}

/** Who a byte count belongs to: received from a peer, or sent to one. */
export type Direction = 'in' | 'out'

/** Called for every frame that crosses a data channel (header included). */
export type ActivityListener = (direction: Direction, bytes: number) => void

/** The part of RTCDataChannel that chunking wraps. Browser, wrtc and fakes fit it. */
export interface DataChannelLike {
  readonly label: string
  readonly readyState: RTCDataChannelState
  readonly bufferedAmount: number
  bufferedAmountLowThreshold: number
  binaryType: string
  readonly ordered?: boolean
  readonly protocol?: string
  readonly id?: number | null
  readonly negotiated?: boolean
  readonly maxPacketLifeTime?: number | null
  readonly maxRetransmits?: number | null
  send(data: ArrayBufferView<ArrayBuffer> | ArrayBuffer | string): void
  close(): void
  addEventListener(type: string, listener: (event: Event) => void): void
  removeEventListener(type: string, listener: (event: Event) => void): void
}
