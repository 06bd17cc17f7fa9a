/**
 * The back gesture (Android's back button, a browser's Back) closes the
 * topmost dialog instead of leaving the screen under it, as people expect
 * from phone apps: a half-written post must not vanish with the page.
 *
 * While any dialog is open, one history entry with the same URL (a "guard")
 * sits on top; Back pops it, and the topmost dialog closes. When the last
 * dialog closes by other means, the guard is taken back off, so Back then
 * leaves the screen as usual. The URL never changes: nothing new reaches the
 * browser's history files.
 *
 * Taking the guard off is a Back, and a Back lands asynchronously: a
 * navigation made in the few milliseconds between the close and the landing
 * (faster than any tap; tests wait with flows.historySettled) is undone by it.
 */
const GUARD = 'hearthDialog'
const open: (() => void)[] = []
let listening = false

const onGuard = (): boolean => (history.state as Record<string, unknown> | null)?.[GUARD] === true

function pushGuard(): void {
  history.pushState({ ...((history.state as object | null) ?? {}), [GUARD]: true }, '')
}

function onPopState(): void {
  const top = open.at(-1)
  if (!top) return
  const remaining = open.length - 1
  top()
  if (remaining > 0) pushGuard()
}

/** Registers an open dialog and its close action; returns the function to call once it has closed. */
export function trackDialog(close: () => void): () => void {
  if (!listening) {
    window.addEventListener('popstate', onPopState)
    listening = true
  }
  open.push(close)
  if (!onGuard()) pushGuard()
  return () => {
    const at = open.lastIndexOf(close)
    if (at >= 0) open.splice(at, 1)
    // After the current update: a dialog that replaces this one (a chooser
    // leading to a form) keeps the guard.
    if (open.length === 0)
      setTimeout(() => {
        if (open.length === 0 && onGuard()) history.back()
      }, 0)
  }
}
