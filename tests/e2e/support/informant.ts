/**
 * What an informant with devtools can do with their own phone: take their
 * device's keys and the board's content key out of the keyring, and craft an
 * entry that their app's UI would never write — validly signed with their own
 * device key and encrypted with the board's key, in their next sequence
 * number — then slip it into the app's database. Only src/crypto, the sealed
 * formats (src/sealed/payloads.ts, entry-key) and core's board functions are
 * used to build it; the engine is used here only to read the board as the
 * device holds it (its readable doc and the membership changes it has seen).
 */
import * as Y from 'yjs'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import { readItems, updateItem, type ItemId } from '../../../src/core/index.ts'
import { boundClientId, deviceTag, fromBase64url, importAgreement, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../../src/crypto/index.ts'
import { SealedBoard, entryKey } from '../../../src/sealed/index.ts'
import { encodeContent } from '../../../src/sealed/payloads.ts'
import type { BoardRecord } from '../../../src/storage/keyring-types.ts'

export interface ForgedEntry {
  /** The shared-map key the entry goes under (`<tag>.<seq>`). */
  readonly key: string
  readonly bytes: Uint8Array
  /** The id of the item it rewrites. */
  readonly item: ItemId
}

/** The last sequence number `tag` used on this board (any kind of entry), from the keys of the shared map. */
function lastSeq(sealed: Y.Doc, tag: string): number {
  let last = 0
  for (const key of sealed.getMap('entries').keys()) {
    const m = /^([\w-]{11})\.(?:\d+-)?(\d+)$/.exec(key)
    if (m && m[1] === tag) last = Math.max(last, Number(m[2]))
  }
  return last
}

/**
 * An entry signed by this device that rewrites the fields of someone else's
 * item (found by its title) — a Yjs update of the readable board, as the
 * app's own writes are, judged by every engine exactly like them.
 */
export async function forgeEdit(record: BoardRecord, sealed: Y.Doc, title: string, patch: { title: string; body: string }): Promise<ForgedEntry> {
  const device = record.device
  if (!device) throw new Error('this record has no device keys of its own')
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(sealed))
  const reader = new SealedBoard(copy, {
    boardId: fromBase64url(record.id)!,
    signer: await importDeviceSigner(device),
    agreement: await importAgreement(device.agreePkcs8, device.agreePublic),
    contentKeys: (record.keys ?? []).map((k) => ({ key: k.contentKey, transport: k.transport })),
    transport: record.transportSecret,
    rules: BOARD_RULES,
    ...(record.founder ? { founder: record.founder } : {}),
  })
  try {
    await reader.start()
    const item = readItems(reader.readable).find((i) => i.title === title)
    if (!item) throw new Error(`no item titled "${title}" on this device`)
    const epoch = reader.epoch
    const contentKey = epoch ? reader.keys.contentKey(epoch.key) : null
    if (!contentKey) throw new Error('this device holds no content key')

    // The change, written under this device's own Yjs client id, as its app would write it.
    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(reader.readable))
    scratch.clientID = boundClientId(device.signPublic)
    const updates: Uint8Array[] = []
    scratch.on('update', (u: Uint8Array) => updates.push(u))
    const result = updateItem(scratch, item.id, patch, Date.now())
    const update = updates[0]
    if (!result.ok || updates.length !== 1 || !update) throw new Error(`the edit is not one change: ${JSON.stringify(result)}`)

    const seq = lastSeq(copy, deviceTag(device.signPublic)) + 1
    const header: EntryHeader = { kind: 'update', boardId: fromBase64url(record.id)!, keyId: keyId(contentKey), author: device.signPublic, seq, from: seq }
    const payload = encodeContent(reader.circle.heads(), update)
    const bytes = await sealEntry(header, payload, await importContentKey(contentKey), await importDeviceSigner(device))
    return { key: entryKey(header), bytes, item: item.id }
  } finally {
    reader.destroy()
    copy.destroy()
  }
}
