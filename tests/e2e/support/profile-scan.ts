/**
 * Looks for text in every file of a browser profile, as someone holding the
 * device's disk would: raw bytes, in UTF-8 and in UTF-16LE (how Chromium
 * keeps some strings), whatever the file.
 */
import { lstat, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Every regular file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry)
    const s = await lstat(path).catch(() => null)
    if (!s) continue
    if (s.isDirectory()) out.push(...(await filesUnder(path)))
    else if (s.isFile()) out.push(path)
  }
  return out
}

/** Which needles occur in which files ("<needle> (UTF-8) in <file>"), with the number of files and bytes read. */
export async function scanProfile(dir: string, needles: readonly string[]): Promise<{ files: number; bytes: number; hits: string[] }> {
  const patterns = needles.flatMap((n) => [
    { label: `${n} (UTF-8)`, bytes: Buffer.from(n, 'utf8') },
    { label: `${n} (UTF-16LE)`, bytes: Buffer.from(n, 'utf16le') },
  ])
  const hits: string[] = []
  let bytes = 0
  const files = await filesUnder(dir)
  for (const file of files) {
    const data = await readFile(file).catch(() => null)
    if (!data) continue
    bytes += data.length
    for (const p of patterns) if (data.includes(p.bytes)) hits.push(`${p.label} in ${file.slice(dir.length)}`)
  }
  return { files: files.length, bytes, hits }
}
