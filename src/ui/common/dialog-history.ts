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
 * navigation made between the close and the landing (a link followed at
 * once) is undone when the Back lands. So a navigation seen before the Back
 * lands (by its popstate, or the Navigation API's navigate event for the
 * app's own pushState) is made again after it.
 */
const GUARD = 'hearthDialog'
const open: (() => void)[] = []
let listening = false
/**
 * The Back that takes a guard off, until it lands: when it was made
 * (performance.now()), from which URL, and the URL of a navigation seen
 * before it landed.
 */
let pendingBack: { readonly since: number; readonly from: string; overtakenBy?: string } | null = null
/** Longer than any Back takes to land; a Back that never lands (the browser dropped it) is forgotten after it. */
const BACK_LANDS_WITHIN_MS = 1000

const onGuard = (): boolean => (history.state as Record<string, unknown> | null)?.[GUARD] === true

function pushGuard(): void {
  history.pushState({ ...((history.state as object | null) ?? {}), [GUARD]: true }, '')
}

function onPopState(): void {
  const top = open.at(-1)
  const back = pendingBack && performance.now() - pendingBack.since < BACK_LANDS_WITHIN_MS ? pendingBack : null
  if (top && back && location.href === back.from && !onGuard()) {
    // The Back landed after another dialog opened (on the guard it was taking
    // off): that dialog stays open, with a guard of its own.
    pendingBack = null
    pushGuard()
    return
  }
  if (!top) {
    if (!back) pendingBack = null
    else if (location.href !== back.from) back.overtakenBy = location.href // a navigation's own popstate: the Back is still to land
    else {
      // The Back landed. If a navigation came between, the Back undid it
      // (Chromium drops that navigation's entry): make it again.
      pendingBack = null
      if (back.overtakenBy !== undefined) location.href = back.overtakenBy
    }
    return
  }
  const remaining = open.length - 1
  top()
  if (remaining > 0) pushGuard()
}

/**
 * A navigation the Navigation API reports (where the browser has it): the
 * app's own, made with pushState, fires no popstate.
 */
function onNavigate(e: Event): void {
  const { navigationType, destination } = e as Event & { navigationType?: string; destination?: { url?: string; sameDocument?: boolean } }
  if (pendingBack && (navigationType === 'push' || navigationType === 'replace') && destination?.sameDocument && destination.url) pendingBack.overtakenBy = destination.url
}

/** Registers an open dialog and its close action; returns the function to call once it has closed. */
export function trackDialog(close: () => void): () => void {
  if (!listening) {
    window.addEventListener('popstate', onPopState)
    ;(globalThis as { navigation?: EventTarget }).navigation?.addEventListener('navigate', onNavigate)
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
        if (open.length === 0 && onGuard()) {
          pendingBack = { since: performance.now(), from: location.href }
          history.back()
        }
      }, 0)
  }
}
