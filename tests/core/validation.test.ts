import { describe, expect, it } from 'vitest'
import { LIMITS, MAX_TIME, validateDraft, validatePatch, type Item, type ItemId } from '../../src/core/index.ts'
import { DAY, DRAFTS, HOUR, NOW, aidDraft, errorsOf, eventDraft, meetingDraft, noticeDraft, resourceDraft, unwrap } from './fixtures.ts'

const x = (n: number): string => 'x'.repeat(n)

describe('validateDraft: what Alice may post', () => {
  it('cleans a notice: trims text, normalises tags, fills defaults, drops unknown keys', () => {
    const value = unwrap(
      validateDraft(
        { kind: 'notice', title: '  Food bank  ', author: ' Alice ', tags: [' #Food ', 'FOOD', '##food', 'Rent', ''], evil: '<script>', start: 5 },
        NOW,
      ),
    )
    expect(value).toEqual({ kind: 'notice', title: 'Food bank', body: '', author: 'Alice', pinned: false, tags: ['food', 'rent'], expiresAt: null })
  })

  it.each(Object.keys(DRAFTS) as (keyof typeof DRAFTS)[])('accepts a complete %s', (kind) => {
    expect(unwrap(validateDraft(DRAFTS[kind](), NOW)).kind).toBe(kind)
  })

  it('gives each kind exactly its own fields', () => {
    const common = ['author', 'body', 'expiresAt', 'kind', 'pinned', 'tags', 'title']
    const keys = (draft: Record<string, unknown>): string[] => Object.keys(unwrap(validateDraft(draft, NOW))).sort()
    const everything = { start: NOW + DAY, end: NOW + DAY, place: 'p', access: 'a', aidType: 'offer', category: 'food', status: 'open', contact: 'c', notes: 'n' }
    expect(keys(noticeDraft(everything))).toEqual(common)
    expect(keys(eventDraft(everything))).toEqual([...common, 'end', 'place', 'start'].sort())
    expect(keys(meetingDraft(everything))).toEqual([...common, 'access', 'end', 'place', 'start'].sort())
    expect(keys(aidDraft(everything))).toEqual([...common, 'aidType', 'category', 'status'].sort())
    expect(keys(resourceDraft(everything))).toEqual([...common, 'contact', 'notes'].sort())
  })

  it('rejects input that is not an object on the pseudo-field "item"', () => {
    for (const input of [null, undefined, 'notice', 42, [noticeDraft()]]) {
      expect(errorsOf(validateDraft(input, NOW))).toEqual([{ field: 'item', code: 'invalid' }])
    }
  })

  it('requires a known kind', () => {
    expect(errorsOf(validateDraft(noticeDraft({ kind: undefined }), NOW))).toEqual([{ field: 'kind', code: 'required' }])
    expect(errorsOf(validateDraft(noticeDraft({ kind: 'poll' }), NOW))).toEqual([{ field: 'kind', code: 'invalid' }])
    expect(errorsOf(validateDraft(noticeDraft({ kind: 'toString' }), NOW))).toEqual([{ field: 'kind', code: 'invalid' }])
  })

  it('returns every error at once, even when the kind is unknown', () => {
    const errors = errorsOf(validateDraft({ kind: 'poll', title: ' ', author: x(61), body: 7, tags: 'food' }, NOW))
    expect(errors).toEqual([
      { field: 'kind', code: 'invalid' },
      { field: 'title', code: 'required' },
      { field: 'body', code: 'invalid' },
      { field: 'author', code: 'too_long', limit: 60 },
      { field: 'tags', code: 'invalid' },
    ])
  })

  describe('text fields', () => {
    it('requires a title and an author, and whitespace does not count', () => {
      expect(errorsOf(validateDraft(noticeDraft({ title: undefined, author: '   ' }), NOW))).toEqual([
        { field: 'title', code: 'required' },
        { field: 'author', code: 'required' },
      ])
    })

    it.each([
      ['title', noticeDraft, LIMITS.title],
      ['body', noticeDraft, LIMITS.body],
      ['author', noticeDraft, LIMITS.author],
      ['place', eventDraft, LIMITS.place],
      ['place', meetingDraft, LIMITS.place],
      ['access', meetingDraft, LIMITS.access],
      ['contact', resourceDraft, LIMITS.contact],
      ['notes', resourceDraft, LIMITS.notes],
    ] as const)('limits %s (%#) to its LIMITS length, counted after trimming', (field, draft, limit) => {
      expect(unwrap(validateDraft(draft({ [field]: `  ${x(limit)}\n` }), NOW))).toMatchObject({ [field]: x(limit) })
      expect(errorsOf(validateDraft(draft({ [field]: x(limit + 1) }), NOW))).toEqual([{ field, code: 'too_long', limit }])
    })

    it('publishes the limits the UI shows', () => {
      expect(LIMITS).toMatchObject({ title: 200, body: 5000, author: 60, place: 300, access: 500, contact: 500, notes: 2000, tags: 10, tag: 32 })
    })

    it('rejects non-strings as invalid', () => {
      expect(errorsOf(validateDraft(noticeDraft({ title: 12, body: ['a'], author: { name: 'Eve' } }), NOW))).toEqual([
        { field: 'title', code: 'invalid' },
        { field: 'body', code: 'invalid' },
        { field: 'author', code: 'invalid' },
      ])
    })
  })

  describe('tags', () => {
    it('merges duplicates before counting, so eleven spellings of ten tags pass', () => {
      const tags = [...Array.from({ length: 10 }, (_, i) => `t${i}`), '#T0']
      expect(unwrap(validateDraft(noticeDraft({ tags }), NOW)).tags).toHaveLength(10)
    })

    it('allows at most ten distinct tags', () => {
      const tags = Array.from({ length: 11 }, (_, i) => `t${i}`)
      expect(errorsOf(validateDraft(noticeDraft({ tags }), NOW))).toEqual([{ field: 'tags', code: 'too_many', limit: 10 }])
    })

    it('allows tags of 1 to 32 characters after normalising', () => {
      expect(unwrap(validateDraft(noticeDraft({ tags: [`#${x(32)}`, 'a'] }), NOW)).tags).toEqual([x(32), 'a'])
      expect(errorsOf(validateDraft(noticeDraft({ tags: [x(33)] }), NOW))).toEqual([{ field: 'tags', code: 'too_long', limit: 32 }])
      expect(unwrap(validateDraft(noticeDraft({ tags: ['#', '  '] }), NOW)).tags).toEqual([])
    })

    it('lower-cases non-Latin tags too', () => {
      expect(unwrap(validateDraft(noticeDraft({ tags: ['#ЖИЛЬЁ', 'سكن'] }), NOW)).tags).toEqual(['жильё', 'سكن'])
    })

    it('rejects a tag list that is not an array of strings', () => {
      expect(errorsOf(validateDraft(noticeDraft({ tags: 'food' }), NOW))).toEqual([{ field: 'tags', code: 'invalid' }])
      expect(errorsOf(validateDraft(noticeDraft({ tags: ['food', 3] }), NOW))).toEqual([{ field: 'tags', code: 'invalid' }])
    })

    it('refuses a huge list before normalising it', () => {
      expect(errorsOf(validateDraft(noticeDraft({ tags: Array<string>(100_000).fill('a') }), NOW))).toEqual([
        { field: 'tags', code: 'too_many', limit: 10 },
      ])
    })
  })

  it('only takes true or false for pinned', () => {
    expect(unwrap(validateDraft(noticeDraft({ pinned: true }), NOW)).pinned).toBe(true)
    expect(errorsOf(validateDraft(noticeDraft({ pinned: 'yes' }), NOW))).toEqual([{ field: 'pinned', code: 'invalid' }])
  })

  describe('expiry, for any kind', () => {
    it('allows no expiry or one in the future', () => {
      expect(unwrap(validateDraft(noticeDraft({ expiresAt: null }), NOW)).expiresAt).toBeNull()
      expect(unwrap(validateDraft(noticeDraft({ expiresAt: NOW + 1 }), NOW)).expiresAt).toBe(NOW + 1)
    })

    it('refuses an expiry at or before now', () => {
      for (const expiresAt of [NOW, NOW - DAY]) {
        expect(errorsOf(validateDraft(aidDraft({ expiresAt }), NOW))).toEqual([{ field: 'expiresAt', code: 'expiry_in_past' }])
      }
    })

    it('refuses times that are not numbers between 1970 and the end of year 9999', () => {
      for (const expiresAt of [Number.NaN, Infinity, '2025-06-02', -1, MAX_TIME + 1]) {
        expect(errorsOf(validateDraft(noticeDraft({ expiresAt }), NOW))).toEqual([{ field: 'expiresAt', code: 'invalid' }])
      }
    })
  })

  describe('events', () => {
    it('need a start; the end and place are optional', () => {
      const value = unwrap(validateDraft(eventDraft({ end: undefined, place: undefined }), NOW))
      expect(value).toMatchObject({ kind: 'event', start: NOW + DAY, end: null, place: '' })
      expect(errorsOf(validateDraft(eventDraft({ start: undefined }), NOW))).toEqual([{ field: 'start', code: 'required' }])
      expect(errorsOf(validateDraft(eventDraft({ start: '7pm' }), NOW))).toEqual([{ field: 'start', code: 'invalid' }])
    })

    it('cannot end before they start, but may end when they start', () => {
      expect(errorsOf(validateDraft(eventDraft({ end: NOW + DAY - 1 }), NOW))).toEqual([{ field: 'end', code: 'end_before_start' }])
      expect(unwrap(validateDraft(eventDraft({ end: NOW + DAY }), NOW))).toMatchObject({ end: NOW + DAY })
    })

    it('may be in the past (a report of what happened)', () => {
      expect(unwrap(validateDraft(eventDraft({ start: NOW - DAY, end: NOW - DAY + HOUR }), NOW)).kind).toBe('event')
    })
  })

  describe('safe meetings', () => {
    it('need a place, a start and an end', () => {
      expect(errorsOf(validateDraft(meetingDraft({ place: ' ', start: undefined, end: undefined }), NOW))).toEqual([
        { field: 'place', code: 'required' },
        { field: 'start', code: 'required' },
        { field: 'end', code: 'required' },
      ])
    })

    it('expire when they end unless Alice says otherwise', () => {
      expect(unwrap(validateDraft(meetingDraft(), NOW)).expiresAt).toBe(NOW + 8 * HOUR)
      expect(unwrap(validateDraft(meetingDraft({ expiresAt: null }), NOW)).expiresAt).toBe(NOW + 8 * HOUR)
      expect(unwrap(validateDraft(meetingDraft({ expiresAt: NOW + 6 * HOUR }), NOW)).expiresAt).toBe(NOW + 6 * HOUR)
      expect(unwrap(validateDraft(meetingDraft({ access: undefined }), NOW))).toMatchObject({ access: '' })
    })

    it('cannot end before they start', () => {
      expect(errorsOf(validateDraft(meetingDraft({ end: NOW + HOUR }), NOW))).toEqual([{ field: 'end', code: 'end_before_start' }])
    })

    it('cannot be posted once over: the error points at the field Alice set', () => {
      const over = { start: NOW - 3 * HOUR, end: NOW - HOUR }
      expect(errorsOf(validateDraft(meetingDraft(over), NOW))).toEqual([{ field: 'end', code: 'expiry_in_past' }])
      expect(errorsOf(validateDraft(meetingDraft({ expiresAt: NOW - 1 }), NOW))).toEqual([{ field: 'expiresAt', code: 'expiry_in_past' }])
    })
  })

  describe('mutual aid', () => {
    it('needs a type and a category from the lists; status defaults to open', () => {
      expect(unwrap(validateDraft(aidDraft(), NOW))).toMatchObject({ aidType: 'offer', category: 'housing', status: 'open' })
      expect(unwrap(validateDraft(aidDraft({ aidType: 'request', status: 'taken' }), NOW))).toMatchObject({ aidType: 'request', status: 'taken' })
      expect(errorsOf(validateDraft(aidDraft({ aidType: undefined, category: undefined }), NOW))).toEqual([
        { field: 'aidType', code: 'required' },
        { field: 'category', code: 'required' },
      ])
      expect(errorsOf(validateDraft(aidDraft({ aidType: 'gift', category: 'cars', status: 'closed' }), NOW))).toEqual([
        { field: 'aidType', code: 'invalid' },
        { field: 'category', code: 'invalid' },
        { field: 'status', code: 'invalid' },
      ])
    })
  })

  describe('resources', () => {
    it('need a name (the title) and a way to reach them', () => {
      expect(errorsOf(validateDraft(resourceDraft({ title: '', contact: '  ' }), NOW))).toEqual([
        { field: 'title', code: 'required' },
        { field: 'contact', code: 'required' },
      ])
      expect(unwrap(validateDraft(resourceDraft({ notes: undefined }), NOW))).toMatchObject({ notes: '' })
    })
  })
})

