/**
 * Renders Hearth's PNG icons (and the favicons) from the one hand-written
 * logo, `public/icons/icon.svg`, with headless Chromium.
 *
 *   npx tsx scripts/make-icons.ts
 *
 * The outputs are committed, so building the app never needs a browser. Run
 * this again after editing icon.svg. The SVG must keep its two parts:
 * `<rect id="plate" …>` (the rounded background) and `<g id="mark">…</g>`
 * (the hearth and flame), because the variants are made by reshaping them:
 *
 * - `icon-192.png`, `icon-512.png` (purpose "any"): the logo as drawn.
 * - `maskable-512.png`: full-bleed background, the mark scaled and centred
 *   so that it lies inside the 80 % safe circle; checked pixel by pixel.
 * - `apple-touch-icon.png` (180): full-bleed, iOS rounds the corners itself
 *   and would fill transparent corners with black.
 * - `public/favicon.svg` + `public/favicon.ico` (16/32/48): a bolder crop
 *   that stays legible at tab size.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'

const root = fileURLToPath(new URL('..', import.meta.url))
const iconsDir = `${root}public/icons/`
const SIZE = 512
/** Maskable icons may be cropped to a circle of 80 % of the width. */
const SAFE_RADIUS = 0.4 * SIZE
/** Keep a little air inside the safe circle, for anti-aliased edges. */
const SAFE_MARGIN = 0.96

type Variant = { plateRadius: number; markTransform: string }

function variantSvg(source: string, v: Variant): string {
  const withPlate = source.replace(/(<rect id="plate"[^>]*?)rx="[^"]*"/, `$1rx="${v.plateRadius}"`)
  const out = withPlate.replace('<g id="mark">', `<g id="mark" transform="${v.markTransform}">`)
  if (out === withPlate) throw new Error('icon.svg has no <g id="mark">')
  return out
}

/** Scale about the centre of the 512 box, then move by (dx, dy). */
function around(scale: number, dx = 0, dy = 0): string {
  const c = SIZE / 2
  return `translate(${c + dx} ${c + dy}) scale(${scale}) translate(${-c} ${-c})`
}

async function markBox(page: Page, svg: string) {
  return page.evaluate((markup) => {
    document.body.innerHTML = markup
    const mark = document.querySelector<SVGGraphicsElement>('#mark')
    if (!mark) throw new Error('no #mark')
    const b = mark.getBBox()
    return { x: b.x, y: b.y, width: b.width, height: b.height }
  }, svg)
}

/** Rasterises an SVG string to PNG bytes of the given square size. */
async function render(page: Page, svg: string, size: number): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    async ({ markup, size }) => {
      const img = new Image(size, size)
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`
      await img.decode()
      const canvas = document.createElement('canvas')
      canvas.width = canvas.height = size
      const ctx = canvas.getContext('2d')
      if (!ctx) throw new Error('no 2d context')
      ctx.drawImage(img, 0, 0, size, size)
      return canvas.toDataURL('image/png')
    },
    { markup: svg, size },
  )
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64')
}

/** Counts pixels outside the safe circle that differ from the background. */
async function pixelsOutsideSafeZone(page: Page, png: Buffer, background: string): Promise<number> {
  return page.evaluate(
    async ({ b64, background, safe }) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const canvas = document.createElement('canvas')
      canvas.width = img.width
      canvas.height = img.height
      const ctx = canvas.getContext('2d')
      if (!ctx) throw new Error('no 2d context')
      ctx.drawImage(img, 0, 0)
      const { data, width, height } = ctx.getImageData(0, 0, img.width, img.height)
      const bg = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16))
      const r = safe * width
      let outside = 0
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (Math.hypot(x + 0.5 - width / 2, y + 0.5 - height / 2) <= r) continue
          const i = (y * width + x) * 4
          const diff = Math.max(...[0, 1, 2].map((c) => Math.abs((data[i + c] ?? 0) - (bg[c] ?? 0))))
          if (diff > 8 || data[i + 3] !== 255) outside++
        }
      }
      return outside
    },
    { b64: png.toString('base64'), background, safe: SAFE_RADIUS / SIZE },
  )
}

/** An .ico file holding PNG images (supported by every current browser). */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(images.length, 4)
  let offset = header.length
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i
    header.writeUInt8(size >= 256 ? 0 : size, e)
    header.writeUInt8(size >= 256 ? 0 : size, e + 1)
    header.writeUInt16LE(1, e + 4)
    header.writeUInt16LE(32, e + 6)
    header.writeUInt32LE(png.length, e + 8)
    header.writeUInt32LE(offset, e + 12)
    offset += png.length
  })
  return Buffer.concat([header, ...images.map((i) => i.png)])
}

async function main() {
  const source = await readFile(`${iconsDir}icon.svg`, 'utf8')
  const background = /<rect id="plate"[^>]*fill="(#[0-9a-fA-F]{6})"/.exec(source)?.[1]
  if (!background) throw new Error('icon.svg: <rect id="plate"> needs a #rrggbb fill')

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage()
    const box = await markBox(page, source)
    const cx = box.x + box.width / 2
    const cy = box.y + box.height / 2
    // Conservative: the whole bounding box of the mark fits in the circle.
    const maskScale = (SAFE_RADIUS * SAFE_MARGIN) / Math.hypot(box.width / 2, box.height / 2)
    const centred = (scale: number) => around(scale, (SIZE / 2 - cx) * scale, (SIZE / 2 - cy) * scale)

    const any = source
    const maskable = variantSvg(source, { plateRadius: 0, markTransform: centred(maskScale) })
    const apple = variantSvg(source, { plateRadius: 0, markTransform: centred(0.9) })
    const favicon = variantSvg(source, { plateRadius: 96, markTransform: centred(1.22) })

    const outputs: [string, Buffer | string][] = [
      [`${iconsDir}icon-192.png`, await render(page, any, 192)],
      [`${iconsDir}icon-512.png`, await render(page, any, 512)],
      [`${iconsDir}maskable-512.png`, await render(page, maskable, 512)],
      [`${iconsDir}apple-touch-icon.png`, await render(page, apple, 180)],
      [`${root}public/favicon.svg`, favicon],
      [
        `${root}public/favicon.ico`,
        ico(await Promise.all([16, 32, 48].map(async (size) => ({ size, png: await render(page, favicon, size) })))),
      ],
    ]

    const maskPng = outputs[2]?.[1]
    if (!Buffer.isBuffer(maskPng)) throw new Error('unreachable')
    const stray = await pixelsOutsideSafeZone(page, maskPng, background)
    if (stray > 0) throw new Error(`maskable icon: ${stray} pixels of the mark lie outside the safe zone`)

    for (const [path, data] of outputs) {
      await writeFile(path, data)
      process.stdout.write(`wrote ${path.slice(root.length)} (${data.length} bytes)\n`)
    }
  } finally {
    await browser.close()
  }
}

await main()
