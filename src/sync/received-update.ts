import * as decoding from 'lib0/decoding'
import type * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

type UpdateHandler = (update: Uint8Array, origin: unknown, doc: Y.Doc, transaction: Y.Transaction) => void

/**
 * Applies an update a peer sent, and hands the doc's 'update' listeners the
 * bytes as they came instead of letting Yjs encode the transaction again.
 *
 * Yjs encodes every transaction for 'update' listeners once any is
 * registered: it copies each struct's content into a new update. The sealed
 * doc's listeners (the store, and the room, which passes a peer's update on
 * to the others) take the received bytes just as well, since applying an
 * update twice changes nothing. On a device joining a 10,000-item board,
 * that encoding was a copy of the whole 7.85 MB board, in the tasks that
 * apply its pieces.
 *
 * Structs or deletions of an earlier update may wait in the doc for their
 * dependencies; they may go in with this one, and are not in its bytes. Where
 * deletions wait, Yjs encodes as usual. Where structs wait, the bytes still
 * stand for the transaction unless this update let them in (Yjs then applies
 * them again in the same transaction, with a new record of what waits): then
 * the listeners hear everything since the transaction began, with the doc's
 * deletions. A newcomer's doc holds the inviter's welcome that way while the
 * board's pieces arrive (the welcome overtakes them), and Yjs encoded each
 * piece again. Bytes that partly wait themselves are told as they came: a
 * listener hears a little more than went in (the store then keeps it, and it
 * waits again after a reload), never less. Whenever something else writes to
 * the doc while this update's transaction is cleaned up (an observer's own
 * write), Yjs encodes as usual. Listeners hear nothing when the update
 * brought nothing new, as with Yjs.
 */
export function applyReceived(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
  const listeners = doc._observers.get('update') as Set<UpdateHandler> | undefined
  if (!listeners || listeners.size === 0 || doc.store.pendingDs !== null) {
    Y.applyUpdate(doc, update, origin)
    return
  }
  const waiting = doc.store.pendingStructs
  const handlers = [...listeners]
  let detached = false
  let encodedByYjs = false
  const attach = (): void => {
    if (!detached) return
    detached = false
    doc.off('beforeTransaction', onBegin)
    for (const handler of handlers) doc.on('update', handler)
  }
  // Another transaction begins while this one is cleaned up (an observer writes): the listeners are back for
  // it, and Yjs then encodes this one too (it looks for listeners after the observers ran), so none is missed.
  const onBegin = (): void => {
    encodedByYjs = true
    attach()
  }
  let transaction: Y.Transaction | null = null
  try {
    Y.transact(
      doc,
      (tr) => {
        transaction = tr
        for (const handler of handlers) doc.off('update', handler)
        detached = true
        doc.on('beforeTransaction', onBegin)
        Y.applyUpdate(doc, update, origin)
      },
      origin,
      false,
    )
  } catch (err) {
    // A damaged update may have gone in part of the way: what did go in is told in an update of its own
    // (everything since the state before, with the doc's deletions), never the damaged bytes.
    const tr = transaction as Y.Transaction | null
    attach()
    if (!encodedByYjs && tr && changed(tr)) notify(handlers, sinceBefore(doc, tr), origin, doc, tr)
    throw err
  } finally {
    attach()
  }
  const tr = transaction as Y.Transaction | null
  if (encodedByYjs || !tr || !changed(tr)) return
  // What waited went in with this update (Yjs retried it): everything since the transaction began.
  if (waiting !== null && doc.store.pendingStructs !== waiting) notify(handlers, sinceBefore(doc, tr), origin, doc, tr)
  else notify(handlers, update, origin, doc, tr)
}

/** Every struct since the transaction began, with the doc's deletions: what went in, and more deletions than that. */
const sinceBefore = (doc: Y.Doc, tr: Y.Transaction): Uint8Array => Y.encodeStateAsUpdate(doc, Y.encodeStateVector(tr.beforeState))

function notify(handlers: readonly UpdateHandler[], update: Uint8Array, origin: unknown, doc: Y.Doc, tr: Y.Transaction): void {
  let failure: unknown = null
  for (const handler of handlers) {
    try {
      handler(update, origin, doc, tr)
    } catch (err) {
      failure ??= err
    }
  }
  if (failure !== null) throw failure
}

/** Whether a transaction integrated a struct or a deletion (what Yjs calls having content). */
function changed(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true
  for (const [client, clock] of tr.afterState) if (tr.beforeState.get(client) !== clock) return true
  return false
}

/**
 * y-protocols' readSyncMessage, with a peer's step 2 and updates applied
 * through `applyReceived`. Errors thrown while applying are logged and
 * swallowed, as y-protocols does.
 */
export function readSyncMessage(decoder: decoding.Decoder, encoder: encoding.Encoder, doc: Y.Doc, origin: unknown): number {
  const type = decoding.readVarUint(decoder)
  switch (type) {
    case syncProtocol.messageYjsSyncStep1:
      syncProtocol.readSyncStep1(decoder, encoder, doc)
      break
    case syncProtocol.messageYjsSyncStep2:
    case syncProtocol.messageYjsUpdate:
      try {
        applyReceived(doc, decoding.readVarUint8Array(decoder), origin)
      } catch (error) {
        console.error('Caught error while handling a Yjs update', error)
      }
      break
    default:
      throw new Error('Unknown message type')
  }
  return type
}
