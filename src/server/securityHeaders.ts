/**
 * Headers sent with every HTTP response. The CSP allows only our own code:
 * no inline script, no third-party anything, no framing (clickjacking), no
 * form posts. Inline style only where `styleHashes` names its exact bytes
 * (the app shell's, inlineStyles.ts). `connect-src` allows WebSockets because signaling servers may
 * live elsewhere; the app narrows it further at runtime to the servers the
 * user actually configured.
 */
export function securityHeaders(extraConnectOrigins: readonly string[] = [], styleHashes: readonly string[] = []): Record<string, string> {
  const connectSrc = ["'self'", 'ws:', 'wss:', ...extraConnectOrigins].join(' ')
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...styleHashes].join(' '),
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ')
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  }
}

/**
 * The origins of operator-configured signaling URLs, as CSP source
 * expressions. Invalid URLs and non-WebSocket/HTTP schemes are dropped so a
 * bad env var cannot inject extra directives into the policy.
 */
export function connectOriginsOf(urls: readonly string[]): string[] {
  const origins = new Set<string>()
  for (const url of urls) {
    try {
      const parsed = new URL(url)
      if (['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) origins.add(`${parsed.protocol}//${parsed.host}`)
    } catch {
      // not a URL: leave it out of the policy
    }
  }
  return [...origins]
}
