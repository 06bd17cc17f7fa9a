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
