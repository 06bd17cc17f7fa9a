import { getContext, setContext } from 'svelte'
import type { AppState } from '../../state/app.svelte.ts'

const KEY = Symbol('hearth-app')

/** Makes the app reachable from any component below (the menu inside every dialog needs it). */
export function setAppContext(app: AppState): void {
  setContext(KEY, app)
}

export function getAppContext(): AppState {
  const app = getContext<AppState | undefined>(KEY)
  if (!app) throw new Error('getAppContext() outside <App>')
  return app
}
