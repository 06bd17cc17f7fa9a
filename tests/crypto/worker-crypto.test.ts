import { afterEach, describe, expect, it } from 'vitest'
import { checkAndOpenEntry, checkEntry, generateDeviceKeys, importContentKey, importDeviceSigner, INLINE_AT_ONCE, inlineCrypto, parseEntry, sealEntry, WorkerCrypto, type EntryCrypto } from '../../src/crypto/index.ts'
import { channelWorker, closeChannels, FakeWorker } from '../support/channel-worker.ts'

/** The page's side of the crypto worker (worker-crypto.ts), against the worker's own code over a real MessageChannel. */

afterEach(closeChannels)

const silentWorker = () => new FakeWorker(() => undefined)

async function signed(text: string) {
  const keys = await generateDeviceKeys()
  const message = new TextEncoder().encode(text)
  return { publicKey: keys.signPublic, message, signature: await (await importDeviceSigner(keys)).sign(message) }
}

describe('checks and decryption in a worker', () => {
  it('gives the answers the page gives: a good signature, a forged one, a malformed key', async () => {
    const { worker, seen } = channelWorker()
    const work = new WorkerCrypto(() => worker)
    const { publicKey, message, signature } = await signed('food bank, Tuesday 6pm')
    const forged = Uint8Array.from(message, (b, i) => (i === 0 ? b ^ 1 : b))
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    expect(await work.verify(publicKey, signature, forged)).toBe(false)
    expect(await work.verify(publicKey.subarray(1), signature, message)).toBe(false)
    expect(seen.map((s) => s.op)).toEqual(['verify', 'verify', 'verify'])
  })

  it('decrypts with a content key handed over as a CryptoKey, and refuses altered associated data', async () => {
    const { worker, seen } = channelWorker()
    const work = new WorkerCrypto(() => worker)
    const cipher = await importContentKey(new Uint8Array(32).fill(3), { crypto: work })
    const header = new TextEncoder().encode('header')
    const plaintext = new TextEncoder().encode('the safe house moved to the green door')
    const { nonce, ciphertext } = await cipher.encrypt(plaintext, header)
    expect(await cipher.decrypt(nonce, ciphertext, header)).toEqual(plaintext)
    expect(await cipher.decrypt(nonce, ciphertext, new TextEncoder().encode('headex'))).toBeNull()
    expect(seen.map((s) => s.op)).toEqual(['decrypt', 'decrypt'])
  })

  it('checks and opens small requests on the page: a post does not wait on two trips to the worker, and gets the same answers', async () => {
    const { worker, seen } = channelWorker()
    let started = 0
    const work = new WorkerCrypto(() => (started++, worker), { inlineBelowBytes: 1024 })
    const { publicKey, message, signature } = await signed('soup kitchen needs hands on Friday')
    const forged = Uint8Array.from(message, (b, i) => (i === 0 ? b ^ 1 : b))
    expect([await work.verify(publicKey, signature, message), await work.verify(publicKey, signature, forged)]).toEqual([true, false])
    const cipher = await importContentKey(new Uint8Array(32).fill(5), { crypto: work })
    const header = new TextEncoder().encode('header')
    const small = await cipher.encrypt(message, header)
    expect(await cipher.decrypt(small.nonce, small.ciphertext, header)).toEqual(message)
    expect(await cipher.decrypt(small.nonce, small.ciphertext, new TextEncoder().encode('headex'))).toBeNull()
    expect([started, worker.posted]).toEqual([0, 0])

    // From the threshold on, the worker: a snapshot's checks never hold the page.
    const large = await signed('x'.repeat(1024))
    expect(await work.verify(large.publicKey, large.signature, large.message)).toBe(true)
    const sealed = await cipher.encrypt(large.message, header)
    expect(await cipher.decrypt(sealed.nonce, sealed.ciphertext, header)).toEqual(large.message)
    expect(seen.map((s) => s.op)).toEqual(['verify', 'decrypt'])
  })

  it('sends a burst of small requests to the worker: only a few run on the page at once, where their answers would come in one task', async () => {
    const { worker, seen } = channelWorker()
    const work = new WorkerCrypto(() => worker, { inlineBelowBytes: 1024 })
    const { publicKey, message, signature } = await signed('a sync brings sixty posts at once')
    const answers = await Promise.all(Array.from({ length: 10 }, () => work.verify(publicKey, signature, message)))
    expect(answers).toEqual(Array(10).fill(true))
    expect(seen).toHaveLength(10 - INLINE_AT_ONCE)
    // Once they are answered, a lone post's check runs on the page again.
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    expect(seen).toHaveLength(10 - INLINE_AT_ONCE)
  })

  it('sends only a view’s own bytes, and leaves the caller’s bytes as they were', async () => {
    const { worker, seen } = channelWorker()
    const work = new WorkerCrypto(() => worker)
    const { publicKey, message, signature } = await signed('a one-megabyte update holds this entry')
    // As a Yjs value is: a view into a whole decoded update.
    const whole = new Uint8Array(1024 * 1024)
    whole.set(message, 5000)
    const view = whole.subarray(5000, 5000 + message.length)
    expect(await work.verify(publicKey, signature, view)).toBe(true)
    const sent = seen[0]!.bytes
    // The key, the signature and the message: not the megabyte around it.
    expect(sent.map((b) => b.buffer.byteLength).reduce((a, b) => a + b)).toBe(32 + 64 + message.length)
    expect(whole.byteLength).toBe(1024 * 1024)
    expect(view).toEqual(message)
  })

  it('answers on the page what a worker that fails was asked, and everything after: a dead worker never makes a signature bad', async () => {
    const { publicKey, message, signature } = await signed('a post')
    const worker = silentWorker()
    const work = new WorkerCrypto(() => worker)
    const asked = work.verify(publicKey, signature, message)
    await new Promise((r) => setTimeout(r, 10))
    worker.onerror!(new Event('error'))
    expect(await asked).toBe(true)
    expect(worker.terminated).toBe(true)
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    expect(worker.posted).toBe(1)
    expect(work.running).toBe(false)
  })

  it('gives up a worker that hangs: with nothing answered for the time allowed, what it was asked is answered on the page', async () => {
    const { publicKey, message, signature } = await signed('a post')
    const worker = silentWorker()
    const work = new WorkerCrypto(() => worker, { answerWithinMs: 50 })
    const started = performance.now()
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    expect([worker.terminated, work.running]).toEqual([true, false])
  })

  it('does not give up a worker that keeps answering, however long the queue', async () => {
    const { publicKey, message, signature } = await signed('a post')
    // Each answer takes 30 ms; the whole queue takes far longer than the 80 ms allowed between answers.
    let queue: Promise<unknown> = Promise.resolve()
    const slow: EntryCrypto = { ...inlineCrypto, verify: (...args) => (queue = queue.then(() => new Promise((r) => setTimeout(r, 30)))).then(() => inlineCrypto.verify(...args)) }
    const { worker, seen } = channelWorker(slow)
    const work = new WorkerCrypto(() => worker, { answerWithinMs: 80 })
    const started = performance.now()
    const answers = await Promise.all(Array.from({ length: 8 }, () => work.verify(publicKey, signature, message)))
    expect(answers).toEqual(Array(8).fill(true))
    expect(performance.now() - started).toBeGreaterThan(200)
    expect(seen).toHaveLength(8)
    expect([worker.terminated, work.running]).toEqual([false, true])
  })

  it('answers on the page a request the worker failed on', async () => {
    const broken: EntryCrypto = { verify: () => Promise.reject(new Error('no curves here')), decrypt: () => Promise.reject(new Error('no')) }
    const { worker } = channelWorker(broken)
    const work = new WorkerCrypto(() => worker)
    const { publicKey, message, signature } = await signed('a post')
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    const cipher = await importContentKey(new Uint8Array(32).fill(4), { crypto: work })
    const { nonce, ciphertext } = await cipher.encrypt(message, new Uint8Array(0))
    expect(await cipher.decrypt(nonce, ciphertext, new Uint8Array(0))).toEqual(message)
  })

  it('runs on the page when no worker can start, or a request cannot be posted', async () => {
    const { publicKey, message, signature } = await signed('a post')
    const none = new WorkerCrypto(() => {
      throw new Error('workers are blocked here')
    })
    expect(await none.verify(publicKey, signature, message)).toBe(true)
    expect(none.running).toBe(false)
    const refusing = new FakeWorker(() => {
      throw new DOMException('could not be cloned', 'DataCloneError')
    })
    const work = new WorkerCrypto(() => refusing)
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    // A worker that cannot be sent requests is of no use: it ends, and is not asked again.
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    expect([refusing.posted, refusing.terminated, work.running]).toEqual([1, true, false])
  })

  it('ends the worker on close (lock, wipe): what it was still asked is answered on the page, and it is not asked again', async () => {
    const { publicKey, message, signature } = await signed('a post')
    const worker = silentWorker()
    let started = 0
    const work = new WorkerCrypto(() => (started++, worker))
    const asked = work.verify(publicKey, signature, message)
    work.close()
    expect(worker.terminated).toBe(true)
    expect(await asked).toBe(true)
    expect(await work.verify(publicKey, signature, message)).toBe(true)
    expect([started, worker.posted]).toEqual([1, 1])
  })

  it('starts its worker at the first request, or ahead of it when warmed, and only one', async () => {
    const { publicKey, message, signature } = await signed('a post')
    let started = 0
    const { worker } = channelWorker()
    const work = new WorkerCrypto(() => (started++, worker))
    expect(started).toBe(0)
    await Promise.all([work.verify(publicKey, signature, message), work.verify(publicKey, signature, message)])
    expect([started, worker.posted]).toEqual([1, 2])

    let warmed = 0
    const other = channelWorker()
    const early = new WorkerCrypto(() => (warmed++, other.worker))
    early.warm()
    expect([warmed, other.worker.posted]).toEqual([1, 0])
    expect(await early.verify(publicKey, signature, message)).toBe(true)
    expect([warmed, other.worker.posted]).toEqual([1, 1])
  })

  it('encrypts a store record as the page would (same key, nonce and associated data: the same bytes), on the page when small or when the worker fails', async () => {
    const { worker, seen } = channelWorker()
    const key = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(9), 'AES-GCM', false, ['encrypt', 'decrypt'])
    const iv = new Uint8Array(12).fill(4)
    const aad = new TextEncoder().encode('record-tag')
    const plaintext = new Uint8Array(60_000).fill(17)
    const onPage = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, plaintext))
    const work = new WorkerCrypto(() => worker, { inlineBelowBytes: 1024 })
    expect(await work.encrypt(key, iv, plaintext, aad)).toEqual(onPage)
    expect(seen.map((s) => s.op)).toEqual(['encrypt'])
    // The caller's bytes are left as they were (a record may be sealed again if the worker fails).
    expect(plaintext.every((b) => b === 17)).toBe(true)
    const small = plaintext.subarray(0, 100)
    expect(await work.encrypt(key, iv, small, aad)).toEqual(new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, small)))
    expect(seen).toHaveLength(1)

    const dead = silentWorker()
    const failing = new WorkerCrypto(() => dead)
    const asked = failing.encrypt(key, iv, plaintext, aad)
    await new Promise((r) => setTimeout(r, 10))
    dead.onerror!(new Event('error'))
    expect(await asked).toEqual(onPage)
  })

  describe('an entry’s signature and digest in one request', () => {
    /** A sealed entry of about `size` bytes of payload, and what the page's own checks say of it. */
    async function entry(size: number) {
      const keys = await generateDeviceKeys()
      const cipher = await importContentKey(new Uint8Array(32).fill(7))
      const header = { version: 2 as const, kind: 'snapshot' as const, boardId: new Uint8Array(16).fill(1), keyId: new Uint8Array(8).fill(3), author: keys.signPublic, seq: 9, from: 1 }
      const bytes = await sealEntry(header, new Uint8Array(size).fill(42), cipher, await importDeviceSigner(keys))
      const parsed = parseEntry(bytes)
      if (!parsed.ok) throw new Error('unparsable')
      return { bytes, parsed: parsed.entry, digest: new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)) }
    }

    it('gives what verify and a digest on the page give, for a sound entry and a forged one, and sends the entry’s bytes over once', async () => {
      const { worker, seen } = channelWorker()
      const work = new WorkerCrypto(() => worker)
      const { bytes, parsed, digest } = await entry(100_000)
      expect(await checkEntry(parsed, bytes, work)).toEqual({ valid: true, digest })
      expect(await verifyEntryOnPage(parsed)).toBe(true)
      const forged = bytes.slice()
      forged[200] = forged[200]! ^ 1
      const forgedParsed = parseEntry(forged)
      if (!forgedParsed.ok) throw new Error('unparsable')
      expect(await checkEntry(forgedParsed.entry, forged, work)).toEqual({ valid: false, digest: new Uint8Array(await crypto.subtle.digest('SHA-256', forged)) })
      // The same answers without a worker (the page's checks have no checkEntry of their own).
      expect(await checkEntry(parsed, bytes, inlineCrypto)).toEqual({ valid: true, digest })
      expect((await checkEntry(forgedParsed.entry, forged, inlineCrypto)).valid).toBe(false)
      // One request each, carrying the key, the context and the entry: not the entry joined to its context as well.
      expect(seen.map((s) => s.op)).toEqual(['verify', 'verify'])
      expect(seen[0]!.bytes.map((b) => b.byteLength).reduce((a, b) => a + b)).toBe(32 + parsed.context.byteLength + bytes.byteLength)
    })

    it('checks a small entry on the page, and one a failed worker was asked on the page too', async () => {
      const { worker, seen } = channelWorker()
      const small = await entry(100)
      const onPage = new WorkerCrypto(() => worker, { inlineBelowBytes: 1024 })
      expect(await checkEntry(small.parsed, small.bytes, onPage)).toEqual({ valid: true, digest: small.digest })
      expect(seen).toHaveLength(0)

      const dead = silentWorker()
      const work = new WorkerCrypto(() => dead)
      const large = await entry(50_000)
      const asked = checkEntry(large.parsed, large.bytes, work)
      await new Promise((r) => setTimeout(r, 10))
      dead.onerror!(new Event('error'))
      expect(await asked).toEqual({ valid: true, digest: large.digest })
    })
  })

  describe('an entry’s check and its decryption in one request', () => {
    const KEY = new Uint8Array(32).fill(7)
    /** A sealed entry of `size` bytes of payload (the byte 42), under KEY. */
    async function entry(size: number) {
      const keys = await generateDeviceKeys()
      const header = { version: 2 as const, kind: 'snapshot' as const, boardId: new Uint8Array(16).fill(1), keyId: new Uint8Array(8).fill(3), author: keys.signPublic, seq: 9, from: 1 }
      const bytes = await sealEntry(header, new Uint8Array(size).fill(42), await importContentKey(KEY), await importDeviceSigner(keys))
      const parsed = parseEntry(bytes)
      if (!parsed.ok) throw new Error('unparsable')
      return { bytes, parsed: parsed.entry, digest: new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)), payload: new Uint8Array(size).fill(42) }
    }
    const opened = async (r: ReturnType<typeof checkAndOpenEntry>) => ({ ...(await r.check), plain: await r.opening })

    it('gives what the page’s check and decryption give — a sound entry, a forged one, a key that does not open it — and sends the entry’s bytes over once', async () => {
      const { worker, seen } = channelWorker()
      const work = new WorkerCrypto(() => worker)
      const cipher = await importContentKey(KEY, { crypto: work })
      const { bytes, parsed, digest, payload } = await entry(100_000)
      // A view into a larger buffer, as a value of a decoded Yjs update is.
      const within = new Uint8Array(bytes.length + 10)
      within.set(bytes, 5)
      const view = within.subarray(5, 5 + bytes.length)
      expect(await opened(checkAndOpenEntry(parsed, view, work, cipher))).toMatchObject({ valid: true, digest, plain: payload })
      expect(seen.map((s) => s.op)).toEqual(['open'])
      // The key, the context and the entry's own bytes, once: not the entry again for its decryption.
      expect(seen[0]!.bytes.map((b) => b.byteLength).reduce((a, b) => a + b)).toBe(32 + parsed.context.byteLength + bytes.byteLength)
      expect(view).toEqual(bytes)
      // The same answers on the page.
      expect(await opened(checkAndOpenEntry(parsed, bytes, inlineCrypto, await importContentKey(KEY)))).toMatchObject({ valid: true, digest, plain: payload })

      const forged = bytes.slice()
      forged[forged.length - 100] = forged[forged.length - 100]! ^ 1
      const forgedParsed = parseEntry(forged)
      if (!forgedParsed.ok) throw new Error('unparsable')
      // The ciphertext was altered: the signature fails, and so does the decryption.
      expect(await opened(checkAndOpenEntry(forgedParsed.entry, forged, work, cipher))).toMatchObject({ valid: false, plain: null })
      const other = await importContentKey(new Uint8Array(32).fill(8), { crypto: work })
      expect(await opened(checkAndOpenEntry(parsed, bytes, work, other))).toMatchObject({ valid: true, digest, plain: null })
      expect(seen.map((s) => s.op)).toEqual(['open', 'open', 'open'])
    })

    it('without a cipher, the entry is checked only; a small one is checked and opened on the page; what a failed worker was asked, on the page too', async () => {
      const { worker, seen } = channelWorker()
      const work = new WorkerCrypto(() => worker, { inlineBelowBytes: 1024 })
      const large = await entry(50_000)
      const checkedOnly = checkAndOpenEntry(large.parsed, large.bytes, work, null)
      expect(checkedOnly.opening).toBeNull()
      expect(await checkedOnly.check).toEqual({ valid: true, digest: large.digest })
      expect(seen.map((s) => s.op)).toEqual(['verify'])

      const small = await entry(100)
      expect(await opened(checkAndOpenEntry(small.parsed, small.bytes, work, await importContentKey(KEY, { crypto: work })))).toMatchObject({ valid: true, digest: small.digest, plain: small.payload })
      expect(seen).toHaveLength(1)

      const dead = silentWorker()
      const failing = new WorkerCrypto(() => dead)
      const asked = checkAndOpenEntry(large.parsed, large.bytes, failing, await importContentKey(KEY, { crypto: failing }))
      await new Promise((r) => setTimeout(r, 10))
      expect(dead.posted).toBe(1)
      dead.onerror!(new Event('error'))
      expect(await opened(asked)).toMatchObject({ valid: true, digest: large.digest, plain: large.payload })
    })
  })
})

const verifyEntryOnPage = (parsed: { header: { author: Uint8Array }; signature: Uint8Array; signed: Uint8Array }) => inlineCrypto.verify(parsed.header.author, parsed.signature, parsed.signed)
