/**
 * Globals the bench sets and reads inside pages (through page.evaluate, whose
 * callbacks run in the page and cannot see Node-side variables).
 */
import type { EngineBench } from '../pages/engine.ts'
import type { NetBench } from '../pages/net.ts'

declare global {
  var bench: NetBench
  var engine: EngineBench
  /** Hearth's current result count, as last rendered. */
  var __benchCount: number | undefined
  /** The count to wait for, and when it was first reached (epoch ms). */
  var __benchWant: number | undefined
  var __benchReachedAt: number | null | undefined
  /** Epoch ms of the last click (capture phase). */
  var __benchLastClick: number | undefined
  /** When the result count first showed more than none (an initial sync's first items). */
  var __benchFirstAt: number | undefined
  /** Epoch ms at which each RTCPeerConnection first reached "connected". */
  var __benchRtcConnectedAt: number[] | undefined
  var __benchP: Promise<unknown> | undefined
  /** Epoch ms of the last RTCDataChannel send / message received (see BENCH_INIT). */
  var __benchLastSend: number | undefined
  var __benchLastRecv: number | undefined
  /** __benchLastRecv when the wanted count (or key) was reached. */
  var __benchRecvAtReach: number | undefined
  /** Engine pages: epoch ms of the last transaction on the sealed doc (an entry written there, or one that arrived). */
  var __benchSealedAt: number | undefined
  /** __benchSealedAt when the wanted item was seen. */
  var __benchSealedAtReach: number | undefined
  /** Epoch ms of the first animation frame after the wanted count was reached. */
  var __benchFrameAtReach: number | undefined
}

export {}
