/**
 * An init script that makes a page's WebCrypto behave like a browser from
 * before Ed25519 and X25519 (Chromium before 2025, Safari before 17, Firefox
 * before 129): every operation naming either curve is refused with
 * NotSupportedError; everything else (AES-GCM, HKDF, SHA-256…) still works.
 * Init scripts run before the page's own scripts and are not subject to its CSP.
 */
export const OLDER_WEBCRYPTO = `(() => {
  const proto = globalThis.SubtleCrypto && globalThis.SubtleCrypto.prototype;
  if (!proto || proto.__hearthOlder) return;
  proto.__hearthOlder = true;
  const named = (alg) => /^(ed25519|x25519)$/i.test(typeof alg === 'string' ? alg : String(alg && alg.name));
  const refuse = () => Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'));
  // Where each method takes its algorithm.
  const at = { generateKey: 0, importKey: 2, sign: 0, verify: 0, deriveBits: 0, deriveKey: 0 };
  for (const [name, index] of Object.entries(at)) {
    const original = proto[name];
    proto[name] = function (...args) { return named(args[index]) ? refuse() : original.apply(this, args); };
  }
})()`
