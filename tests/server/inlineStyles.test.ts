import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { appStyleHashes, inlineStyleHashes } from '../../src/server/inlineStyles.ts'
import { startServer } from '../../src/server/server.ts'
import { httpRequest, makeStaticDir } from './helpers.ts'

// SHA-256 in base64 of the exact bytes between the tags (worked out once, outside this test).
const MARGIN = "'sha256-IAdwN3biDCQ3brrgp1m8kBEsPQYyqfREKOEfeoREopc='" // body{margin:0}
const RED = "'sha256-UmYX3dbk57wSCiZTw02MAW4nqT4X9wt327yz7KfGhIo='" // "\n  .a { color: red }\n"
const ACCENT = "'sha256-SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw/biumnEw='" // é, as UTF-8

describe("the app shell's inline style is allowed by its hash, and nothing else", () => {
  it('hashes the exact text of each style block, whitespace and UTF-8 included', () => {
    const html = '<head><style>body{margin:0}</style><STYLE media="all">\n  .a { color: red }\n</STYLE ><style>é</style></head>'
    expect(inlineStyleHashes(html)).toEqual([MARGIN, RED, ACCENT])
  })

  it('names a block once however often it appears, and finds none where there is none', () => {
    expect(inlineStyleHashes('<style>body{margin:0}</style><p></p><style>body{margin:0}</style>')).toEqual([MARGIN])
    expect(inlineStyleHashes('<link rel="stylesheet" href="/a.css"><p style="color:red">x</p><stylesheet>body{margin:0}</stylesheet>')).toEqual([])
  })

  it('reads none from a directory without index.html', async () => {
    expect(await appStyleHashes(mkdtempSync(path.join(tmpdir(), 'hearth-empty-')))).toEqual([])
  })

  it("sends the built page's hashes in style-src on every response, without 'unsafe-inline'", async () => {
    const dir = makeStaticDir()
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><head><title>Hearth</title><style>body{margin:0}</style></head><body></body></html>')
    const server = await startServer({ port: 0, staticDir: dir })
    try {
      for (const p of ['/', '/board/abc', '/assets/index-3f9a1c.js', '/config.json', '/missing.js']) {
        const csp = String((await httpRequest(server.url, p)).headers['content-security-policy'])
        expect(csp).toContain(`; style-src 'self' ${MARGIN}; `)
        expect(csp).toContain("; script-src 'self'; ")
        expect(csp).not.toContain('unsafe-inline')
      }
    } finally {
      await server.close()
    }
  })
})
