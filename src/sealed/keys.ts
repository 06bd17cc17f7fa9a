import { FIRST_KEY_ID, importContentKey, inlineCrypto, keyId, publicEntryKey, toBase64url, type ContentCipher, type EntryCrypto, type TransportSecret } from '../crypto/index.ts'

/**
 * The symmetric keys a device holds for one board, by key id: the content key
 * of every epoch it was sent (with that epoch's transport secret, when known),
 * the request keys of invitations it can read, and the public-entry key of
 * every transport secret it knows. Entries name their key; this answers
 * "can I open it".
 */
export class BoardKeys {
  readonly #ciphers = new Map<string, ContentCipher>()
  readonly #content: { id: string; raw: Uint8Array }[] = []
  readonly #transports = new Map<string, TransportSecret>()
  readonly #listeners = new Set<() => void>()
  #first: string | null = null
  readonly #crypto: EntryCrypto

  /** `crypto` is where its keys decrypt (entry-crypto.ts). */
  constructor(crypto: EntryCrypto = inlineCrypto) {
    this.#crypto = crypto
  }

  /** Key id (base64url) of the board's first content key: what version 1 entries used. */
  get first(): string | null {
    return this.#first
  }

  /** Content keys, oldest first (what an admitted device is sent). */
  contentKeys(): Uint8Array[] {
    return this.#content.map((c) => c.raw)
  }

  hasContentKey(id: string): boolean {
    return this.#content.some((c) => c.id === id)
  }

  contentKey(id: string): Uint8Array | null {
    return this.#content.find((c) => c.id === id)?.raw ?? null
  }

  /** The transport secret of an epoch (by its content key id), if known. */
  transport(id: string): TransportSecret | null {
    return this.#transports.get(id) ?? null
  }

  /** Adds a content key (and its epoch's transport secret). Returns whether it was new. */
  async addContentKey(raw: Uint8Array, transport?: Uint8Array | null): Promise<boolean> {
    const id = toBase64url(keyId(raw))
    let added = false
    if (!this.#ciphers.has(id)) {
      this.#ciphers.set(id, await importContentKey(raw, { crypto: this.#crypto }))
      this.#content.push({ id, raw })
      this.#first ??= id
      added = true
    }
    if (transport && !this.#transports.has(id)) {
      this.#transports.set(id, transport as TransportSecret)
      await this.addPublicKey(transport as TransportSecret)
      added = true
    }
    if (added) for (const l of this.#listeners) l()
    return added
  }

  /** An invitation's request key (the board's members can read its join requests). */
  async addRequestKey(raw: Uint8Array): Promise<void> {
    const id = toBase64url(keyId(raw))
    if (!this.#ciphers.has(id)) this.#ciphers.set(id, await importContentKey(raw, { crypto: this.#crypto }))
  }

  /** The key of public entries (lockboxes) in the room of this transport secret. */
  async addPublicKey(transport: TransportSecret): Promise<Uint8Array> {
    const raw = publicEntryKey(transport)
    const id = toBase64url(keyId(raw))
    if (!this.#ciphers.has(id)) this.#ciphers.set(id, await importContentKey(raw, { crypto: this.#crypto }))
    return keyId(raw)
  }

  /** The cipher an entry names, or null if this device does not hold it. */
  cipherFor(id: Uint8Array): ContentCipher | null {
    if (id.every((b, i) => b === FIRST_KEY_ID[i])) return this.#first ? (this.#ciphers.get(this.#first) ?? null) : null
    return this.#ciphers.get(toBase64url(id)) ?? null
  }

  /** Called when a content key or transport secret is added. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
