import { describe, expect, it } from 'vitest'
import { parseArgs } from './lib/args.ts'

const PARTS = ['bundle', 'open', 'sync', 'scale-table']

describe('npm run bench options', () => {
  it('reads --scale as item counts from 100 on, and as a factor of the 10,000-item board below', () => {
    expect(parseArgs(['--scale', '1000,10000,100000'], PARTS)).toMatchObject({ items: 10_000, tableItems: [1_000, 10_000, 100_000] })
    expect(parseArgs(['--scale=2'], PARTS)).toMatchObject({ items: 20_000, tableItems: [20_000] })
    expect(parseArgs(['--scale', '100000,1000'], PARTS).tableItems).toEqual([1_000, 100_000])
    expect(parseArgs([], PARTS)).toMatchObject({ items: 10_000, tableItems: [1_000, 10_000, 100_000] })
  })

  it('runs the parts --only names, in their registered order', () => {
    expect(parseArgs(['--only', 'scale-table,open'], PARTS).only).toEqual(['open', 'scale-table'])
    expect(() => parseArgs(['--only', 'opne'], PARTS)).toThrow(/--only takes bundle,open,sync,scale-table/)
  })

  it('refuses what it does not understand', () => {
    expect(() => parseArgs(['--scale', 'big'], PARTS)).toThrow(/--scale/)
    expect(() => parseArgs(['--scale', '2000000'], PARTS)).toThrow(/between 10 and 1,000,000/)
    expect(() => parseArgs(['--fast'], PARTS)).toThrow(/unknown argument --fast/)
  })
})
