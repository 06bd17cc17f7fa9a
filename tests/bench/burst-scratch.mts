// scratch: profile the sealed burst (not committed)
import * as Y from 'yjs'
import { SealedBoard } from '../../src/sealed/sealed-board.ts'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { deviceTag, generateDeviceKeys, importAgreement, importDeviceSigner, legacyContentKey, fromBase64url } from '../../src/crypto/index.ts'
import { boardScript } from './lib/board.ts'

const keys = await generateDeviceKeys()
const owner = deviceTag(keys.signPublic)
const spec = { items: 1000, edits: 0, deletions: 0, members: 1 }
const runs = Number(process.argv[2] ?? 20)
const times: number[] = []
for (let run = 0; run < runs; run++) {
  const script = boardScript('burst', spec, 7 + run, [owner])
  let verdicts: Uint8Array | null = null
  const board = new SealedBoard(new Y.Doc({ gc: true }), {
    boardId: fromBase64url(script.boardId)!,
    contentKeys: [{ key: legacyContentKey(script.secret) }],
    rules: BOARD_RULES,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    founder: keys.signPublic,
    verdicts: { load: () => Promise.resolve(verdicts), save: (b) => ((verdicts = b), Promise.resolve()) },
  })
  await board.start()
  await board.join(script.members[0]!)
  await board.flush()
  const actions = [...script.actions]
  const pd = new Y.Doc({ gc: true })
  const pa = [...boardScript('burst', spec, 7 + run, [owner]).actions]
  const p0 = performance.now()
  for (const a of pa) a.apply(pd)
  const plainMs = performance.now() - p0
  const t0 = performance.now()
  for (const a of actions) a.apply(board.readable)
  const t1 = performance.now()
  await board.flush()
  const t2 = performance.now()
  times.push(t2 - t0)
  console.log(`run ${run}: ${(t2 - t0).toFixed(1)} ms (perform ${(t1 - t0).toFixed(1)}, flush ${(t2 - t1).toFixed(1)}) plain ${plainMs.toFixed(1)}`)
  board.destroy()
}
