import type { AppState } from '../../state/app.svelte.ts'
import { i18n } from '../../state/i18n.svelte.ts'

/** A language picked in a select; if its messages could not be loaded, the select shows the language on screen again. */
export async function chooseLanguage(app: AppState, select: HTMLSelectElement): Promise<void> {
  if ((await app.setLanguage(select.value)) === 'unavailable') select.value = i18n.current
}
