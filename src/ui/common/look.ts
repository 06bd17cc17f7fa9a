import type { AppState } from '../../state/app.svelte.ts'
import { i18n } from '../../state/i18n.svelte.ts'

type Look = AppState['look']

/** The name the app goes by on this device: its own, or a neutral one for whoever glances at the phone. */
export function lookName(look: Look): string {
  return look === 'notes' ? i18n.t('look.notes') : 'Hearth'
}

/**
 * The page as the look shows it: its title (never a board's name: browsers
 * keep titles in history and session files on disk), the tab's icon, and the
 * manifest an install would use (an installed app keeps its own until it is
 * installed again). Run in an effect by every screen that stands for the app.
 */
export function showLook(look: Look): void {
  const notes = look === 'notes'
  document.title = lookName(look)
  document.querySelector<HTMLLinkElement>('link[rel=manifest]')?.setAttribute('href', notes ? '/manifest-notes.webmanifest' : '/manifest.webmanifest')
  document.querySelector<HTMLLinkElement>('link[rel=icon][type="image/svg+xml"]')?.setAttribute('href', notes ? '/icons/notes.svg' : '/favicon.svg')
  document.querySelector<HTMLLinkElement>('link[rel=apple-touch-icon]')?.setAttribute('href', notes ? '/icons/notes-apple-touch-icon.png' : '/icons/apple-touch-icon.png')
  document.querySelector('meta[name=apple-mobile-web-app-title]')?.setAttribute('content', notes ? 'Notes' : 'Hearth')
}
