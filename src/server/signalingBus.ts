/**
 * How signaling instances share rooms. Without a bus an instance relays only
 * between its own sockets; with one, a publish on any instance reaches the
 * topic's subscribers on every instance. A bus carries only live
 * subscriptions and the frames in flight: nothing about rooms is stored.
 */
export interface SignalingBus {
  /**
   * Called once by the relay: `deliver` receives publishes that came from
   * other instances; `reconnected` is called each time the bus reaches them
   * again after an outage (or for the first time).
   */
  start(handlers: { deliver: (topic: string, data: string | null) => void; reconnected: () => void }): void
  /** False while the other instances cannot be reached: publishes then stay on this instance. */
  readonly connected: boolean
  /** This instance now has a subscriber for `topic` (called on the first). */
  subscribe(topic: string): void
  /** This instance has no subscriber for `topic` any more (called on the last). */
  unsubscribe(topic: string): void
  /** Hands a validated publish to the other instances; never throws for a bus outage. */
  publish(topic: string, data: string | null): void
  close(): Promise<void>
}
