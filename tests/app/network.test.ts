import { describe, expect, it } from 'vitest'
import { checkIceUrl, checkSignalingUrl, fetchServerConfig, knownSignaling, ownSignalingUrl, parseServerConfig, planNetwork, roomConnection } from '../../src/app/network.ts'
import { asTransportSecret, deriveTransportKeys } from '../../src/crypto/index.ts'
import { DEFAULT_SETTINGS } from '../../src/storage/index.ts'

describe('network plan', () => {
  const own = ownSignalingUrl({ protocol: 'https:', host: 'hearth.example' })

  it('signals through the app’s own origin by default and contacts nothing else', () => {
    expect(own).toBe('wss://hearth.example/signal')
    expect(ownSignalingUrl({ protocol: 'http:', host: '127.0.0.1:8787' })).toBe('ws://127.0.0.1:8787/signal')
    const plan = planNetwork(own, { signaling: [], iceServers: [] }, DEFAULT_SETTINGS)
    expect(plan).toEqual({ signaling: [own], iceServers: [], relayOnly: false })
  })

  it('adds the operator’s and the person’s servers, or replaces the own origin when asked', () => {
    const server = { signaling: ['wss://b.example/signal'], iceServers: [{ urls: 'turn:t.example:3478', username: 'u', credential: 'c' }] }
    const settings = { ...DEFAULT_SETTINGS, signaling: ['wss://c.example/signal', own], iceServers: [{ urls: 'stun:s.example' }], relayOnly: true }
    expect(planNetwork(own, server, settings)).toEqual({
      signaling: [own, 'wss://b.example/signal', 'wss://c.example/signal'],
      iceServers: [...server.iceServers, { urls: 'stun:s.example' }],
      relayOnly: true,
    })
    expect(planNetwork(own, server, { ...settings, replaceSignaling: true }).signaling).toEqual(['wss://c.example/signal', own])
  })

  it('accepts only wss:// signaling servers, or ws:// on this device', () => {
    expect(checkSignalingUrl(' wss://a.example/signal ')).toEqual({ ok: true, url: 'wss://a.example/signal' })
    expect(checkSignalingUrl('ws://127.0.0.1:4444')).toEqual({ ok: true, url: 'ws://127.0.0.1:4444' })
    expect(checkSignalingUrl('ws://a.example')).toEqual({ ok: false, error: 'insecure' })
    expect(checkSignalingUrl('https://a.example')).toEqual({ ok: false, error: 'not_websocket' })
    expect(checkSignalingUrl('not a url')).toEqual({ ok: false, error: 'invalid_url' })
  })

  it('accepts STUN/TURN addresses and nothing else', () => {
    expect(checkIceUrl('turn:turn.example.org:3478?transport=tcp').ok).toBe(true)
    expect(checkIceUrl('stun:stun.example.org').ok).toBe(true)
    expect(checkIceUrl('https://evil.example').ok).toBe(false)
    expect(checkIceUrl('turn:a b').ok).toBe(false)
  })

  it('reads the server’s config defensively', () => {
    expect(parseServerConfig(null)).toEqual({ signaling: [], iceServers: [] })
    expect(
      parseServerConfig({
        signaling: ['wss://ok.example/signal', 'javascript:alert(1)', 3],
        iceServers: [{ urls: ['turn:a.example', 'turn:b.example'], username: 'u', credential: 'p' }, { urls: 4 }, 'x'],
      }),
    ).toEqual({
      signaling: ['wss://ok.example/signal'],
      iceServers: [
        { urls: 'turn:a.example', username: 'u', credential: 'p' },
        { urls: 'turn:b.example', username: 'u', credential: 'p' },
      ],
    })
  })
})

/** A fetch on a network that accepts the connection and then never answers; it gives up only when aborted. */
const silentFetch: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))

describe('the server config, in the background', () => {
  it('gives up after its timeout on a network that never answers, and means "own origin only"', async () => {
    const started = performance.now()
    expect(await fetchServerConfig('https://hearth.example/', silentFetch, 50)).toBeNull()
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  it('reads an answer as before', async () => {
    const answer: typeof fetch = async () => new Response(JSON.stringify({ signaling: ['wss://b.example/signal'], iceServers: [] }))
    expect(await fetchServerConfig('https://hearth.example/', answer, 50)).toEqual({ signaling: ['wss://b.example/signal'], iceServers: [] })
    expect(await fetchServerConfig('https://hearth.example/', async () => new Response('nope', { status: 500 }), 50)).toBeNull()
  })

  it('uses the operator’s signaling servers the keyring remembers, and nothing it should not', () => {
    expect(knownSignaling([])).toEqual([])
    expect(knownSignaling(['wss://b.example/signal'])).toEqual(['wss://b.example/signal'])
    expect(knownSignaling(['javascript:alert(1)', 'ws://evil.example/', 4])).toEqual([])
  })
})

describe('a room’s connection', () => {
  it('names the room and password the transport secret derives, over the plan’s servers, with no network of its own unless given', () => {
    const transport = asTransportSecret(new Uint8Array(32).fill(7))!
    const plan = { signaling: ['wss://hearth.example/signal'], iceServers: [{ urls: 'turn:turn.example' }], relayOnly: true }
    const keys = deriveTransportKeys(transport)
    const connection = roomConnection(transport, plan)
    expect(connection).toEqual({ room: keys.room, password: keys.password, signaling: plan.signaling, iceServers: plan.iceServers, relayOnly: true })
    expect(connection.signaling).not.toBe(plan.signaling)
    const wrtc = { RTCPeerConnection: class {} } as unknown as Parameters<typeof roomConnection>[2]
    expect(roomConnection(transport, plan, wrtc).wrtc).toBe(wrtc)
  })
})
