import { describe, expect, it } from 'vitest'
import { negotiateEncoding } from '../../src/server/negotiateEncoding.ts'

describe('choosing a content coding from Accept-Encoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['BR', 'br'],
    ['*', 'br'],
    ['*;q=0.1, br;q=0', 'gzip'],
    ['identity', null],
    ['gzip;q=0, br;q=0', null],
    ['', null],
    [undefined, null],
    ['br;q=nonsense', null],
  ])('%j → %s', (header, coding) => {
    expect(negotiateEncoding(header)).toBe(coding)
  })
})
