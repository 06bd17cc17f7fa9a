/**
 * The key file's only writer (see key-file.ts). A synchronous access handle
 * writes into the file itself — no temporary copy, no copy-on-write store — and
 * exists only in dedicated workers, hence this tiny worker: one message, one
 * answer, then the page terminates it.
 */
interface SyncHandle {
  write(buffer: Uint8Array, options: { at: number }): number
  truncate(size: number): void
  getSize(): number
  flush(): void
  close(): void
}
interface FileHandle {
  createSyncAccessHandle(): Promise<SyncHandle>
}
interface Directory {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>
  removeEntry(name: string): Promise<void>
}
export type KeyFileRequest = { readonly op: 'write'; readonly name: string; readonly bytes: Uint8Array } | { readonly op: 'destroy'; readonly name: string }
/** `refusal`: the DOMException's name, when the browser refused (quota, permission): the caller's error carries it as its cause. */
export type KeyFileAnswer = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly refusal?: string }

const scope = globalThis as unknown as { onmessage: (e: MessageEvent<KeyFileRequest>) => void; postMessage(answer: KeyFileAnswer): void }

/** Another tab may hold the file for a moment (handles are exclusive): try again briefly. */
async function openHandle(file: FileHandle): Promise<SyncHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await file.createSyncAccessHandle()
    } catch (err) {
      if (attempt >= 40) throw err
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}

async function run(request: KeyFileRequest): Promise<void> {
  const root = (await (navigator.storage as unknown as { getDirectory(): Promise<Directory> }).getDirectory())
  if (request.op === 'write') {
    const handle = await openHandle(await root.getFileHandle(request.name, { create: true }))
    try {
      handle.write(request.bytes, { at: 0 })
      handle.truncate(request.bytes.length)
      handle.flush()
    } finally {
      handle.close()
    }
    return
  }
  let file: FileHandle
  try {
    file = await root.getFileHandle(request.name)
  } catch {
    return // none: nothing to destroy
  }
  const handle = await openHandle(file)
  try {
    // Zeros over every byte, in the file's own blocks, before the file goes.
    handle.write(new Uint8Array(Math.max(handle.getSize(), 128)), { at: 0 })
    handle.flush()
  } finally {
    handle.close()
  }
  await root.removeEntry(request.name)
}

scope.onmessage = (e) => {
  run(e.data).then(
    () => scope.postMessage({ ok: true }),
    (err: unknown) => scope.postMessage({ ok: false, error: String(err), ...(err instanceof DOMException ? { refusal: err.name } : {}) }),
  )
}
