/**
 * Realistic boards with a fixed seed, built with Hearth's own core functions
 * (createItem, updateItem, deleteItem) so the doc has exactly the shape and
 * history the app produces: one nested Y.Map per item, one transaction per
 * action, many member devices (client ids), edits and deletions interleaved.
 */
import * as Y from 'yjs'
import { createItem, deleteItem, initBoard, itemsMap, LIMITS, updateItem, type ItemKind } from '../../../src/core/index.ts'
import { asTransportSecret, deriveTransportKeys, type BoardId, type TransportSecret } from '../../../src/crypto/index.ts'
import { Random } from './random.ts'

/** Creation times start here (fixed, so every run builds the same bytes). */
export const BOARD_EPOCH = Date.UTC(2026, 0, 1)
/**
 * Meetings expire when they end; a swept item would change the board under
 * the benchmark, so generated meetings are dated far in the future.
 */
const FAR_FUTURE = Date.UTC(2090, 0, 1)

const WORDS: Record<string, readonly string[]> = {
  en: 'housing shelter tonight safe contact lawyer clinic friendly doctor meeting moved back door bring your ID food bank rides available Thursday evening call before coming hotline open late support group newcomers welcome keep it quiet legal aid appointment translation help needed room spare week kitchen volunteers pharmacy prescription bus fare childcare'.split(' '),
  ar: 'سكن مأوى الليلة آمن تواصل محامي عيادة طبيب اجتماع الباب الخلفي طعام مساعدة قانونية موعد ترجمة غرفة أسبوع متطوعين صيدلية دعم مجموعة جديدة'.split(' '),
  ru: 'жильё приют сегодня безопасно контакт юрист клиника врач встреча задняя дверь еда помощь запись перевод комната неделя волонтёры аптека поддержка группа'.split(' '),
  tr: 'barınma sığınak bu gece güvenli iletişim avukat klinik doktor toplantı arka kapı yemek yardım randevu çeviri oda hafta gönüllü eczane destek grup'.split(' '),
  fa: 'مسکن پناهگاه امشب امن تماس وکیل درمانگاه پزشک جلسه در پشتی غذا کمک قرار ترجمه اتاق هفته داوطلب داروخانه حمایت گروه'.split(' '),
}
const LANGS = { en: 50, ar: 20, ru: 12, tr: 10, fa: 8 } as const
const TAGS = ['housing', 'legal', 'health', 'food', 'work', 'urgent', 'weekend', 'newcomers', 'translation', 'transport', 'money', 'childcare']
const KINDS: Readonly<Record<ItemKind, number>> = { notice: 30, event: 15, meeting: 10, aid: 35, resource: 10 }
const HOUR = 3_600_000

export interface BoardSpec {
  /** Items left on the board at the end. */
  items: number
  /** Edits (updateItem) in the history. */
  edits: number
  /** Deletions in the history (so `items + deletions` are created). */
  deletions: number
  /** Member devices writing to the board (one Yjs client id each). */
  members: number
}

export const SMALL: BoardSpec = { items: 100, edits: 0, deletions: 0, members: 8 }
export const LARGE: BoardSpec = { items: 10_000, edits: 20_000, deletions: 2_000, members: 40 }

export function scaled(spec: BoardSpec, factor: number): BoardSpec {
  return {
    items: Math.round(spec.items * factor),
    edits: Math.round(spec.edits * factor),
    deletions: Math.round(spec.deletions * factor),
    members: spec.members,
  }
}

export interface GeneratedBoard {
  name: string
  spec: BoardSpec
  secret: TransportSecret
  boardId: BoardId
  /** `Y.encodeStateAsUpdate(doc)`: what a device stores and sends. */
  update: Uint8Array
  itemCount: number
  /** Titles of a few items, to check a render. */
  sampleTitles: string[]
  /** Item kinds on the final board. */
  kinds: Record<ItemKind, number>
  /** Total UTF-16 length of titles and bodies on the final board. */
  textChars: number
  generateMs: number
}

function sentence(rng: Random, words: number): string {
  const lang = rng.weighted(LANGS)
  const list = WORDS[lang]!
  const out: string[] = []
  for (let i = 0; i < words; i++) out.push(rng.pick(list))
  return out.join(' ')
}

/** Body lengths with a long tail: most posts are a few lines, a few are long. */
function bodyWords(rng: Random): number {
  const r = rng.next()
  if (r < 0.25) return rng.int(0, 8)
  if (r < 0.75) return rng.int(8, 40)
  if (r < 0.97) return rng.int(40, 120)
  return rng.int(120, 400)
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).trimEnd()
}

