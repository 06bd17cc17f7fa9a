/**
 * The engine runs its work one task at a time (task-queue.ts). A task that
 * throws is a bug: Bob's board keeps it as its failure (he is shown it), and
 * his later changes are still sealed.
 */
import { describe, expect, it } from 'vitest'
import { ActionRefused, TaskQueue } from '../../src/sealed/task-queue.ts'

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

describe('engine tasks', () => {
  it('run one after another, in the order they were queued, each with its own result', async () => {
    const q = new TaskQueue()
    const order: string[] = []
    const slow = q.run(async () => {
      await tick()
      order.push('seal Bob’s post')
      return 1
    })
    const fast = q.run(async () => {
      order.push('seal Bob’s edit')
      return 2
    })
    expect(await Promise.all([slow, fast])).toEqual([1, 2])
    expect(order).toEqual(['seal Bob’s post', 'seal Bob’s edit'])
  })

  it('an action refused as things stand (not a bug) reaches its caller and leaves no failure', async () => {
    const q = new TaskQueue()
    const told: string[] = []
    q.onFailure((e) => told.push(e.message))
    await expect(q.run(() => Promise.reject(new ActionRefused('No such request')))).rejects.toThrow('No such request')
    expect(await q.run(() => Promise.resolve('sealed'))).toBe('sealed')
    await q.idle()
    expect(q.failure).toBeNull()
    expect(told).toEqual([])
  })

  it('a task that throws is kept as the first failure, told once, and later tasks still run', async () => {
    const q = new TaskQueue()
    const told: string[] = []
    q.onFailure((e) => told.push(e.message))
    expect(q.failure).toBeNull()
    await expect(q.run(() => Promise.reject(new Error('first bug')))).rejects.toThrow('first bug')
    await expect(q.run(() => Promise.reject(new Error('second bug')))).rejects.toThrow('second bug')
    expect(await q.run(() => Promise.resolve('sealed'))).toBe('sealed')
    await q.idle()
    expect(q.failure?.message).toBe('first bug')
    expect(told).toEqual(['first bug'])
  })

  it('what a task throws that is not an Error is kept as one; a listener removed hears nothing', async () => {
    const q = new TaskQueue()
    const told: Error[] = []
    q.onFailure((e) => told.push(e))()
    await q.run(() => Promise.reject('a string')).catch(() => undefined)
    await q.idle()
    expect(q.failure).toBeInstanceOf(Error)
    expect(q.failure?.message).toBe('a string')
    expect(told).toEqual([])
  })

  it('idle waits for the tasks queued so far, and for those they queue in turn', async () => {
    const q = new TaskQueue()
    const done: string[] = []
    void q.run(async () => {
      await tick()
      done.push('first')
      void q.run(async () => {
        await tick()
        done.push('queued by the first')
      })
    })
    await q.idle()
    expect(done).toEqual(['first', 'queued by the first'])
  })

  it('once stopped, tasks are skipped and resolve undefined', async () => {
    const q = new TaskQueue()
    let ran = false
    q.stop()
    expect(
      await q.run(async () => {
        ran = true
        return 'sealed'
      }),
    ).toBeUndefined()
    expect(ran).toBe(false)
  })
})
