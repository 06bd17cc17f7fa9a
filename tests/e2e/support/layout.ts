/**
 * Layout checks for small screens, run inside the page: nothing wider than
 * the screen, no text spilling out of or cut off by its box, and controls
 * big enough for a thumb.
 */
import type { Page } from 'playwright-core'

/**
 * Every place where text or boxes do not fit, as readable lines:
 * - the page scrolls sideways, or an element sticks out of the screen
 *   (except inside a container that scrolls sideways on purpose);
 * - an element's own text is wider than its box (scrollWidth > clientWidth),
 *   or taller than a box that hides overflow;
 * - an element is cut by an ancestor that hides its overflow;
 * - a select is narrower than the option it shows;
 * - a word of a button's label is broken across lines ("Re / vo / ke"), a
 *   fingerprint (compared in person, group by group) is split over two lines,
 *   or a sync line's dot sits on a line of its own.
 * Fields that scroll their own text, and visually hidden text, are left out.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = []
    const name = (el: Element) => {
      const id = el.id ? `#${el.id}` : ''
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)
      return `${el.tagName.toLowerCase()}${id}${cls} "${text}"`
    }
    const scrolls = (s: CSSStyleDeclaration, axis: 'x' | 'y') => ['auto', 'scroll'].includes(axis === 'x' ? s.overflowX : s.overflowY)
    const hides = (s: CSSStyleDeclaration) => ['hidden', 'clip'].includes(s.overflowX) || ['hidden', 'clip'].includes(s.overflowY)
    // The room Chromium 150 keeps for a select's drop-down arrow beyond its end padding (measured on screenshots).
    const SELECT_ARROW = 8
    let measure: CanvasRenderingContext2D | undefined
    if (document.documentElement.scrollWidth > innerWidth) problems.push(`the page is ${document.documentElement.scrollWidth} px wide on a ${innerWidth} px screen`)
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      if (el.closest('.visually-hidden, .skip, script, style, option, canvas, video')) continue
      const style = getComputedStyle(el)
      if (style.display === 'none' || style.visibility === 'hidden') continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 && r.height === 0) continue
      let sideways = false
      let clipper: Element | null = null
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a)
        if (scrolls(s, 'x')) sideways = true
        if (!clipper && hides(s)) clipper = a
      }
      if (!sideways && (r.left < -1 || r.right > innerWidth + 1)) problems.push(`outside the screen [${Math.round(r.left)}, ${Math.round(r.right)}]: ${name(el)}`)
      if (clipper) {
        const c = clipper.getBoundingClientRect()
        if (r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1) problems.push(`cut off by ${name(clipper)}: ${name(el)}`)
      }
      if (el instanceof HTMLSelectElement && style.opacity !== '0') {
        // A closed select shows its chosen option, cut off silently when the box is narrower ("همه‌ی برچسبه").
        const chosen = el.selectedOptions[0]?.text ?? ''
        const ctx = (measure ??= document.createElement('canvas').getContext('2d')!)
        ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`
        const room = el.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd) - SELECT_ARROW
        if (ctx.measureText(chosen).width > room + 1) problems.push(`chosen option cut off (${Math.round(ctx.measureText(chosen).width)} > ${Math.round(room)}): ${name(el)}`)
      }
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || style.display === 'inline') continue
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '')
      if (!ownText) continue
      if (el.scrollWidth > el.clientWidth + 1 && !scrolls(style, 'x')) problems.push(`text wider than its box (${el.scrollWidth} > ${el.clientWidth}): ${name(el)}`)
      if (hides(style) && el.scrollHeight > el.clientHeight + 1) problems.push(`text cut off at the bottom (${el.scrollHeight} > ${el.clientHeight}): ${name(el)}`)
      if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth) problems.push(`text ends in an ellipsis: ${name(el)}`)
    }
    for (const button of document.querySelectorAll<HTMLElement>('button')) {
      if (button.closest('.visually-hidden, .skip') || button.getBoundingClientRect().width === 0) continue
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of (node.textContent ?? '').matchAll(/\S+/g)) {
          const range = document.createRange()
          range.setStart(node, word.index)
          range.setEnd(node, word.index + word[0].length)
          if (range.getClientRects().length > 1) problems.push(`a word broken across lines ("${word[0]}"): ${name(button)}`)
        }
      }
    }
    // A sync line's dot belongs to its text: alone on a line above it, it says nothing.
    for (const dot of document.querySelectorAll<HTMLElement>('.sync .dot')) {
      const d = dot.getBoundingClientRect()
      const first = dot.nextElementSibling?.getClientRects()[0]
      if (d.width > 0 && first && (d.bottom <= first.top || d.top >= first.bottom)) problems.push(`a status dot on a line of its own: ${name(dot.parentElement!)}`)
    }
    for (const print of document.querySelectorAll<HTMLElement>('.fingerprint')) {
      if (print.getClientRects().length > 1) problems.push(`a fingerprint split over two lines: ${name(print)}`)
    }
    return problems
  })
}

/** Visible controls smaller than `min` px in height (buttons, fields, links, tags, check and radio rows). */
export async function smallTargets(page: Page, min = 48): Promise<string[]> {
  return page.evaluate((min) => {
    const small: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('button, a[href], select, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea, label.check')) {
      if (el.closest('.visually-hidden, .skip, [inert]')) continue
      // A card's title button stretches over the whole card, which is its target.
      const r = (el.classList.contains('card-open') ? el.closest('.card')! : el).getBoundingClientRect()
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue
      // A dialog covers the page: only what is in the topmost one can be tapped.
      const open = [...document.querySelectorAll('dialog[open]')]
      if (open.length > 0 && !open.at(-1)!.contains(el)) continue
      if (r.height < min - 0.5) small.push(`${Math.round(r.height)} px: ${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 30)}"`)
    }
    return small
  }, min)
}

