import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { clientConfig } from '../../src/server/clientConfig.ts'
import { startServer } from '../../src/server/server.ts'
import { turnCredentials } from '../../src/server/turnCredentials.ts'
import { parseIceServers } from '../../src/server/iceServers.ts'
import { httpRequest } from './helpers.ts'

const hmac = (secret: string, username: string): string => createHmac('sha1', secret).update(username).digest('base64')

describe('the app asks the server for its runtime config', () => {
  it('gets nothing third-party by default, and the answer is never cached', async () => {
    const server = await startServer({ port: 0 })
    try {
      const res = await httpRequest(server.url, '/config.json')
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-store')
      expect(JSON.parse(res.body)).toEqual({ signaling: [], iceServers: [] })
    } finally {
      await server.close()
    }
  })

  it('gets the static ICE servers, extra signaling URLs and fresh TURN credentials the operator configured', async () => {
    const server = await startServer({
      port: 0,
      iceServers: [{ urls: 'stun:stun.example.org:3478' }],
      turn: { secret: 's3cret', urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'] },
      extraSignaling: ['wss://signal.example.org'],
    })
    try {
      const before = Math.floor(Date.now() / 1000)
      const config = JSON.parse((await httpRequest(server.url, '/config.json')).body) as {
        signaling: string[]
        iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>
      }
      const after = Math.floor(Date.now() / 1000)
      expect(config.signaling).toEqual(['wss://signal.example.org'])
      expect(config.iceServers[0]).toEqual({ urls: 'stun:stun.example.org:3478' })
      const turn = config.iceServers[1]
      expect(turn?.urls).toEqual(['turn:turn.example.org:3478', 'turns:turn.example.org:5349'])
      const [expiry, user] = String(turn?.username).split(':')
      expect(user).toBe('hearth')
      // Minutes, not a day: whatever /config.json hands out is as good as public.
      expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600)
      expect(Number(expiry)).toBeLessThanOrEqual(after + 600)
      expect(turn?.credential).toBe(hmac('s3cret', String(turn?.username)))
    } finally {
      await server.close()
    }
  })
})

describe('Eve harvesting TURN credentials', () => {
  it('is refused with 429 (and the security headers) past her burst, while Alice from another address is served', async () => {
    const server = await startServer({
      port: 0,
      trustedProxies: 1,
      turn: { secret: 's3cret', urls: ['turn:turn.example.org:3478'] },
      limits: { configBurst: 3, configPerMinute: 1 },
    })
    try {
      const ask = (address: string) => httpRequest(server.url, '/config.json', 'GET', { 'X-Forwarded-For': address })
      const eve = []
      for (let i = 0; i < 5; i++) eve.push(await ask('203.0.113.66'))
      expect(eve.map((r) => r.status)).toEqual([200, 200, 200, 429, 429])
      expect(eve[3]?.headers['retry-after']).toBe('60')
      expect(eve[3]?.headers['content-security-policy']).toEqual(expect.any(String))
      expect(eve[3]?.body).not.toContain('hearth')
      expect((await ask('198.51.100.7')).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})

describe('TURN REST credentials (coturn use-auth-secret)', () => {
  it('match what coturn computes: base64(HMAC-SHA1(secret, "<expiry>:hearth"))', () => {
    const now = Date.UTC(2030, 0, 1)
    const cred = turnCredentials({ secret: 'top secret', urls: ['turn:t.example:3478'], ttlSeconds: 600 }, now)
    expect(cred.username).toBe(`${now / 1000 + 600}:hearth`)
    expect(cred.credential).toBe(hmac('top secret', `${now / 1000 + 600}:hearth`))
    expect(cred.credential).not.toBe(hmac('other secret', `${now / 1000 + 600}:hearth`))
  })

  it('are minted per request', () => {
    const turn = { secret: 'k', urls: ['turn:t.example'] }
    const a = clientConfig({ extraSignaling: [], iceServers: [], turn, now: () => 1_000_000 })
    const b = clientConfig({ extraSignaling: [], iceServers: [], turn, now: () => 2_000_000 })
    expect(a.iceServers[0]?.username).not.toBe(b.iceServers[0]?.username)
  })
})

describe('operator ICE server lists are validated', () => {
  it('accepts STUN and TURN entries', () => {
    const parsed = parseIceServers([{ urls: ['stun:a.example'] }, { urls: 'turns:b.example:5349', username: 'u', credential: 'c' }])
    expect(parsed).toEqual({
      ok: true,
      iceServers: [{ urls: ['stun:a.example'] }, { urls: 'turns:b.example:5349', username: 'u', credential: 'c' }],
    })
  })

  it.each([
    [{ urls: 'stun:a' }],
    [[{ urls: 'https://a.example' }]],
    [[{ urls: [] }]],
    [[null]],
    [[{ urls: 'turn:a', username: 5 }]],
  ])('rejects %j', (value) => {
    expect(parseIceServers(value).ok).toBe(false)
  })
})
