import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveStaticPath } from '../../src/server/resolveStaticPath.ts'

const root = path.resolve('/srv/dist')

describe('mapping URL paths into the app directory', () => {
  it('maps ordinary paths inside the root', () => {
    expect(resolveStaticPath(root, '/assets/a.js?v=1')).toEqual({ ok: true, filePath: path.join(root, 'assets', 'a.js'), relative: 'assets/a.js' })
    expect(resolveStaticPath(root, '/')).toEqual({ ok: true, filePath: root, relative: '' })
    expect(resolveStaticPath(root, '/caf%C3%A9.png')).toMatchObject({ ok: true, relative: 'café.png' })
  })

  it.each(['/../x', '/a/../../x', '/%2e%2e/x', '/a/%2E%2E/%2E%2E/x', '/a%2f..%2f..%2fx', '/a%5c..%5cx', '/x%00.js', '/%zz', '/./x', 'x', '//..//x'])(
    'refuses %s',
    (p) => {
      expect(resolveStaticPath(root, p)).toEqual({ ok: false, status: 400 })
    },
  )

  it('hides dotfiles but allows .well-known', () => {
    expect(resolveStaticPath(root, '/.git/config')).toEqual({ ok: false, status: 404 })
    expect(resolveStaticPath(root, '/.well-known/security.txt')).toMatchObject({ ok: true })
  })
})