/**
 * WCAG 2.2, 2.4.11 (focus not obscured): walks the page with Tab, `presses`
 * times, then back with Shift+Tab, `back` times, and lists each control that took the focus while something fixed or
 * sticky outside it (the Post button, the app bar) covered part of it. The
 * browser scrolls what takes the focus into view, but not clear of what
 * floats over the page.
 */
export async function focusObscured(page: Page, presses = 40, back = 15): Promise<string[]> {
  const found = new Set<string>()
  // Where the page and its dialogs were scrolled, given back at the end with the focus let go: the next check sees the
  // screen as it was (a page left scrolled under its sticky bar made axe find the bar's Back button crowded).
  const scrolled = await page.evaluate(() => [scrollY, ...[...document.querySelectorAll('dialog[open]')].map((d) => d.scrollTop)])
  for (let i = 0; i < presses + back; i++) {
    await page.keyboard.press(i < presses ? 'Tab' : 'Shift+Tab')
    const covered = await page.evaluate(() => {
      const el = document.activeElement
      if (!(el instanceof HTMLElement) || el === document.body) return null
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) return null
      const floating = (node: Element | null): Element | null => {
        for (let n = node; n && n !== document.documentElement; n = n.parentElement) {
          const position = getComputedStyle(n).position
          if (position === 'fixed' || position === 'sticky') return n
        }
        return null
      }
      // Five points of the control: its middle and 4 px in from each corner, those on the screen.
      const toward = (a: number, b: number) => a + Math.sign(b - a) * Math.min(4, Math.abs(b - a) / 2)
      const points: [number, number][] = [
        [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
        [toward(r.left, r.right), toward(r.top, r.bottom)],
        [toward(r.right, r.left), toward(r.top, r.bottom)],
        [toward(r.left, r.right), toward(r.bottom, r.top)],
        [toward(r.right, r.left), toward(r.bottom, r.top)],
      ]
      const onScreen = points.filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight)
      for (const [x, y] of onScreen) {
        const top = document.elementFromPoint(x, y)
        if (!top || el.contains(top) || top.contains(el)) continue
        const over = floating(top)
        if (over && !over.contains(el)) {
          const name = (e: Element) => (e.textContent || e.getAttribute('aria-label') || e.id || e.tagName).replace(/\s+/g, ' ').trim().slice(0, 30)
          return `${el.tagName.toLowerCase()} "${name(el)}" under ${over.tagName.toLowerCase()}.${[...over.classList].join('.')} "${name(over)}"`
        }
      }
      return null
    })
    if (covered) found.add(covered)
  }
  await page.evaluate(([y, ...dialogs]) => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur()
    scrollTo(scrollX, y!)
    document.querySelectorAll('dialog[open]').forEach((d, i) => (d.scrollTop = dialogs[i] ?? 0))
  }, scrolled)
  return [...found]
}
