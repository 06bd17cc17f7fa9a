import { describe, expect, it, vi } from 'vitest'
import { chunkedWrtc } from '../../src/sync/chunked-wrtc.ts'
import { ChunkedDataChannel, CHUNK_PROTOCOL } from '../../src/sync/chunked-channel.ts'
import type { WrtcLike } from '../../src/sync/types.ts'
import { FakeChannel } from './support/fake-channel.ts'

/** Just enough of an RTCPeerConnection to see what the proxy passes through. */
class FakePeerConnection extends EventTarget {
  static generateCertificate = vi.fn()
  oniceconnectionstatechange: unknown = null
  iceConnectionState = 'new'
  created: { label: string; init?: RTCDataChannelInit }[] = []
  constructor(readonly config?: RTCConfiguration) {
    super()
  }
  createDataChannel(label: string, init?: RTCDataChannelInit): FakeChannel {
    this.created.push({ label, init })
    return new FakeChannel(label, init?.protocol ?? '')
  }
  getStats(): Promise<Map<string, unknown>> {
    if (!(this instanceof FakePeerConnection)) throw new Error('called on the proxy')
    return Promise.resolve(new Map())
  }
  closed = false
  close(): void {
    this.closed = true
  }
}

function fakeWrtc(): WrtcLike {
  return {
    RTCPeerConnection: FakePeerConnection as unknown as WrtcLike['RTCPeerConnection'],
    RTCSessionDescription: class {} as unknown as WrtcLike['RTCSessionDescription'],
    RTCIceCandidate: class {} as unknown as WrtcLike['RTCIceCandidate'],
  }
}

describe('chunkedWrtc', () => {
  it('marks and wraps the reliable channels it opens, and leaves the others alone', () => {
    const wrtc = chunkedWrtc(fakeWrtc())
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] })
    const reliable = pc.createDataChannel('sync')
    const lossy = pc.createDataChannel('lossy', { ordered: false })
    expect(reliable).toBeInstanceOf(ChunkedDataChannel)
    expect(reliable.protocol).toBe(CHUNK_PROTOCOL)
    expect(lossy).not.toBeInstanceOf(ChunkedDataChannel)
  })

  it('wraps incoming channels that carry the chunk protocol, for handlers and listeners', () => {
    const wrtc = chunkedWrtc(fakeWrtc())
    const pc = new wrtc.RTCPeerConnection()
    // dispatchEvent reaches the real connection, as the browser's own event would
    const real = pc as unknown as EventTarget
    const seen: unknown[] = []
    pc.ondatachannel = (event) => seen.push(event.channel)
    const listener = vi.fn()
    pc.addEventListener('datachannel', listener)
    const dispatch = (channel: FakeChannel): void => {
      const event = new Event('datachannel')
      Object.assign(event, { channel })
      real.dispatchEvent(event)
    }
    dispatch(new FakeChannel('x', CHUNK_PROTOCOL))
    dispatch(new FakeChannel('y', ''))
    expect(seen[0]).toBeInstanceOf(ChunkedDataChannel)
    expect(seen[1]).toBeInstanceOf(FakeChannel)
    expect(listener).toHaveBeenCalledTimes(2)
    pc.ondatachannel = null
    pc.removeEventListener('datachannel', listener)
    dispatch(new FakeChannel('z', CHUNK_PROTOCOL))
    expect(seen).toHaveLength(2)
  })

  it('passes everything else through to the real connection', async () => {
    const wrtc = chunkedWrtc(fakeWrtc())
    const pc = new wrtc.RTCPeerConnection({ iceServers: [{ urls: 'turn:example.org' }] })
    const onIce = (): void => {}
    pc.oniceconnectionstatechange = onIce
    expect(pc.oniceconnectionstatechange).toBe(onIce)
    expect(pc.iceConnectionState).toBe('new')
    expect(pc).toBeInstanceOf(FakePeerConnection)
    expect((pc as unknown as FakePeerConnection).config).toEqual({ iceServers: [{ urls: 'turn:example.org' }] })
    expect(pc.getStats).toBe(pc.getStats)
    expect(pc.getStats.length).toBe(0) // simple-peer picks the promise API by arity
    await expect(pc.getStats()).resolves.toBeInstanceOf(Map)
    pc.close()
    expect((pc as unknown as FakePeerConnection).closed).toBe(true)
    expect(typeof (wrtc.RTCPeerConnection as unknown as { generateCertificate: unknown }).generateCertificate).toBe('function')
  })

  it('rejects options that could stall the queue', () => {
    expect(() => chunkedWrtc(fakeWrtc(), { chunkSize: 1 })).toThrow(RangeError)
    expect(() => chunkedWrtc(fakeWrtc(), { chunkSize: 1024, highWaterMark: 1500 })).toThrow(RangeError)
  })
})
