/**
 * slow-sync: the initial sync of the large board to a newcomer on a narrow,
 * long link — what a cheap phone on mobile data has, where loopback's
 * `sync` part has none: the transfer, not the joining page, sets the pace.
 *
 * B (the newcomer) reaches everything through slow links of its own
 * (tests/e2e/support/slow-link.ts: `ONE_WAY_MS` each way, at most
 * `BYTES_PER_SECOND` each way): the app and its signaling over TCP, and a
 * TURN relay (Debian's coturn) over UDP, through a queue of `BUFFER_MS`
 * that drops what does not fit; B then uses the relay alone. A uses the
 * same relay alone over loopback (TURN over TCP). Chromium's network emulation cannot do this: it
 * does not slow WebRTC. The raw channel of the baseline takes the same
 * relays, so both sides cross the same link.
 *
 *   npm run bench -- --only slow-sync --merge
 *   BENCH_SLOW_BUFFER_MS=500 npm run bench -- --only slow-sync --no-write
 */
import type { BenchContext } from '../lib/context.ts'
import { figure, MB, type Figure } from '../lib/figure.ts'
import type { PartApi } from '../lib/runner.ts'
import { startSlowLink, startSlowUdpLink, type SlowLink } from '../../e2e/support/slow-link.ts'
import { startTurn, type Turn } from '../../e2e/support/turn.ts'
import { syncFigures, syncSamples } from './sync.ts'

/** 8 Mbit/s each way. */
const BYTES_PER_SECOND = 1_000_000
/** A 200 ms round trip. */
const ONE_WAY_MS = 100
/**
 * What the link's queue holds before it drops: a mobile network's deep buffer. With 500 ms, WebRTC's SCTP
 * lost over a thousand datagrams in bursts and the raw channel took 99 s for its 7.8 MB (measured here).
 */
const BUFFER_MS = Number(process.env.BENCH_SLOW_BUFFER_MS ?? 3000)

export async function measureSlowSync(ctx: BenchContext, api: PartApi): Promise<Figure[]> {
  const large = await ctx.large()
  const servers = await ctx.servers()
  const links: SlowLink[] = []
  let turn: Turn | null = null
  try {
    turn = await startTurn()
    const slow = async (targetPort: number) => {
      const link = await startSlowLink({ targetPort, oneWayMs: ONE_WAY_MS, bytesPerSecond: BYTES_PER_SECOND })
      links.push(link)
      return link
    }
    const slowTurn = await startSlowUdpLink({ targetPort: turn.port, oneWayMs: ONE_WAY_MS, bytesPerSecond: BYTES_PER_SECOND, bufferMs: BUFFER_MS })
    links.push(slowTurn)
    const slowApp = await slow(servers.app.port)
    const relay = (port: number, transport: 'tcp' | 'udp'): RTCIceServer[] => [{ urls: `turn:127.0.0.1:${port}?transport=${transport}`, username: turn!.username, credential: turn!.credential }]
    const s = await syncSamples(ctx, large, ctx.runs.slowSync, api, {
      timeoutMs: 300_000,
      link: { a: { iceServers: relay(turn.port, 'tcp') }, b: { iceServers: relay(slowTurn.port, 'udp'), appOrigin: slowApp.url } },
    })
    ctx.log(`  the slow link dropped ${slowTurn.dropped().toLocaleString('en')} datagrams`)
    const over = ` over a slow link (${(BYTES_PER_SECOND * 8) / 1e6} Mbit/s, ${2 * ONE_WAY_MS} ms round trip)`
    const rows = syncFigures(large, s, 'slow-sync', over)
    if (s.runs.length > 0) {
      rows.push(
        figure({
          id: 'slow-sync-bytes',
          label: `initial sync${over}: bytes to send, sealed doc against the plain Yjs state`,
          unit: 'MB',
          hearth: [large.sealed.state.byteLength / MB],
          baselineLabel: 'Y.encodeStateAsUpdate of the plain board',
          baseline: [large.update.byteLength / MB],
          note: `On a narrow link the bytes set a floor: at ${BYTES_PER_SECOND / 1e6} MB/s the plain state alone takes ${(large.update.byteLength / BYTES_PER_SECOND).toFixed(1)} s.`,
        }),
      )
    }
    return rows
  } finally {
    for (const link of links) await link.close()
    await turn?.close()
  }
}
