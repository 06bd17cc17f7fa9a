import type { Prng } from '../../core/prng.ts'

/** One frame a fuzzing client sends: text (possibly not valid UTF-8) or binary. */
export interface FuzzFrame {
  kind: string
  data: string | Buffer
  binary: boolean
}

/** Topics the fuzzers and the watching listener share, prototype names included. */
export const FUZZ_TOPICS = ['fuzz-a', 'fuzz-b', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'prototype'] as const

const ODD_VALUES = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '1e-400',
  '[]',
  '{}',
  '""',
  '"\\u0000"',
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"toString":1,"valueOf":"x","hasOwnProperty":null}',
  '[1,"two",{"three":[null]}]',
] as const

const BROKEN = ['{', '}', '[', ']', '"', ':', ',', '\\', '{"type":', '{"type":"publish","topic":', '"\\x"', '"\\u12"', 'NaN', 'undefined', "'single'"] as const

function randomText(rng: Prng, length: number): string {
  let s = ''
  for (let i = 0; i < length; i++) {
    const r = rng.next()
    if (r < 0.6) s += String.fromCharCode(0x20 + rng.int(95))
    else if (r < 0.8) s += rng.pick(BROKEN)
    else if (r < 0.9) s += String.fromCodePoint(0x80 + rng.int(0x2ff80))
    else s += String.fromCharCode(rng.int(0x20))
  }
  return s
}

function deep(rng: Prng, depth: number, close: boolean): string {
  const open = rng.chance(0.5) ? '[' : '{"k":'
  const end = open === '[' ? ']' : '}'
  return open.repeat(depth) + (close ? '1' + end.repeat(depth) : '')
}

function value(rng: Prng): string {
  return rng.chance(0.3) ? JSON.stringify(randomText(rng, rng.int(40))) : rng.pick(ODD_VALUES)
}

const topic = (rng: Prng): string => rng.pick(FUZZ_TOPICS)

/** A seeded stream of hostile frames: every kind the brief names, each often enough to matter. */
export function fuzzFrame(rng: Prng): FuzzFrame {
  const r = rng.int(12)
  switch (r) {
    case 0:
      return { kind: 'binary', data: Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256))), binary: true }
    case 1:
      return { kind: 'random text', data: randomText(rng, rng.int(300)), binary: false }
    case 2: {
      // Valid UTF-8 cut in the middle of a multi-byte character, sent as text.
      const bytes = Buffer.from(`{"type":"publish","topic":"${topic(rng)}","data":"é—𝄞"}`, 'utf8')
      return { kind: 'partial UTF-8', data: bytes.subarray(0, bytes.length - 2 - rng.int(3)), binary: false }
    }
    case 3: {
      const depth = rng.chance(0.5) ? 20 + rng.int(20) : 1000 + rng.int(20_000)
      return { kind: 'deep nesting', data: `{"type":"publish","topic":"${topic(rng)}","data":${deep(rng, depth, rng.chance(0.8))}}`, binary: false }
    }
    case 4: {
      const odd = rng.pick(['null', '1', '["publish"]', '{"t":1}', 'true', '"PUBLISH"', '1e999'])
      return { kind: 'odd type', data: `{"type":${odd},"topic":"${topic(rng)}","topics":["${topic(rng)}"],"data":1}`, binary: false }
    }
    case 5: {
      const topics = rng.pick(['null', '"fuzz-a"', '[1,2]', '[[["x"]]]', '[{"__proto__":1}]', '{"length":1,"0":"x"}', '[""]', `[${'"t",'.repeat(100)}"t"]`])
      return { kind: 'odd topics', data: `{"type":"${rng.pick(['subscribe', 'unsubscribe'])}","topics":${topics}}`, binary: false }
    }
    case 6:
      return {
        kind: 'prototype keys',
        data: `{"__proto__":{"type":"publish"},"constructor":{"prototype":{"type":"ping"}},"type":"${rng.pick(['subscribe', 'publish', 'ping'])}","topics":["__proto__","constructor"],"topic":"${topic(rng)}","data":${value(rng)}}`,
        binary: false,
      }
    case 7:
      return { kind: 'huge numbers', data: `{"type":"publish","topic":${rng.pick(['1e999', '-0', '123456789012345678901234567890'])},"data":${rng.pick(['1e999', '-1e999', '9'.repeat(5000)])}}`, binary: false }
    case 8:
      return { kind: 'oversized', data: `{"type":"publish","topic":"fuzz-a","data":"${'x'.repeat(64 * 1024 + rng.int(1000))}"}`, binary: false }
    case 9:
      return { kind: 'duplicate keys', data: `{"type":"ping","type":"publish","topic":"fuzz-a","data":1,"data":${value(rng)},"topic":"${topic(rng)}"}`, binary: false }
    case 10:
      return { kind: 'valid subscribe', data: JSON.stringify({ type: 'subscribe', topics: [topic(rng), topic(rng)] }), binary: false }
    default:
      return { kind: 'valid publish with odd data', data: `{"type":"publish","topic":"${topic(rng)}","data":${value(rng)}}`, binary: false }
  }
}
