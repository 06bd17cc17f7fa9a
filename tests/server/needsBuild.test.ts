import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { needsBuild } from '../../src/server/needsBuild.ts'

function project(): { root: string; touch: (rel: string, secondsAgo: number) => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'hearth-proj-'))
  const touch = (rel: string, secondsAgo: number): void => {
    const file = path.join(root, rel)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, 'x')
    const t = Date.now() / 1000 - secondsAgo
    utimesSync(file, t, t)
  }
  return { root, touch }
}

describe('npm start decides whether to build', () => {
  it('builds a fresh clone (no dist/index.html)', () => {
    const { root, touch } = project()
    touch('src/main.ts', 100)
    expect(needsBuild(root)).toBe(true)
  })

  it('skips the build when dist is newer than every source', () => {
    const { root, touch } = project()
    touch('src/ui/App.svelte', 100)
    touch('public/icons/icon.svg', 100)
    touch('index.html', 100)
    touch('vite.config.ts', 100)
    touch('dist/index.html', 10)
    expect(needsBuild(root)).toBe(false)
  })

  it.each(['src/core/board.ts', 'public/manifest.webmanifest', 'index.html', 'vite.config.ts'])('rebuilds after %s changed', (rel) => {
    const { root, touch } = project()
    touch('dist/index.html', 100)
    touch(rel, 10)
    expect(needsBuild(root)).toBe(true)
  })

  it('ignores changes to the server, which is not part of the bundle', () => {
    const { root, touch } = project()
    touch('dist/index.html', 100)
    touch('src/server/server.ts', 10)
    expect(needsBuild(root)).toBe(false)
  })
})
