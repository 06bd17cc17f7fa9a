import type { MessageKey } from '../../i18n/index.ts'
import type { AppState } from '../../state/app.svelte.ts'

type Failure<R> = Extract<Awaited<R>, { readonly ok: false; readonly error: unknown }>['error']

/** Why a passphrase was not set, as the screen says it: too short or too long, or not saved (a full device). */
export function passphraseMessage(error: Failure<ReturnType<AppState['setPassphrase']>>): MessageKey {
  return error === 'storage' ? 'app.deviceFull' : `passphrase.error.${error}`
}

/** The same for the duress passphrase, which has two more reasons. */
export function duressMessage(error: Failure<ReturnType<AppState['setDuress']>>): MessageKey {
  if (error === 'same_as_passphrase') return 'duress.error.same_as_passphrase'
  if (error === 'no_passphrase') return 'duress.needsPassphrase'
  return passphraseMessage(error)
}
