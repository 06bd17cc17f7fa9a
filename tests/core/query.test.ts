import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { allTags, createItem, foldText, queryItems, readItems, setPinned, type Item, type ItemQuery } from '../../src/core/index.ts'
import { DAY, HOUR, NOW, aidDraft, eventDraft, meetingDraft, noticeDraft, resourceDraft, unwrap } from './fixtures.ts'

/**
 * The circle's board a week in: each item is posted at its own time so
 * "newest first" has something to sort. Queried at NOW.
 */
function board(): Item[] {
  const doc = new Y.Doc()
  const post = (id: string, draft: Record<string, unknown>, at: number): void => {
    unwrap(createItem(doc, draft, at, id))
  }
  const earlier = NOW - 7 * DAY
  post('notice-food', noticeDraft({ title: 'Café rotation', body: 'Sign up at the Crèche', tags: ['food', 'volunteers'] }), earlier + 1 * HOUR)
  post('notice-ar', noticeDraft({ title: 'مَدْرَسَةُ اللُّغَةِ', body: 'دروس مجانية', author: 'Nour', tags: ['language'] }), earlier + 2 * HOUR)
  post('event-picnic', eventDraft({ title: 'Picnic', start: NOW + 2 * DAY, end: null, tags: ['food'] }), earlier + 3 * HOUR)
  post('event-film', eventDraft({ title: 'Film night', start: NOW + DAY, end: NOW + DAY + 2 * HOUR, place: 'Kino Ost' }), earlier + 4 * HOUR)
  post('event-march', eventDraft({ title: 'March', start: NOW - 3 * DAY, end: NOW - 3 * DAY + HOUR }), earlier + 5 * HOUR)
  post('event-running', eventDraft({ title: 'Workshop', start: NOW - HOUR, end: NOW + HOUR }), earlier + 6 * HOUR)
  post('event-justended', eventDraft({ title: 'Brunch', start: NOW - 2 * HOUR, end: NOW - 1 }), earlier + 7 * HOUR)
  post('event-nowstart', eventDraft({ title: 'Starts now', start: NOW, end: null }), earlier + 8 * HOUR)
  post('meeting-circle', meetingDraft({ title: 'Support circle', access: 'Ring twice, ask for Sam' }), earlier + 9 * HOUR)
  post('aid-room', aidDraft({ title: 'Spare room', tags: ['housing'] }), earlier + 10 * HOUR)
  post('aid-lawyer', aidDraft({ title: 'Need a lawyer', aidType: 'request', category: 'legal', status: 'taken' }), earlier + 11 * HOUR)
  post('aid-money', aidDraft({ title: 'Rent help', aidType: 'request', category: 'money', tags: ['#Housing'] }), earlier + 12 * HOUR)
  post('resource-doc', resourceDraft({ contact: 'Clinic Hamra, 3rd floor', notes: 'Speaks Français' }), earlier + 13 * HOUR)
  post('notice-gone', noticeDraft({ title: 'Expired notice', expiresAt: NOW - 1, tags: [] }), earlier)
  post('notice-ends-now', noticeDraft({ title: 'Expires exactly now', expiresAt: NOW, tags: [] }), earlier)
  post('notice-later', noticeDraft({ title: 'Expires later', expiresAt: NOW + DAY, tags: [] }), earlier + 14 * HOUR)
  return readItems(doc)
}

const ids = (query: ItemQuery, items = board(), now = NOW): string[] => queryItems(items, query, now).map((item) => item.id)