function itemId(rng: Random): string {
  return Buffer.from(rng.bytes(16)).toString('base64url')
}

function draft(rng: Random, kind: ItemKind, author: string, now: number): Record<string, unknown> {
  const title = clip(sentence(rng, rng.int(2, 12)), LIMITS.title)
  const body = clip(sentence(rng, bodyWords(rng)), LIMITS.body)
  const tags = rng.chance(0.6) ? [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.pick(TAGS)))] : []
  const common = { kind, title, body, author, pinned: rng.chance(0.02), tags, expiresAt: null }
  switch (kind) {
    case 'notice':
      return common
    case 'event': {
      const start = now + rng.int(-30, 120) * 24 * HOUR
      return { ...common, start, end: rng.chance(0.7) ? start + rng.int(1, 6) * HOUR : null, place: sentence(rng, rng.int(2, 6)) }
    }
    case 'meeting': {
      const start = FAR_FUTURE + rng.int(0, 365) * 24 * HOUR
      return { ...common, expiresAt: undefined, start, end: start + rng.int(1, 3) * HOUR, place: sentence(rng, rng.int(2, 6)), access: sentence(rng, rng.int(3, 12)) }
    }
    case 'aid':
      return { ...common, aidType: rng.chance(0.55) ? 'offer' : 'request', category: rng.pick(['housing', 'work', 'legal', 'health', 'money', 'food', 'other']), status: 'open' }
    case 'resource':
      return { ...common, contact: `+${rng.int(10, 99)} ${rng.int(100, 999)} ${rng.int(1000, 9999)}`, notes: sentence(rng, rng.int(0, 30)) }
  }
}

function patchFor(rng: Random, kind: string): Record<string, unknown> {
  const r = rng.next()
  if (kind === 'aid' && r < 0.35) return { status: rng.pick(['open', 'taken', 'done']) }
  if (r < 0.55) return { body: clip(sentence(rng, bodyWords(rng)), LIMITS.body) }
  if (r < 0.75) return { title: clip(sentence(rng, rng.int(2, 12)), LIMITS.title) }
  if (r < 0.9) return { tags: [...new Set(Array.from({ length: rng.int(0, 3) }, () => rng.pick(TAGS)))] }
  return { pinned: rng.chance(0.3) }
}

/** One step of a board's history: run `apply` on the acting member's doc, in one transaction. */
export interface BoardAction {
  kind: 'init' | 'create' | 'edit' | 'delete'
  /** Index of the acting member device (0 … spec.members − 1). */
  member: number
  apply(doc: Y.Doc): void
}

export interface BoardScript {
  secret: TransportSecret
  boardId: BoardId
  /** Display names of the member devices (`member 1` …). */
  members: string[]
  actions: Generator<BoardAction, void, undefined>
}

/**
 * The seeded action sequence of a board, independent of where it runs: on
 * one plain Y.Doc (`generateBoard`) or on member devices' own docs (the
 * sealed figure). Creates `items + deletions` items, and interleaves `edits`
 * edits and `deletions` deletions with the creations (edits favour recent
 * items, as people edit what they just posted). Each action is one
 * transaction by one member device. Every random choice is made here, so the
 * same seed gives the same actions whatever runs them.
 *
 * With `owners` (each member device's tag), the board keeps today's rules of
 * who may write what (src/sealed/authority.ts), as a board written in the app
 * does: item ids name their owner's device, only the owner edits or deletes
 * an item, and pins, which only moderators set, are set by the founder
 * (member 1) on its own items alone — never at creation; another member's
 * pin becomes an edit of the text.
 */
