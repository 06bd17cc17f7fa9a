import { describe, expect, it } from 'vitest'
import { PASSPHRASE_MAX, PASSPHRASE_MIN } from '../../src/crypto/index.ts'
import { PASSPHRASE_LIMITS } from '../../src/state/lock.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import type { BoardId } from '../../src/app/index.ts'
import type { ItemId } from '../../src/core/index.ts'

const garden = 'garden-board-0001' as BoardId
const kitchen = 'kitchen-board-002' as BoardId

describe('what a tab remembers only while it runs', () => {
  it("keeps Alice's half-written posts per board and per kind, and forgets them all on lock", () => {
    const memory = new SessionMemory()
    memory.keepDraft(garden, { kind: 'notice' }, { title: 'Seeds to share', pinned: false })
    memory.keepDraft(garden, { kind: 'event' }, { title: 'Planting day' })
    memory.keepDraft(kitchen, { kind: 'notice' }, { title: 'Soup on Sunday' })
    memory.keepDraft(garden, { kind: 'notice', item: 'item-1' as ItemId }, { title: 'An edit' })
    expect(memory.draft(garden, { kind: 'notice' })).toEqual({ title: 'Seeds to share', pinned: false })
    expect(memory.draft(garden, { kind: 'event' })?.title).toBe('Planting day')
    expect(memory.draft(kitchen, { kind: 'notice' })?.title).toBe('Soup on Sunday')
    expect(memory.draft(garden, { kind: 'notice', item: 'item-1' as ItemId })?.title).toBe('An edit')
    expect(memory.draft(kitchen, { kind: 'event' })).toBeUndefined()

    memory.dropDraft(garden, { kind: 'event' })
    expect(memory.draft(garden, { kind: 'event' })).toBeUndefined()
    memory.meetings(garden).set('m' as ItemId, { id: 'm' as ItemId, createdAt: 1, pinned: false, start: 2, expiresAt: 3 })

    memory.clear()
    expect(memory.draft(garden, { kind: 'notice' })).toBeUndefined()
    expect(memory.draft(kitchen, { kind: 'notice' })).toBeUndefined()
    expect(memory.meetings(garden).size).toBe(0)
  })

  it('states the passphrase limits the crypto layer checks', () => {
    expect(PASSPHRASE_LIMITS).toEqual({ min: PASSPHRASE_MIN, max: PASSPHRASE_MAX })
  })
})