describe('queryItems: Bob looks for things on the board', () => {
  it('shows everything not expired, newest first', () => {
    expect(ids({})).toEqual([
      'notice-later',
      'resource-doc',
      'aid-money',
      'aid-lawyer',
      'aid-room',
      'meeting-circle',
      'event-nowstart',
      'event-justended',
      'event-running',
      'event-march',
      'event-film',
      'event-picnic',
      'notice-ar',
      'notice-food',
    ])
  })

  it('never shows expired items, whatever the query', () => {
    const gone = ['notice-gone', 'notice-ends-now']
    for (const query of [{}, { kind: 'notice' }, { text: 'expire' }] as ItemQuery[]) {
      expect(ids(query).filter((id) => gone.includes(id))).toEqual([])
    }
    expect(ids({ text: 'expire' })).toEqual(['notice-later'])
  })

  it('filters by kind', () => {
    expect(ids({ kind: 'aid' })).toEqual(['aid-money', 'aid-lawyer', 'aid-room'])
    expect(ids({ kind: 'resource' })).toEqual(['resource-doc'])
    expect(ids({ kind: 'meeting' })).toEqual(['meeting-circle'])
  })

  it('filters mutual aid by category, status and type (other kinds never match)', () => {
    expect(ids({ category: 'housing' })).toEqual(['aid-room'])
    expect(ids({ status: 'open' })).toEqual(['aid-money', 'aid-room'])
    expect(ids({ status: 'taken' })).toEqual(['aid-lawyer'])
    expect(ids({ aidType: 'request' })).toEqual(['aid-money', 'aid-lawyer'])
    expect(ids({ aidType: 'request', status: 'open', category: 'money' })).toEqual(['aid-money'])
  })

  it('filters by tag, normalising what Bob typed', () => {
    expect(ids({ tag: 'food' })).toEqual(['event-picnic', 'notice-food'])
    expect(ids({ tag: ' #HOUSING' })).toEqual(['aid-money', 'aid-room'])
    expect(ids({ tag: 'nothing' })).toEqual([])
  })

  describe('text search', () => {
    it('ignores case and accents, both in the query and the item', () => {
      expect(ids({ text: 'CAFE' })).toEqual(['notice-food'])
      expect(ids({ text: 'crèche' })).toEqual(['notice-food'])
      expect(ids({ text: 'creche' })).toEqual(['notice-food'])
      expect(ids({ text: 'francais' })).toEqual(['resource-doc'])
    })

    it('finds Arabic written with or without harakat', () => {
      expect(ids({ text: 'مدرسة' })).toEqual(['notice-ar'])
      expect(ids({ text: 'اللغة' })).toEqual(['notice-ar'])
      expect(ids({ text: 'دُرُوس' })).toEqual(['notice-ar'])
      expect(ids({ text: 'مجـــانية' })).toEqual(['notice-ar'])
    })

    it('searches title, body, author, place, access, contact, notes and tags', () => {
      expect(ids({ text: 'rotation' })).toEqual(['notice-food'])
      expect(ids({ text: 'sign up' })).toEqual(['notice-food'])
      expect(ids({ text: 'nour' })).toEqual(['notice-ar'])
      expect(ids({ text: 'kino' })).toEqual(['event-film'])
      expect(ids({ text: 'ring twice' })).toEqual(['meeting-circle'])
      expect(ids({ text: 'hamra' })).toEqual(['resource-doc'])
      expect(ids({ text: 'volunteers' })).toEqual(['notice-food'])
    })

    it('needs every word, in any order, and ignores blank queries', () => {
      expect(ids({ text: 'help rent' })).toEqual(['aid-money'])
      expect(ids({ text: 'rent lawyer' })).toEqual([])
      expect(ids({ text: '   ' })).toHaveLength(14)
    })

    it('does not join words across fields', () => {
      expect(ids({ text: 'rotationsign' })).toEqual([])
    })
  })

  describe('upcoming and past', () => {
    it('upcoming: events and meetings not yet over, soonest first', () => {
      expect(ids({ when: 'upcoming' })).toEqual(['event-running', 'event-nowstart', 'meeting-circle', 'event-film', 'event-picnic'])
    })

    it('past: the ones that are over, latest first', () => {
      expect(ids({ when: 'past' })).toEqual(['event-justended', 'event-march'])
    })

    it('combines with kind', () => {
      expect(ids({ when: 'upcoming', kind: 'meeting' })).toEqual(['meeting-circle'])
      expect(ids({ when: 'past', kind: 'notice' })).toEqual([])
    })
  })

  describe('order', () => {
    it('puts pinned items first, each group in its own order', () => {
      const doc = new Y.Doc()
      for (const item of board()) unwrap(createItem(doc, item, item.createdAt, item.id))
      setPinned(doc, 'notice-food', true)
      setPinned(doc, 'event-picnic', true)
      const items = readItems(doc)
      expect(ids({}, items).slice(0, 3)).toEqual(['event-picnic', 'notice-food', 'notice-later'])
      expect(ids({ when: 'upcoming' }, items)).toEqual(['event-picnic', 'event-running', 'event-nowstart', 'meeting-circle', 'event-film'])
    })

    it('breaks ties by id, so every peer sorts identically whatever order it read items in', () => {
      const doc = new Y.Doc()
      for (const id of ['b', 'c', 'a']) unwrap(createItem(doc, eventDraft(), NOW, id))
      const items = readItems(doc)
      expect(ids({}, items)).toEqual(['a', 'b', 'c'])
      expect(ids({}, [...items].reverse())).toEqual(['a', 'b', 'c'])
      expect(ids({ when: 'upcoming' }, [...items].reverse())).toEqual(['a', 'b', 'c'])
      expect(ids({ when: 'past' }, [...items].reverse(), NOW + 2 * DAY)).toEqual(['a', 'b', 'c'])
    })

    it('does not reorder the caller’s array', () => {
      const items = board()
      const before = items.map((item) => item.id)
      queryItems(items, {}, NOW)
      expect(items.map((item) => item.id)).toEqual(before)
    })
  })
})

describe('foldText', () => {
  it('folds case, accents, ligatures, harakat and tatweel', () => {
    expect(foldText('Ça VA? ﬁne')).toBe('ca va? fine')
    expect(foldText('İstanbul')).toBe('istanbul')
    expect(foldText('مَدْرَسَةٌ')).toBe('مدرسة')
    expect(foldText('هٰذا')).toBe('هذا')
    expect(foldText('جمـــيل')).toBe('جميل')
    expect(foldText('إسلام أمل آمن')).toBe('اسلام امل امن')
  })
})

describe('allTags', () => {
  it('lists tags by how many items use them, then by name', () => {
    expect(allTags(board())).toEqual(['food', 'housing', 'language', 'volunteers'])
    const tagged = (tags: string[]): Item => ({ tags }) as unknown as Item
    expect(allTags([tagged(['b', 'a']), tagged(['c', 'b']), tagged(['c']), tagged(['b'])])).toEqual(['b', 'c', 'a'])
    expect(allTags([])).toEqual([])
  })

  it('counts a tag once per item, even when a tampered item carries it twice', () => {
    const tagged = (tags: string[]): Item => ({ tags }) as unknown as Item
    // "a" twice on one item and "b" on two items: "b" is used more.
    expect(allTags([tagged(['a', 'a', 'b']), tagged(['b'])])).toEqual(['b', 'a'])
  })
})