describe('validatePatch: what Bob may change', () => {
  const created = NOW - DAY
  const item = (draft: Record<string, unknown>, id = 'item-1'): Item =>
    ({ ...unwrap(validateDraft(draft, created)), id: id as ItemId, createdAt: created, updatedAt: created }) as Item

  it('merges the patch, keeps the rest, and stamps updatedAt', () => {
    const before = item(noticeDraft())
    const after = unwrap(validatePatch(before, { title: '  Food bank moved ', body: undefined, tags: ['#Food', 'Moved'] }, NOW))
    expect(after).toEqual({ ...before, title: 'Food bank moved', tags: ['food', 'moved'], updatedAt: NOW })
  })

  it('ignores the id, timestamps, unknown keys and fields of other kinds', () => {
    const before = item(noticeDraft())
    const after = unwrap(validatePatch(before, { id: 'other', createdAt: 1, updatedAt: 2, start: NOW, contact: 'x', hack: true }, NOW))
    expect(after).toEqual({ ...before, updatedAt: NOW })
  })

  it('cannot change the kind', () => {
    const before = item(noticeDraft())
    expect(unwrap(validatePatch(before, { kind: 'notice' }, NOW)).kind).toBe('notice')
    expect(errorsOf(validatePatch(before, { kind: 'event', title: '' }, NOW))).toEqual([
      { field: 'kind', code: 'invalid' },
      { field: 'title', code: 'required' },
    ])
  })

  it('rejects a patch that is not an object', () => {
    expect(errorsOf(validatePatch(item(noticeDraft()), 'title', NOW))).toEqual([{ field: 'item', code: 'invalid' }])
  })

  it('checks the merged item as a whole', () => {
    const before = item(eventDraft())
    expect(errorsOf(validatePatch(before, { end: NOW }, NOW))).toEqual([{ field: 'end', code: 'end_before_start' }])
    expect(errorsOf(validatePatch(before, { title: x(201) }, NOW))).toEqual([{ field: 'title', code: 'too_long', limit: 200 }])
  })

  it('only insists a *changed* expiry is in the future', () => {
    const before = item(noticeDraft({ expiresAt: NOW - HOUR }))
    expect(unwrap(validatePatch(before, { title: 'Still here' }, NOW)).expiresAt).toBe(NOW - HOUR)
    expect(errorsOf(validatePatch(before, { expiresAt: NOW - 1 }, NOW))).toEqual([{ field: 'expiresAt', code: 'expiry_in_past' }])
    expect(unwrap(validatePatch(before, { expiresAt: null }, NOW)).expiresAt).toBeNull()
  })

  it("moves a meeting's default expiry along with its end", () => {
    const before = item(meetingDraft())
    const later = unwrap(validatePatch(before, { start: NOW + DAY, end: NOW + DAY + HOUR }, NOW))
    expect(later).toMatchObject({ end: NOW + DAY + HOUR, expiresAt: NOW + DAY + HOUR })
    expect(errorsOf(validatePatch(before, { start: NOW - 2 * HOUR, end: NOW - HOUR }, NOW))).toEqual([{ field: 'end', code: 'expiry_in_past' }])
  })

  it("keeps a meeting's chosen expiry when the end moves, and `null` restores the default", () => {
    const before = item(meetingDraft({ expiresAt: NOW + 7 * HOUR }))
    expect(unwrap(validatePatch(before, { end: NOW + 9 * HOUR }, NOW)).expiresAt).toBe(NOW + 7 * HOUR)
    expect(unwrap(validatePatch(before, { expiresAt: null }, NOW)).expiresAt).toBe(NOW + 8 * HOUR)
  })
})
