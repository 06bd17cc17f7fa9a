/**
 * The frame y-webrtc expects for a publish, built from the sender's validated
 * `data` text (see `parseSignalingMessage`) rather than from a parsed value:
 * re-serialising an attacker-shaped structure is how one frame used to crash
 * the server. `clients` is how many sockets of this instance receive it.
 */
export function publishFrame(topic: string, data: string | null, clients: number): string {
  const dataMember = data === null ? '' : `,"data":${data}`
  return `{"type":"publish","topic":${JSON.stringify(topic)}${dataMember},"clients":${clients}}`
}
