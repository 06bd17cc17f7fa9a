/** An entry of the ⋮ menu that belongs to the current screen (e.g. "Invite members" on a board). */
export interface MenuItem {
  readonly label: string
  readonly select: () => void
  /** Shown as a warning mark next to the label, with this text for screen readers. */
  readonly alert?: string
}

/**
 * What the current screen adds to the app bar's ⋮ menu. The bar lives in
 * App.svelte (one banner landmark for every screen); the board view fills
 * this while it is shown.
 */
class Chrome {
  menuItems = $state.raw<readonly MenuItem[]>([])
}

export const chrome = new Chrome()
