import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { addressGroup } from '../../src/server/addressGroup.ts'
import { clientAddress } from '../../src/server/clientAddress.ts'

const request = (remoteAddress: string, forwardedFor?: string): IncomingMessage =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage

describe('which address a connection counts against', () => {
  it('an IPv4 address is itself, also when Node reports it IPv4-mapped', () => {
    expect(addressGroup('203.0.113.7')).toBe('203.0.113.7')
    expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7')
  })

  it('Eve cannot dodge the limit by using a fresh IPv6 address from her /64 for each socket', () => {
    expect(addressGroup('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64')
    expect(addressGroup('2001:db8:aa:bb::9')).toBe('2001:db8:aa:bb::/64')
    expect(addressGroup('2001:0db8:00aa:00bb:ffff::1%eth0')).toBe('2001:db8:aa:bb::/64')
    expect(addressGroup('2001:db8:aa:bc::1')).not.toBe(addressGroup('2001:db8:aa:bb::1'))
    expect(addressGroup('::1')).toBe('0:0:0:0::/64')
    expect(addressGroup('64:ff9b::198.51.100.1')).toBe('64:ff9b:0:0::/64')
  })

  it('by default X-Forwarded-For is ignored: Eve could write anything there', () => {
    expect(clientAddress(request('198.51.100.9', '1.2.3.4'), 0)).toBe('198.51.100.9')
  })

  it('behind one trusted proxy, the entry that proxy appended is the client; what Eve wrote before it is not read', () => {
    expect(clientAddress(request('127.0.0.1', '203.0.113.7'), 1)).toBe('203.0.113.7')
    expect(clientAddress(request('127.0.0.1', '1.2.3.4, 5.6.7.8, 203.0.113.7'), 1)).toBe('203.0.113.7')
    expect(clientAddress(request('127.0.0.1', '1.2.3.4,198.51.100.2 ,127.0.0.5'), 2)).toBe('198.51.100.2')
  })

  it('behind a proxy, a request without a usable forwarded entry counts against its TCP peer', () => {
    expect(clientAddress(request('127.0.0.1'), 1)).toBe('127.0.0.1')
    expect(clientAddress(request('127.0.0.1', 'not-an-ip'), 1)).toBe('127.0.0.1')
    expect(clientAddress(request('127.0.0.1', '203.0.113.7'), 2)).toBe('127.0.0.1')
  })
})