export function boardScript(name: string, spec: BoardSpec, seed: number, owners?: readonly string[]): BoardScript {
  const rng = new Random(seed)
  const secret = asTransportSecret(rng.bytes(32))!
  const { boardId } = deriveTransportKeys(secret)
  const members = Array.from({ length: spec.members }, (_, i) => `member ${i + 1}`)
  const fail = (what: string, result: unknown) => {
    throw new Error(`bench board: ${what} failed: ${JSON.stringify(result)}`)
  }
  function* actions(): Generator<BoardAction, void, undefined> {
    yield {
      kind: 'init',
      member: 0,
      apply: (doc) => {
        const result = initBoard(doc, { name, description: `Benchmark board (${spec.items} items)` }, BOARD_EPOCH)
        if (!result.ok) fail('initBoard', result.errors)
      },
    }
    const live: { id: string; kind: ItemKind; author: number }[] = []
    let toCreate = spec.items + spec.deletions
    let toEdit = spec.edits
    let toDelete = spec.deletions
    let clock = BOARD_EPOCH
    // Bounded: every iteration consumes one action.
    while (toCreate + toEdit + toDelete > 0) {
      clock += rng.int(1, 120) * 1000
      const now = clock
      const canTouch = live.length > 20
      const op = !canTouch ? 'create' : rng.weighted({ create: toCreate, edit: toEdit, delete: toDelete })
      if (op === 'create') {
        const author = rng.int(0, members.length - 1)
        const kind = rng.weighted(KINDS)
        const id = (owners?.[author] ?? '') + itemId(rng)
        const fields = draft(rng, kind, members[author]!, now)
        if (owners) fields.pinned = false
        live.push({ id, kind, author })
        toCreate--
        yield {
          kind: 'create',
          member: author,
          apply: (doc) => {
            const result = createItem(doc, fields, now, id)
            if (!result.ok) fail('createItem', result.errors)
          },
        }
      } else if (op === 'edit') {
        const index = rng.chance(0.7) ? rng.int(Math.max(0, live.length - 300), live.length - 1) : rng.int(0, live.length - 1)
        const target = live[index]!
        const anyone = rng.chance(0.8) ? target.author : rng.int(0, members.length - 1)
        let patch = patchFor(rng, target.kind)
        // Only moderators pin: the founder may pin its own items, nobody else pins.
        if (owners && 'pinned' in patch && target.author !== 0) patch = { body: clip(sentence(rng, bodyWords(rng)), LIMITS.body) }
        const member = owners ? target.author : anyone
        toEdit--
        yield {
          kind: 'edit',
          member,
          apply: (doc) => {
            const result = updateItem(doc, target.id, patch, now)
            if (!result.ok) fail('updateItem', result.errors)
          },
        }
      } else {
        const index = rng.int(0, live.length - 1)
        const target = live[index]!
        live[index] = live[live.length - 1]!
        live.pop()
        toDelete--
        yield {
          kind: 'delete',
          member: target.author,
          apply: (doc) => {
            if (!deleteItem(doc, target.id)) fail('deleteItem', target.id)
          },
        }
      }
    }
  }
  return { secret, boardId, members, actions: actions() }
}

/**
 * Yjs client id of member device `i` on a plain doc: spread over 32 bits,
 * as Yjs's own are (`random.uint32()`), so each takes the 5 bytes of varint
 * a plain app's would. (Until 2026-12-05 they were 1000 + i: 2 bytes each,
 * 5.5 % less on the large board's encoded state than with ids like
 * Yjs's, which made the Node rows' plain baseline smaller than any plain
 * app's.) Distinct for any member count the bench uses.
 */
export const plainClientId = (member: number): number => Math.imul(member + 1, 0x9e3779b1) >>> 0

export interface GenerateOptions {
  /** Yjs client id of member device `i` (default `plainClientId`). */
  clientOf?: (member: number) => number
  /** Sees the finished doc before it is destroyed (e.g. to split it by author). */
  inspect?: (doc: Y.Doc) => void
  /** Each member device's tag: keep the board's rules of who writes what (see `boardScript`). */
  owners?: readonly string[]
}

/** Builds the board on one plain Y.Doc, each action under its member's client id. */
export function generateBoard(name: string, spec: BoardSpec, seed: number, opts: GenerateOptions = {}): GeneratedBoard {
  const started = performance.now()
  const { secret, boardId, actions } = boardScript(name, spec, seed, opts.owners)
  const clientOf = opts.clientOf ?? plainClientId
  const doc = new Y.Doc({ gc: true })
  for (const action of actions) {
    doc.clientID = clientOf(action.member)
    action.apply(doc)
  }

  const items = itemsMap(doc)
  const kinds: Record<ItemKind, number> = { notice: 0, event: 0, meeting: 0, aid: 0, resource: 0 }
  let textChars = 0
  const sampleTitles: string[] = []
  items.forEach((value) => {
    const map = value as Y.Map<unknown>
    kinds[map.get('kind') as ItemKind]++
    textChars += String(map.get('title')).length + String(map.get('body') ?? '').length
    if (sampleTitles.length < 5) sampleTitles.push(String(map.get('title')))
  })
  const update = Y.encodeStateAsUpdate(doc)
  const itemCount = items.size
  opts.inspect?.(doc)
  doc.destroy()
  return { name, spec, secret, boardId, update, itemCount, sampleTitles, kinds, textChars, generateMs: performance.now() - started }
}
