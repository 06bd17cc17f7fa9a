/**
 * What each long task of a profiled page was made of: reads a CPU profile
 * and the page's long tasks written by the bench with `BENCH_PROFILE_DIR`
 * (lib/browser.ts), lines them up by the 20 ms `__benchAlign` mark, and
 * prints, for every long task, the functions its samples spent their own
 * time in, and the engine or app functions on the stack most often.
 *
 *   BENCH_PROFILE_DIR=/tmp/prof npm run bench -- --only sync --no-write
 *   npx tsx tests/bench/long-task-profile.ts /tmp/prof/<name>   # without .cpuprofile
 *   npx tsx tests/bench/long-task-profile.ts /tmp/prof/<name> 8 tree   # and each task's call tree
 *
 * It prints times and function names only, never board content.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

const [prefix, topArg = '8', view] = process.argv.slice(2)
if (!prefix) {
  console.error('usage: long-task-profile.ts <profile path without .cpuprofile> [top]')
  process.exit(2)
}
const top = Number(topArg)
const profile = JSON.parse(readFileSync(`${prefix}.cpuprofile`, 'utf8')) as Profile
const marks = JSON.parse(readFileSync(`${prefix}.tasks.json`, 'utf8')) as { aligned: number | null; alignedEnd?: number | null; tasks: [number, number][] }
const { tasks } = marks
if (marks.aligned === null) throw new Error('no alignment mark in this profile')

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const label = (n: ProfileNode) => {
  const file = n.callFrame.url.replace(/^.*\//, '')
  return `${n.callFrame.functionName || '(anonymous)'}${file ? ` ${file}:${n.callFrame.lineNumber + 1}` : ''}`
}
const stack = (id: number): ProfileNode[] => {
  const out: ProfileNode[] = []
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) out.push(byId.get(at)!)
  return out
}

// Sample times in ms of the profile's clock, then the offset that puts them on the page's epoch clock.
const times: number[] = []
let t = profile.startTime
for (const d of profile.timeDeltas) times.push((t += d) / 1000)
// Runs of samples in the mark: the start's, then the end's. A profile that followed the page to another
// document keeps only that document's samples, so only the end's.
const runs: number[] = []
profile.samples.forEach((s, i) => {
  const inMark = stack(s).some((n) => n.callFrame.functionName === '__benchAlign')
  const before = i > 0 && stack(profile.samples[i - 1]!).some((n) => n.callFrame.functionName === '__benchAlign')
  if (inMark && !before) runs.push(i)
})
const atEnd = (i: number) => times[times.length - 1]! - times[i]! < 200
const mark = runs.length === 0 ? -1 : runs[0]!
if (mark < 0) throw new Error('the alignment mark is not in the profile')
const aligned = atEnd(mark) ? marks.alignedEnd : marks.aligned
if (aligned === null || aligned === undefined) throw new Error('the profile holds only the end mark, and its time was not written')
const offset = aligned - times[mark]!

for (const [start, length] of tasks) {
  const self = new Map<string, number>()
  const onStack = new Map<string, number>()
  const tree: Tree = { ms: 0, children: new Map() }
  let sampled = 0
  for (let i = 0; i < times.length; i++) {
    const at = times[i]! + offset
    if (at < start || at > start + length) continue
    const ms = (times[i + 1] ?? times[i]!) - times[i]!
    sampled += ms
    const frames = stack(profile.samples[i]!)
    const own = label(frames[0]!)
    self.set(own, (self.get(own) ?? 0) + ms)
    for (const name of new Set(frames.slice(1).filter((f) => f.callFrame.url !== '').map(label))) onStack.set(name, (onStack.get(name) ?? 0) + ms)
    let node = tree
    for (const f of frames.reverse()) {
      const name = label(f)
      let next = node.children.get(name)
      if (!next) node.children.set(name, (next = { ms: 0, children: new Map() }))
      next.ms += ms
      node = next
    }
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `    ${ms.toFixed(1).padStart(6)} ms  ${name}`)
      .join('\n')
  console.log(`task at ${(start - aligned).toFixed(0)} ms after the mark, ${length} ms (${sampled.toFixed(1)} ms sampled)`)
  console.log(`  self:\n${list(self)}`)
  console.log(`  on the stack:\n${list(onStack)}`)
  if (view === 'tree') printTree(tree, 2)
}

interface Tree {
  ms: number
  children: Map<string, Tree>
}

/** Each task's call tree, with the time each call took, calls under 2 ms left out. */
function printTree(node: Tree, depth: number): void {
  for (const [name, child] of [...node.children].sort((a, b) => b[1].ms - a[1].ms)) {
    if (child.ms < 2) continue
    console.log(`${' '.repeat(depth)}${child.ms.toFixed(1)} ms  ${name}`)
    printTree(child, depth + 1)
  }
}
