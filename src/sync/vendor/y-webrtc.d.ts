// The vendored copy has the installed package's API; reuse its types.
export * from 'y-webrtc'
