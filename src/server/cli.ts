import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { needsBuild } from './needsBuild.ts'
import { parseCliConfig, USAGE } from './parseCliConfig.ts'
import { startServer } from './server.ts'

/**
 * `npm start`: build the app if needed, then serve it with signaling on one
 * origin. Prints one line and nothing per connection, so there is no log of
 * who met whom to seize or subpoena.
 */

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

async function main(): Promise<void> {
  const parsed = parseCliConfig(process.argv.slice(2), process.env)
  if (!parsed.ok) {
    console.error(`hearth: ${parsed.error}\n\n${USAGE}`)
    process.exit(2)
  }
  if (parsed.config.command === 'help') {
    process.stdout.write(USAGE)
    return
  }
  const { options } = parsed.config
  const staticDir = parsed.config.distDir ? path.resolve(parsed.config.distDir) : path.join(projectRoot, 'dist')
  if (!parsed.config.distDir && needsBuild(projectRoot)) {
    console.error('hearth: building the app (dist/ is missing or older than the sources)…')
    // Always the production build: a NODE_ENV=test or development left in the shell would build Svelte's development runtime.
    const env = { ...process.env, NODE_ENV: 'production' }
    const build = spawnSync('npx', ['vite', 'build'], { cwd: projectRoot, env, stdio: 'inherit', shell: process.platform === 'win32' })
    if (build.status !== 0) {
      console.error('hearth: the build failed; fix it or run `npm run build` to see why.')
      process.exit(1)
    }
  }

  let server
  try {
    server = await startServer({ ...options, staticDir, precompress: true })
  } catch (err) {
    const code = (err as { code?: string }).code
    console.error(`hearth: cannot listen on ${options.host}:${options.port}${code ? ` (${code})` : ''}`)
    process.exit(1)
  }
  console.log(`Hearth is running at ${server.url}`)
  if (!isLoopback(options.host)) {
    console.warn(
      `hearth: warning: bound to ${options.host}, not loopback. Anyone who can reach this address can use the ` +
        'signaling server and see its metadata (room ids, IP addresses, timing). Prefer 127.0.0.1 behind a TLS reverse proxy.',
    )
  }

  let stopping = false
  const stop = (): void => {
    if (stopping) process.exit(1)
    stopping = true
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
