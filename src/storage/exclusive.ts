/**
 * Runs `work` while holding a Web Lock of this origin, so two tabs never
 * rewrite the device file at the same time (a rotation in one tab must not
 * meet another tab's clean-up). Where there are no Web Locks (Node tests),
 * there is only one tab.
 */
export function exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (!locks) return work()
  return locks.request(name, work) as Promise<T>
}
