import { describe, expect, it } from 'vitest'
import { SILENT_MS, SignalingAnswers } from '../../src/sync/signaling-answers.ts'

describe('signaling connections that never answer', () => {
  it('one that opened and said nothing counts as silent after SILENT_MS, and not before', () => {
    const answers = new SignalingAnswers<object>()
    const conn = {}
    answers.opened(conn, 1_000)
    expect(answers.silent(conn, 1_000 + SILENT_MS - 1)).toBe(false)
    expect(answers.silent(conn, 1_000 + SILENT_MS)).toBe(true)
  })

  it('one that answered is not silent, until it opens again and says nothing', () => {
    const answers = new SignalingAnswers<object>()
    const conn = {}
    answers.opened(conn, 0)
    answers.answered(conn)
    expect(answers.silent(conn, 10 * SILENT_MS)).toBe(false)
    answers.opened(conn, 20 * SILENT_MS)
    expect(answers.silent(conn, 21 * SILENT_MS)).toBe(true)
  })

  it('a silent spell lasts across reopenings (lib0 reconnects a silent socket), so the line does not go back to looking each time', () => {
    const answers = new SignalingAnswers<object>()
    const conn = {}
    answers.opened(conn, 0)
    expect(answers.silent(conn, SILENT_MS)).toBe(true)
    answers.opened(conn, 3 * SILENT_MS)
    expect(answers.silent(conn, 3 * SILENT_MS)).toBe(true)
    answers.answered(conn)
    expect(answers.silent(conn, 3 * SILENT_MS)).toBe(false)
  })

  it('connections are told apart, and one forgotten is not silent', () => {
    const answers = new SignalingAnswers<object>()
    const [a, b] = [{}, {}]
    answers.opened(a, 0)
    answers.opened(b, 0)
    answers.answered(b)
    answers.forget(a)
    expect([answers.silent(a, SILENT_MS), answers.silent(b, SILENT_MS)]).toEqual([false, false])
  })
})
