/**
 * Copies text to the clipboard. The browser may refuse (no permission, the
 * page not focused, an older WebView without the API): then the field that
 * shows the text is focused and its text selected, for the person to copy it
 * themselves, and the answer is false.
 */
export async function copyText(text: string, field: HTMLInputElement | null | undefined): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    field?.focus()
    field?.select()
    return false
  }
}
