import { describe, expect, it } from 'vitest'
import { TopicTable } from '../../src/server/topicTable.ts'

describe('the topic table', () => {
  it('says when a room gets its first member and loses its last, and forgets empty rooms', () => {
    const table = new TopicTable<string>()
    expect(table.add('room', 'alice')).toBe(true)
    expect(table.add('room', 'bob')).toBe(false)
    expect(table.add('room', 'bob')).toBe(false)
    expect([...(table.members('room') ?? [])]).toEqual(['alice', 'bob'])
    expect(table.remove('room', 'alice')).toBe(false)
    expect(table.remove('room', 'eve')).toBe(false)
    expect(table.remove('room', 'bob')).toBe(true)
    expect(table.members('room')).toBeUndefined()
    expect(table.size).toBe(0)
    expect(table.remove('room', 'bob')).toBe(false)
  })
})
