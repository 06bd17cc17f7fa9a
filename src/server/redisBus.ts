import { randomBytes } from 'node:crypto'
import { createClient } from '@redis/client'
import type { SignalingBus } from './signalingBus.ts'

export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`; never printed. */
  url: string
  /** One line when Redis is lost and one when it is back; never a topic, address or the URL. */
  log: (line: string) => void
  /** Channel prefix, so one Redis can serve other things (or several Hearth clusters). */
  prefix?: string
}

/** Commands waiting for a slow Redis beyond this are refused instead of queued without bound. */
const MAX_QUEUED_COMMANDS = 10_000
const ID_LENGTH = 16

/**
 * A signaling bus over Redis pub/sub (node-redis' `@redis/client`: Redis's
 * own client, no dependencies). Each topic is one channel, subscribed only
 * while this instance has a subscriber for it; nothing else is written to
 * Redis. A message is `<instance id><'d' + data | 'n'>`: the id lets an
 * instance skip its own publishes (it has already delivered them locally).
 *
 * While Redis is away, publishes are dropped at once (no offline queue) and
 * this instance keeps relaying between its own sockets; node-redis reconnects
 * on its own, and on every reconnect the subscriptions are brought back to
 * exactly the topics in use.
 */
export function createRedisBus(opts: RedisBusOptions): SignalingBus {
  const prefix = opts.prefix ?? 'hearth:signal:'
  const id = randomBytes(ID_LENGTH / 2).toString('hex')
  const pub = createClient({
    url: opts.url,
    disableOfflineQueue: true,
    commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 + retries * 200, 2000) },
  })
  const sub = pub.duplicate()
  const wanted = new Set<string>()
  /** Topics whose SUBSCRIBE Redis confirmed (node-redis re-sends these itself after a reconnect). */
  const subscribed = new Set<string>()
  let deliver: (topic: string, data: string | null) => void = () => {}
  let reconnected: () => void = () => {}
  /** What the log last said: nothing yet, connected, or not connected. */
  let told: 'nothing' | 'up' | 'down' = 'nothing'
  let closing = false
  let syncing = false
  let dirty = false

  const onMessage = (message: string, channel: string): void => {
    if (!channel.startsWith(prefix) || message.length <= ID_LENGTH || message.startsWith(id)) return
    const kind = message[ID_LENGTH]
    if (kind !== 'd' && kind !== 'n') return
    deliver(channel.slice(prefix.length), kind === 'd' ? message.slice(ID_LENGTH + 1) : null)
  }

  /** Brings Redis's subscriptions to `wanted`, one batch at a time so SUBSCRIBE and UNSUBSCRIBE never race. */
  const sync = async (): Promise<void> => {
    if (syncing) {
      dirty = true
      return
    }
    syncing = true
    try {
      do {
        dirty = false
        if (closing || !sub.isReady) return
        const add = [...wanted].filter((t) => !subscribed.has(t))
        const remove = [...subscribed].filter((t) => !wanted.has(t))
        if (add.length > 0) {
          await sub.subscribe(
            add.map((t) => prefix + t),
            onMessage,
          )
          for (const t of add) subscribed.add(t)
        }
        if (remove.length > 0) {
          await sub.unsubscribe(
            remove.map((t) => prefix + t),
            onMessage,
          )
          for (const t of remove) subscribed.delete(t)
        }
      } while (dirty)
    } catch {
      // Redis went away mid-way; the next 'ready' runs this again.
    } finally {
      syncing = false
    }
  }

  const lost = (): void => {
    if (closing || told === 'down') return
    opts.log(
      told === 'up'
        ? 'hearth: lost the connection to Redis; signaling is limited to this instance until it is back'
        : 'hearth: cannot reach Redis; signaling is limited to this instance until it can',
    )
    told = 'down'
  }

  const ready = (): void => {
    if (closing || !pub.isReady || !sub.isReady) return
    void sync()
    if (told === 'up') return
    if (told === 'down') opts.log('hearth: Redis is back; signaling is shared with the other instances again')
    told = 'up'
    reconnected()
  }

  for (const client of [pub, sub]) {
    // Without an 'error' listener node-redis would throw and end the process.
    client.on('error', lost)
    client.on('ready', ready)
  }
  void pub.connect().catch(() => {})
  void sub.connect().catch(() => {})

  return {
    start(handlers) {
      deliver = handlers.deliver
      reconnected = handlers.reconnected
    },
    get connected() {
      return told === 'up'
    },
    subscribe(topic) {
      wanted.add(topic)
      void sync()
    },
    unsubscribe(topic) {
      wanted.delete(topic)
      void sync()
    },
    publish(topic, data) {
      if (!pub.isReady) return
      pub.publish(prefix + topic, id + (data === null ? 'n' : `d${data}`)).catch(() => {})
    },
    async close() {
      closing = true
      wanted.clear()
      pub.destroy()
      sub.destroy()
    },
  }
}
