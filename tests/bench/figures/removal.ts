/**
 * removal: what removing a member costs as the circle grows (issue 9), for
 * 10, 100 and 1,000 member devices, with the real engine in Node:
 *
 * - on the remover's device, from "Remove" to the new epoch sealed: the signed
 *   removal, a new content key and transport secret, and a lockbox for every
 *   remaining device (one X25519 agreement and AES-GCM each);
 * - the bytes the removal adds to the board (what every member downloads);
 * - on one remaining member's device, from the removal arriving to the new
 *   key taken (its lockbox found and opened, the removal judged).
 *
 * There is no plain-Yjs counterpart to a key rotation, so these rows are
 * absolute; the goal is the issue's: 1,000 devices rotated in under 1 s.
 * Building a circle of 1,000 (each newcomer asks with an invitation and is
 * admitted, as in the app) is untimed setup.
 */
import * as Y from 'yjs'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import {
  deriveInvitation,
  foundedBoardId,
  fromBase64url,
  generateDeviceKeys,
  generateInvitationSecret,
  generateTransportSecret,
  generateContentKey,
  importAgreement,
  importDeviceSigner,
  type DeviceKeyMaterial,
} from '../../../src/crypto/index.ts'
import { SealedBoard, type SealedBoardOptions } from '../../../src/sealed/index.ts'
import { figure, type Figure } from '../lib/figure.ts'

export const REMOVAL_SIZES = [10, 100, 1000] as const
/** Removals measured per size: each removes one more device from the same circle. */
const REMOVALS = 3

async function engine(keys: DeviceKeyMaterial, opts: Omit<SealedBoardOptions, 'signer' | 'agreement' | 'rules'>): Promise<SealedBoard> {
  const board = new SealedBoard(new Y.Doc({ gc: true }), {
    rules: BOARD_RULES,
    ...opts,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
  })
  await board.start()
  return board
}

const sync = (from: SealedBoard, to: SealedBoard) => Y.applyUpdate(to.sealed, Y.encodeStateAsUpdate(from.sealed, Y.encodeStateVector(to.sealed)), 'remote')

interface Circle {
  founder: SealedBoard
  /** A remaining member whose device takes up each new key. */
  bob: SealedBoard
  /** Devices to remove, one per measured removal. */
  leaving: string[]
}

/** A founded board with `devices` member devices in all, every newcomer admitted through an invitation. */
async function buildCircle(devices: number): Promise<Circle> {
  const founderKeys = await generateDeviceKeys()
  const nonce = crypto.getRandomValues(new Uint8Array(16))
  const boardId = fromBase64url(foundedBoardId(founderKeys.signPublic, nonce))!
  const transport = generateTransportSecret()
  const founder = await engine(founderKeys, { boardId, contentKeys: [{ key: generateContentKey(), transport }], transport })
  await founder.found('Ana', nonce)
  const invitation = await deriveInvitation(generateInvitationSecret())
  await founder.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: devices, expiresAt: null, as: 'member', ask: false })
  const asking = { boardId, contentKeys: [], transport, request: { key: invitation.requestKey } }
  const requests: Uint8Array[] = []
  let bob: SealedBoard | null = null
  for (let i = 1; i < devices; i++) {
    const newcomer = await engine(await generateDeviceKeys(), asking)
    await newcomer.request(`Member ${i}`, { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    await newcomer.flush()
    requests.push(Y.encodeStateAsUpdate(newcomer.sealed))
    if (i === 1) bob = newcomer
    else newcomer.destroy()
  }
  Y.applyUpdate(founder.sealed, Y.mergeUpdates(requests), 'remote')
  await founder.flush()
  const open = founder.circle.openRequests()
  if (open.length !== devices - 1) throw new Error(`bench removal: the founder sees ${open.length} requests, expected ${devices - 1}`)
  for (const request of open) await founder.admit(request.hash)
  await founder.flush()
  sync(founder, bob!)
  await bob!.flush()
  if (bob!.standing !== 'member') throw new Error('bench removal: Bob was not let in')
  const others = [...founder.circle.membership().devices.values()].map((d) => d.tag).filter((t) => t !== founder.myTag && t !== bob!.myTag)
  return { founder, bob: bob!, leaving: others.slice(0, REMOVALS) }
}

export async function measureRemoval(sizes: readonly number[] = REMOVAL_SIZES, log: (line: string) => void = () => {}): Promise<Figure[]> {
  const out: Figure[] = []
  for (const n of sizes) {
    const setup = performance.now()
    const c = await buildCircle(n)
    log(`removal: circle of ${n} devices built in ${((performance.now() - setup) / 1000).toFixed(1)} s`)
    const removeMs: number[] = []
    const bytes: number[] = []
    const takeUpMs: number[] = []
    for (const tag of c.leaving) {
      const before = Y.encodeStateVector(c.founder.sealed)
      const t0 = performance.now()
      await c.founder.remove([tag])
      await c.founder.flush()
      removeMs.push(performance.now() - t0)
      const added = Y.encodeStateAsUpdate(c.founder.sealed, before)
      bytes.push(added.length / 1024)
      const took = new Promise<void>((resolve) => {
        const off = c.bob.onKeys(() => {
          off()
          resolve()
        })
      })
      const t1 = performance.now()
      Y.applyUpdate(c.bob.sealed, added, 'remote')
      await took
      takeUpMs.push(performance.now() - t1)
      await c.bob.flush()
      if (c.bob.epoch?.key !== c.founder.epoch?.key) throw new Error('bench removal: Bob did not move to the new key')
    }
    const after = n === 1000 ? { kind: 'absolute' as const, max: 1000, text: '< 1 s (issue 9)' } : null
    out.push(
      figure({ id: `removal-${n}`, label: `removal, ${n} devices: remover's device`, unit: 'ms', hearth: removeMs, target: after }),
      figure({ id: `removal-${n}-bytes`, label: `removal, ${n} devices: bytes added`, unit: 'KB', hearth: bytes }),
      figure({ id: `removal-${n}-takeup`, label: `removal, ${n} devices: a member takes the new key`, unit: 'ms', hearth: takeUpMs }),
    )
    c.founder.destroy()
    c.bob.destroy()
  }
  return out
}
