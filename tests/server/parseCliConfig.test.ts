import { describe, expect, it } from 'vitest'
import { parseCliConfig } from '../../src/server/parseCliConfig.ts'

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseCliConfig(argv, env)
  if (!parsed.ok) throw new Error(parsed.error)
  if (parsed.config.command !== 'serve') throw new Error('expected serve')
  return parsed.config
}
const error = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseCliConfig(argv, env)
  return parsed.ok ? null : parsed.error
}

describe('npm start configuration', () => {
  it('defaults to loopback:8787 with nothing third-party', () => {
    expect(serve([])).toEqual({
      command: 'serve',
      options: { host: '127.0.0.1', port: 8787, iceServers: [], turn: null, extraSignaling: [], redisUrl: null, trustedProxies: 0, limits: {} },
      distDir: null,
    })
  })

  it('reads HOST/PORT and lets flags win', () => {
    expect(serve([], { HOST: '0.0.0.0', PORT: '9000' }).options).toMatchObject({ host: '0.0.0.0', port: 9000 })
    expect(serve(['--host', '::1', '--port=0'], { HOST: '0.0.0.0', PORT: '9000' }).options).toMatchObject({ host: '::1', port: 0 })
  })

  it('reads ICE servers, TURN REST settings and extra signaling from the environment', () => {
    const config = serve([], {
      HEARTH_ICE_SERVERS: '[{"urls":"stun:stun.example.org"}]',
      HEARTH_TURN_SECRET: 'sec',
      HEARTH_TURN_URLS: 'turn:t.example:3478, turns:t.example:5349',
      HEARTH_TURN_TTL: '3600',
      HEARTH_SIGNALING: 'wss://a.example/signal,wss://b.example',
    })
    expect(config.options).toMatchObject({
      iceServers: [{ urls: 'stun:stun.example.org' }],
      turn: { secret: 'sec', urls: ['turn:t.example:3478', 'turns:t.example:5349'], ttlSeconds: 3600 },
      extraSignaling: ['wss://a.example/signal', 'wss://b.example'],
    })
  })

  it('takes a prebuilt app directory', () => {
    expect(serve(['--dist', '/srv/hearth']).distDir).toBe('/srv/hearth')
    expect(serve([], { HEARTH_DIST: '/srv/h' }).distDir).toBe('/srv/h')
  })

  it('reads the signaling cluster, proxy trust and limit overrides from the environment', () => {
    expect(
      serve([], {
        HEARTH_REDIS_URL: 'redis://:pw@127.0.0.1:6379/0',
        HEARTH_TRUST_PROXY: '1',
        HEARTH_LIMITS: '{"maxConnectionsPerAddress":200,"idleTimeoutMs":60000}',
      }).options,
    ).toMatchObject({ redisUrl: 'redis://:pw@127.0.0.1:6379/0', trustedProxies: 1, limits: { maxConnectionsPerAddress: 200, idleTimeoutMs: 60000 } })
  })

  it('never repeats a Redis URL (it may hold a password) in an error', () => {
    expect(error([], { HEARTH_REDIS_URL: 'http://user:hunter2@redis.example' })).not.toContain('hunter2')
  })

  it('shows help', () => {
    expect(parseCliConfig(['--help'], {})).toEqual({ ok: true, config: { command: 'help' } })
  })

  it.each([
    [['--port', 'abc'], {}, 'invalid port'],
    [['--port', '70000'], {}, 'invalid port'],
    [['--port'], {}, '--port needs a value'],
    [['--verbose'], {}, 'unknown argument'],
    [[], { HEARTH_ICE_SERVERS: '{' }, 'not valid JSON'],
    [[], { HEARTH_ICE_SERVERS: '[{"urls":"http://x"}]' }, 'HEARTH_ICE_SERVERS'],
    [[], { HEARTH_TURN_SECRET: 's' }, 'both'],
    [[], { HEARTH_TURN_URLS: 'turn:x' }, 'both'],
    [[], { HEARTH_TURN_SECRET: 's', HEARTH_TURN_URLS: 'stun:x' }, 'not a turn'],
    [[], { HEARTH_TURN_SECRET: 's', HEARTH_TURN_URLS: 'turn:x', HEARTH_TURN_TTL: '-1' }, 'HEARTH_TURN_TTL'],
    [[], { HEARTH_SIGNALING: "https://x; script-src 'unsafe-inline'" }, 'HEARTH_SIGNALING'],
    [[], { HEARTH_REDIS_URL: 'http://user:hunter2@redis.example' }, 'HEARTH_REDIS_URL must be a redis://'],
    [[], { HEARTH_REDIS_URL: 'not a url' }, 'HEARTH_REDIS_URL'],
    [[], { HEARTH_TRUST_PROXY: 'yes' }, 'HEARTH_TRUST_PROXY'],
    [[], { HEARTH_TRUST_PROXY: '-1' }, 'HEARTH_TRUST_PROXY'],
    [[], { HEARTH_LIMITS: '{' }, 'HEARTH_LIMITS is not valid JSON'],
    [[], { HEARTH_LIMITS: '[]' }, 'HEARTH_LIMITS: limits must be an object'],
    [[], { HEARTH_LIMITS: '{"maxConectionsPerAddress":5}' }, 'unknown limit maxConectionsPerAddress'],
    [[], { HEARTH_LIMITS: '{"idleTimeoutMs":0}' }, 'idleTimeoutMs must be a positive number'],
    [[], { HEARTH_LIMITS: '{"maxPayload":"64k"}' }, 'maxPayload must be a positive number'],
  ] as Array<[string[], Record<string, string>, string]>)('rejects %j %j', (argv, env, message) => {
    expect(error(argv, env)).toContain(message)
  })
})
