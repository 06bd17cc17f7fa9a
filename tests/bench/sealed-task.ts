/**
 * One sealed open or initial sync outside the bench, in this process, for a
 * profiler (the bench runs them in workers with a deadline):
 *
 *   BENCH_SEALED_DUMP=/tmp/sealed.bin npm run bench -- --only sealed --quick --no-write
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx tests/bench/sealed-task.ts /tmp/sealed.bin sync 3
 *
 * Modes: `open` (with the verdicts device 1 kept), `unkept` (open, every
 * update judged again), `sync` (the whole sealed state into a fresh device),
 * `plain` (the baseline: the plain Yjs state applied to a fresh doc),
 * `memory` (a sync, then what the process holds with the board open, after
 * collecting garbage; run node with --expose-gc).
 * The dump holds the bench's synthetic board only.
 */
import { readFileSync } from 'node:fs'
import { deserialize } from 'node:v8'
import type { DeviceKeyMaterial } from '../../src/crypto/index.ts'
import { run, type SealedTask } from './lib/sealed-worker.ts'

const [file, mode = 'sync', runs = '1'] = process.argv.slice(2)
if (!file || !['open', 'unkept', 'sync', 'plain', 'memory'].includes(mode)) {
  console.error('usage: sealed-task.ts <dump> [open|unkept|sync|plain|memory] [runs]')
  process.exit(2)
}
const dump = deserialize(readFileSync(file)) as { base: Omit<SealedTask, 'mode'>; keys: DeviceKeyMaterial; verdicts: Uint8Array | null; plainState?: Uint8Array }
for (let i = 0; i < Number(runs); i++) {
  if (mode === 'plain') {
    if (!dump.plainState) throw new Error('this dump has no plain state: make it again')
    const r = await run({ mode: 'plain', state: dump.plainState })
    console.log(`plain ${i + 1}: ${r.ms.toFixed(0)} ms`)
    continue
  }
  if (mode === 'memory') {
    const gc = (globalThis as { gc?: () => void }).gc
    if (!gc) throw new Error('memory: run node with --expose-gc')
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
    const usage = () => {
      gc()
      gc()
      const m = process.memoryUsage()
      return `heap used ${mb(m.heapUsed)}, outside the heap ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`
    }
    console.log(`memory ${i + 1}: before the sync: ${usage()} (the dump included)`)
    await run({ mode: 'sync', ...dump.base }, () => console.log(`memory ${i + 1}: the board synced and open: ${usage()}`))
    console.log(`memory ${i + 1}: the board closed: ${usage()}`)
    continue
  }
  const task: SealedTask = mode === 'sync' ? { mode: 'sync', ...dump.base } : { mode: 'open', ...dump.base, keys: dump.keys, verdicts: mode === 'open' ? dump.verdicts : null }
  const r = await run(task)
  console.log(`${mode} ${i + 1}: ${r.ms.toFixed(0)} ms (decoding the stored doc first: ${r.decodeMs.toFixed(0)} ms), ${r.entriesRead} entries read, ${r.titles.length} items, rejections: ${r.rejections.length === 0 ? 'none' : JSON.stringify(r.rejections)}`)
}
