import { tick } from 'svelte'

/**
 * After a failed submit: moves the focus to the first field marked invalid
 * (its error is right under it and named by aria-describedby), scrolled into
 * the middle of the screen, so nobody is left wondering why nothing happened.
 */
export async function focusFirstInvalid(form: HTMLElement | undefined): Promise<void> {
  await tick()
  const field = form?.querySelector<HTMLElement>('[aria-invalid="true"]')
  if (!field) return
  field.focus({ preventScroll: true })
  field.scrollIntoView({ block: 'center' })
}

/** Gives the focus back to `target` when it is still on the page, else to the main region. */
export function restoreFocus(target: Element | null): void {
  const to = target instanceof HTMLElement && target.isConnected && !target.closest('[inert]') ? target : document.getElementById('main')
  to?.focus({ preventScroll: true })
}

/** Whether the focus is on nothing: the page itself, or an element no longer on it (it went with what it was in). */
export function focusLost(): boolean {
  const active = document.activeElement
  return !active || active === document.body || !active.isConnected
}

/**
 * The screen's heading, where a new screen (or what took a part of one
 * away, the focus with it) begins: the main region's, else the bar's (a
 * board's name is its heading, in the bar above it).
 */
export function screenHeading(): HTMLElement | null {
  return document.querySelector<HTMLElement>('main h1') ?? document.querySelector<HTMLElement>('h1')
}

/** Focuses a heading, focusable from script only (not a Tab stop). */
export function focusHeading(heading: HTMLElement | null): void {
  if (!heading) return
  heading.tabIndex = -1
  heading.focus()
}
