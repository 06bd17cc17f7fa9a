/**
 * An operator sets HEARTH_LIMITS='{"maxConnectionsPerAddress":100}'. A typo
 * or a wrong kind of value must stop the server with a message that says
 * what is wrong, never leave a bound at a value nobody meant.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_SIGNALING_LIMITS, limitsError, resolveLimits } from '../../src/server/limits.ts'

describe('signaling limits from the operator', () => {
  it('fill in the defaults around what was set', () => {
    expect(resolveLimits({ maxConnectionsPerAddress: 100 })).toEqual({ ...DEFAULT_SIGNALING_LIMITS, maxConnectionsPerAddress: 100 })
    expect(resolveLimits()).toEqual(DEFAULT_SIGNALING_LIMITS)
    expect(limitsError({})).toBeNull()
  })

  it.each([
    ['a string', '{"maxConnections":5}'],
    ['a number', 5],
    ['null', null],
    ['an array', [{ maxConnections: 5 }]],
  ])('must be an object, not %s', (_what, partial) => {
    expect(limitsError(partial)).toBe('limits must be an object')
  })

  it.each([
    ['a number in a string', '5', 'got "5"'],
    ['zero', 0, 'got 0'],
    ['a negative number', -1, 'got -1'],
    ['infinity', Number.POSITIVE_INFINITY, 'got Infinity'],
    ['NaN', Number.NaN, 'got NaN'],
    ['nothing', undefined, 'got undefined'],
  ])('refuse %s as a limit, naming the limit and the value', (_what, value, got) => {
    expect(limitsError({ maxConnections: value })).toBe(`limit maxConnections must be a positive number, ${got}`)
  })

  it('refuse a name that is not a limit (a typo)', () => {
    expect(limitsError({ maxConnection: 5 })).toBe('unknown limit maxConnection')
  })

  it('stop the server with a RangeError that says so', () => {
    expect(() => resolveLimits({ maxConnections: 0 })).toThrow(new RangeError('signaling limit maxConnections must be a positive number, got 0'))
    expect(() => resolveLimits(null as never)).toThrow(new RangeError('signaling limits must be an object'))
  })
})
