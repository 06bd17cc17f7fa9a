/**
 * One timed sealed-board open or initial sync, in a worker thread so the
 * bench can give up on it after a deadline (the engine's work is mostly
 * synchronous and cannot be interrupted otherwise). Started by
 * `runSealedTask` in figures/sealed.ts. The plain baseline runs the same
 * way (`mode: 'plain'`): a fresh worker each time, so both sides start
 * with code not yet optimised and a heap of their own.
 */
import { parentPort, workerData } from 'node:worker_threads'
import * as Y from 'yjs'
import { SealedBoard } from '../../../src/sealed/sealed-board.ts'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import { itemsMap } from '../../../src/core/index.ts'
import { generateDeviceKeys, importAgreement, importDeviceSigner, type DeviceKeyMaterial } from '../../../src/crypto/index.ts'

export interface SealedTask {
  mode: 'open' | 'sync'
  /** `Y.encodeStateAsUpdate` of the network's sealed doc. */
  state: Uint8Array
  boardId: Uint8Array
  contentKey: Uint8Array
  founder: Uint8Array
  /** open: the keys of the device whose store is opened. */
  keys?: DeviceKeyMaterial
  /** open: the verdicts that device kept (none: every update is judged). */
  verdicts?: Uint8Array | null
}

/** The baseline: `Y.applyUpdate` of the plain board's state into a fresh doc. */
export interface PlainTask {
  mode: 'plain'
  state: Uint8Array
}

export interface SealedTaskResult {
  /** open: `start()`; sync: apply the whole state + `flush()`. */
  ms: number
  /** open: decoding the stored sealed doc before `start()`. */
  decodeMs: number
  entriesRead: number
  /** Item id → title of the readable doc. */
  titles: [string, string][]
  /** Diagnostics counts (an honest board has none). */
  rejections: [string, number][]
}

/** `held`, if given, is called with the board still open once the task is done (sealed-task.ts measures what it holds). */
export async function run(task: SealedTask | PlainTask, held?: (board: SealedBoard) => void): Promise<SealedTaskResult> {
  if (task.mode === 'plain') return plain(task.state)
  const keys = task.keys ?? (await generateDeviceKeys())
  const sealed = new Y.Doc({ gc: true })
  let decodeMs = 0
  if (task.mode === 'open') {
    const t = performance.now()
    Y.applyUpdate(sealed, task.state)
    decodeMs = performance.now() - t
  }
  const board = new SealedBoard(sealed, {
    boardId: task.boardId,
    contentKeys: [{ key: task.contentKey }],
    rules: BOARD_RULES,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    founder: task.founder,
    verdicts: { load: () => Promise.resolve(task.verdicts ?? null), save: () => Promise.resolve() },
  })
  let ms: number
  if (task.mode === 'open') {
    const t = performance.now()
    await board.start()
    ms = performance.now() - t
  } else {
    await board.start()
    const t = performance.now()
    Y.applyUpdate(sealed, task.state, 'network')
    await board.flush()
    ms = performance.now() - t
  }
  const titles: [string, string][] = []
  itemsMap(board.readable).forEach((value, id) => titles.push([id, String((value as Y.Map<unknown>).get('title'))]))
  const result = { ms, decodeMs, entriesRead: board.entriesRead, titles, rejections: [...board.diagnostics.counts] }
  held?.(board)
  board.destroy()
  return result
}

function plain(state: Uint8Array): SealedTaskResult {
  const doc = new Y.Doc({ gc: true })
  const t = performance.now()
  Y.applyUpdate(doc, state)
  const ms = performance.now() - t
  doc.destroy()
  // The plain side is the yardstick: the bench reads its items from its own copy of the plain doc.
  return { ms, decodeMs: 0, entriesRead: 0, titles: [], rejections: [] }
}

if (parentPort && workerData) {
  const port = parentPort
  run(workerData as SealedTask | PlainTask).then(
    (r) => port.postMessage({ ok: true, result: r }),
    (e: unknown) => port.postMessage({ ok: false, error: String((e as Error)?.stack ?? e) }),
  )
}
